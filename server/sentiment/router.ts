import { z } from 'zod';
import { router, workspaceProcedure } from '../trpc';
import { listFailedJobs, retryFailedJob, sentimentProgress, startSentimentBackfill } from './admin';

export const sentimentRouter = router({
  progress: workspaceProcedure('admin').query(({ ctx }) => sentimentProgress(ctx.tx, ctx.workspace.id)),
  failedJobs: workspaceProcedure('admin').query(({ ctx }) => listFailedJobs(ctx.tx, ctx.workspace.id)),
  retryFailedJob: workspaceProcedure('admin')
    .input(z.object({ failedJobId: z.uuid() }))
    .mutation(({ ctx, input }) =>
      retryFailedJob(ctx.tx, {
        workspaceId: ctx.workspace.id,
        failedJobId: input.failedJobId,
        actorId: ctx.session.user.id,
        meta: ctx.meta,
      }),
    ),
  backfill: workspaceProcedure('admin').mutation(({ ctx }) =>
    startSentimentBackfill(ctx.tx, { workspaceId: ctx.workspace.id, actorId: ctx.session.user.id, meta: ctx.meta }),
  ),
});
