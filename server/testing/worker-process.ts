import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, onTestFinished } from 'vitest';
import { migrate } from '../db/migrate';
import { ROOT_DIR } from '../local/stack';
import { createScratchDatabase, TEST_SESSION_SECRET, testSmtpUrl } from './services';

/** The real worker process (`node --import tsx worker/index.ts`) in a test. */
export type WorkerProcess = {
  child: ChildProcessByStdio<null, Readable, Readable>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The last 50,000 characters the process wrote. */
  output(): string;
  /** Every whole line the process wrote that matches `keep` (kept in full, however much else it writes). */
  kept(): string[];
  alive(): boolean;
};

const running = new Set<WorkerProcess>();

/**
 * Starts a worker on `databaseUrl` and `redisUrl` (JSON logs); it is SIGKILLed when the test ends
 * if still running, so a failed assertion never leaves one behind.
 */
export function startWorkerProcess(options: {
  databaseUrl: string;
  redisUrl: string;
  env?: Record<string, string>;
  keep?: RegExp;
}): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'worker/index.ts'], {
    cwd: ROOT_DIR,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      DATABASE_URL: options.databaseUrl,
      REDIS_URL: options.redisUrl,
      SESSION_SECRET: TEST_SESSION_SECRET,
      // The run's mail catcher: alert emails the worker sends are delivered, not dead-lettered.
      SMTP_URL: testSmtpUrl(),
      LOG_LEVEL: 'info',
      LOG_PRETTY: 'false',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let partial = '';
  const kept: string[] = [];
  // Always drained: a full pipe would block the worker's logging, and with it the worker.
  const collect = (chunk: Buffer) => {
    const text = chunk.toString();
    output = (output + text).slice(-50_000);
    if (!options.keep) return;
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (options.keep.test(line)) kept.push(line);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const worker: WorkerProcess = {
    child,
    exited: new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal }))),
    output: () => output,
    kept: () => [...kept],
    alive: () => child.exitCode === null && child.signalCode === null,
  };
  running.add(worker);
  void worker.exited.then(() => running.delete(worker));
  onTestFinished(async () => {
    if (worker.alive()) child.kill('SIGKILL');
    await worker.exited;
  });
  return worker;
}

/**
 * For a test file whose workers must see only its own rows (a worker's outbox relay takes every
 * workspace's): a scratch database of the test cluster, migrated before the file's tests (call this
 * before the file's own hooks, which can then use it) and dropped after them, once this file's workers
 * still running are killed. `url` is there from the first beforeAll on.
 */
export function migratedScratchDatabase(): { readonly url: string } {
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>> | undefined;
  beforeAll(async () => {
    scratch = await createScratchDatabase();
    await migrate({ databaseUrl: scratch.url });
  });
  afterAll(async () => {
    await killAllWorkers();
    await scratch?.drop();
  });
  return {
    get url() {
      if (!scratch) throw new Error('the scratch database is made in beforeAll: read its url in hooks and tests');
      return scratch.url;
    },
  };
}

/** Kills every worker this file started that is still running. */
export async function killAllWorkers(): Promise<void> {
  const workers = [...running];
  for (const worker of workers) if (worker.alive()) worker.child.kill('SIGKILL');
  await Promise.all(workers.map((worker) => worker.exited));
}

/** Polls `probe` every 100 ms until it returns something truthy. */
export async function until<T>(
  probe: () => Promise<T | null | undefined | false>,
  what: string,
  timeoutMs = 30_000,
  describeLast?: () => string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}${describeLast ? `: ${describeLast()}` : ''}`);
}
