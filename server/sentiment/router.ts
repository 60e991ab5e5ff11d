import { router, workspaceProcedure } from '../trpc';
import { sentimentProgress, startSentimentBackfill } from './admin';

/** The sentiment section of Settings; its dead-lettered jobs are on Settings → Background jobs (server/queue/router.ts). */
export const sentimentRouter = router({
  progress: workspaceProcedure('admin').query(({ ctx }) => sentimentProgress(ctx.tx, ctx.workspace.id)),
  backfill: workspaceProcedure('admin').mutation(({ ctx }) =>
    startSentimentBackfill(ctx.tx, { workspaceId: ctx.workspace.id, actorId: ctx.session.user.id, meta: ctx.meta }),
  ),
});
