import { publicProcedure, router } from '../trpc';
import { checkReadiness } from './health';

export const systemRouter = router({
  /** The same checks as `GET /health/ready`, for the status panel on the home page. */
  status: publicProcedure.query(({ ctx }) => checkReadiness(ctx.services)),
});
