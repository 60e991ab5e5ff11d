import { Queue } from 'bullmq';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createWorkerConnection } from '../server/queue/connection';
import { readHeartbeat } from '../server/queue/heartbeat';
import { IMPORTS_QUEUE } from '../server/queue/imports';
import { DAILY_MAINTENANCE_SCHEDULER, MAINTENANCE_QUEUE } from '../server/queue/maintenance';
import { SENTIMENT_QUEUE } from '../server/queue/sentiment';
import { ALERTS_QUEUE } from '../server/queue/alerts';
import { HEALTH_QUEUE } from '../server/queue/health';
import { testRedisUrl } from '../server/testing/services';
import { migratedScratchDatabase, startWorkerProcess, until } from '../server/testing/worker-process';

// Redis database 3 of the test server: this worker's heartbeat and queues are its own.
const redisUrl = `${testRedisUrl()}/3`;
const redis = createWorkerConnection(redisUrl);

// A migrated scratch database: this worker's outbox relay must not take other test files' job intents.
const scratch = migratedScratchDatabase();

beforeAll(async () => {
  await redis.flushdb();
});
afterAll(async () => {
  await redis.flushdb();
  await redis.quit();
});

it(
  'boots, schedules daily maintenance, runs jobs with their id in every log line, and exits cleanly on SIGTERM',
  { timeout: 60_000 },
  async () => {
    const worker = startWorkerProcess({ databaseUrl: scratch.url, redisUrl, env: { LOG_LEVEL: 'debug' } });

    const beat = await until(() => readHeartbeat(redis), 'the worker heartbeat');
    expect(beat).toMatchObject({
      pid: worker.child.pid,
      queues: [MAINTENANCE_QUEUE, IMPORTS_QUEUE, SENTIMENT_QUEUE, HEALTH_QUEUE, ALERTS_QUEUE],
    });

    const queue = new Queue(MAINTENANCE_QUEUE, { connection: createWorkerConnection(redisUrl) });
    try {
      expect((await queue.getJobSchedulers()).map((scheduler) => scheduler.key)).toEqual([DAILY_MAINTENANCE_SCHEDULER]);
      const job = await queue.add('purge-finished-jobs', {});
      await until(async () => (await queue.getJobState(job.id!)) === 'completed', 'the maintenance job');
      const lines = worker
        .output()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { msg: string; jobId?: string; queue?: string });
      const jobLines = lines.filter((line) => line.jobId === job.id);
      expect(jobLines.map((line) => line.msg)).toEqual(['job started', 'purged finished jobs', 'job done']);
      expect(jobLines.every((line) => line.queue === MAINTENANCE_QUEUE)).toBe(true);
    } finally {
      await queue.close();
    }

    worker.child.kill('SIGTERM');
    expect((await worker.exited).code).toBe(0);
    expect(await readHeartbeat(redis)).toBeNull();
    expect(worker.output()).toContain('worker closed');
  },
);
