import { sql, type Expression, type SqlBool } from 'kysely';
import type { Tx } from '../db';
import { encodeCursor } from '../db/cursor';
import { AppError } from '../errors';
import { recordAudit, type RequestMeta } from '../identity/audit';
import type { WorkspaceSummary } from '../identity/workspaces';
import type { BulkAction, ClientCursor, ClientFields, ClientListFilters, ContactFields } from './schemas';

const CLIENT_PAGE_SIZE = 50;
/** Exact counts up to here; a larger match shows as "1,000+" (decision 014). */
const CLIENT_COUNT_CAP = 1_000;

export type ClientRow = {
  id: string;
  name: string;
  domain: string | null;
  externalId: string | null;
  status: 'active' | 'paused' | 'churned';
  churnedAt: string | null;
  churnReason: string | null;
  mrrCents: number;
  currency: string;
  planName: string | null;
  renewalDate: string | null;
  ownerId: string | null;
  ownerName: string | null;
  tags: string[];
  stripeCustomerId: string | null;
  notes: string | null;
  healthScore: number | null;
  riskLevel: 'healthy' | 'at_risk' | 'critical' | null;
  lastContactAt: Date | null;
  createdAt: Date;
};

function isUniqueViolation(error: unknown): { constraint?: string } | null {
  const pgError = error as { code?: string; constraint?: string } | null;
  return pgError?.code === '23505' ? pgError : null;
}

function conflictError(error: unknown): AppError | null {
  const violation = isUniqueViolation(error);
  if (!violation) return null;
  if (violation.constraint === 'clients_workspace_external_id_key')
    return AppError.field('externalId', 'Another client already has this external id.', 'CONFLICT');
  if (violation.constraint === 'clients_workspace_domain_key')
    return AppError.field('domain', 'Another client already has this domain.', 'CONFLICT');
  return null;
}

async function assertOwnerIsMember(tx: Tx, workspaceId: string, ownerId: string | null | undefined): Promise<void> {
  if (!ownerId) return;
  const member = await tx
    .selectFrom('workspace_members')
    .select('user_id')
    .where('workspace_id', '=', workspaceId)
    .where('user_id', '=', ownerId)
    .executeTakeFirst();
  if (!member) throw AppError.field('ownerId', 'The account owner must be a member of this workspace.');
}

/** The clients row of validated client fields (churn details only for churned clients, tags once each). */
export function columnsOf(fields: ClientFields) {
  return {
    name: fields.name,
    domain: fields.domain,
    external_id: fields.externalId,
    status: fields.status,
    churned_at: fields.status === 'churned' ? (fields.churnedAt ?? null) : null,
    churn_reason: fields.status === 'churned' ? fields.churnReason : null,
    mrr_cents: fields.mrrCents,
    currency: fields.currency,
    plan_name: fields.planName,
    renewal_date: fields.renewalDate ?? null,
    owner_id: fields.ownerId ?? null,
    tags: [...new Set(fields.tags)],
    stripe_customer_id: fields.stripeCustomerId,
    notes: fields.notes,
  };
}

export async function createClient(
  tx: Tx,
  input: { workspace: WorkspaceSummary; actorId: string; fields: ClientFields; contacts?: ContactFields[]; meta: RequestMeta },
): Promise<{ id: string }> {
  await assertOwnerIsMember(tx, input.workspace.id, input.fields.ownerId);
  let id: string;
  try {
    ({ id } = await tx
      .insertInto('clients')
      .values({ workspace_id: input.workspace.id, ...columnsOf(input.fields) })
      .returning('id')
      .executeTakeFirstOrThrow());
  } catch (error) {
    throw conflictError(error) ?? error;
  }
  for (const contact of input.contacts ?? []) await addContact(tx, { workspaceId: input.workspace.id, clientId: id, fields: contact });
  return { id };
}

export async function updateClient(
  tx: Tx,
  input: { workspace: WorkspaceSummary; actorId: string; clientId: string; fields: ClientFields; meta: RequestMeta },
): Promise<void> {
  await assertOwnerIsMember(tx, input.workspace.id, input.fields.ownerId);
  try {
    const result = await tx
      .updateTable('clients')
      .set({ ...columnsOf(input.fields), updated_at: sql`now()` })
      .where('id', '=', input.clientId)
      .where('workspace_id', '=', input.workspace.id)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw new AppError('NOT_FOUND', 'That client does not exist in this workspace.');
  } catch (error) {
    throw conflictError(error) ?? error;
  }
}

export async function deleteClient(
  tx: Tx,
  input: { workspace: WorkspaceSummary; actorId: string; clientId: string; meta: RequestMeta },
): Promise<void> {
  const deleted = await tx
    .deleteFrom('clients')
    .where('id', '=', input.clientId)
    .where('workspace_id', '=', input.workspace.id)
    .returning(['name', 'domain', 'external_id'])
    .executeTakeFirst();
  if (!deleted) throw new AppError('NOT_FOUND', 'That client does not exist in this workspace.');
  await recordAudit(tx, {
    action: 'client.deleted',
    actorId: input.actorId,
    workspaceId: input.workspace.id,
    target: { type: 'client', id: input.clientId },
    before: { name: deleted.name, domain: deleted.domain, externalId: deleted.external_id },
    meta: input.meta,
  });
}

export async function addContact(tx: Tx, input: { workspaceId: string; clientId: string; fields: ContactFields }): Promise<{ id: string }> {
  if (input.fields.isPrimary) {
    await tx
      .updateTable('contacts')
      .set({ is_primary: false })
      .where('client_id', '=', input.clientId)
      .where('is_primary', '=', true)
      .execute();
  }
  return tx
    .insertInto('contacts')
    .values({
      workspace_id: input.workspaceId,
      client_id: input.clientId,
      name: input.fields.name,
      email: input.fields.email,
      title: input.fields.title,
      is_primary: input.fields.isPrimary,
      unsubscribed: input.fields.unsubscribed,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
}

const clientColumns = [
  'c.id',
  'c.name',
  'c.domain',
  'c.external_id as externalId',
  'c.status',
  sql<string | null>`to_char(c.churned_at, 'YYYY-MM-DD')`.as('churnedAt'),
  'c.churn_reason as churnReason',
  sql<number>`c.mrr_cents::float8`.as('mrrCents'),
  'c.currency',
  'c.plan_name as planName',
  sql<string | null>`to_char(c.renewal_date, 'YYYY-MM-DD')`.as('renewalDate'),
  'c.owner_id as ownerId',
  'u.name as ownerName',
  'c.tags',
  'c.stripe_customer_id as stripeCustomerId',
  'c.notes',
  'c.health_score as healthScore',
  'c.risk_level as riskLevel',
  'c.last_contact_at as lastContactAt',
  'c.created_at as createdAt',
] as const;

export async function getClient(tx: Tx, workspaceId: string, clientId: string): Promise<ClientRow> {
  const row = await tx
    .selectFrom('clients as c')
    .leftJoin('users as u', 'u.id', 'c.owner_id')
    .select(clientColumns)
    .where('c.id', '=', clientId)
    .where('c.workspace_id', '=', workspaceId)
    .executeTakeFirst();
  if (!row) throw new AppError('NOT_FOUND', 'That client does not exist in this workspace.');
  return row as ClientRow;
}

export async function listContacts(tx: Tx, clientId: string) {
  return tx
    .selectFrom('contacts')
    .select(['id', 'name', 'email', 'title', 'is_primary as isPrimary', 'unsubscribed'])
    .where('client_id', '=', clientId)
    .orderBy('is_primary', 'desc')
    .orderBy('name')
    .execute();
}

/** Sort keys; `nullable` keys keep empty values last in both directions (with an index per direction). */
const SORT_COLUMNS = {
  name: { key: sql`lower(c.name)`, nullable: false },
  health: { key: sql`c.health_score`, nullable: true },
  mrr: { key: sql`c.mrr_cents`, nullable: false },
  renewal: { key: sql`c.renewal_date`, nullable: true },
  last_contact: { key: sql`c.last_contact_at`, nullable: true },
} as const;

/**
 * The filters of the client list as one SQL condition. Search reads ids from the CTE `found` (see
 * `clientListQuery`); every other condition but the tag uses leakproof operators, so Postgres may
 * answer it from an index under RLS (decision 014).
 */
function filterCondition(workspaceId: string, filters: ClientListFilters): Expression<SqlBool> {
  const parts = [sql<SqlBool>`c.workspace_id = ${workspaceId}::uuid`];
  if (filters.q) parts.push(sql<SqlBool>`c.id in (select id from found)`);
  if (filters.risk?.length) {
    const levels = filters.risk.filter((risk) => risk !== 'unscored');
    const unscored = filters.risk.includes('unscored');
    const scored = levels.length ? sql`c.risk_level = any(${levels}::text[])` : sql`false`;
    parts.push(sql<SqlBool>`(${scored} ${unscored ? sql`or c.risk_level is null` : sql``})`);
  }
  if (filters.status?.length) parts.push(sql<SqlBool>`c.status = any(${filters.status}::text[])`);
  if (filters.owner) parts.push(sql<SqlBool>`c.owner_id = ${filters.owner}::uuid`);
  // Not leakproof (arraycontains): tested after the policy, on the rows the other conditions leave.
  if (filters.tag) parts.push(sql<SqlBool>`c.tags @> array[${filters.tag}]::text[]`);
  if (filters.renewalWithinDays !== undefined) {
    parts.push(sql<SqlBool>`c.renewal_date between current_date and current_date + ${filters.renewalWithinDays}::int`);
  }
  if (filters.mrrMin !== undefined) parts.push(sql<SqlBool>`c.mrr_cents >= ${filters.mrrMin}`);
  if (filters.mrrMax !== undefined) parts.push(sql<SqlBool>`c.mrr_cents <= ${filters.mrrMax}`);
  return sql<SqlBool>`${sql.join(parts, sql` and `)}`;
}

type ClientListInput = { workspaceId: string; filters: ClientListFilters; cursor?: ClientCursor; limit?: number; countCap?: number };

type ClientListRow = ClientRow & { sortKey: string | null; total: number };

/**
 * The one statement behind a page of the client list: the number of matches (counting stops past
 * the cap) joined to the page (keyset on (sort key, id), empty values last), so a request makes one
 * round trip and a search runs once (`found`). With no match it returns one
 * row with the count and no client. Unexecuted, so the benchmark can EXPLAIN exactly it.
 */
export function clientListQuery(tx: Tx, input: ClientListInput) {
  const limit = input.limit ?? CLIENT_PAGE_SIZE;
  const cap = input.countCap ?? CLIENT_COUNT_CAP;
  const { filters } = input;
  const { key, nullable } = SORT_COLUMNS[filters.sort];
  const desc = filters.direction === 'desc';
  const where = filterCondition(input.workspaceId, filters);
  let after = sql<SqlBool>`true`;
  if (input.cursor) {
    const [value, id] = input.cursor;
    const beyond = desc ? sql`<` : sql`>`;
    // Row comparisons let Postgres start the index scan at the cursor; empty values come after all others.
    after =
      value === null
        ? sql<SqlBool>`(${key} is null and c.id ${beyond} ${id}::uuid)`
        : nullable
          ? sql<SqlBool>`((${key}, c.id) ${beyond} (${value}, ${id}::uuid) or ${key} is null)`
          : sql<SqlBool>`(${key}, c.id) ${beyond} (${value}, ${id}::uuid)`;
  }
  // Keys that cannot be empty need no NULLS clause, which lets a descending list scan the ascending index backwards.
  const order = desc ? (nullable ? sql`desc nulls last` : sql`desc`) : sql`asc nulls last`;
  const page = tx
    .selectFrom('clients as c')
    .leftJoin('users as u', 'u.id', 'c.owner_id')
    .select([...clientColumns, sql<string | null>`${key}::text`.as('sortKey')])
    .where(where)
    .where(after)
    .orderBy(sql`${key} ${order}`)
    .orderBy(sql`c.id ${desc ? sql`desc` : sql`asc`}`)
    .limit(limit + 1);
  const count = tx
    .selectFrom(
      tx
        .selectFrom('clients as c')
        .select(sql`1`.as('one'))
        .where(where)
        .limit(cap + 1)
        .as('counted'),
    )
    .select(sql<number>`count(*)::int`.as('total'));
  const found = filters.q
    ? sql`with found as materialized (select private.search_client_ids(${input.workspaceId}::uuid, ${filters.q}) as id) `
    : sql``;
  return {
    limit,
    cap,
    query: sql<ClientListRow>`${found}select page.*, matches.total from ${count} matches left join lateral ${page} page on true`,
  };
}

/** One page of the client list and the number of clients matching the filters (`totalIsAtLeast` past the cap). */
export async function listClients(
  tx: Tx,
  input: ClientListInput,
): Promise<{ clients: ClientRow[]; total: number; totalIsAtLeast: boolean; nextCursor: string | null }> {
  const { query, limit, cap } = clientListQuery(tx, input);
  const result = (await query.execute(tx)).rows;
  const total = result[0]?.total ?? 0;
  // No match: the one row carries the count and no client.
  const rows = result.filter((row) => row.id !== null);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    clients: page.map(({ sortKey: _sortKey, total: _total, ...client }) => client),
    total: Math.min(total, cap),
    totalIsAtLeast: total > cap,
    nextCursor: rows.length > limit && last ? encodeCursor<ClientCursor>([last.sortKey, last.id]) : null,
  };
}

/**
 * Applies one change to many clients of the workspace in a single statement, and records it once
 * in the audit log with the clients it touched.
 */
export async function bulkUpdateClients(
  tx: Tx,
  input: { workspace: WorkspaceSummary; actorId: string; clientIds: string[]; action: BulkAction; meta: RequestMeta },
): Promise<{ updated: number }> {
  const { action } = input;
  if (action.type === 'assign_owner') await assertOwnerIsMember(tx, input.workspace.id, action.ownerId);
  const changes =
    action.type === 'assign_owner'
      ? { owner_id: action.ownerId }
      : action.type === 'add_tag'
        ? { tags: sql<string[]>`(select array_agg(distinct t order by t) from unnest(array_append(tags, ${action.tag}::text)) t)` }
        : action.type === 'remove_tag'
          ? { tags: sql<string[]>`array_remove(tags, ${action.tag}::text)` }
          : { status: 'churned' as const, churned_at: action.churnedAt, churn_reason: action.churnReason };
  const rows = await tx
    .updateTable('clients')
    .set({ ...changes, updated_at: sql`now()` })
    .where('workspace_id', '=', input.workspace.id)
    .where('id', 'in', input.clientIds)
    .returning('id')
    .execute();
  await recordAudit(tx, {
    action: 'client.bulk_updated',
    actorId: input.actorId,
    workspaceId: input.workspace.id,
    after: { ...action, clients: rows.length, clientIds: rows.slice(0, 100).map((row) => row.id) },
    meta: input.meta,
  });
  return { updated: rows.length };
}
