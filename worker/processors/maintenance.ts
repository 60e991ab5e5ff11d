import { UnrecoverableError, type Queue } from 'bullmq';
import { maintenanceJobSchema, type MaintenanceJobData } from '../../server/queue/maintenance';
import { purgeFinishedJobs, type PurgeResult } from '../../server/queue/purge';
import type { JobProcessor } from '../job-log';

/** Daily maintenance: purge finished jobs past their retention from every queue the worker runs. */
export function createMaintenanceProcessor(deps: { queues: () => Queue[] }): JobProcessor<MaintenanceJobData, PurgeResult[]> {
  return async (job, log) => {
    const parsed = maintenanceJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid maintenance payload: ${parsed.error.message}`);
    const results = await purgeFinishedJobs(deps.queues(), parsed.data);
    log.info({ results }, 'purged finished jobs');
    return results;
  };
}
