import { UnrecoverableError, type Job, type Queue } from 'bullmq';
import type { Logger } from '../../server/log';
import { maintenanceJobSchema, type MaintenanceJobData } from '../../server/queue/maintenance';
import { purgeFinishedJobs, type PurgeResult } from '../../server/queue/purge';

/** Daily maintenance: purge finished jobs past their retention from every queue the worker runs. */
export function createMaintenanceProcessor(deps: { queues: () => Queue[]; log: Logger }) {
  return async (job: Job<MaintenanceJobData>): Promise<PurgeResult[]> => {
    const parsed = maintenanceJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid maintenance payload: ${parsed.error.message}`);
    const results = await purgeFinishedJobs(deps.queues(), parsed.data);
    deps.log.info({ jobId: job.id, results }, 'purged finished jobs');
    return results;
  };
}
