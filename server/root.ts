import { alertsRouter } from './alerts/router';
import { clientRouters } from './clients/router';
import { identityRouters } from './identity/router';
import { healthRouter } from './health/router';
import { importsRouter } from './imports/router';
import { jobsRouter } from './queue/router';
import { sentimentRouter } from './sentiment/router';
import { systemRouter } from './system/router';
import { createCallerFactory, router } from './trpc';

export const appRouter = router({
  system: systemRouter,
  ...identityRouters,
  ...clientRouters,
  imports: importsRouter,
  health: healthRouter,
  sentiment: sentimentRouter,
  alerts: alertsRouter,
  jobs: jobsRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
