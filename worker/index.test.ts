import { spawn } from 'node:child_process';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, expect, it, onTestFinished } from 'vitest';
import { createWorkerConnection } from '../server/queue/connection';
import { readHeartbeat } from '../server/queue/heartbeat';
import { IMPORTS_QUEUE } from '../server/queue/imports';
import { DAILY_MAINTENANCE_SCHEDULER, MAINTENANCE_QUEUE } from '../server/queue/maintenance';
import { SENTIMENT_QUEUE } from '../server/queue/sentiment';
import { ROOT_DIR } from '../server/local/stack';
import { migrate } from '../server/db/migrate';
import { createScratchDatabase, TEST_SESSION_SECRET, testRedisUrl } from '../server/testing/services';

// Redis database 3 of the test server: this worker's heartbeat and queues are its own.
const redisUrl = `${testRedisUrl()}/3`;
const redis = createWorkerConnection(redisUrl);

// A migrated scratch database: this worker's outbox relay must not take other test files' job intents.
let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;

beforeAll(async () => {
  await redis.flushdb();
  scratch = await createScratchDatabase();
  await migrate({ databaseUrl: scratch.url });
});
afterAll(async () => {
  await redis.flushdb();
  await redis.quit();
  await scratch?.drop();
});

async function until<T>(probe: () => Promise<T | null | undefined | false>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

it('boots, schedules daily maintenance, runs jobs with their id in every log line, and exits cleanly on SIGTERM', { timeout: 60_000 }, async () => {
  const worker = spawn(process.execPath, ['--import', 'tsx', 'worker/index.ts'], {
    cwd: ROOT_DIR,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      DATABASE_URL: scratch.url,
      REDIS_URL: redisUrl,
      SESSION_SECRET: TEST_SESSION_SECRET,
      SMTP_URL: 'smtp://127.0.0.1:2525',
      LOG_LEVEL: 'debug',
      LOG_PRETTY: 'false',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  worker.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  worker.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => worker.on('exit', (code) => resolve(code)));
  // A failed assertion must not leave the worker running (and beating into the next run's Redis).
  onTestFinished(() => {
    if (worker.exitCode === null) worker.kill('SIGKILL');
  });

  const beat = await until(() => readHeartbeat(redis), 'the worker heartbeat');
  expect(beat).toMatchObject({ pid: worker.pid, queues: [MAINTENANCE_QUEUE, IMPORTS_QUEUE, SENTIMENT_QUEUE] });

  const queue = new Queue(MAINTENANCE_QUEUE, { connection: createWorkerConnection(redisUrl) });
  try {
    expect((await queue.getJobSchedulers()).map((scheduler) => scheduler.key)).toEqual([DAILY_MAINTENANCE_SCHEDULER]);
    const job = await queue.add('purge-finished-jobs', {});
    await until(async () => (await queue.getJobState(job.id!)) === 'completed', 'the maintenance job');
    const lines = output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { msg: string; jobId?: string; queue?: string });
    const jobLines = lines.filter((line) => line.jobId === job.id);
    expect(jobLines.map((line) => line.msg)).toEqual(['job started', 'purged finished jobs', 'job done']);
    expect(jobLines.every((line) => line.queue === MAINTENANCE_QUEUE)).toBe(true);
  } finally {
    await queue.close();
  }

  worker.kill('SIGTERM');
  expect(await exited).toBe(0);
  expect(await readHeartbeat(redis)).toBeNull();
  expect(output).toContain('worker closed');
});
