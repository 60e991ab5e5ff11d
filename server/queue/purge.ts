import type { Queue } from 'bullmq';

const DAY_MS = 24 * 60 * 60 * 1000;

export type PurgeResult = { queue: string; completedRemoved: number; failedRemoved: number };

/**
 * Deletes finished jobs past their retention from each queue: completed jobs after
 * `completedRetentionDays`, failed ones (kept longer, for diagnosis) after `failedRetentionDays`.
 * Waiting, delayed and active jobs are never touched.
 */
export async function purgeFinishedJobs(
  queues: Queue[],
  retention: { completedRetentionDays: number; failedRetentionDays: number },
): Promise<PurgeResult[]> {
  const results: PurgeResult[] = [];
  for (const queue of queues) {
    const completed = await queue.clean(retention.completedRetentionDays * DAY_MS, 0, 'completed');
    const failed = await queue.clean(retention.failedRetentionDays * DAY_MS, 0, 'failed');
    results.push({ queue: queue.name, completedRemoved: completed.length, failedRemoved: failed.length });
  }
  return results;
}
