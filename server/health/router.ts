import { z } from 'zod';
import { router, workspaceProcedure } from '../trpc';
import { clientHealth } from './explain';

export const healthRouter = router({
  client: workspaceProcedure('viewer')
    .input(z.object({ clientId: z.uuid(), days: z.number().int().min(7).max(365).default(90) }))
    .query(({ ctx, input }) => clientHealth(ctx.tx, { workspaceId: ctx.workspace.id, clientId: input.clientId, days: input.days })),
});
