import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { DB_TYPES_FILE, generateDbTypes } from '../local/db-types';
import { testDatabaseUrl } from '../testing/services';

it('server/db/types.ts matches the migrated schema (run `npm run db:types` after adding a migration)', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'db-types-'));
  try {
    const fresh = path.join(dir, 'types.ts');
    generateDbTypes(testDatabaseUrl(), fresh);
    expect(await readFile(DB_TYPES_FILE, 'utf8')).toBe(await readFile(fresh, 'utf8'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
