import type { Cookie } from '@remix-run/node';
import type { Redis } from 'ioredis';
import { createDatabase, type Database } from './db';
import { MIGRATIONS_DIR } from './db/migrate';
import { createMailer, type Mailer } from './email';
import type { Env } from './env';
import { createSessionCookie } from './identity/cookie';
import type { Logger } from './log';
import { createClientConnection } from './queue/connection';
import { createQueueStats, type QueueStats } from './queue/stats';
import { createRateLimits, type RateLimits } from './security/rate-limit';

/**
 * The long-lived dependencies of the web process, created once at start-up and handed to Remix
 * through the load context, so the Remix server build and the HTTP server share one pool.
 */
export type AppServices = {
  env: Env;
  log: Logger;
  db: Database;
  redis: Redis;
  /** What the worker's queues hold (read-only: work is asked for through the outbox). */
  queueStats: QueueStats;
  mailer: Mailer;
  rateLimits: RateLimits;
  sessionCookie: Cookie;
  /** Resolved here, outside the Remix bundle, whose own module URL points into `build/`. */
  migrationsDir: string;
};

export function createAppServices(env: Env, log: Logger): AppServices {
  const db = createDatabase({ url: env.DATABASE_URL, poolMax: env.DATABASE_POOL_MAX, log, applicationName: 'clientpulse-web' });
  const redis = createClientConnection(env.REDIS_URL);
  redis.on('error', (error) => log.warn({ err: error }, 'redis connection error'));
  return {
    env,
    log,
    db,
    redis,
    queueStats: createQueueStats(redis, env.QUEUE_PREFIX),
    mailer: createMailer({ smtpUrl: env.SMTP_URL, from: env.MAIL_FROM, log }),
    rateLimits: createRateLimits(redis, { log }),
    sessionCookie: createSessionCookie(env),
    migrationsDir: MIGRATIONS_DIR,
  };
}

export async function closeAppServices(services: AppServices): Promise<void> {
  services.mailer.close();
  await services.queueStats.close();
  await Promise.allSettled([services.db.close(), services.redis.quit()]);
}
