import { recordDeadLetter } from '../../server/queue/dead-letter';
import { evaluateAlerts } from '../../server/alerts/evaluate';
import { recomputeHealth, refreshEngagementNorm } from '../../server/health/engine';
import { randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../server/db';
import { requestPasswordReset } from '../../server/identity/accounts';
import { runImport } from '../../server/imports/run';
import { appRouter } from '../../server/root';
import { closeAppServices, type AppServices } from '../../server/services';
import {
  addMember,
  callerForToken,
  createClient,
  createContact,
  createInteraction,
  createOwner,
  testLog,
  testMeta,
  uniqueEmail,
  workspaceIdOf,
  type TestAccount,
} from '../../server/testing/factories';
import { createTestServices } from '../../server/testing/services';

/**
 * Workspace isolation at the database, for every table in `public` as read from the catalog, so
 * tables added later are covered without touching this file. A row belongs to a workspace through
 * its `workspace_id`, to a person through `user_id`, or is that workspace or person itself.
 */

type Column = { name: string; type: string; isIdentity: boolean; referencesUsers: boolean; isUnique: boolean };
type Table = { name: string; rlsEnabled: boolean; rlsForced: boolean; columns: Column[] };

let services: AppServices;
let db: Database;
let a: TestAccount;
let b: TestAccount;
let workspaceA: string;
let workspaceB: string;
let tables: Table[];

async function readTables(): Promise<Table[]> {
  return db.asService(async (tx) => {
    const { rows } = await sql<{ table_name: string; rls_enabled: boolean; rls_forced: boolean; columns: Column[] }>`
      select c.relname as table_name, c.relrowsecurity as rls_enabled, c.relforcerowsecurity as rls_forced,
             json_agg(json_build_object(
               'name', a.attname,
               'type', format_type(a.atttypid, a.atttypmod),
               'isIdentity', a.attidentity <> '' or a.attgenerated <> '',
               'referencesUsers', exists (
                 select 1 from pg_constraint fk
                  where fk.conrelid = c.oid and fk.contype = 'f' and fk.confrelid = 'public.users'::regclass
                    and a.attnum = any (fk.conkey)),
               'isUnique', exists (
                 select 1 from pg_constraint u
                  where u.conrelid = c.oid and u.contype in ('u', 'p') and u.conkey = array[a.attnum]::int2[])
             ) order by a.attnum) as columns
        from pg_class c
        join pg_namespace n on n.oid = c.relnamespace
        join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
       where n.nspname = 'public' and c.relkind in ('r', 'p')
       group by c.oid, c.relname, c.relrowsecurity, c.relforcerowsecurity
       order by c.relname`.execute(tx);
    return rows.map((row) => ({ name: row.table_name, rlsEnabled: row.rls_enabled, rlsForced: row.rls_forced, columns: row.columns }));
  });
}

/** The SQL condition selecting B's rows of `table`; null when the table has no owner column we know. */
function bRows(table: Table) {
  const has = (name: string) => table.columns.some((column) => column.name === name);
  if (has('workspace_id')) return sql`workspace_id = ${workspaceB}::uuid`;
  if (table.name === 'workspaces') return sql`id = ${workspaceB}::uuid`;
  if (has('user_id')) return sql`user_id = ${b.userId}::uuid`;
  if (table.name === 'users') return sql`id = ${b.userId}::uuid`;
  return null;
}

/** Runs `statement` as A; returns the affected/returned row count, or the Postgres error code. */
async function asA(statement: ReturnType<typeof sql>): Promise<{ rows: number } | { error: string }> {
  try {
    const result = await db.withUser({ sub: a.userId, email: a.email }, (tx) => statement.execute(tx));
    return { rows: Number(result.numAffectedRows ?? result.rows.length) };
  } catch (error) {
    return { error: (error as { code?: string }).code ?? String(error) };
  }
}

async function countAsService(table: Table): Promise<number> {
  const { rows } = await db.asService((tx) =>
    sql<{ n: number }>`select count(*)::int as n from ${sql.table(table.name)} where ${bRows(table)!}`.execute(tx),
  );
  return rows[0]!.n;
}

beforeAll(async () => {
  services = createTestServices();
  db = services.db;
  a = await createOwner(services, 'iso-a');
  b = await createOwner(services, 'iso-b');
  await addMember(services, b, 'manager', 'iso-b-manager');
  // A pending invitation and a password reset, so those tables hold rows of B's too.
  const caller = await callerForToken(services, b.token);
  await caller.invitations.create({ workspaceSlug: b.slug, email: uniqueEmail('iso-invitee'), role: 'viewer' });
  const bCorp = await createClient(db, {
    workspace_id: await workspaceIdOf(db, b),
    name: 'B Corp',
    domain: 'b-corp.example',
    external_id: 'B-1',
    mrr_cents: 120000,
  });
  const clientId = bCorp.id;
  const inB = { workspace_id: bCorp.workspace_id, client_id: clientId };
  await createContact(db, { ...inB, name: 'Bea Buyer', email: 'bea@b-corp.example', is_primary: true });
  const interaction = await createInteraction(db, { ...inB, author_id: b.userId, body: 'We love it.' });
  // A dead-lettered sentiment job (failed_jobs); the interaction's outbox row exists already.
  const bWorkspace = await db.asService((tx) =>
    tx.selectFrom('workspaces').select('id').where('slug', '=', b.slug).executeTakeFirstOrThrow(),
  );
  // B's health settings and a score in the history.
  await refreshEngagementNorm(db, bWorkspace.id);
  await recomputeHealth(db, { workspaceId: bWorkspace.id, trigger: 'manual' });
  // A backtest B asked for.
  await caller.health.runBacktest({ workspaceSlug: b.slug });
  // B's alert settings, preferences, an alert with its deliveries, and B having read it.
  await caller.alerts.updateSettings({
    workspaceSlug: b.slug,
    slackWebhookUrl: 'https://hooks.slack.com/services/T/B/iso',
    immediateCapPerHour: 5,
  });
  await caller.alerts.setPreferences({ workspaceSlug: b.slug, email: 'immediate', slack: 'digest' });
  await db.asService((tx) =>
    tx
      .updateTable('clients')
      .set({ last_contact_at: new Date(Date.now() - 40 * 86_400_000) })
      .where('id', '=', clientId)
      .execute(),
  );
  await evaluateAlerts(db, { workspaceId: bWorkspace.id });
  const [bAlert] = (await caller.alerts.list({ workspaceSlug: b.slug, filters: { mine: false, status: 'unresolved' } })).alerts;
  await caller.alerts.get({ workspaceSlug: b.slug, alertId: bAlert!.id });
  await recordDeadLetter(db, {
    queue: 'sentiment',
    name: 'analyse',
    id: `sentiment-${interaction.id}-v1`,
    payload: { workspaceId: bWorkspace.id, interactionId: interaction.id, version: 1 },
    attempts: 5,
    error: 'provider down',
  });
  // An import that ran (its bad row kept) and one uploaded but not started (its file kept).
  const csv = 'name,external id\nB Two,B-2\n,B-3\n';
  const ran = await caller.imports.upload({
    workspaceSlug: b.slug,
    kind: 'clients',
    fileName: 'b.csv',
    file: Readable.from([Buffer.from(csv)]),
  });
  await caller.imports.start({ workspaceSlug: b.slug, importId: ran.id, mapping: { name: 0, externalId: 1 } });
  await runImport({ db: services.db, log: testLog }, ran.id);
  await caller.imports.upload({ workspaceSlug: b.slug, kind: 'clients', fileName: 'b-later.csv', file: Readable.from([Buffer.from(csv)]) });
  await requestPasswordReset({ db, mailer: services.mailer, appUrl: services.env.APP_URL }, { email: b.email, meta: testMeta });
  const slugs = await db.asService((tx) =>
    tx.selectFrom('workspaces').select(['id', 'slug']).where('slug', 'in', [a.slug, b.slug]).execute(),
  );
  workspaceA = slugs.find((row) => row.slug === a.slug)!.id;
  workspaceB = slugs.find((row) => row.slug === b.slug)!.id;
  tables = await readTables();
});

afterAll(async () => {
  await closeAppServices(services);
});

describe('row-level security on every table in public', () => {
  it('is enabled and forced on every table', () => {
    expect(tables.length).toBeGreaterThanOrEqual(7);
    expect(tables.filter((table) => !table.rlsEnabled || !table.rlsForced).map((table) => table.name)).toEqual([]);
  });

  it('every table says whose rows it holds (workspace_id, user_id, or is a workspace or user itself)', () => {
    expect(tables.filter((table) => bRows(table) === null).map((table) => table.name)).toEqual([]);
  });

  it("user A can neither select, update nor delete B's rows in any table", async () => {
    const failures: string[] = [];
    for (const table of tables) {
      const condition = bRows(table)!;
      const before = await countAsService(table);
      if (before === 0) failures.push(`${table.name}: the test set-up left no row of B's to attack`);
      const select = await asA(sql`select 1 from ${sql.table(table.name)} where ${condition}`);
      const key = table.columns.find((column) => !column.isIdentity)!.name;
      const update = await asA(sql`update ${sql.table(table.name)} set ${sql.ref(key)} = ${sql.ref(key)} where ${condition}`);
      const remove = await asA(sql`delete from ${sql.table(table.name)} where ${condition}`);
      for (const [operation, outcome] of [
        ['select', select],
        ['update', update],
        ['delete', remove],
      ] as const) {
        // Refused outright (no privilege) or allowed but seeing none of B's rows: both keep B's data safe.
        if ('rows' in outcome && outcome.rows !== 0) failures.push(`${table.name}: ${operation} reached ${outcome.rows} of B's rows`);
        if ('error' in outcome && outcome.error !== '42501')
          failures.push(`${table.name}: ${operation} failed with ${outcome.error}, not a permission error`);
      }
      if ((await countAsService(table)) !== before) failures.push(`${table.name}: B's rows changed`);
    }
    expect(failures).toEqual([]);
  });

  it("user A cannot insert rows into B's workspace or in B's name", async () => {
    const failures: string[] = [];
    for (const table of tables) {
      // A new workspace or user row is nobody else's: there is no B row to forge in those tables.
      if (table.name === 'workspaces' || table.name === 'users') continue;
      const [template] = (
        await db.asService((tx) =>
          sql<Record<string, unknown>>`select to_jsonb(t) as row from ${sql.table(table.name)} t where ${bRows(table)!} limit 1`.execute(
            tx,
          ),
        )
      ).rows.map((row) => row.row as Record<string, unknown>);
      if (!template) {
        failures.push(`${table.name}: no row of B's to copy`);
        continue;
      }
      const forged: Record<string, unknown> = {};
      for (const column of table.columns) {
        if (column.isIdentity) continue;
        let value = template[column.name];
        // Keep B's workspace and B's ownership; make A the acting person where a user is named.
        if (column.referencesUsers && column.name !== 'user_id') value = a.userId;
        if (column.name === 'user_id' && table.columns.some((other) => other.name === 'workspace_id')) value = a.userId;
        if (column.isUnique && column.name !== 'workspace_id' && column.name !== 'user_id') {
          value =
            column.type === 'uuid'
              ? randomUUID()
              : column.type === 'bytea'
                ? `\\x${randomBytes(32).toString('hex')}`
                : `forged${randomBytes(4).toString('hex')}`;
        }
        forged[column.name] = value;
      }
      const columns = Object.keys(forged);
      const before = await countAsService(table);
      const outcome = await asA(
        sql`insert into ${sql.table(table.name)} (${sql.join(columns.map((name) => sql.ref(name)))})
            select ${sql.join(columns.map((name) => sql.ref(name)))}
              from jsonb_populate_record(null::${sql.table(table.name)}, ${JSON.stringify(forged)}::jsonb)`,
      );
      if (!('error' in outcome) || outcome.error !== '42501')
        failures.push(`${table.name}: insert was not refused (${JSON.stringify(outcome)})`);
      if ((await countAsService(table)) !== before) failures.push(`${table.name}: a row was added for B`);
    }
    expect(failures).toEqual([]);
  });

  it("the search function (which reads past RLS to use its indexes) find none of B's clients for A", async () => {
    for (const lookup of [
      sql`private.search_client_ids(${workspaceB}::uuid, 'b corp')`,
      sql`private.search_client_ids(${workspaceB}::uuid, 'b corpp')`,
    ]) {
      const run = (user: TestAccount) =>
        db.withUser({ sub: user.userId, email: user.email }, (tx) => sql<{ id: string }>`select ${lookup} as id`.execute(tx));
      expect((await run(a)).rows).toEqual([]);
      expect((await run(b)).rows).toHaveLength(1);
    }
  });

  it("user A reaches none of B's rows through any workspace procedure, present or future", async () => {
    const caller = await callerForToken(services, a.token);
    const workspaceProcedures = Object.entries(
      appRouter._def.procedures as unknown as Record<string, { _def: { meta?: { workspaceScoped?: boolean } } }>,
    )
      .filter(([, procedure]) => procedure._def.meta?.workspaceScoped)
      .map(([path]) => path);
    expect(workspaceProcedures.length).toBeGreaterThanOrEqual(10);
    const outcomes = await Promise.all(
      workspaceProcedures.map(async (path) => {
        const procedure = path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller) as (
          input: unknown,
        ) => Promise<unknown>;
        const error = await procedure({ workspaceSlug: b.slug }).then(
          () => null,
          (failure: { code?: string }) => failure.code ?? 'unknown',
        );
        return `${path}: ${error ?? 'allowed'}`;
      }),
    );
    expect(outcomes).toEqual(workspaceProcedures.map((path) => `${path}: FORBIDDEN`));
    // And A's own workspace still works through the same procedures.
    await expect(caller.members.list({ workspaceSlug: a.slug })).resolves.toHaveLength(1);
    expect(workspaceA).not.toBe(workspaceB);
  });
});
