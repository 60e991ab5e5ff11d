import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listMigrationFiles } from '../db/migrate';
import { createClientConnection } from '../queue/connection';
import { closeAppServices, type AppServices } from '../services';
import { createTestServices } from '../testing/services';
import { checkReadiness } from './health';

let services: AppServices;
let dir: string;

beforeAll(async () => {
  services = createTestServices();
  dir = await mkdtemp(path.join(tmpdir(), 'migrations-'));
  for (const file of await listMigrationFiles(services.migrationsDir)) await writeFile(path.join(dir, file.fileName), '');
});
afterAll(async () => {
  await closeAppServices(services);
  await rm(dir, { recursive: true, force: true });
});

describe('checkReadiness', () => {
  it('fails the migrations check, naming the file, when one is not applied', async () => {
    await writeFile(path.join(dir, '29990101000000_add_future_things.sql'), 'select 1;');
    const readiness = await checkReadiness({ ...services, migrationsDir: dir });
    expect(readiness.ok).toBe(false);
    expect(readiness.checks.migrations).toMatchObject({ ok: false, detail: 'pending: 29990101000000_add_future_things.sql' });
    expect(readiness.checks.postgres.ok).toBe(true);
  });

  it('fails the Redis check, with the reason, when Redis does not answer', async () => {
    const unreachable = createClientConnection('redis://127.0.0.1:1', { retryStrategy: () => null });
    unreachable.on('error', () => undefined);
    try {
      const readiness = await checkReadiness({ ...services, redis: unreachable });
      expect(readiness.ok).toBe(false);
      expect(readiness.checks.redis.ok).toBe(false);
      expect(readiness.checks.redis.detail).toBeTruthy();
      expect(readiness.checks.worker.ok).toBe(false);
    } finally {
      unreachable.disconnect();
    }
  });
});
