import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { expect, it, onTestFinished } from 'vitest';
import { listCaughtEmails } from '../server/email/catcher-client';
import { createWorkerConnection } from '../server/queue/connection';
import { closeAppServices } from '../server/services';
import { createClients, createOwner, workspaceIdOf } from '../server/testing/factories';
import { testMailCatcherUrl } from '../server/testing/mail';
import { createServicesOn, testRedisUrl, testSmtpUrl } from '../server/testing/services';
import { killAllWorkers, migratedScratchDatabase, startWorkerProcess, until } from '../server/testing/worker-process';

/**
 * An alert storm through the real worker process: 1,000 negative interactions for 50 clients within
 * a minute (analysed, rescored and evaluated as they arrive) must leave at most one open alert per
 * client and rule, and at most the hourly cap of immediate emails for their owner — the rest in the
 * digest. On a scratch database (the worker's outbox relay takes every workspace's rows).
 */

const scratch = migratedScratchDatabase();

const CLIENTS = 50;
const INTERACTIONS = 1_000;
const CAP = 5;
const MESSAGES = [
  'We are cancelling at the end of the month; the platform was down again and support never answered.',
  'Budget cuts: finance told us to drop this tool, we will not renew.',
  'We have signed with a competitor that costs half as much. Please stop the renewal.',
];

it(
  '1,000 interactions for 50 clients within a minute: one open alert per client and rule, and at most the cap of immediate emails',
  { timeout: 240_000 },
  async () => {
    const redisUrl = `${testRedisUrl()}/7`;
    const redis = createWorkerConnection(redisUrl);
    await redis.flushdb();
    const services = createServicesOn(scratch.url, redisUrl);
    onTestFinished(async () => {
      await killAllWorkers();
      await redis.flushdb();
      await redis.quit();
      await closeAppServices(services);
    });
    const owner = await createOwner(services, `storm-${randomUUID().slice(0, 6)}`);
    const workspaceId = await workspaceIdOf(services.db, owner);
    await services.db.asService((tx) =>
      tx.insertInto('workspace_alert_settings').values({ workspace_id: workspaceId, immediate_cap_per_hour: CAP }).execute(),
    );
    const clients = await createClients(
      services.db,
      Array.from({ length: CLIENTS }, (_, index) => ({ workspace_id: workspaceId, name: `Storm ${index}`, owner_id: owner.userId })),
    );
    const worker = startWorkerProcess({
      databaseUrl: scratch.url,
      redisUrl,
      env: { SENTIMENT_PROVIDER: 'local', SMTP_URL: testSmtpUrl(), APP_URL: 'http://app.test' },
    });
    await until(
      () => redis.get('clientpulse:worker:heartbeat'),
      'the worker to start',
      60_000,
      () => worker.output(),
    );

    // 20 bursts of 50, one every 2 s: 1,000 interactions within 40 s, every client in every burst.
    const started = Date.now();
    for (let burst = 0; burst < INTERACTIONS / CLIENTS; burst += 1) {
      await services.db.asService((tx) =>
        tx
          .insertInto('interactions')
          .values(
            clients.map((client, index) => ({
              workspace_id: workspaceId,
              client_id: client.id,
              type: 'email' as const,
              direction: 'inbound' as const,
              occurred_at: new Date(),
              body: MESSAGES[(burst + index) % MESSAGES.length]!,
            })),
          )
          .execute(),
      );
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
    expect(Date.now() - started).toBeLessThan(60_000);

    const count = async () =>
      (
        await services.db.readAsService((kysely) =>
          sql<{ pending: number; unrelayed: number; deliveries_waiting: number }>`
        select (select count(*)::int from interactions where workspace_id = ${workspaceId}::uuid and sentiment_status <> 'done') as pending,
               (select count(*)::int from outbox where relayed_at is null) as unrelayed,
               (select count(*)::int from alert_deliveries
                 where workspace_id = ${workspaceId}::uuid and mode = 'immediate' and status = 'pending') as deliveries_waiting`.execute(
            kysely,
          ),
        )
      ).rows[0]!;
    await until(
      async () => {
        const state = await count();
        return state.pending === 0 && state.unrelayed === 0 && state.deliveries_waiting === 0;
      },
      'the storm to settle',
      150_000,
      () => worker.output().slice(-2_000),
    );
    // The last recomputes run a second after the last results (debounce): let them finish.
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    await until(async () => (await count()).deliveries_waiting === 0, 'the last deliveries', 30_000);

    const perClientRule = await services.db.readAsService((kysely) =>
      sql<{ client_id: string; kind: string; n: number }>`
    select client_id, kind, count(*)::int as n from alerts
     where workspace_id = ${workspaceId}::uuid and status <> 'resolved' group by 1, 2`.execute(kysely),
    );
    expect(perClientRule.rows.length).toBeGreaterThanOrEqual(CLIENTS);
    expect(Math.max(...perClientRule.rows.map((row) => row.n))).toBe(1);
    const churn = perClientRule.rows.filter((row) => row.kind === 'churn_signal');
    expect(churn).toHaveLength(CLIENTS);
    // New triggers updated the open alerts instead of opening more.
    const triggers = await services.db.readAsService((kysely) =>
      sql<{ alerts: number; triggers: number }>`
    select count(*)::int as alerts, sum(trigger_count)::int as triggers from alerts where workspace_id = ${workspaceId}::uuid`.execute(
        kysely,
      ),
    );
    expect(triggers.rows[0]!.triggers).toBeGreaterThan(triggers.rows[0]!.alerts);

    const deliveries = await services.db.readAsService((kysely) =>
      sql<{ mode: string; status: string; n: number }>`
    select mode, status, count(*)::int as n from alert_deliveries
     where workspace_id = ${workspaceId}::uuid and channel = 'email' group by 1, 2`.execute(kysely),
    );
    const immediate = deliveries.rows.filter((row) => row.mode === 'immediate').reduce((sum, row) => sum + row.n, 0);
    const digest = deliveries.rows.filter((row) => row.mode === 'digest').reduce((sum, row) => sum + row.n, 0);
    expect(immediate).toBe(CAP);
    expect(immediate + digest).toBe(triggers.rows[0]!.alerts);
    const emails = (await listCaughtEmails(testMailCatcherUrl(), owner.email)).filter((email) => email.subject.startsWith('Storm '));
    expect(emails.length).toBe(CAP);
    expect(worker.alive()).toBe(true);
  },
);
