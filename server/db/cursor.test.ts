import { randomUUID } from 'node:crypto';
import type { AppLoadContext, LoaderFunctionArgs } from '@remix-run/node';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loader as inboxPage } from '../../app/routes/_app+/w.$slug.alerts._index';
import { loader as auditPage } from '../../app/routes/_app+/w.$slug.audit';
import { loader as clientPage } from '../../app/routes/_app+/w.$slug.clients.$clientId._index';
import { loader as clientListPage } from '../../app/routes/_app+/w.$slug.clients._index';
import { findSession } from '../identity/sessions';
import { appRouter } from '../root';
import { closeAppServices, type AppServices } from '../services';
import { callerForToken, createOwner, testLog, testMeta, type TestAccount } from '../testing/factories';
import { createTestServices } from '../testing/services';
import { createContextInner, fieldErrorsOf, TRPCError } from '../trpc';
import { cursorSchema, cursorTimestamp, encodeCursor, INVALID_CURSOR_MESSAGE } from './cursor';

describe('keyset cursors', () => {
  const timelineCursor = cursorSchema(z.tuple([cursorTimestamp, z.uuid()]));
  const at = new Date('2026-10-05T12:00:00.123Z').toISOString();
  const id = randomUUID();
  const problems = (cursor: string) => timelineCursor.safeParse(cursor).error?.issues.map((issue) => issue.message);

  it('hands back the values it was made of', () => {
    expect(timelineCursor.parse(encodeCursor([at, id]))).toEqual([at, id]);
    expect(encodeCursor([at, id])).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('refuses anything else with one message: garbage, truncated, wrong shape, old formats, too long', () => {
    const valid = encodeCursor([at, id]);
    for (const cursor of [
      '%%%',
      'forged',
      '',
      valid.slice(0, -5),
      `${valid}!`,
      encodeCursor([id, at]),
      encodeCursor([at, id, 'extra']),
      encodeCursor([at]),
      encodeCursor(['0000-01-01T00:00:00.000Z', id]),
      Buffer.from(JSON.stringify({ value: at, id })).toString('base64url'),
      Buffer.from(`${at}|${id}`).toString('base64url'),
      'A'.repeat(5000),
    ]) {
      expect(problems(cursor), cursor.slice(0, 40)).toEqual([INVALID_CURSOR_MESSAGE]);
    }
  });
});

let services: AppServices;
let owner: TestAccount;
let clientId: string;
beforeAll(async () => {
  services = createTestServices();
  owner = await createOwner(services, 'cursors');
  const caller = await callerForToken(services, owner.token);
  clientId = (await caller.clients.create({ workspaceSlug: owner.slug, fields: { name: 'Cursor Ltd' } })).id;
});
afterAll(async () => {
  await closeAppServices(services);
});

/** Wrong for every list's shape. */
const forged = [
  'forged',
  encodeCursor([42, randomUUID()]),
  encodeCursor([new Date().toISOString(), 'not-an-id']),
  encodeCursor([new Date().toISOString(), randomUUID()]).slice(0, 30),
];

/** The error a call fails with; the test fails when it succeeds. */
async function failure(call: Promise<unknown>): Promise<TRPCError> {
  const error = await call.then(
    () => new Error('expected the call to fail'),
    (reason: unknown) => reason,
  );
  if (!(error instanceof TRPCError)) throw error;
  return error;
}

describe('a forged cursor is a 400 with a message, never a 500', () => {
  it('in each of the four keyset lists', async () => {
    const caller = await callerForToken(services, owner.token);
    const workspaceSlug = owner.slug;
    for (const cursor of forged) {
      const lists = {
        audit: [() => caller.audit.list({ workspaceSlug, cursor }), 'cursor'],
        clients: [() => caller.clients.list({ workspaceSlug, cursor }), 'cursor'],
        interactions: [() => caller.interactions.list({ workspaceSlug, clientId, cursor }), 'cursor'],
        alerts: [() => caller.alerts.list({ workspaceSlug, filters: { mine: false, status: 'all', cursor } }), 'filters.cursor'],
      } as const;
      for (const [name, [call, field]] of Object.entries(lists)) {
        const error = await failure(call());
        expect({ list: name, code: error.code, fieldErrors: fieldErrorsOf(error) }).toEqual({
          list: name,
          code: 'BAD_REQUEST',
          fieldErrors: { [field]: [INVALID_CURSOR_MESSAGE] },
        });
      }
    }
  });

  it('in the client list when the cursor was made for another sort (its key would not cast back)', async () => {
    const caller = await callerForToken(services, owner.token);
    const byName = encodeCursor(['cursor ltd', randomUUID()]);
    const sameSort = await caller.clients.list({ workspaceSlug: owner.slug, filters: { sort: 'name', direction: 'asc' }, cursor: byName });
    expect(sameSort.clients).toBeInstanceOf(Array);
    for (const sort of ['mrr', 'health', 'renewal', 'last_contact'] as const) {
      const error = await failure(caller.clients.list({ workspaceSlug: owner.slug, filters: { sort, direction: 'asc' }, cursor: byName }));
      expect(fieldErrorsOf(error), sort).toEqual({ cursor: [INVALID_CURSOR_MESSAGE] });
    }
  });

  it('over HTTP through tRPC, with the message beside the field', async () => {
    const session = await findSession(services.db, owner.token);
    const input = encodeURIComponent(JSON.stringify({ workspaceSlug: owner.slug, cursor: '%%%' }));
    const response = await fetchRequestHandler({
      endpoint: '/api/trpc',
      req: new Request(`http://localhost/api/trpc/audit.list?input=${input}`),
      router: appRouter,
      createContext: () => createContextInner({ services, log: testLog, requestId: 'cursor-test', meta: testMeta, session }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { data: { fieldErrors: unknown } } };
    expect(body.error.data.fieldErrors).toEqual({ cursor: [INVALID_CURSOR_MESSAGE] });
  });

  it('on the pages that page (?cursor=%%% in the URL)', async () => {
    const cookie = (await services.sessionCookie.serialize(owner.token)).split(';')[0]!;
    const context = { services, log: testLog, requestId: 'cursor-test', cspNonce: 'test', clientIp: '127.0.0.1' } as AppLoadContext;
    const pages = {
      audit: [auditPage, 'audit'],
      clients: [clientListPage, 'clients'],
      client: [clientPage, `clients/${clientId}`],
      alerts: [inboxPage, 'alerts'],
    } as const;
    for (const [name, [loader, path]] of Object.entries(pages)) {
      const request = new Request(`http://localhost/w/${owner.slug}/${path}?cursor=%%%`, { headers: { cookie } });
      const args: LoaderFunctionArgs = { request, context, params: { slug: owner.slug, clientId } };
      const thrown = await (loader as (args: LoaderFunctionArgs) => Promise<unknown>)(args).then(
        () => null,
        (reason: unknown) => reason,
      );
      expect(thrown, name).toBeInstanceOf(Response);
      const response = thrown as Response;
      expect({ page: name, status: response.status, message: await response.text() }).toEqual({
        page: name,
        status: 400,
        message: INVALID_CURSOR_MESSAGE,
      });
    }
  });
});
