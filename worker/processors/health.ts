import { evaluateAlerts, evaluateAllWorkspaces } from '../../server/alerts/evaluate';
import type { Database } from '../../server/db';
import { performBacktest } from '../../server/health/backtest';
import { recomputeAllWorkspaces, recomputeHealth } from '../../server/health/engine';
import type { healthQueue } from '../../server/queue/health';
import type { Handlers } from '../run-job';

/**
 * `recompute` (one client, requested after a sentiment result or a change, debounced by the queue),
 * `recompute-workspace` (after an admin changed the model settings) and `recompute-all` (the daily
 * scheduler: every workspace); the last two are set-based. Each ends with the alert rules evaluated
 * for what it recomputed (decision 017), so a drop raises its alert within the same job. And
 * `backtest`: the one an admin asked for, stored with its progress and result.
 */
export function createHealthHandlers(deps: { db: Database }): Handlers<typeof healthQueue> {
  return {
    async recompute(data) {
      const result = await recomputeHealth(deps.db, { workspaceId: data.workspaceId, clientId: data.clientId, trigger: 'event' });
      const alerts = await evaluateAlerts(deps.db, { workspaceId: data.workspaceId, clientId: data.clientId });
      return { ...result, alerts };
    },
    async 'recompute-workspace'(data) {
      const result = await recomputeHealth(deps.db, { workspaceId: data.workspaceId, trigger: 'settings' });
      const alerts = await evaluateAlerts(deps.db, { workspaceId: data.workspaceId });
      return { ...result, alerts };
    },
    async 'recompute-all'(_data, _job, log) {
      const result = await recomputeAllWorkspaces(deps.db);
      const alerts = await evaluateAllWorkspaces(deps.db);
      log.info({ ...result, alerts }, 'recomputed every workspace');
      return { ...result, alerts };
    },
    async backtest(data, _job, log) {
      const backtest = await performBacktest(deps.db, data.backtestId);
      log.info({ backtestId: data.backtestId, backtest }, 'backtest');
      return { backtest };
    },
  };
}
