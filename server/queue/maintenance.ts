import { Queue, type ConnectionOptions } from 'bullmq';
import { z } from 'zod';

export const MAINTENANCE_QUEUE = 'maintenance';
export const DAILY_MAINTENANCE_SCHEDULER = 'daily-maintenance';
/** 03:15 UTC every day: after most of the world's working day, before Europe's starts. */
export const DAILY_MAINTENANCE_PATTERN = '15 3 * * *';

export const maintenanceJobSchema = z.object({
  completedRetentionDays: z.number().int().min(0).max(365).default(7),
  failedRetentionDays: z.number().int().min(0).max(365).default(30),
});
export type MaintenanceJobData = z.input<typeof maintenanceJobSchema>;

export function createMaintenanceQueue(connection: ConnectionOptions, prefix?: string): Queue<MaintenanceJobData> {
  return new Queue<MaintenanceJobData>(MAINTENANCE_QUEUE, {
    connection,
    prefix,
    defaultJobOptions: {
      attempts: 3,
      backoff: { type: 'exponential', delay: 30_000, jitter: 0.5 },
      removeOnComplete: { count: 100 },
      removeOnFail: { count: 1_000 },
    },
  });
}

/** Registers (or updates) the daily maintenance run; safe to call on every boot. */
export async function scheduleDailyMaintenance(queue: Queue<MaintenanceJobData>): Promise<void> {
  await queue.upsertJobScheduler(
    DAILY_MAINTENANCE_SCHEDULER,
    { pattern: DAILY_MAINTENANCE_PATTERN, tz: 'UTC' },
    { name: 'purge-finished-jobs', data: {} },
  );
}
