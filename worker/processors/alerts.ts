import { sendDelivery, sendDigests, type DeliveryDeps } from '../../server/alerts/delivery';
import { wakeSnoozedAlerts } from '../../server/alerts/evaluate';
import type { alertsQueue } from '../../server/queue/alerts';
import type { Handlers } from '../run-job';

/**
 * `deliver` (one email or Slack message; retried with backoff by the queue, the last failure
 * dead-letters it and marks the delivery failed), `digest` (the daily digests) and `wake-snoozed`
 * (every 15 minutes: snoozes that ran out, in every workspace).
 */
export function createAlertHandlers(deps: DeliveryDeps): Handlers<typeof alertsQueue> {
  return {
    deliver: async (data) => ({ outcome: await sendDelivery(deps, data.deliveryId) }),
    digest: async (_data, _job, log) => {
      const result = await sendDigests(deps);
      log.info(result, 'sent the daily alert digests');
      return result;
    },
    'wake-snoozed': async (_data, _job, log) => {
      // Owner connection: snoozes of every workspace.
      const woken = await deps.db.asService((tx) => wakeSnoozedAlerts(tx));
      if (woken) log.info({ woken }, 'woke snoozed alerts');
      return { woken };
    },
  };
}
