import { TRPCError } from '@trpc/server';
import type { RateLimitedError } from './rate-limit';

/**
 * A 429 for loaders, actions and resource routes: `Retry-After` for clients and proxies, and the
 * friendly sentence as the body, which the route's error boundary shows when the Response is thrown.
 */
export function rateLimitedResponse(error: RateLimitedError): Response {
  return new Response(error.message, {
    status: 429,
    statusText: 'Too Many Requests',
    headers: { 'Retry-After': String(error.retryAfterSeconds), 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' },
  });
}

/**
 * The same refusal inside a tRPC procedure: `TOO_MANY_REQUESTS` answers HTTP 429 and carries the
 * sentence as its message (the error formatter passes non-internal messages through). The fetch
 * adapter sets no `Retry-After`; the wait is in the message, and the RateLimitedError stays the cause.
 */
export function rateLimitedTrpcError(error: RateLimitedError): TRPCError {
  return new TRPCError({ code: 'TOO_MANY_REQUESTS', message: error.message, cause: error });
}
