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
import { createRandom, sampleClient, sampleClientColumns } from '../server/clients/sample-data';
import { recomputeHealth, refreshEngagementNorm } from '../server/health/engine';
import { createSession } from '../server/identity/sessions';
import type { AppServices } from '../server/services';
import { createOwner } from '../server/testing/factories';

export type ScaleWorkspace = { slug: string; workspaceId: string; ownerId: string; sessionToken: string; busiestClientId: string };

/** COPY into `table` of `rows`, each an object of column → value with the first row's columns in its order. */
async function copyRows(client: pg.ClientBase, table: string, rows: Iterable<Record<string, unknown>>): Promise<void> {
  const iterator = rows[Symbol.iterator]();
  const first = iterator.next();
  if (first.done) return;
  const columns = Object.keys(first.value);
  const values = function* () {
    for (let row: IteratorResult<Record<string, unknown>> = first; !row.done; row = iterator.next()) yield Object.values(row.value);
  };
  const sink = client.query(copyFrom(`copy public.${table} (${columns.join(', ')}) from stdin with (format csv)`));
  await pipeline(Readable.from(values()), stringify(), sink);
}

/** The benchmarks' large workspace (BENCH_CLIENTS / BENCH_INTERACTIONS make it smaller for a quick try). */
export const LARGE_WORKSPACE = {
  label: 'large',
  clients: Number(process.env.BENCH_CLIENTS ?? 100_000),
  interactions: Number(process.env.BENCH_INTERACTIONS ?? 2_000_000),
  busiestClientInteractions: 5_000,
};

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
    const row = await services.db.asService((tx) =>
      tx.selectFrom('workspaces').select('id').where('slug', '=', owner.slug).executeTakeFirstOrThrow(),
    );
    workspace = { id: row.id, slug: owner.slug, ownerId: owner.userId };
  }
  const { n } = await services.db.asService((tx) =>
    tx
      .selectFrom('clients')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('workspace_id', '=', workspace.id)
      .executeTakeFirstOrThrow(),
  );
  if (Number(n) === 0) {
    await loadWorkspace(services.env.DATABASE_URL, workspace, options);
    // Scores as the daily job would leave them (the list sorts and filters by them).
    await refreshEngagementNorm(services.db, workspace.id);
    await recomputeHealth(services.db, { workspaceId: workspace.id, trigger: 'daily' });
  }
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
  return {
    slug: workspace.slug,
    workspaceId: workspace.id,
    ownerId: workspace.ownerId,
    sessionToken: session.token,
    busiestClientId: busiest.client_id,
  };
}

async function loadWorkspace(
  databaseUrl: string,
  workspace: { id: string; ownerId: string },
  options: { clients: number; interactions: number; busiestClientInteractions: number },
): Promise<void> {
  const now = new Date();
  const clientIds = Array.from({ length: options.clients }, () => randomUUID());
  // Interactions per client around the average that makes the total; client 0 is the busiest.
  const average = (options.interactions - options.busiestClientInteractions) / Math.max(1, options.clients - 1);
  /** The portfolio, client by client, the same on every pass (same seed). */
  const portfolio = function* () {
    const random = createRandom(42);
    for (let index = 0; index < options.clients; index += 1) {
      const count = index === 0 ? options.busiestClientInteractions : random.int(Math.round(average / 2), Math.round(average * 1.5));
      yield { index, sample: sampleClient(random, index, { now, interactions: count }) };
    }
  };
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'clientpulse-scale-data' });
  await client.connect();
  try {
    await client.query('begin');
    // Every pass must draw the same numbers: anything else random here (the owner) would shift the
    // clients of the interactions pass against those of this one.
    const clientRows = function* () {
      for (const { index, sample } of portfolio()) {
        yield {
          id: clientIds[index],
          workspace_id: workspace.id,
          ...sampleClientColumns(sample),
          owner_id: index % 2 === 0 ? workspace.ownerId : null,
          tags: `{${sample.tags.join(',')}}`,
        };
      }
    };
    await copyRows(client, 'clients', clientRows());
    const contacts = function* () {
      for (let index = 0; index < options.clients; index += 1)
        yield {
          workspace_id: workspace.id,
          client_id: clientIds[index],
          name: `Contact ${index}`,
          email: `contact${index}@client${index}.example`,
          is_primary: true,
        };
    };
    await copyRows(client, 'contacts', contacts());
    // Interactions arrive analysed, as the sentiment worker would leave them (scores by what each
    // message says), so the health engine and the backtest have real signals to read.
    const scoreRandom = createRandom(7);
    const scoreOf = (tone: string) =>
      tone === 'positive'
        ? 0.3 + 0.6 * scoreRandom.next()
        : tone === 'negative'
          ? -(0.3 + 0.6 * scoreRandom.next())
          : -0.15 + 0.3 * scoreRandom.next();
    const interactions = function* () {
      for (const { index, sample } of portfolio()) {
        for (const item of sample.interactions) {
          yield {
            workspace_id: workspace.id,
            client_id: clientIds[index],
            type: item.type,
            direction: item.direction,
            occurred_at: item.occurredAt.toISOString(),
            subject: item.subject,
            body: item.body,
            sentiment_status: 'done',
            sentiment_label: item.tone,
            sentiment_score: scoreOf(item.tone).toFixed(3),
            sentiment_signals: item.cancellation ? '{cancellation_intent}' : '{}',
            sentiment_confidence: 0.8,
            sentiment_analysed_by: 'scale-data',
            sentiment_analysed_at: item.occurredAt.toISOString(),
          };
        }
      }
    };
    // Set-based instead of per row: last contact is computed below; the scale data asks for no
    // sentiment or health jobs (the health scores are computed once, set-based, after the load).
    const triggers = ['interactions_touch_client', 'interactions_request_sentiment', 'interactions_request_health_insert'];
    await client.query(`alter table public.interactions ${triggers.map((name) => `disable trigger ${name}`).join(', ')}`);
    await copyRows(client, 'interactions', interactions());
    await client.query(`alter table public.interactions ${triggers.map((name) => `enable trigger ${name}`).join(', ')}`);
    await client.query(
      `update public.clients c set last_contact_at = i.last
         from (select client_id, max(occurred_at) as last
                 from public.interactions
                where workspace_id = $1 and direction <> 'internal'
                group by client_id) i
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
