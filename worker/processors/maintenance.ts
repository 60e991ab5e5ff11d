import { UnrecoverableError, type Queue } from 'bullmq';
import { maintenanceJobSchema, type MaintenanceJobData } from '../../server/queue/maintenance';
import { purgeFinishedJobs, type PurgeResult } from '../../server/queue/purge';
import type { JobProcessor } from '../job-log';

/** Daily maintenance: purge finished jobs past their retention from every queue the worker runs, and relayed outbox rows. */
export function createMaintenanceProcessor(deps: {
  queues: () => Queue[];
  purgeOutbox?: () => Promise<number>;
  requeueStale?: () => Promise<number>;
}): JobProcessor<MaintenanceJobData, PurgeResult[]> {
  return async (job, log) => {
    const parsed = maintenanceJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid maintenance payload: ${parsed.error.message}`);
    const results = await purgeFinishedJobs(deps.queues(), parsed.data);
    // Relayed outbox rows past their retention go too.
    const outboxRowsPurged = deps.purgeOutbox ? await deps.purgeOutbox() : 0;
    // Interactions whose sentiment job was lost (Redis data gone) ask again.
    const sentimentRequeued = deps.requeueStale ? await deps.requeueStale() : 0;
    log.info({ results, outboxRowsPurged, sentimentRequeued }, 'purged finished jobs');
    return results;
  };
}
