import { z } from 'zod';
import { markDeliveryFailed, stalledDeliveries } from '../alerts/delivery';
import { defineQueue, type JobRequest } from './contract';

/**
 * The alerts queue (processed by worker/processors/alerts.ts): `deliver` sends one delivery (an
 * email or a Slack message), asked for by the alert evaluation in the transaction that opens the
 * alert (server/alerts/evaluate.ts); `digest` sends the daily digests; `wake-snoozed` reopens snoozes
 * that ran out. Deliveries retry with backoff (1 s, 2 s, 4 s… ±50%) on their own queue, so a slow or
 * failing Slack or SMTP server never holds up sentiment, health or alert evaluation.
 */
export const ALERTS_QUEUE = 'alerts';

const DELIVERY_ATTEMPTS = 6;

const DAILY_DIGEST_SCHEDULER = 'daily-alert-digest';
/** 07:00 UTC: after the daily recompute and its alerts (02:30). */
const DAILY_DIGEST_PATTERN = '0 7 * * *';

const WAKE_SNOOZED_SCHEDULER = 'wake-snoozed-alerts';
/** Every 15 minutes: a snoozed alert is back within a quarter of an hour of its date. */
const WAKE_SNOOZED_PATTERN = '*/15 * * * *';

export const alertsQueue = defineQueue({
  name: ALERTS_QUEUE,
  jobs: {
    deliver: {
      payload: z.object({ workspaceId: z.uuid(), deliveryId: z.string().regex(/^\d+$/) }),
      key: (data) => `delivery-${data.deliveryId}`,
      onDeadLetter: (tx, data, error) => markDeliveryFailed(tx, data.deliveryId, error),
    },
    digest: { payload: z.object({}), key: () => 'alert-digest' },
    'wake-snoozed': { payload: z.object({}), key: () => 'wake-snoozed' },
  },
  defaultJobOptions: {
    attempts: DELIVERY_ATTEMPTS,
    backoff: { type: 'exponential', delay: 1_000, jitter: 0.5 },
    removeOnComplete: { age: 24 * 3600, count: 10_000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  },
  schedulers: [
    { id: DAILY_DIGEST_SCHEDULER, pattern: DAILY_DIGEST_PATTERN, job: 'digest', data: {} },
    { id: WAKE_SNOOZED_SCHEDULER, pattern: WAKE_SNOOZED_PATTERN, job: 'wake-snoozed', data: {} },
  ],
  unfinished: {
    description: 'immediate deliveries still pending fifteen minutes after they were created (their retries end within a minute)',
    afterMinutes: 15,
    find: async (tx, limit): Promise<JobRequest[]> =>
      (await stalledDeliveries(tx, { olderThanMinutes: 15, limit })).map((data) => alertsQueue.job('deliver', data)),
  },
});
