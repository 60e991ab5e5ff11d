import type { TestProject } from 'vitest/node';
import { startLocalStack, testProfile } from '../local/stack';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    redisUrl: string;
    smtpUrl: string;
    /** The mail catcher's web page and API; undefined when TEST_SMTP_URL points at another server. */
    mailCatcherUrl: string | undefined;
  }
}

/**
 * One Postgres, one Redis and one mail catcher for the whole run, in the test profile's own data
 * directory and ports, so tests never touch what a running `npm start` uses. TEST_DATABASE_URL /
 * TEST_REDIS_URL / TEST_SMTP_URL point the tests at other servers instead (never DATABASE_URL: that
 * may be a real database).
 */
export default async function setup(project: TestProject) {
  const stack = await startLocalStack({
    profile: testProfile(process.env.CLIENTPULSE_TEST_SLOT),
    env: { DATABASE_URL: process.env.TEST_DATABASE_URL, REDIS_URL: process.env.TEST_REDIS_URL, SMTP_URL: process.env.TEST_SMTP_URL },
    fastAndLoose: true,
    takeOverStale: true,
    fresh: true,
  });
  project.provide('databaseUrl', stack.databaseUrl);
  project.provide('redisUrl', stack.redisUrl);
  project.provide('smtpUrl', stack.smtpUrl);
  project.provide('mailCatcherUrl', stack.mailCatcherUrl);
  return () => stack.stop();
}
