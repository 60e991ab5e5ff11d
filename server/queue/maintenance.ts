import { z } from 'zod';
import { defineQueue } from './contract';

/**
 * The maintenance queue (processed by worker/processors/maintenance.ts): `purge-finished-jobs` daily,
 * finished jobs past their retention in every queue and relayed outbox rows.
 */
export const MAINTENANCE_QUEUE = 'maintenance';
export const DAILY_MAINTENANCE_SCHEDULER = 'daily-maintenance';
/** 03:15 UTC every day: after most of the world's working day, before Europe's starts. */
export const DAILY_MAINTENANCE_PATTERN = '15 3 * * *';

export const maintenanceQueue = defineQueue({
  name: MAINTENANCE_QUEUE,
  jobs: {
    'purge-finished-jobs': {
      payload: z.object({
        completedRetentionDays: z.number().int().min(0).max(365).default(7),
        failedRetentionDays: z.number().int().min(0).max(365).default(30),
      }),
      key: () => 'purge-finished-jobs',
    },
  },
  defaultJobOptions: {
    attempts: 3,
    backoff: { type: 'exponential', delay: 30_000, jitter: 0.5 },
    removeOnComplete: { count: 100 },
    removeOnFail: { count: 1_000 },
  },
  schedulers: [{ id: DAILY_MAINTENANCE_SCHEDULER, pattern: DAILY_MAINTENANCE_PATTERN, job: 'purge-finished-jobs', data: {} }],
});
