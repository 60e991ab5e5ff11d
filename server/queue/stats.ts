import { MetricsTime, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { QueueContract } from './contract';
import { QUEUES } from './registry';

/**
 * What the queues hold right now, read from Redis for the Background jobs page. Read-only: the web
 * never adds a job (it asks through the outbox), it only counts.
 */

export type QueueCounts = { queue: string; waiting: number; active: number; delayed: number; completedLastHour: number; failed: number };

/** How many minutes of completion counts the workers keep (BullMQ metrics, one data point a minute). */
export const METRICS_MINUTES = MetricsTime.ONE_HOUR * 2;

export type QueueStats = { counts(): Promise<QueueCounts[]>; close(): Promise<void> };

export function createQueueStats(redis: Redis, prefix?: string): QueueStats {
  let queues: Queue[] | null = null;
  const open = () =>
    (queues ??= (QUEUES as readonly QueueContract[]).map((contract) => {
      const queue = new Queue(contract.name, { connection: redis, prefix });
      queue.on('error', () => undefined);
      return queue;
    }));
  return {
    async counts() {
      return Promise.all(
        open().map(async (queue) => {
          const [counts, completed] = await Promise.all([
            queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'failed'),
            // Newest minute first: the last 60 data points are the last hour.
            queue.getMetrics('completed', 0, MetricsTime.ONE_HOUR - 1),
          ]);
          return {
            queue: queue.name,
            waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0) + (counts['waiting-children'] ?? 0),
            active: counts.active ?? 0,
            delayed: counts.delayed ?? 0,
            completedLastHour: completed.data.reduce((sum, n) => sum + (Number(n) || 0), 0),
            failed: counts.failed ?? 0,
          };
        }),
      );
    },
    async close() {
      await Promise.allSettled((queues ?? []).map((queue) => queue.close()));
    },
  };
}
