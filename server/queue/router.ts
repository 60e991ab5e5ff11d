import { router, workspaceProcedure } from '../trpc';
import { listFailedJobs, queueOverview, retryAllFailedJobs, retryFailedJob } from './admin';
import { failedJobsInputSchema, retryAllInputSchema, retryFailedJobInputSchema } from './schemas';

/** Settings → Background jobs, for admins. */
export const jobsRouter = router({
  overview: workspaceProcedure('admin').query(async ({ ctx }) =>
    queueOverview(ctx.tx, ctx.workspace.id, await ctx.services.queueStats.counts()),
  ),
  failed: workspaceProcedure('admin')
    .input(failedJobsInputSchema)
    .query(({ ctx, input }) => listFailedJobs(ctx.tx, ctx.workspace.id, input)),
  retry: workspaceProcedure('admin')
    .input(retryFailedJobInputSchema)
    .mutation(({ ctx, input }) =>
      retryFailedJob(ctx.tx, {
        workspaceId: ctx.workspace.id,
        failedJobId: input.failedJobId,
        actorId: ctx.session.user.id,
        meta: ctx.meta,
      }),
    ),
  retryAll: workspaceProcedure('admin')
    .input(retryAllInputSchema)
    .mutation(({ ctx, input }) =>
      retryAllFailedJobs(ctx.tx, { workspaceId: ctx.workspace.id, queue: input.queue, actorId: ctx.session.user.id, meta: ctx.meta }),
    ),
});
