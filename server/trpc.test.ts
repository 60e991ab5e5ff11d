import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { testLog } from './testing/services';
import { createContextInner, createCallerFactory, publicProcedure, router, TRPCError } from './trpc';

// A router of the test's own, so the formatter is proven on inputs no product procedure has yet.
const testRouter = router({
  signUp: publicProcedure
    .input(z.object({ email: z.email('Enter a valid email address'), seats: z.number().int().min(1, 'At least one seat') }))
    .mutation(({ input }) => ({ welcome: input.email })),
  explode: publicProcedure.query(() => {
    throw new Error('connection string postgres://secret@db leaked');
  }),
  forbidden: publicProcedure.query(() => {
    throw new TRPCError({ code: 'FORBIDDEN', message: 'Only admins can do that' });
  }),
});

const ctx = createContextInner({
  services: {} as never,
  log: testLog,
  requestId: 'test',
  meta: { ip: null, userAgent: null },
  session: null,
});

function call(path: string, init: RequestInit) {
  return fetchRequestHandler({
    endpoint: '/api/trpc',
    req: new Request(`http://localhost/api/trpc/${path}`, init),
    router: testRouter,
    createContext: () => ctx,
  });
}

describe('tRPC error formatting', () => {
  it('answers invalid input with 400 and a message per field', async () => {
    const response = await call('signUp', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'nope', seats: 0 }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { data: { code: string; fieldErrors: Record<string, string[]> } } };
    expect(body.error.data.code).toBe('BAD_REQUEST');
    expect(body.error.data.fieldErrors).toEqual({ email: ['Enter a valid email address'], seats: ['At least one seat'] });
  });

  it('keeps the message of an expected error and maps it to its status', async () => {
    const response = await call('forbidden', { method: 'GET' });
    expect(response.status).toBe(403);
    const body = (await response.json()) as { error: { message: string; data: { fieldErrors: unknown } } };
    expect(body.error.message).toBe('Only admins can do that');
    expect(body.error.data.fieldErrors).toBeNull();
  });

  it('never shows the detail of an unexpected error to the caller', async () => {
    const response = await call('explode', { method: 'GET' });
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(text).not.toContain('secret');
    expect(JSON.parse(text).error.message).toBe('Something went wrong on our side. Please try again.');
  });

  it('serves the server-side caller with the same procedures and validation', async () => {
    const caller = createCallerFactory(testRouter)(ctx);
    await expect(caller.signUp({ email: 'am@example.com', seats: 2 })).resolves.toEqual({ welcome: 'am@example.com' });
    await expect(caller.signUp({ email: 'bad', seats: 2 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });
});
