/**
 * Scale data for the benchmarks: one large workspace (100,000 clients, 2,000,000 interactions by
 * default) plus many small ones, loaded with COPY from generated CSV streams — never row by row.
 * Idempotent: a workspace that already holds its data is reused.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { createRandom, sampleClient } from '../server/clients/sample-data';
import { createSession } from '../server/identity/sessions';
import type { AppServices } from '../server/services';
import { createOwner } from '../server/testing/factories';

export type ScaleWorkspace = { slug: string; workspaceId: string; ownerId: string; sessionToken: string; busiestClientId: string };

async function copyRows(client: pg.ClientBase, table: string, columns: string[], rows: Iterable<unknown[]>): Promise<void> {
  const sink = client.query(copyFrom(`copy public.${table} (${columns.join(', ')}) from stdin with (format csv)`));
  await pipeline(Readable.from(rows), stringify(), sink);
}

/** Creates (or finds) a workspace of `clients` clients and about `interactions` interactions. */
export async function ensureScaleWorkspace(
  services: AppServices,
  options: { label: string; clients: number; interactions: number; busiestClientInteractions: number },
): Promise<ScaleWorkspace> {
  const slugPrefix = `scale-${options.label}`;
  const existing = await services.db.asService((tx) =>
    tx
      .selectFrom('workspaces as w')
      .innerJoin('workspace_members as m', 'm.workspace_id', 'w.id')
      .select(['w.id', 'w.slug', 'm.user_id'])
      .where('w.name', '=', slugPrefix)
      .where('m.role', '=', 'owner')
      .executeTakeFirst(),
  );
  let workspace: { id: string; slug: string; ownerId: string };
  if (existing) {
    workspace = { id: existing.id, slug: existing.slug, ownerId: existing.user_id };
  } else {
    const owner = await createOwner(services, slugPrefix);
    await services.db.asService((tx) => tx.updateTable('workspaces').set({ name: slugPrefix }).where('slug', '=', owner.slug).execute());
    const row = await services.db.asService((tx) => tx.selectFrom('workspaces').select('id').where('slug', '=', owner.slug).executeTakeFirstOrThrow());
    workspace = { id: row.id, slug: owner.slug, ownerId: owner.userId };
  }
  const { n } = await services.db.asService((tx) =>
    tx.selectFrom('clients').select((eb) => eb.fn.countAll<string>().as('n')).where('workspace_id', '=', workspace.id).executeTakeFirstOrThrow(),
  );
  if (Number(n) === 0) await loadWorkspace(services.env.DATABASE_URL, workspace, options);
  const busiest = await services.db.asService((tx) =>
    tx
      .selectFrom('interactions')
      .select(['client_id', (eb) => eb.fn.countAll<string>().as('n')])
      .where('workspace_id', '=', workspace.id)
      .groupBy('client_id')
      .orderBy('n', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow(),
  );
  const session = await services.db.asService((tx) => createSession(tx, workspace.ownerId, { ip: '127.0.0.1', userAgent: 'bench' }));
  return { slug: workspace.slug, workspaceId: workspace.id, ownerId: workspace.ownerId, sessionToken: session.token, busiestClientId: busiest.client_id };
}

async function loadWorkspace(
  databaseUrl: string,
  workspace: { id: string; ownerId: string },
  options: { clients: number; interactions: number; busiestClientInteractions: number },
): Promise<void> {
  const random = createRandom(42);
  const now = new Date();
  const clientIds = Array.from({ length: options.clients }, () => randomUUID());
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'clientpulse-scale-data' });
  await client.connect();
  try {
    await client.query('begin');
    const samples = function* () {
      for (let index = 0; index < options.clients; index += 1) {
        const sample = sampleClient(random, index, { now, maxInteractions: 2 });
        yield [clientIds[index], workspace.id, sample.name, sample.domain, sample.externalId, sample.status, sample.churnedAt, sample.churnReason, sample.mrrCents, sample.planName, sample.renewalDate, random.chance(0.5) ? workspace.ownerId : null, `{${sample.tags.join(',')}}`, random.chance(0.9) ? random.int(5, 99) : null];
      }
    };
    await copyRows(client, 'clients', ['id', 'workspace_id', 'name', 'domain', 'external_id', 'status', 'churned_at', 'churn_reason', 'mrr_cents', 'plan_name', 'renewal_date', 'owner_id', 'tags', 'health_score'], samples());
    await client.query(
      `update public.clients set risk_level = case when health_score >= 70 then 'healthy' when health_score >= 40 then 'at_risk' else 'critical' end::public.risk_level
        where workspace_id = $1 and health_score is not null`,
      [workspace.id],
    );
    const contacts = function* () {
      for (let index = 0; index < options.clients; index += 1) yield [workspace.id, clientIds[index], `Contact ${index}`, `contact${index}@client${index}.example`, true];
    };
    await copyRows(client, 'contacts', ['workspace_id', 'client_id', 'name', 'email', 'is_primary'], contacts());
    const bodies = ['Great call, they are happy with the rollout.', 'Asked about invoices again.', 'Third outage this month; they mentioned a competitor.', 'Renewal meeting booked for next month.'];
    const interactions = function* () {
      for (let index = 0; index < options.busiestClientInteractions; index += 1) {
        yield [workspace.id, clientIds[0], 'email', 'inbound', new Date(now.getTime() - index * 3_600_000).toISOString(), `Message ${index}`, random.pick(bodies)];
      }
      for (let index = options.busiestClientInteractions; index < options.interactions; index += 1) {
        const clientIndex = random.int(1, options.clients - 1);
        yield [workspace.id, clientIds[clientIndex], random.pick(['email', 'call', 'meeting', 'support_ticket', 'chat', 'note']), random.pick(['inbound', 'outbound', 'internal']), new Date(now.getTime() - random.int(0, 365 * 86_400) * 1000).toISOString(), null, random.pick(bodies)];
      }
    };
    // The per-row trigger that keeps last_contact_at is replaced by one set-based update below.
    // Set-based instead of per row: last contact is computed below; the scale data asks for no
    // sentiment jobs (an admin's backfill would queue them).
    await client.query('alter table public.interactions disable trigger interactions_touch_client, disable trigger interactions_request_sentiment');
    await copyRows(client, 'interactions', ['workspace_id', 'client_id', 'type', 'direction', 'occurred_at', 'subject', 'body'], interactions());
    await client.query('alter table public.interactions enable trigger interactions_touch_client, enable trigger interactions_request_sentiment');
    await client.query(
      `update public.clients c set last_contact_at = i.last
         from (select client_id, max(occurred_at) as last from public.interactions where workspace_id = $1 and direction <> 'internal' group by client_id) i
        where c.id = i.client_id`,
      [workspace.id],
    );
    await client.query('commit');
    await client.query('analyze public.clients, public.contacts, public.interactions');
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}
