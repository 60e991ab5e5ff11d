import { router, workspaceProcedure } from '../trpc';
import { backtestState, requestBacktest } from './backtest';
import { clientHealth } from './explain';
import { workspacePortfolio } from './portfolio';
import { clientHealthInput, healthSettingsSchema } from './schemas';
import { healthSettings, previewHealthSettings, updateHealthSettings } from './settings';

export const healthRouter = router({
  client: workspaceProcedure('viewer')
    .input(clientHealthInput)
    .query(({ ctx, input }) => clientHealth(ctx.tx, { workspaceId: ctx.workspace.id, clientId: input.clientId, days: input.days })),
  portfolio: workspaceProcedure('viewer').query(({ ctx }) => workspacePortfolio(ctx.tx, ctx.workspace.id)),
  settings: workspaceProcedure('admin').query(({ ctx }) => healthSettings(ctx.tx, ctx.workspace.id)),
  previewSettings: workspaceProcedure('admin')
    .input(healthSettingsSchema)
    .query(({ ctx, input }) => previewHealthSettings(ctx.tx, ctx.workspace.id, input)),
  updateSettings: workspaceProcedure('admin')
    .input(healthSettingsSchema)
    .mutation(({ ctx, input }) =>
      updateHealthSettings(ctx.tx, { workspaceId: ctx.workspace.id, actorId: ctx.session.user.id, meta: ctx.meta, settings: input }),
    ),
  /** The latest backtest asked for (with its progress) and the latest result. */
  backtest: workspaceProcedure('admin').query(({ ctx }) => backtestState(ctx.tx, ctx.workspace.id)),
  /** Asks the worker for a backtest; while one is queued or running, that one. */
  runBacktest: workspaceProcedure('admin').mutation(({ ctx }) =>
    requestBacktest(ctx.tx, { workspaceId: ctx.workspace.id, userId: ctx.session.user.id }),
  ),
});
