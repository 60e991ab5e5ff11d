import { readFile } from 'node:fs/promises';
import { expect, it } from 'vitest';
import { DB_REFERENCE_FILE, renderDbReference } from '../local/db-reference';
import { testDatabaseUrl } from '../testing/services';

it('supabase/reference/functions.sql matches the migrated schema (run `npm run db:reference` after adding a migration)', async () => {
  expect(await readFile(DB_REFERENCE_FILE, 'utf8')).toBe(await renderDbReference(testDatabaseUrl()));
});
