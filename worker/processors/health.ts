import { UnrecoverableError, type Job } from 'bullmq';
import { evaluateAlerts, evaluateAllWorkspaces, type EvaluationResult } from '../../server/alerts/evaluate';
import type { Database } from '../../server/db';
import { performBacktest } from '../../server/health/backtest';
import { recomputeAllWorkspaces, recomputeHealth, type RecomputeResult } from '../../server/health/engine';
import { healthJobSchema, type HealthJobData } from '../../server/queue/health';
import type { Logger } from '../../server/log';

/**
 * `recompute` (one client, requested after a sentiment result or a change, debounced by the queue),
 * `recompute-workspace` (after an admin changed the model settings) and `recompute-all` (the daily
 * scheduler: every workspace); the last two are set-based. Each ends with the alert rules evaluated
 * for what it recomputed (decision 017), so a drop raises its alert within the same job. And
 * `backtest`: the one an admin asked for, stored with its progress and result.
 */
export function createHealthProcessor(deps: { db: Database }) {
  return async (job: Job<HealthJobData>, log: Logger): Promise<(RecomputeResult & { alerts: EvaluationResult }) | { backtest: string }> => {
    if (job.name === 'recompute-all') {
      const result = await recomputeAllWorkspaces(deps.db);
      const alerts = await evaluateAllWorkspaces(deps.db);
      log.info({ ...result, alerts }, 'recomputed every workspace');
      return { ...result, alerts };
    }
    const parsed = healthJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid health payload: ${parsed.error.message}`);
    const { workspaceId, clientId, backtestId } = parsed.data;
    if (backtestId) {
      const backtest = await performBacktest(deps.db, backtestId);
      log.info({ backtestId, backtest }, 'backtest');
      return { backtest };
    }
    const result = clientId
      ? await recomputeHealth(deps.db, { workspaceId, clientId, trigger: 'event' })
      : await recomputeHealth(deps.db, { workspaceId, trigger: 'settings' });
    const alerts = await evaluateAlerts(deps.db, { workspaceId, clientId });
    return { ...result, alerts };
  };
}
