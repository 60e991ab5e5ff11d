import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate } from '../db/migrate';
import { startMailCatcher } from './mailcatcher';
import { startLocalPostgres, type LocalService } from './postgres';
import { redisServerAvailable, startLocalRedis } from './redis';

export const ROOT_DIR = fileURLToPath(new URL('../..', import.meta.url));

/** Where each use of the local stack keeps its data and listens, so tests never touch `npm start`'s. */
/** Decision 016: what the embedded Postgres runs with in every profile. */
export const LOCAL_POSTGRES_SETTINGS = {
  shared_buffers: '1GB',
  effective_cache_size: '4GB',
  maintenance_work_mem: '256MB',
  max_wal_size: '4GB',
  checkpoint_timeout: '15min',
  wal_buffers: '64MB',
};

export const PROFILES = {
  dev: { dataDir: '.data/dev', postgresPort: 15432, redisPort: 6380, webPort: 3000, smtpPort: 1025, mailWebPort: 1080 },
  test: { dataDir: '.data/test', postgresPort: 15433, redisPort: 6381, webPort: 3001, smtpPort: 1026, mailWebPort: 1081 },
  e2e: { dataDir: '.data/e2e', postgresPort: 15434, redisPort: 6382, webPort: 3100, smtpPort: 1027, mailWebPort: 1082 },
  // Benchmarks keep their scale data between runs (the test profile starts empty every run).
  bench: { dataDir: '.data/bench', postgresPort: 15436, redisPort: 6383, webPort: 3200, smtpPort: 1028, mailWebPort: 1083 },
} as const;
export type Profile = { dataDir: string; postgresPort: number; redisPort: number; webPort: number; smtpPort: number; mailWebPort: number };

/**
 * CLIENTPULSE_TEST_SLOT=N (1–9) gives a test run its own data directory and ports (N × 100 above the
 * test profile's), so two runs on one machine (two checkouts, two terminals) never share a database.
 * Without a slot, the test profile itself.
 */
export function testProfile(slot: string | undefined): Profile {
  if (!slot) return PROFILES.test;
  const n = Number(slot);
  if (!Number.isInteger(n) || n < 1 || n > 9) throw new Error(`CLIENTPULSE_TEST_SLOT must be a whole number from 1 to 9, not "${slot}"`);
  const base = PROFILES.test;
  const shift = n * 100;
  return {
    dataDir: `${base.dataDir}-${n}`,
    postgresPort: base.postgresPort + shift,
    redisPort: base.redisPort + shift,
    webPort: base.webPort + shift,
    smtpPort: base.smtpPort + shift,
    mailWebPort: base.mailWebPort + shift,
  };
}

export type LocalStack = {
  databaseUrl: string;
  redisUrl: string;
  smtpUrl: string;
  /** The mail catcher's web page; undefined when SMTP_URL points at another server. */
  mailCatcherUrl: string | undefined;
  started: LocalService[];
  stop(): Promise<void>;
};

/**
 * Starts what the environment does not provide: embedded Postgres unless DATABASE_URL is set,
 * `redis-server` unless REDIS_URL is set, the in-process mail catcher unless SMTP_URL is set.
 * Then applies pending migrations.
 */
export async function startLocalStack(options: {
  profile: Profile;
  env?: Record<string, string | undefined>;
  fastAndLoose?: boolean;
  takeOverStale?: boolean;
  /** Discard the profile's Postgres and Redis data first: tests always run on the current migrations. */
  fresh?: boolean;
  log?: (line: string) => void;
}): Promise<LocalStack> {
  const env = options.env ?? process.env;
  const dataDir = path.resolve(ROOT_DIR, env.CLIENTPULSE_DATA_DIR ?? options.profile.dataDir);
  const started: LocalService[] = [];
  const stop = async () => {
    for (const service of started.reverse()) await service.stop().catch(() => undefined);
  };

  try {
    let databaseUrl = env.DATABASE_URL;
    if (!databaseUrl) {
      const postgres = await startLocalPostgres({
        dataDir: path.join(dataDir, 'postgres'),
        port: options.profile.postgresPort,
        database: 'clientpulse',
        takeOverStale: options.takeOverStale,
        fresh: options.fresh,
        // Memory and checkpoint spacing sized like a small managed instance (Postgres' defaults are
        // for a 2005 laptop: 128 MB of buffers make a 100,000-client recompute write-bound).
        // Throwaway test clusters also trade crash safety for speed.
        settings: {
          ...LOCAL_POSTGRES_SETTINGS,
          ...(options.fastAndLoose ? { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' } : {}),
        },
      });
      started.push(postgres);
      databaseUrl = postgres.url;
    }

    let redisUrl = env.REDIS_URL;
    if (!redisUrl) {
      if (!redisServerAvailable()) {
        const install = spawnSync('bash', [path.join(ROOT_DIR, 'server/local/ensure-system-packages.sh'), 'redis'], { stdio: 'inherit' });
        if (install.status !== 0) throw new Error('redis-server is required: install it with `sudo apt-get install -y redis-server`.');
      }
      const redis = await startLocalRedis({
        dataDir: path.join(dataDir, 'redis'),
        port: options.profile.redisPort,
        takeOverStale: options.takeOverStale,
        fresh: options.fresh,
      });
      started.push(redis);
      redisUrl = redis.url;
    }

    let smtpUrl = env.SMTP_URL;
    let mailCatcherUrl: string | undefined;
    if (!smtpUrl) {
      const catcher = await startMailCatcher({
        smtpPort: options.profile.smtpPort,
        httpPort: options.profile.mailWebPort,
        onLog: options.log,
      });
      started.push(catcher);
      smtpUrl = catcher.smtpUrl;
      mailCatcherUrl = catcher.webUrl;
    }

    await migrate({ databaseUrl, onApplied: (fileName) => options.log?.(`applied migration ${fileName}`) });
    return { databaseUrl, redisUrl, smtpUrl, mailCatcherUrl, started, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * The environment that makes `npm start` (server/local/start.ts) run a whole product of its own on
 * `profile`'s ports and data directory, ignoring any external services in the caller's environment:
 * for the tests that start the product as a user would.
 */
export function isolatedStartEnv(profile: Profile, options: { freshData?: boolean } = {}): Record<string, string> {
  return {
    DATABASE_URL: '',
    REDIS_URL: '',
    SMTP_URL: '',
    NODE_ENV: 'development',
    LOG_PRETTY: 'false',
    LOG_LEVEL: 'warn',
    PORT: String(profile.webPort),
    APP_URL: `http://localhost:${profile.webPort}`,
    CLIENTPULSE_DATA_DIR: profile.dataDir,
    CLIENTPULSE_POSTGRES_PORT: String(profile.postgresPort),
    CLIENTPULSE_REDIS_PORT: String(profile.redisPort),
    CLIENTPULSE_SMTP_PORT: String(profile.smtpPort),
    CLIENTPULSE_MAIL_WEB_PORT: String(profile.mailWebPort),
    CLIENTPULSE_SKIP_BUILD: '1',
    ...(options.freshData ? { CLIENTPULSE_FRESH_DATA: '1' } : {}),
  };
}
