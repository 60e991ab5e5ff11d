import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlertHandlers } from '../../worker/processors/alerts';
import { startQueueWorker } from '../../worker/run-job';
import { runJobNow } from '../testing/jobs';
import { listCaughtEmails } from '../email/catcher-client';
import type { TRPCError } from '@trpc/server';
import { createOutboundClient, outboundOptionsOf } from '../http/outbound';
import { createWorkerConnection } from '../queue/connection';
import { alertsQueue } from '../queue/alerts';
import { openQueue } from '../queue/registry';
import { closeAppServices, type AppServices } from '../services';
import {
  addMember,
  analysedSentiment,
  callerForToken,
  createClient,
  createInteraction,
  testLog,
  workspaceWithOwner,
  type TestWorkspace,
} from '../testing/factories';
import { testMailCatcherUrl } from '../testing/mail';
import { createTestServices, testRedisUrl } from '../testing/services';
import { fieldErrorsOf } from '../trpc';
import { sendDelivery, sendDigests } from './delivery';
import { evaluateAlerts } from './evaluate';

let services: AppServices;
const DAY = 86_400_000;

beforeAll(() => {
  services = createTestServices();
});
afterAll(async () => {
  await closeAppServices(services);
});

type Setup = TestWorkspace;
const workspace = (label: string): Promise<Setup> => workspaceWithOwner(services, label);

type ClientFields = {
  name?: string;
  ownerId?: string | null;
  status?: 'active' | 'paused';
  renewalDate?: string;
  lastContactDaysAgo?: number;
};

async function addClient(setup: Setup, values: ClientFields = {}) {
  const row = await createClient(services.db, {
    workspace_id: setup.workspaceId,
    name: values.name ?? `Client ${randomUUID().slice(0, 6)}`,
    owner_id: values.ownerId === undefined ? setup.owner.userId : values.ownerId,
    status: values.status ?? 'active',
    renewal_date: values.renewalDate ?? null,
    // Kept by a trigger from interactions; set directly for the time-based rules.
    last_contact_at: new Date(Date.now() - (values.lastContactDaysAgo ?? 1) * DAY),
  });
  return row.id;
}

/**
 * A client (see addClient) with a health history as the engine leaves it: `scores` maps days ago to
 * the score then ({ 5: 82, 0: 60 }: 82 five days ago, 60 today); the client row holds the latest.
 */
async function scoredClient(setup: Setup, scores: Record<number, number>, values: ClientFields = {}): Promise<string> {
  const clientId = await addClient(setup, values);
  const { workspaceId } = setup;
  // Oldest first.
  const rows = Object.entries(scores)
    .map(([daysAgo, score]) => ({ daysAgo: Number(daysAgo), score }))
    .sort((a, b) => b.daysAgo - a.daysAgo);
  const risk = (score: number) => (score >= 70 ? 'healthy' : score >= 40 ? 'at_risk' : 'critical');
  await services.db.asService(async (tx) => {
    await tx
      .insertInto('health_scores')
      .values(
        rows.map((row) => ({
          workspace_id: workspaceId,
          client_id: clientId,
          score: row.score,
          risk_level: risk(row.score),
          confidence: 1,
          factor_scores: [row.score, row.score, null, null, null] as number[],
          factor_weights: [30, 20, 20, 15, 15],
          inputs: '{}',
          model_version: 'v1',
          trigger: 'event',
          computed_at: new Date(Date.now() - row.daysAgo * DAY),
        })),
      )
      .execute();
    const last = rows.at(-1)!;
    await tx
      .updateTable('clients')
      .set({ health_score: last.score, risk_level: risk(last.score), health_computed_at: new Date(Date.now() - last.daysAgo * DAY) })
      .where('id', '=', clientId)
      .execute();
  });
  return clientId;
}

async function analysed(
  setup: Setup,
  clientId: string,
  input: { label: 'positive' | 'negative' | 'neutral'; signals?: string[]; analysedDaysAgo?: number },
) {
  const at = new Date(Date.now() - (input.analysedDaysAgo ?? 0) * DAY);
  const score = input.label === 'negative' ? -0.8 : input.label === 'positive' ? 0.8 : 0;
  const row = await createInteraction(services.db, {
    workspace_id: setup.workspaceId,
    client_id: clientId,
    occurred_at: at,
    body: 'We are looking at other vendors.',
    ...analysedSentiment(score, { label: input.label, signals: input.signals ?? [], analysedAt: at }),
  });
  return row.id;
}

const alertsOf = (workspaceId: string) =>
  services.db.asService((tx) =>
    tx
      .selectFrom('alerts')
      .select(['id', 'client_id', 'kind', 'status', 'title', 'detail', 'trigger_count'])
      .where('workspace_id', '=', workspaceId)
      .orderBy('kind')
      .execute(),
  );
const kindsFor = async (workspaceId: string, clientId: string) =>
  (await alertsOf(workspaceId)).filter((alert) => alert.client_id === clientId).map((alert) => alert.kind);

describe('alert rules', () => {
  it('score dropped: fires for a drop of at least N points within D days, counting the score at the window’s start', async () => {
    const setup = await workspace('rule-drop');
    const dropped = await scoredClient(setup, { 5: 82, 0: 60 });
    const fromBefore = await scoredClient(setup, { 10: 90, 1: 72 });
    const small = await scoredClient(setup, { 3: 80, 0: 70 });
    const long = await scoredClient(setup, { 20: 90, 15: 60 });
    await evaluateAlerts(services.db, { workspaceId: setup.workspaceId });
    const alerts = await alertsOf(setup.workspaceId);
    const drops = alerts.filter((alert) => alert.kind === 'score_drop');
    expect(drops.map((alert) => alert.client_id).sort()).toEqual([dropped, fromBefore].sort());
    expect(drops.find((alert) => alert.client_id === dropped)!.title).toBe('Score dropped 22 points in 7 days (82 → 60)');
    expect(await kindsFor(setup.workspaceId, small)).toEqual([]);
    expect(await kindsFor(setup.workspaceId, long)).toEqual([]);
  });

  it(
    'entered critical / entered at risk: fire on entering from a better level, lately — ' + 'not for clients long there or improving',
    async () => {
      const setup = await workspace('rule-enter');
      const critical = await scoredClient(setup, { 2: 45, 0: 35 });
      const atRisk = await scoredClient(setup, { 2: 75, 0: 66 });
      const improving = await scoredClient(setup, { 2: 30, 0: 50 });
      const longCritical = await scoredClient(setup, { 9: 42, 5: 32 });
      const firstScoreCritical = await scoredClient(setup, { 0: 20 });
      await evaluateAlerts(services.db, { workspaceId: setup.workspaceId });
      expect(await kindsFor(setup.workspaceId, critical)).toEqual(['entered_critical']);
      expect(await kindsFor(setup.workspaceId, atRisk)).toEqual(['entered_at_risk']);
      expect(await kindsFor(setup.workspaceId, improving)).toEqual([]);
      expect(await kindsFor(setup.workspaceId, longCritical)).toEqual([]);
      expect(await kindsFor(setup.workspaceId, firstScoreCritical)).toEqual(['entered_critical']);
    },
  );

  it(
    'churn signal: a negative interaction with one of the rule’s signals, analysed lately; ' +
      'not other signals, not positive, not old, not when the rule is off',
    async () => {
      const setup = await workspace('rule-signal');
      const leaving = await addClient(setup);
      const interactionId = await analysed(setup, leaving, { label: 'negative', signals: ['cancellation_intent', 'product_problem'] });
      const grumpy = await addClient(setup);
      await analysed(setup, grumpy, { label: 'negative', signals: ['product_problem'] });
      const positive = await addClient(setup);
      await analysed(setup, positive, { label: 'positive', signals: ['competitor_mentioned'] });
      const old = await addClient(setup);
      await analysed(setup, old, { label: 'negative', signals: ['budget_cut'], analysedDaysAgo: 5 });
      await evaluateAlerts(services.db, { workspaceId: setup.workspaceId });
      const alerts = (await alertsOf(setup.workspaceId)).filter((alert) => alert.kind === 'churn_signal');
      expect(alerts.map((alert) => alert.client_id)).toEqual([leaving]);
      expect(alerts[0]!.detail).toEqual({ interactionIds: [interactionId], signals: ['cancellation_intent'] });

      const other = await addClient(setup);
      await analysed(setup, other, { label: 'negative', signals: ['budget_cut'] });
      await services.db.asService((tx) =>
        tx
          .updateTable('alert_rules')
          .set({ enabled: false })
          .where('workspace_id', '=', setup.workspaceId)
          .where('kind', '=', 'churn_signal')
          .execute(),
      );
      await evaluateAlerts(services.db, { workspaceId: setup.workspaceId });
      expect(await kindsFor(setup.workspaceId, other)).toEqual([]);
    },
  );

  it('no two-way contact for N days: active clients only', async () => {
    const setup = await workspace('rule-silence');
    const silent = await addClient(setup, { lastContactDaysAgo: 40 });
    const recent = await addClient(setup, { lastContactDaysAgo: 10 });
    const paused = await addClient(setup, { lastContactDaysAgo: 40, status: 'paused' });
    await evaluateAlerts(services.db, { workspaceId: setup.workspaceId });
    expect(await kindsFor(setup.workspaceId, silent)).toEqual(['no_contact']);
    expect((await alertsOf(setup.workspaceId)).find((alert) => alert.client_id === silent)!.title).toBe('No two-way contact for 40 days');
    expect(await kindsFor(setup.workspaceId, recent)).toEqual([]);
    expect(await kindsFor(setup.workspaceId, paused)).toEqual([]);
  });

  it('renewal within N days while not healthy', async () => {
    const setup = await workspace('rule-renewal');
    const inDays = (n: number) => new Date(Date.now() + n * DAY).toISOString().slice(0, 10);
    const risky = await scoredClient(setup, { 3: 55 }, { renewalDate: inDays(10) });
    const healthy = await scoredClient(setup, { 3: 85 }, { renewalDate: inDays(10) });
    const later = await scoredClient(setup, { 3: 55 }, { renewalDate: inDays(60) });
    await evaluateAlerts(services.db, { workspaceId: setup.workspaceId });
    expect(await kindsFor(setup.workspaceId, risky)).toEqual(['renewal_risk']);
    expect((await alertsOf(setup.workspaceId)).find((alert) => alert.client_id === risky)!.title).toBe('Renews in 10 days while at risk');
    expect(await kindsFor(setup.workspaceId, healthy)).toEqual([]);
    expect(await kindsFor(setup.workspaceId, later)).toEqual([]);
  });
});

describe('deduplication and cool-down', () => {
  it(
    'keeps one open alert per client and rule, updates it on a new trigger, ' + 'and re-opens a resolved one only after the cool-down',
    async () => {
      const setup = await workspace('dedup');
      const client = await addClient(setup, { lastContactDaysAgo: 40 });
      expect((await evaluateAlerts(services.db, { workspaceId: setup.workspaceId })).opened).toBe(1);
      // The same facts again: nothing new.
      expect(await evaluateAlerts(services.db, { workspaceId: setup.workspaceId })).toMatchObject({ opened: 0, updated: 0 });
      // A new trigger (longer silence): the open alert is updated, not duplicated.
      await services.db.asService((tx) =>
        tx
          .updateTable('clients')
          .set({ last_contact_at: new Date(Date.now() - 45 * DAY) })
          .where('id', '=', client)
          .execute(),
      );
      expect(await evaluateAlerts(services.db, { workspaceId: setup.workspaceId })).toMatchObject({ opened: 0, updated: 1 });
      let alerts = await alertsOf(setup.workspaceId);
      expect(alerts).toHaveLength(1);
      expect(alerts[0]).toMatchObject({ trigger_count: 2, title: 'No two-way contact for 45 days' });

      const caller = await callerForToken(services, setup.owner.token);
      await caller.alerts.act({
        workspaceSlug: setup.owner.slug,
        alertId: alerts[0]!.id,
        action: { action: 'resolve', outcome: 'no_action', note: '' },
      });
      // Still silent, but inside the 14-day cool-down: nothing re-opens.
      expect((await evaluateAlerts(services.db, { workspaceId: setup.workspaceId })).opened).toBe(0);
      await services.db.asService((tx) =>
        tx
          .updateTable('alerts')
          .set({ resolved_at: new Date(Date.now() - 15 * DAY) })
          .where('id', '=', alerts[0]!.id)
          .execute(),
      );
      expect((await evaluateAlerts(services.db, { workspaceId: setup.workspaceId })).opened).toBe(1);
      alerts = await alertsOf(setup.workspaceId);
      expect(alerts.map((alert) => alert.status).sort()).toEqual(['open', 'resolved']);
    },
  );

  it('never opens a second alert when evaluations race', async () => {
    const setup = await workspace('race');
    for (let index = 0; index < 10; index += 1) await addClient(setup, { lastContactDaysAgo: 40 });
    await Promise.all(Array.from({ length: 6 }, () => evaluateAlerts(services.db, { workspaceId: setup.workspaceId })));
    const alerts = await alertsOf(setup.workspaceId);
    expect(alerts).toHaveLength(10);
    expect(new Set(alerts.map((alert) => alert.client_id)).size).toBe(10);
  });
});

describe('working an alert', () => {
  it(
    'acknowledges, assigns to a teammate, snoozes until a date, resolves with an outcome; ' +
      'viewers only read; bad input is refused beside its field',
    async () => {
      const setup = await workspace('work');
      const manager = await addMember(services, setup.owner, 'manager');
      const viewer = await addMember(services, setup.owner, 'viewer');
      await addClient(setup, { lastContactDaysAgo: 40 });
      await evaluateAlerts(services.db, { workspaceId: setup.workspaceId });
      const caller = await callerForToken(services, setup.owner.token);
      const slug = setup.owner.slug;
      expect(await caller.alerts.unreadCount({ workspaceSlug: slug })).toBe(1);
      const [alert] = (await caller.alerts.list({ workspaceSlug: slug, filters: { mine: true, status: 'unresolved' } })).alerts;
      expect(alert).toMatchObject({ kind: 'no_contact', status: 'open', unread: true });
      const detail = await caller.alerts.get({ workspaceSlug: slug, alertId: alert!.id });
      expect(detail.nextStep).toMatch(/Reach out/);
      expect(await caller.alerts.unreadCount({ workspaceSlug: slug })).toBe(0);

      await caller.alerts.act({ workspaceSlug: slug, alertId: alert!.id, action: { action: 'acknowledge' } });
      await caller.alerts.act({ workspaceSlug: slug, alertId: alert!.id, action: { action: 'assign', assigneeId: manager.userId } });
      await expect(
        caller.alerts.act({ workspaceSlug: slug, alertId: alert!.id, action: { action: 'assign', assigneeId: viewer.userId } }),
      ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
      const managerCaller = await callerForToken(services, manager.token);
      expect(
        (await managerCaller.alerts.list({ workspaceSlug: slug, filters: { mine: true, status: 'unresolved' } })).alerts.map(
          (item) => item.id,
        ),
      ).toEqual([alert!.id]);
      await expect(
        managerCaller.alerts.act({ workspaceSlug: slug, alertId: alert!.id, action: { action: 'snooze', until: '2020-01-01' } }),
      ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
      const tomorrow = new Date(Date.now() + 2 * DAY).toISOString().slice(0, 10);
      await managerCaller.alerts.act({ workspaceSlug: slug, alertId: alert!.id, action: { action: 'snooze', until: tomorrow } });
      expect((await managerCaller.alerts.get({ workspaceSlug: slug, alertId: alert!.id })).status).toBe('snoozed');
      expect(await managerCaller.alerts.unreadCount({ workspaceSlug: slug })).toBe(0);
      // When the snooze runs out, the worker's wake-up job (every 15 minutes, every workspace) opens it
      // again, unread once more for the manager who read it before snoozing; a snooze still running stays.
      const other = await workspace('work-other');
      await addClient(other, { lastContactDaysAgo: 40 });
      await evaluateAlerts(services.db, { workspaceId: other.workspaceId });
      const otherCaller = await callerForToken(services, other.owner.token);
      const [otherAlert] = (
        await otherCaller.alerts.list({ workspaceSlug: other.owner.slug, filters: { mine: true, status: 'unresolved' } })
      ).alerts;
      const snoozeOtherAlert = () =>
        otherCaller.alerts.act({ workspaceSlug: other.owner.slug, alertId: otherAlert!.id, action: { action: 'snooze', until: tomorrow } });
      /** As if the snooze of `alertId` had run out a minute ago. */
      const endSnooze = (alertId: string) =>
        services.db.asService((tx) =>
          tx
            .updateTable('alerts')
            .set({ snoozed_until: new Date(Date.now() - 60_000) })
            .where('id', '=', alertId)
            .execute(),
        );
      await snoozeOtherAlert();
      await endSnooze(alert!.id);
      const handlers = createAlertHandlers({ db: services.db, mailer: services.mailer, appUrl: services.env.APP_URL });
      // (At least this one: the job wakes every workspace's, and other test files share the database.)
      expect(((await runJobNow(services.db, alertsQueue, handlers, 'wake-snoozed', {})) as { woken: number }).woken).toBeGreaterThanOrEqual(
        1,
      );
      expect(await managerCaller.alerts.unreadCount({ workspaceSlug: slug })).toBe(1);
      expect((await managerCaller.alerts.get({ workspaceSlug: slug, alertId: alert!.id })).status).toBe('open');
      expect(await managerCaller.alerts.unreadCount({ workspaceSlug: slug })).toBe(0);
      expect((await otherCaller.alerts.get({ workspaceSlug: other.owner.slug, alertId: otherAlert!.id })).status).toBe('snoozed');
      // Evaluation wakes them too, before it looks at the rules.
      await otherCaller.alerts.act({ workspaceSlug: other.owner.slug, alertId: otherAlert!.id, action: { action: 'acknowledge' } });
      await snoozeOtherAlert();
      await endSnooze(otherAlert!.id);
      await evaluateAlerts(services.db, { workspaceId: other.workspaceId });
      expect((await otherCaller.alerts.get({ workspaceSlug: other.owner.slug, alertId: otherAlert!.id })).status).toBe('open');
      await managerCaller.alerts.act({ workspaceSlug: slug, alertId: alert!.id, action: { action: 'snooze', until: tomorrow } });
      await expect(
        managerCaller.alerts.act({
          workspaceSlug: slug,
          alertId: alert!.id,
          action: { action: 'resolve', outcome: 'action_taken', note: '' },
        }),
      ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
      await managerCaller.alerts.act({
        workspaceSlug: slug,
        alertId: alert!.id,
        action: { action: 'resolve', outcome: 'action_taken', note: 'Called the CFO, renewal back on track.' },
      });
      const resolved = await caller.alerts.get({ workspaceSlug: slug, alertId: alert!.id });
      expect(resolved).toMatchObject({
        status: 'resolved',
        outcome: 'action_taken',
        resolutionNote: 'Called the CFO, renewal back on track.',
        resolvedByName: manager.name,
      });
      await expect(caller.alerts.act({ workspaceSlug: slug, alertId: alert!.id, action: { action: 'acknowledge' } })).rejects.toMatchObject(
        { code: 'CONFLICT' },
      );

      const viewerCaller = await callerForToken(services, viewer.token);
      expect((await viewerCaller.alerts.list({ workspaceSlug: slug, filters: { mine: false, status: 'all' } })).alerts).toHaveLength(1);
      await expect(
        viewerCaller.alerts.act({ workspaceSlug: slug, alertId: alert!.id, action: { action: 'reopen' } }),
      ).rejects.toMatchObject({
        code: 'FORBIDDEN',
      });
      expect((await caller.alerts.ruleQuality({ workspaceSlug: slug })).find((rule) => rule.kind === 'no_contact')).toMatchObject({
        opened: 1,
        resolved: 1,
        withoutAction: 0,
      });
    },
  );

  it('rule changes are validated and audited; the Slack webhook must be a real URL and is not written to the audit log', async () => {
    const setup = await workspace('rules-edit');
    const caller = await callerForToken(services, setup.owner.token);
    const slug = setup.owner.slug;
    const rules = await caller.alerts.rules({ workspaceSlug: slug });
    expect(rules.map((rule) => rule.kind)).toEqual([
      'score_drop',
      'entered_critical',
      'entered_at_risk',
      'churn_signal',
      'no_contact',
      'renewal_risk',
    ]);
    const drop = rules[0]!;
    await expect(
      caller.alerts.updateRule({
        workspaceSlug: slug,
        ruleId: drop.id,
        enabled: true,
        severity: 'high',
        cooldownDays: 7,
        params: { points: 0, days: 7 },
      }),
    ).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    await caller.alerts.updateRule({
      workspaceSlug: slug,
      ruleId: drop.id,
      enabled: false,
      severity: 'medium',
      cooldownDays: 3,
      params: { points: 10, days: 14 },
    });
    expect((await caller.alerts.rules({ workspaceSlug: slug }))[0]).toMatchObject({
      enabled: false,
      severity: 'medium',
      cooldownDays: 3,
      params: { points: 10, days: 14 },
    });
    await expect(
      caller.alerts.updateSettings({ workspaceSlug: slug, slackWebhookUrl: 'javascript:alert(1)', immediateCapPerHour: 5 }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await caller.alerts.updateSettings({
      workspaceSlug: slug,
      slackWebhookUrl: 'https://hooks.slack.com/services/T000/B000/secret',
      immediateCapPerHour: 3,
    });
    const audit = await services.db.asService((tx) =>
      tx
        .selectFrom('audit_log')
        .select(['action', 'after'])
        .where('workspace_id', '=', setup.workspaceId)
        .where('action', 'like', 'alert.%')
        .orderBy('id')
        .execute(),
    );
    expect(audit.map((entry) => entry.action)).toEqual(['alert.rule_changed', 'alert.settings_changed']);
    expect(JSON.stringify(audit)).not.toContain('secret');
    const manager = await addMember(services, setup.owner, 'manager');
    const managerCaller = await callerForToken(services, manager.token);
    await expect(
      managerCaller.alerts.updateRule({
        workspaceSlug: slug,
        ruleId: drop.id,
        enabled: true,
        severity: 'high',
        cooldownDays: 7,
        params: { points: 10, days: 7 },
      }),
    ).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
  });
});

/** A Slack-compatible incoming-webhook server: answers 500 to the first `failures` posts, then 200. */
async function slackServer(failures: number): Promise<{ url: string; received: string[]; close(): Promise<void> }> {
  const received: string[] = [];
  let calls = 0;
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      calls += 1;
      if (calls <= failures) {
        response.writeHead(500).end('server_error');
        return;
      }
      received.push(JSON.parse(body).text);
      response.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T/B/x`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The worker's outbound client in the tests: loopback allowed (services/testing turns OUTBOUND_ALLOW_LOOPBACK on) for the fake Slack. */
const testOutbound = () => createOutboundClient(outboundOptionsOf(services.env));

const deliveriesOf = (workspaceId: string) =>
  services.db.asService((tx) =>
    tx
      .selectFrom('alert_deliveries')
      .select(['id', 'user_id', 'channel', 'mode', 'status', 'attempts', 'last_error'])
      .where('workspace_id', '=', workspaceId)
      .orderBy('id')
      .execute(),
  );

describe('delivery', () => {
  it(
    'tells the account owner (else the admins) by their preferences, caps immediate notifications per hour, ' +
      'and sends the rest in the digest',
    async () => {
      const setup = await workspace('recipients');
      const admin = await addMember(services, setup.owner, 'admin');
      const manager = await addMember(services, setup.owner, 'manager');
      await services.db.asService((tx) =>
        tx.insertInto('workspace_alert_settings').values({ workspace_id: setup.workspaceId, immediate_cap_per_hour: 2 }).execute(),
      );
      await addClient(setup, { ownerId: null, lastContactDaysAgo: 40 });
      for (let index = 0; index < 4; index += 1) await addClient(setup, { ownerId: manager.userId, lastContactDaysAgo: 40 });
      const managerCaller = await callerForToken(services, manager.token);
      await managerCaller.alerts.setPreferences({ workspaceSlug: setup.owner.slug, email: 'immediate', slack: 'off' });
      await evaluateAlerts(services.db, { workspaceId: setup.workspaceId });
      const deliveries = await deliveriesOf(setup.workspaceId);
      // No Slack webhook: email only. The unowned client's alert goes to the owner and the admin.
      const byUser = (userId: string) =>
        deliveries.filter((delivery) => delivery.user_id === userId).map((delivery) => `${delivery.channel}:${delivery.mode}`);
      expect(byUser(setup.owner.userId)).toEqual(['email:immediate']);
      expect(byUser(admin.userId)).toEqual(['email:immediate']);
      expect(byUser(manager.userId).sort()).toEqual(['email:digest', 'email:digest', 'email:immediate', 'email:immediate']);
      const queued = await services.db.asService((tx) =>
        tx.selectFrom('outbox').select('job_key').where('workspace_id', '=', setup.workspaceId).where('queue', '=', 'alerts').execute(),
      );
      expect(queued).toHaveLength(4);

      // The digest: one email for the manager listing both alerts, and they are marked sent.
      await sendDigests({ db: services.db, mailer: services.mailer, appUrl: 'http://app.test' });
      const digests = await listCaughtEmails(testMailCatcherUrl(), manager.email);
      expect(digests).toHaveLength(1);
      const { name: workspaceName } = await services.db.asService((tx) =>
        tx.selectFrom('workspaces').select('name').where('id', '=', setup.workspaceId).executeTakeFirstOrThrow(),
      );
      expect(digests[0]!.subject).toBe(`2 alerts in ${workspaceName} today`);
      expect(
        (await deliveriesOf(setup.workspaceId))
          .filter((delivery) => delivery.mode === 'digest')
          .every((delivery) => delivery.status === 'sent'),
      ).toBe(true);
    },
  );

  it(
    'sends the alert email with a working link, ' + 'and retries a failing Slack webhook with backoff through the queue until it answers',
    async () => {
      const setup = await workspace('deliver');
      const slack = await slackServer(2);
      try {
        await services.db.asService((tx) =>
          tx.insertInto('workspace_alert_settings').values({ workspace_id: setup.workspaceId, slack_webhook_url: slack.url }).execute(),
        );
        const client = await addClient(setup, { name: 'Hooli Retail', lastContactDaysAgo: 40 });
        await evaluateAlerts(services.db, { workspaceId: setup.workspaceId });
        const deliveries = await deliveriesOf(setup.workspaceId);
        expect(deliveries.map((delivery) => `${delivery.channel}:${delivery.mode}`).sort()).toEqual(['email:immediate', 'slack:immediate']);
        const [alert] = await alertsOf(setup.workspaceId);

        const prefix = `test-alerts-${randomUUID().slice(0, 8)}`;
        const queue = openQueue(alertsQueue, createWorkerConnection(testRedisUrl()), prefix);
        const deps = { db: services.db, mailer: services.mailer, appUrl: 'http://app.test', outbound: testOutbound() };
        const worker = startQueueWorker({ db: services.db, log: testLog }, alertsQueue, createAlertHandlers(deps), {
          connection: createWorkerConnection(testRedisUrl()),
          prefix,
        });
        try {
          for (const delivery of deliveries) {
            await queue.add(
              'deliver',
              { workspaceId: setup.workspaceId, deliveryId: String(delivery.id) },
              { jobId: `delivery-${delivery.id}`, attempts: 5, backoff: { type: 'exponential', delay: 100 } },
            );
          }
          const deadline = Date.now() + 15_000;
          while ((await deliveriesOf(setup.workspaceId)).some((delivery) => delivery.status !== 'sent') && Date.now() < deadline)
            await new Promise((resolve) => setTimeout(resolve, 100));
        } finally {
          await worker.close();
          await queue.obliterate({ force: true });
          await queue.close();
        }
        const after = await deliveriesOf(setup.workspaceId);
        expect(after.find((delivery) => delivery.channel === 'slack')).toMatchObject({ status: 'sent', attempts: 3, last_error: null });
        expect(after.find((delivery) => delivery.channel === 'email')).toMatchObject({ status: 'sent', attempts: 1 });
        expect(slack.received).toHaveLength(1);
        expect(slack.received[0]).toContain('*Hooli Retail*: No two-way contact for 40 days');
        expect(slack.received[0]).toContain(`http://app.test/w/${setup.owner.slug}/alerts/${alert!.id}`);
        const [email] = await listCaughtEmails(testMailCatcherUrl(), setup.owner.email);
        expect(email!.subject).toBe('Hooli Retail: No two-way contact for 40 days');
        expect(email!.text).toContain(`http://app.test/w/${setup.owner.slug}/alerts/${alert!.id}`);
        expect(client).toBeTruthy();
      } finally {
        await slack.close();
      }
    },
  );

  it('records a delivery that failed its last attempt as failed, with the error', async () => {
    const setup = await workspace('deliver-fail');
    const slack = await slackServer(100);
    try {
      await services.db.asService((tx) =>
        tx.insertInto('workspace_alert_settings').values({ workspace_id: setup.workspaceId, slack_webhook_url: slack.url }).execute(),
      );
      await services.db.asService((tx) =>
        tx
          .insertInto('notification_preferences')
          .values({ workspace_id: setup.workspaceId, user_id: setup.owner.userId, email: 'off', slack: 'immediate' })
          .execute(),
      );
      await addClient(setup, { lastContactDaysAgo: 40 });
      await evaluateAlerts(services.db, { workspaceId: setup.workspaceId });
      const [delivery] = await deliveriesOf(setup.workspaceId);
      const deps = { db: services.db, mailer: services.mailer, appUrl: 'http://app.test', outbound: testOutbound() };
      await expect(sendDelivery(deps, String(delivery!.id))).rejects.toThrow(/Slack answered 500/);
      expect((await deliveriesOf(setup.workspaceId))[0]).toMatchObject({ status: 'pending', attempts: 1 });
      // The queue's last attempt, through the worker's runner: dead-lettered, and the delivery reads as failed.
      const last = { workspaceId: setup.workspaceId, deliveryId: String(delivery!.id) };
      await expect(runJobNow(services.db, alertsQueue, createAlertHandlers(deps), 'deliver', last)).rejects.toThrow(/Slack answered 500/);
      expect((await deliveriesOf(setup.workspaceId))[0]).toMatchObject({
        status: 'failed',
        attempts: 2,
        // The status only: what the target answered is never stored or shown.
        last_error: 'Slack answered 500',
      });
    } finally {
      await slack.close();
    }
  });
});

describe('Slack hardening', () => {
  /** A workspace whose owner hears of alerts by Slack only (`slack` mode), with the webhook `url`. */
  async function slackWorkspace(label: string, url: string, slack: 'immediate' | 'digest' = 'immediate'): Promise<Setup> {
    const setup = await workspace(label);
    await services.db.asService(async (tx) => {
      await tx.insertInto('workspace_alert_settings').values({ workspace_id: setup.workspaceId, slack_webhook_url: url }).execute();
      await tx
        .insertInto('notification_preferences')
        .values({ workspace_id: setup.workspaceId, user_id: setup.owner.userId, email: 'off', slack })
        .execute();
    });
    return setup;
  }

  it('escapes user text in the message and the digest, so a name cannot mention the channel or forge a link', async () => {
    const slack = await slackServer(0);
    const evil = 'Evil <!channel> & <https://evil.example|Open the alert>';
    try {
      const deps = { db: services.db, mailer: services.mailer, appUrl: 'http://app.test', outbound: testOutbound() };
      const immediate = await slackWorkspace('slack-escape', slack.url);
      await services.db.asService((tx) =>
        tx.updateTable('users').set({ name: '<!here> Mallory' }).where('id', '=', immediate.owner.userId).execute(),
      );
      await addClient(immediate, { name: evil, lastContactDaysAgo: 40 });
      await evaluateAlerts(services.db, { workspaceId: immediate.workspaceId });
      const [delivery] = await deliveriesOf(immediate.workspaceId);
      const [alert] = await alertsOf(immediate.workspaceId);
      await sendDelivery(deps, String(delivery!.id));
      const escaped = 'Evil &lt;!channel&gt; &amp; &lt;https://evil.example|Open the alert&gt;';
      expect(slack.received).toHaveLength(1);
      expect(slack.received[0]).toContain(`*${escaped}*: No two-way contact for 40 days`);
      expect(slack.received[0]).toContain('— for &lt;!here&gt; Mallory');
      // Our own link is the only markup left.
      expect(slack.received[0]).toContain(`<http://app.test/w/${immediate.owner.slug}/alerts/${alert!.id}|Open the alert>`);
      expect(slack.received[0]!.match(/</g)).toHaveLength(1);

      const digest = await slackWorkspace('slack-escape-digest', slack.url, 'digest');
      await services.db.asService((tx) =>
        tx.updateTable('users').set({ name: '<!everyone> & co' }).where('id', '=', digest.owner.userId).execute(),
      );
      await addClient(digest, { name: evil, lastContactDaysAgo: 40 });
      await evaluateAlerts(services.db, { workspaceId: digest.workspaceId });
      await sendDigests(deps);
      const message = slack.received.find((text) => text.startsWith('Daily digest for &lt;!everyone&gt; &amp; co: 1 alert'));
      expect(message).toBeDefined();
      expect(message).toContain(`• *${escaped}*: No two-way contact for 40 days <http://app.test/w/${digest.owner.slug}/alerts/`);
      expect(message!.match(/</g)).toHaveLength(1);
    } finally {
      await slack.close();
    }
  });

  it('refuses a webhook on this machine at send time and records only the short reason', async () => {
    const slack = await slackServer(0);
    try {
      const port = new URL(slack.url).port;
      // Saved before the settings were checked (or through a name that later resolves here): the client still refuses.
      const setup = await slackWorkspace('slack-ssrf', `http://127.1:${port}/services/T/B/x`);
      await addClient(setup, { lastContactDaysAgo: 40 });
      await evaluateAlerts(services.db, { workspaceId: setup.workspaceId });
      const [delivery] = await deliveriesOf(setup.workspaceId);
      // The worker's client outside the tests: loopback off.
      const guarded = { db: services.db, mailer: services.mailer, appUrl: 'http://app.test', outbound: createOutboundClient({}) };
      await expect(sendDelivery(guarded, String(delivery!.id))).rejects.toThrow('Slack: the address is not public');
      expect((await deliveriesOf(setup.workspaceId))[0]).toMatchObject({
        status: 'pending',
        last_error: 'Slack: the address is not public',
      });
      // Without a client of its own, delivery uses production's rules (https only).
      await expect(
        sendDelivery({ db: services.db, mailer: services.mailer, appUrl: 'http://app.test' }, String(delivery!.id)),
      ).rejects.toThrow('Slack: only https URLs are allowed');
      expect(slack.received).toEqual([]);
    } finally {
      await slack.close();
    }
  });

  it('accepts in production only Slack incoming webhooks and SLACK_WEBHOOK_HOSTS, with the message on the field', async () => {
    const setup = await workspace('slack-hosts');
    const slug = setup.owner.slug;
    const save = (environment: Partial<AppServices['env']>, slackWebhookUrl: string) =>
      callerForToken({ ...services, env: { ...services.env, ...environment } }, setup.owner.token).then((caller) =>
        caller.alerts.updateSettings({ workspaceSlug: slug, slackWebhookUrl, immediateCapPerHour: 5 }),
      );
    const production = { NODE_ENV: 'production' as const };
    const slackOnly = 'Enter the webhook URL Slack gave you (https://hooks.slack.com/services/…).';
    /** The message beside the webhook field when saving is refused. */
    const fieldError = (saving: Promise<unknown>) =>
      saving.then(
        () => 'saved',
        (error: TRPCError) => `${error.code}: ${fieldErrorsOf(error)?.slackWebhookUrl?.join(' ')}`,
      );
    for (const url of [
      'https://evil.example/services/T/B/x',
      'https://169.254.169.254/latest/meta-data/',
      'https://10.0.0.1/services/T/B/x',
      'http://hooks.slack.com/services/T/B/x',
      'https://hooks.slack.com:8443/services/T/B/x',
      'https://hooks.slack.com/other',
      'https://hooks.slack.com.evil.example/services/T/B/x',
    ]) {
      expect(await fieldError(save(production, url)), url).toBe(`BAD_REQUEST: ${slackOnly}`);
    }
    // A user name or password is refused everywhere.
    expect(await fieldError(save({}, 'http://user:secret@hooks.slack.com/services/T/B/x'))).toBe(`BAD_REQUEST: ${slackOnly}`);
    await save(production, 'https://hooks.slack.com/services/T000/B000/secret');
    const chat = { ...production, SLACK_WEBHOOK_HOSTS: ['chat.example.com'] };
    expect(await fieldError(save(production, 'https://chat.example.com/hooks/abc'))).toBe(`BAD_REQUEST: ${slackOnly}`);
    expect(await fieldError(save(chat, 'https://other.example.com/hooks/abc'))).toBe(
      'BAD_REQUEST: Enter the webhook URL Slack gave you (https://hooks.slack.com/services/…) or an https URL on chat.example.com.',
    );
    await save(chat, 'https://chat.example.com/hooks/abc');
    // Outside production any http(s) URL is a valid setting (the outbound client still guards every call).
    await save({}, 'http://10.0.0.1/hooks/abc');
    await save({}, '');
  });
});

describe('isolation', () => {
  it("keeps another workspace's alerts out of reach", async () => {
    const a = await workspace('iso-a');
    const b = await workspace('iso-b');
    await addClient(b, { lastContactDaysAgo: 40 });
    await evaluateAlerts(services.db, { workspaceId: b.workspaceId });
    const [alert] = await alertsOf(b.workspaceId);
    const callerA = await callerForToken(services, a.owner.token);
    await expect(callerA.alerts.get({ workspaceSlug: b.owner.slug, alertId: alert!.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(callerA.alerts.get({ workspaceSlug: a.owner.slug, alertId: alert!.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const direct = await services.db.withUser({ sub: a.owner.userId }, (tx) =>
      sql<{ n: number }>`select count(*)::int as n from public.alerts`.execute(tx),
    );
    expect(direct.rows[0]!.n).toBe(0);
  });
});
