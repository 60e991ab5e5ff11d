import { data, type AppLoadContext } from '@remix-run/node';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import type { RequestMeta } from '../server/identity/audit';
import { createCaller } from '../server/root';
import { isRateLimitedError } from '../server/security/rate-limit';
import { rateLimitedResponse } from '../server/security/rate-limit-response';
import { createContext, fieldErrorsOf, messageOf, TRPCError, type FieldErrors } from '../server/trpc';

/** Where a request came from: the proxy-aware client ip and the browser's user agent. */
function requestMetaOf(request: Request, context: AppLoadContext): RequestMeta {
  return { ip: context.clientIp, userAgent: request.headers.get('user-agent') };
}

function contextFor(request: Request, context: AppLoadContext) {
  return createContext({
    services: context.services,
    log: context.log,
    requestId: context.requestId,
    meta: requestMetaOf(request, context),
    cookieHeader: request.headers.get('cookie'),
  });
}

/** A caller for loaders and actions: same procedures and context as over HTTP, without the hop. */
export async function serverCaller(request: Request, context: AppLoadContext) {
  return createCaller(await contextFor(request, context));
}

/**
 * Runs a procedure call from a loader or action; a TRPCError becomes a Response with the matching
 * HTTP status and message (429 with Retry-After for rate limits), which the error boundary shows.
 * Invalid input (a forged page link, a bad filter in the URL) is a 400 with the validation messages.
 */
export async function callProcedure<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof TRPCError && isRateLimitedError(error.cause)) throw rateLimitedResponse(error.cause);
    if (error instanceof TRPCError && error.code !== 'INTERNAL_SERVER_ERROR') {
      throw new Response(messageOf(error), { status: getHTTPStatusCodeFromError(error), statusText: error.code });
    }
    throw error;
  }
}

export type ActionFailure = { ok: false; status: number; formError: string | null; fieldErrors: FieldErrors };

/**
 * For form actions: runs the call and returns its result, or — for an error the person can fix
 * (bad input, wrong password, conflict) — a failure with the form-level and field-level messages to
 * show beside the form. Rate limits and access errors still become error responses.
 */
export async function attemptProcedure<T>(call: () => Promise<T>): Promise<{ ok: true; value: T } | ActionFailure> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    if (
      !(error instanceof TRPCError) ||
      !['BAD_REQUEST', 'UNAUTHORIZED', 'CONFLICT', 'FORBIDDEN', 'NOT_FOUND'].includes(error.code) ||
      isRateLimitedError(error.cause)
    ) {
      return callProcedure(() => Promise.reject(error));
    }
    const fieldErrors = fieldErrorsOf(error) ?? {};
    const fieldMessages = new Set(Object.values(fieldErrors).flat());
    return {
      ok: false,
      status: getHTTPStatusCodeFromError(error),
      // Input errors and messages that belong to a field show beside that field, not above the form.
      formError: fieldMessages.has(error.message) || Object.keys(fieldErrors).length > 0 ? null : error.message,
      fieldErrors,
    };
  }
}

/**
 * For pages with several forms told apart by an `intent` field: runs that form's procedure and
 * returns `{ ok, intent, done }` (a confirmation to show) or the failure, tagged with the intent so
 * each form shows only its own errors.
 */
export async function runIntent(intent: string, call: () => Promise<unknown>, done: string) {
  const result = await attemptProcedure(call);
  return result.ok ? { ok: true as const, intent, done } : data({ ...result, intent }, { status: result.status });
}
