import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { appRouter } from '../root';
import { createRateLimits } from '../security/rate-limit';
import { closeAppServices, type AppServices } from '../services';
import { createClient, createInteraction, createOwner, testLog, workspaceIdOf, type TestAccount } from '../testing/factories';
import { createTestServices } from '../testing/services';
import { createWebApp } from './app';

/**
 * A bounded, seeded fuzz of the tRPC API (issue 16): 2,000 malformed requests over every procedure,
 * signed in as a workspace owner, with hostile text (NUL, lone surrogates, huge strings), wrong
 * types, forged cursors and ids, impossible dates and broken bodies. A user's mistake or an
 * attacker's input must be a 4xx, never a 5xx. The seed is fixed, so a failure replays.
 */

const REQUESTS = 2_000;
const SEED = 0x5eed_2026;
/** What a fuzzed call must not do: sign our session out or delete the workspace under the fuzz. */
const SKIPPED = new Set(['auth.logOut', 'account.revokeSession', 'workspaces.delete', 'members.leave']);

let services: AppServices;
let server: Server;
let base: string;
let owner: TestAccount;
let cookie: string;
const known: Record<string, string[]> = {};

beforeAll(async () => {
  const shared = createTestServices();
  // Budgets of this file's own: its logins from 127.0.0.1 must not use up other files'.
  const rateLimits = createRateLimits(shared.redis, { log: testLog, keyPrefix: `rl-fuzz-${randomUUID()}`, sleep: async () => undefined });
  services = { ...shared, rateLimits };
  owner = await createOwner(services, 'fuzz');
  const workspaceId = await workspaceIdOf(services.db, owner);
  const client = await createClient(services.db, { workspace_id: workspaceId, name: 'Fuzz Co' });
  const interaction = await createInteraction(services.db, { workspace_id: workspaceId, client_id: client.id, body: 'Hello' });
  known.ids = [client.id, interaction.id, workspaceId, owner.userId];
  cookie = (await services.sessionCookie.serialize(owner.token)).split(';')[0]!;
  server = createWebApp(services, null).listen(0);
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await closeAppServices(services);
});

/** mulberry32: small, seeded, good enough to spread inputs. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const FIELDS = [
  'workspaceSlug',
  'clientId',
  'interactionId',
  'alertId',
  'importId',
  'failedJobId',
  'sessionId',
  'userId',
  'ruleId',
  'invitationId',
  'cursor',
  'filters',
  'fields',
  'name',
  'email',
  'password',
  'currentPassword',
  'newPassword',
  'token',
  'role',
  'confirmation',
  'q',
  'sort',
  'direction',
  'status',
  'risk',
  'days',
  'limit',
  'afterRow',
  'mapping',
  'kind',
  'fileName',
  'action',
  'settings',
  'preferences',
  'queue',
  'ids',
  'tags',
  'mrrMin',
  'mrrMax',
  'contacts',
  'total',
  'weightSentiment',
  'healthyThreshold',
  'criticalThreshold',
  'body',
  'subject',
  'occurredAt',
  'type',
  'renewal',
  'owner',
  'tag',
  'mine',
  'severity',
  'until',
  'outcome',
  'note',
  'enabled',
  'params',
];

function fuzzer(next: () => number) {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const strings = (): string =>
    pick([
      '',
      'a',
      'nul\0byte',
      'half \uD83D emoji',
      'tail \uDC4B',
      'x'.repeat(20_000),
      '0000-01-01',
      '0000-01-01T00:00:00Z',
      '9999-12-31T23:59:59.999Z',
      '275760-09-13T00:00:00Z',
      '-1',
      'NaN',
      '1e400',
      '{"a":1}',
      '../../etc/passwd',
      '<script>alert(1)</script>',
      '=cmd|/c calc',
      randomUUID(),
      pick(known.ids!),
      'not-a-uuid',
      '00000000-0000-0000-0000-000000000000',
      'eyJ4IjoxfQ',
      'WyIyMDI2LTAxLTAxIiwiMSJd',
      Buffer.from(JSON.stringify(['0000-01-01', 'x'])).toString('base64url'),
      '%%%',
      owner.slug,
      'owner',
      'admin',
      'viewer',
      'desc',
      'mrr',
      'health',
      'sentiment',
      'ack',
      'resolve',
      '🙂'.repeat(100),
      '\u202e\u0000\uFFFF',
    ]);
  const value = (depth: number): unknown => {
    const kind = Math.floor(next() * (depth > 2 ? 6 : 9));
    switch (kind) {
      case 0:
      case 1:
        return strings();
      case 2:
        return pick([0, -1, 1, 1.5, 2 ** 53 + 1, 1e308, -1e308, 100_000_000_000, -0.0001]);
      case 3:
        return pick([true, false]);
      case 4:
        return null;
      case 5:
        return pick([undefined, '', 0]);
      case 6:
        return Array.from({ length: Math.floor(next() * 4) }, () => value(depth + 1));
      default:
        return object(depth + 1);
    }
  };
  const object = (depth: number): Record<string, unknown> => {
    const result: Record<string, unknown> = {};
    for (let index = Math.floor(next() * 4); index >= 0; index -= 1) result[pick(FIELDS)] = value(depth);
    return result;
  };
  /** A valid input of `path` with one leaf (or one added key) made hostile: reaches past the first check. */
  const mutated = (template: Record<string, unknown>): unknown => {
    const copy = structuredClone(template);
    const containers: Array<Record<string, unknown>> = [];
    const walk = (node: unknown) => {
      if (typeof node !== 'object' || node === null) return;
      containers.push(node as Record<string, unknown>);
      for (const child of Object.values(node)) walk(child);
    };
    walk(copy);
    const target = pick(containers);
    const keys = Object.keys(target);
    const key = keys.length && next() < 0.8 ? pick(keys) : pick(FIELDS);
    target[key] = next() < 0.6 ? strings() : value(1);
    return copy;
  };
  /** An input: a valid one made hostile, or our own workspace's slug beside random fields, or not even an object. */
  const input = (path: string): unknown => {
    const template = templates()[path];
    if (template && next() < 0.6) return mutated(template);
    if (next() < 0.1) return value(0);
    const fields = object(0);
    if (next() < 0.85) fields.workspaceSlug = owner.slug;
    return fields;
  };
  return { pick, input };
}

/** Valid inputs of the procedures that write or page, for the fuzzer to spoil one leaf at a time. */
function templates(): Record<string, Record<string, unknown>> {
  const [clientId, interactionId] = known.ids!;
  const workspaceSlug = owner.slug;
  const interaction = { type: 'email', direction: 'inbound', subject: 'Hi', body: 'Hello', occurredAt: '2026-11-01T10:00:00.000Z' };
  const weights = { weightSentiment: 30, weightEngagement: 20, weightSurvey: 20, weightPayment: 15, weightUsage: 15 };
  return {
    'auth.signUp': {
      email: `fuzz-${randomUUID().slice(0, 8)}@example.test`,
      name: 'Fuzz',
      password: 'a long fuzz passphrase',
      workspaceName: 'W',
    },
    'account.updateName': { name: 'Fuzz Owner' },
    'workspaces.create': { name: 'Fuzz two' },
    'workspaces.rename': { workspaceSlug, name: 'Fuzz workspace' },
    'invitations.create': { workspaceSlug, email: 'invitee@example.test', role: 'viewer' },
    'audit.list': { workspaceSlug, cursor: 'WyIyMDI2LTAxLTAxVDAwOjAwOjAwLjAwMFoiLCIxIl0' },
    'clients.list': { workspaceSlug, filters: { q: 'acme', sort: 'mrr', direction: 'desc', status: ['active'], tag: 'vip' } },
    'clients.get': { workspaceSlug, clientId },
    'clients.create': { workspaceSlug, fields: { name: 'Fuzz client', domain: 'fuzz.test', mrrCents: 1000, tags: ['vip'] }, contacts: [] },
    'clients.update': { workspaceSlug, clientId, fields: { name: 'Fuzz Co', churnReason: 'none', renewalDate: '2027-01-01' } },
    'clients.addContact': { workspaceSlug, clientId, fields: { name: 'Pat', email: 'pat@fuzz.test', title: 'CTO' } },
    'clients.bulkUpdate': { workspaceSlug, clientIds: [clientId], change: { kind: 'tag-add', tag: 'vip' } },
    'interactions.list': { workspaceSlug, clientId, type: 'email' },
    'interactions.log': { workspaceSlug, clientId, fields: interaction },
    'interactions.update': { workspaceSlug, clientId, interactionId, fields: interaction },
    'health.previewSettings': { workspaceSlug, ...weights, healthyThreshold: 70, criticalThreshold: 40 },
    'health.updateSettings': { workspaceSlug, ...weights, healthyThreshold: 70, criticalThreshold: 40 },
    'alerts.list': { workspaceSlug, filters: { mine: false, status: 'unresolved', severity: 'high' } },
    'alerts.updateSettings': { workspaceSlug, slackWebhookUrl: '', immediateCapPerHour: 5 },
    'alerts.setPreferences': { workspaceSlug, email: 'immediate', slack: 'digest' },
    'jobs.failed': { workspaceSlug, queue: 'sentiment' },
  };
}

type Probe = { path: string; method: 'GET' | 'POST'; url: string; body?: string; contentType?: string };

function probes(): Probe[] {
  const procedures = (appRouter as unknown as { _def: { procedures: Record<string, { _def: { type: string } }> } })._def.procedures;
  const paths = Object.entries(procedures)
    .filter(([path]) => !SKIPPED.has(path))
    .map(([path, procedure]) => ({ path, type: procedure._def.type }));
  const next = random(SEED);
  const { pick, input } = fuzzer(next);
  const rawBodies = ['{', '[]', 'null', '"', '{"0":', '\u0000', 'a=b', '{"json":{"workspaceSlug":"\\u0000"}}'];
  return Array.from({ length: REQUESTS }, (_, index) => {
    const { path, type } = paths[index % paths.length]!;
    const payload = JSON.stringify(input(path) ?? null);
    if (type === 'query') {
      // Now and then a query string that is not JSON at all.
      const raw = next() < 0.1 ? pick(rawBodies) : payload;
      return { path, method: 'GET', url: `${base}/api/trpc/${path}?input=${encodeURIComponent(raw)}` };
    }
    const broken = next() < 0.1;
    return {
      path,
      method: 'POST',
      url: `${base}/api/trpc/${path}`,
      body: broken ? pick(rawBodies) : payload,
      contentType:
        broken && next() < 0.5
          ? pick(['text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1'])
          : 'application/json',
    };
  });
}

it('answers 2,000 malformed requests over every procedure without a single 5xx', { timeout: 180_000 }, async () => {
  const failures: string[] = [];
  const seen = new Set<string>();
  for (const probe of probes()) {
    const response = await fetch(probe.url, {
      method: probe.method,
      headers: { cookie, origin: base, ...(probe.contentType ? { 'content-type': probe.contentType } : {}) },
      body: probe.body,
    });
    seen.add(probe.path);
    await response.arrayBuffer();
    if (response.status >= 500)
      failures.push(`${response.status} ${probe.method} ${probe.path} ${(probe.body ?? probe.url).slice(0, 300)}`);
  }
  expect(seen.size).toBeGreaterThanOrEqual(60);
  expect(failures).toEqual([]);
});
