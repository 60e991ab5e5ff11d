import { clientRouters } from './clients/router';
import { identityRouters } from './identity/router';
import { systemRouter } from './system/router';
import { createCallerFactory, router } from './trpc';

export const appRouter = router({
  system: systemRouter,
  ...identityRouters,
  ...clientRouters,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
