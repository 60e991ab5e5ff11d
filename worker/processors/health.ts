import { UnrecoverableError, type Job } from 'bullmq';
import type { Database } from '../../server/db';
import { recomputeAllWorkspaces, recomputeHealth, type RecomputeResult } from '../../server/health/engine';
import { healthJobSchema, type HealthJobData } from '../../server/queue/health';
import type { Logger } from '../../server/log';

/**
 * `recompute` (one client, requested after a sentiment result or a change, debounced by the queue),
 * `recompute-workspace` (after an admin changed the model settings) and `recompute-all` (the daily
 * scheduler: every workspace); the last two are set-based.
 */
export function createHealthProcessor(deps: { db: Database }) {
  return async (job: Job<HealthJobData>, log: Logger): Promise<RecomputeResult> => {
    if (job.name === 'recompute-all') {
      const result = await recomputeAllWorkspaces(deps.db);
      log.info(result, 'recomputed every workspace');
      return result;
    }
    const parsed = healthJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid health payload: ${parsed.error.message}`);
    if (!parsed.data.clientId) return recomputeHealth(deps.db, { workspaceId: parsed.data.workspaceId, trigger: 'settings' });
    return recomputeHealth(deps.db, { workspaceId: parsed.data.workspaceId, clientId: parsed.data.clientId, trigger: 'event' });
  };
}
