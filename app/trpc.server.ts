import type { AppLoadContext } from '@remix-run/node';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { appRouter, createCaller } from '../server/root';
import { createContext, TRPCError } from '../server/trpc';
import { TRPC_ENDPOINT } from './utils/trpc';

/** The `/api/trpc/*` resource route: browser calls through `@trpc/client`. */
export function handleTrpcRequest(request: Request, context: AppLoadContext): Promise<Response> {
  return fetchRequestHandler({
    endpoint: TRPC_ENDPOINT,
    req: request,
    router: appRouter,
    createContext: () => createContext(context),
  });
}

/** A caller for loaders and actions: same procedures and context as over HTTP, without the hop. */
export function serverCaller(context: AppLoadContext) {
  return createCaller(createContext(context));
}

/**
 * Runs a procedure call from a loader or action; a TRPCError becomes a Response with the matching
 * HTTP status and message, which the route's error boundary shows.
 */
export async function callProcedure<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof TRPCError && error.code !== 'INTERNAL_SERVER_ERROR') {
      throw new Response(error.message, { status: getHTTPStatusCodeFromError(error), statusText: error.code });
    }
    throw error;
  }
}
