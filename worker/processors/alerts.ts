import { UnrecoverableError, type Job } from 'bullmq';
import { sendDelivery, sendDigests, type DeliveryDeps } from '../../server/alerts/delivery';
import { wakeSnoozedAlerts } from '../../server/alerts/evaluate';
import { alertJobSchema, type AlertJobData } from '../../server/queue/alerts';
import type { Logger } from '../../server/log';

/**
 * `deliver` (one email or Slack message; retried with backoff by the queue, the last failure marks the
 * delivery failed), `digest` (the daily digests) and `wake-snoozed` (every 15 minutes: snoozes that ran
 * out, in every workspace).
 */
export function createAlertsProcessor(deps: DeliveryDeps) {
  return async (job: Job<AlertJobData>, log: Logger) => {
    if (job.name === 'digest') {
      const result = await sendDigests(deps);
      log.info(result, 'sent the daily alert digests');
      return result;
    }
    if (job.name === 'wake-snoozed') {
      const woken = await deps.db.asService((tx) => wakeSnoozedAlerts(tx));
      if (woken) log.info({ woken }, 'woke snoozed alerts');
      return { woken };
    }
    const parsed = alertJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid alert payload: ${parsed.error.message}`);
    const final = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    return { outcome: await sendDelivery(deps, parsed.data.deliveryId, final) };
  };
}
