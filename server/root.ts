import { identityRouters } from './identity/router';
import { systemRouter } from './system/router';
import { createCallerFactory, router } from './trpc';

export const appRouter = router({
  system: systemRouter,
  ...identityRouters,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
