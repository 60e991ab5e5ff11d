import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { createDatabase, type Database } from '../db';
import { parseEnv } from '../env';
import { createAppServices, type AppServices } from '../services';
import { testLog } from './factories';

export { testLog };
export const TEST_SESSION_SECRET = 'test-session-secret-0123456789abcdef';

export function testDatabaseUrl(): string {
  return inject('databaseUrl');
}

export function testRedisUrl(): string {
  return inject('redisUrl');
}

/** The run's mail catcher (or TEST_SMTP_URL); read what was sent with server/testing/mail.ts. */
export function testSmtpUrl(): string {
  return inject('smtpUrl');
}

/** A pool on the shared, migrated test database. */
export function createTestDatabase(poolMax = 4): Database {
  return createDatabase({ url: testDatabaseUrl(), poolMax, log: testLog });
}

/** The web's services wired to the test Postgres and Redis. */
export function createTestServices(): AppServices {
  // Each test file's jobs in their own queues, so one file's worker never takes another's jobs.
  return createServicesOn(testDatabaseUrl(), testRedisUrl(), { QUEUE_PREFIX: `test-${randomUUID().slice(0, 8)}` });
}

/**
 * The web's services on another database and Redis than the run's (a scratch database, a Redis
 * database of a test's own), with the default queue prefix, as a worker from startWorkerProcess has.
 */
export function createServicesOn(databaseUrl: string, redisUrl: string, env: Record<string, string> = {}): AppServices {
  return createAppServices(
    parseEnv({
      NODE_ENV: 'test',
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      SESSION_SECRET: TEST_SESSION_SECRET,
      SMTP_URL: testSmtpUrl(),
      LOG_LEVEL: 'silent',
      // Fake Slack (and other webhook) servers listen on 127.0.0.1; tests of the blocking build a client without it.
      OUTBOUND_ALLOW_LOOPBACK: 'true',
      ...env,
    }),
    testLog,
  );
}

/** An empty database on the test cluster, for tests that must start from nothing (the migrator). */
export async function createScratchDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `scratch_${randomUUID().replaceAll('-', '')}`;
  const admin = new pg.Client({ connectionString: testDatabaseUrl() });
  await admin.connect();
  await admin.query(`create database ${admin.escapeIdentifier(name)}`);
  await admin.end();
  const url = new URL(testDatabaseUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: testDatabaseUrl() });
      await client.connect();
      await client.query(`drop database if exists ${client.escapeIdentifier(name)} with (force)`);
      await client.end();
    },
  };
}
