import { spawn, type ChildProcess } from 'node:child_process';
import { pino } from 'pino';
import { parseEnv } from '../server/env';
import { ROOT_DIR } from '../server/local/stack';
import { WORKER_HEARTBEAT_KEY } from '../server/queue/heartbeat';
import { createAppServices, type AppServices } from '../server/services';
import type { BenchmarkContext } from './registry';

/** What every benchmark process (its own services, the worker it starts) runs with: production settings, mail sent nowhere. */
function benchEnv({ databaseUrl, redisUrl }: BenchmarkContext) {
  return {
    NODE_ENV: 'production' as const,
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    SESSION_SECRET: 'bench-session-secret-0123456789abcdef',
    SMTP_URL: 'smtp://127.0.0.1:9',
  };
}

/** A benchmark's own services on the stack in `context`, logging nothing; `env` adds or overrides settings. */
export function benchServices(context: BenchmarkContext, env: Record<string, string> = {}): AppServices {
  return createAppServices(parseEnv({ ...benchEnv(context), LOG_LEVEL: 'silent', ...env }), pino({ level: 'silent' }));
}

/**
 * A real worker process (`worker/index.ts`, local sentiment) on the stack in `context`, with queues under
 * `queuePrefix`; warnings go to this process's stderr. `profileDir` writes its CPU profile there.
 */
export function spawnBenchWorker(context: BenchmarkContext, options: { queuePrefix: string; profileDir?: string }): ChildProcess {
  return spawn(
    process.execPath,
    [...(options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : []), '--import', 'tsx', 'worker/index.ts'],
    {
      cwd: ROOT_DIR,
      env: { ...process.env, ...benchEnv(context), QUEUE_PREFIX: options.queuePrefix, SENTIMENT_PROVIDER: 'local', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
}

/** Waits (up to a minute) for a worker's heartbeat, then `settleMs` more for its queues to be ready. */
export async function waitForWorker(services: AppServices, settleMs: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await services.redis.get(WORKER_HEARTBEAT_KEY).catch(() => null)) && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 200));
  await new Promise((resolve) => setTimeout(resolve, settleMs));
}

/** Stops a worker process and waits for it to exit. */
export async function stopBenchWorker(worker: ChildProcess): Promise<void> {
  worker.kill('SIGTERM');
  await new Promise((resolve) => worker.once('exit', resolve));
}
