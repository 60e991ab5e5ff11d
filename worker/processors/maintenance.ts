import type { Queue } from 'bullmq';
import type { Database } from '../../server/db';
import type { maintenanceQueue } from '../../server/queue/maintenance';
import { purgeRelayedOutbox } from '../../server/queue/outbox';
import { purgeFinishedJobs } from '../../server/queue/purge';
import type { Handlers } from '../run-job';

/** `purge-finished-jobs` (daily): finished jobs past their retention in every queue the worker runs, and relayed outbox rows. */
export function createMaintenanceHandlers(deps: { db: Database; queues: () => Queue[] }): Handlers<typeof maintenanceQueue> {
  return {
    async 'purge-finished-jobs'(data, _job, log) {
      const results = await purgeFinishedJobs(deps.queues(), data);
      const outboxRowsPurged = await purgeRelayedOutbox(deps.db);
      log.info({ results, outboxRowsPurged }, 'purged finished jobs');
      return results;
    },
  };
}
