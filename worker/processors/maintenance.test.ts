import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents, UnrecoverableError, Worker, type Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkerConnection } from '../../server/queue/connection';
import {
  DAILY_MAINTENANCE_PATTERN,
  DAILY_MAINTENANCE_SCHEDULER,
  MAINTENANCE_QUEUE,
  maintenanceQueue,
} from '../../server/queue/maintenance';
import { registerSchedulers } from '../../server/queue/registry';
import { runJobNow } from '../../server/testing/jobs';
import { createTestDatabase, testRedisUrl } from '../../server/testing/services';
import { createMaintenanceHandlers } from './maintenance';

const DAY_MS = 24 * 60 * 60 * 1000;
const connection = () => createWorkerConnection(testRedisUrl());
const prefix = `test-${randomUUID()}`; // a key prefix of this file's own: no other test sees these queues

let work: Queue;
let events: QueueEvents;
const db = createTestDatabase(2);

beforeAll(async () => {
  work = new Queue('work', { connection: connection(), prefix });
  events = new QueueEvents('work', { connection: connection(), prefix });
  await events.waitUntilReady();
});
afterAll(async () => {
  await work.obliterate({ force: true });
  await Promise.all([work.close(), events.close(), db.close()]);
});

/** Runs `names` through a worker that fails the jobs named `fail-*`, and waits for each to finish. */
async function runJobs(names: string[]): Promise<Job[]> {
  const worker = new Worker(
    'work',
    async (job) => {
      if (job.name.startsWith('fail-')) throw new UnrecoverableError('boom');
      return 'ok';
    },
    { connection: connection(), prefix },
  );
  const jobs = await Promise.all(names.map((name) => work.add(name, {}, { removeOnComplete: false, removeOnFail: false })));
  await Promise.all(jobs.map((job) => job.waitUntilFinished(events).catch(() => undefined)));
  await worker.close();
  return jobs;
}

describe('daily maintenance', () => {
  it('purges finished jobs past their retention and leaves the rest alone', async () => {
    const [oldDone, oldFailed, freshDone, freshFailed] = await runJobs(['old-done', 'fail-old', 'fresh-done', 'fail-fresh']);
    // Age two of them as if they had finished long ago, the way Redis would hold them after days.
    const redis = connection();
    for (const job of [oldDone!, oldFailed!]) {
      const finishedOn = Date.now() - 40 * DAY_MS;
      await redis.hset(`${prefix}:work:${job.id}`, 'finishedOn', String(finishedOn));
      await redis.zadd(`${prefix}:work:${job.name.startsWith('fail-') ? 'failed' : 'completed'}`, finishedOn, job.id!);
    }
    await redis.quit();
    const waiting = await work.add('still-waiting', {});

    const handlers = createMaintenanceHandlers({ db, queues: () => [work] });
    const results = await runJobNow(db, maintenanceQueue, handlers, 'purge-finished-jobs', {
      completedRetentionDays: 7,
      failedRetentionDays: 30,
    });

    expect(results).toEqual([{ queue: 'work', completedRemoved: 1, failedRemoved: 1 }]);
    expect(await work.getJob(oldDone!.id!)).toBeUndefined();
    expect(await work.getJob(oldFailed!.id!)).toBeUndefined();
    expect(await work.getJobState(freshDone!.id!)).toBe('completed');
    expect(await work.getJobState(freshFailed!.id!)).toBe('failed');
    expect(await work.getJobState(waiting.id!)).toBe('waiting');
  });

  it('refuses a malformed payload without retrying it', async () => {
    const handlers = createMaintenanceHandlers({ db, queues: () => [work] });
    const malformed = { completedRetentionDays: -1 } as never;
    await expect(runJobNow(db, maintenanceQueue, handlers, 'purge-finished-jobs', malformed)).rejects.toBeInstanceOf(UnrecoverableError);
  });

  it('registers one daily job scheduler, however often the worker boots', async () => {
    const isolated = new Queue(MAINTENANCE_QUEUE, { connection: connection(), prefix });
    try {
      await registerSchedulers(new Map([[MAINTENANCE_QUEUE, isolated]]));
      await registerSchedulers(new Map([[MAINTENANCE_QUEUE, isolated]]));
      const schedulers = await isolated.getJobSchedulers();
      expect(schedulers).toHaveLength(1);
      expect(schedulers[0]).toMatchObject({ key: DAILY_MAINTENANCE_SCHEDULER, pattern: DAILY_MAINTENANCE_PATTERN, tz: 'UTC' });
      expect(schedulers[0]?.next).toBeGreaterThan(Date.now());
    } finally {
      await isolated.obliterate({ force: true });
      await isolated.close();
    }
  });
});
