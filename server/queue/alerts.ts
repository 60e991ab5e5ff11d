import { Queue, type ConnectionOptions } from 'bullmq';
import { z } from 'zod';

export const ALERTS_QUEUE = 'alerts';

/** `deliver`: one delivery (an email or a Slack message); `digest`: the daily digests; `wake-snoozed`: snoozes that ran out (no data). */
export const alertJobSchema = z.object({ deliveryId: z.string().regex(/^\d+$/) });
export type AlertJobData = z.infer<typeof alertJobSchema>;

/**
 * Deliveries retry with backoff (1 s, 2 s, 4 s… ±50%) on their own queue, so a slow or failing Slack
 * or SMTP server never holds up sentiment, health or alert evaluation.
 */
export const DELIVERY_ATTEMPTS = 6;

export function createAlertsQueue(connection: ConnectionOptions, prefix?: string): Queue<AlertJobData> {
  return new Queue<AlertJobData>(ALERTS_QUEUE, {
    connection,
    prefix,
    defaultJobOptions: {
      attempts: DELIVERY_ATTEMPTS,
      backoff: { type: 'exponential', delay: 1_000, jitter: 0.5 },
      removeOnComplete: { age: 24 * 3600, count: 10_000 },
      removeOnFail: { age: 7 * 24 * 3600 },
    },
  });
}

export const DAILY_DIGEST_SCHEDULER = 'daily-alert-digest';
/** 07:00 UTC: after the daily recompute and its alerts (02:30). */
export const DAILY_DIGEST_PATTERN = '0 7 * * *';

export const WAKE_SNOOZED_SCHEDULER = 'wake-snoozed-alerts';
/** Every 15 minutes: a snoozed alert is back within a quarter of an hour of its date. */
export const WAKE_SNOOZED_PATTERN = '*/15 * * * *';

/** Registers (or updates) the alerts queue's schedules, the daily digest and the snooze wake-up; safe on every boot. */
export async function scheduleAlertJobs(queue: Queue<AlertJobData>): Promise<void> {
  await queue.upsertJobScheduler(
    DAILY_DIGEST_SCHEDULER,
    { pattern: DAILY_DIGEST_PATTERN, tz: 'UTC' },
    { name: 'digest', data: {} as AlertJobData },
  );
  await queue.upsertJobScheduler(
    WAKE_SNOOZED_SCHEDULER,
    { pattern: WAKE_SNOOZED_PATTERN, tz: 'UTC' },
    { name: 'wake-snoozed', data: {} as AlertJobData },
  );
}
