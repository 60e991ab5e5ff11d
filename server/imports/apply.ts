import { randomUUID } from 'node:crypto';
import { sql, type ExpressionBuilder } from 'kysely';
import { columnsOf } from '../clients/clients';
import type { ClientFields, ContactFields } from '../clients/schemas';
import type { DB, Tx } from '../db';
import { RowError, type ClientImportRow, type InteractionImportRow } from './fields';

/** What became of the rows of one batch. */
export type BatchOutcome = { created: number; updated: number; unchanged: number; errors: Array<{ row: number; reason: string }> };

export type Numbered<T> = { row: number; value: T };

/** State kept across the batches of one import: keys seen earlier in the file, members by email. */
export type ImportState = {
  workspaceId: string;
  membersByEmail: Map<string, string>;
  /** "e:<external id>" / "d:<domain>" → the row that used it first. */
  seen: Map<string, number>;
};

const CLIENT_DEFAULTS: ClientFields = {
  name: '',
  domain: null,
  externalId: null,
  status: 'active',
  churnedAt: undefined,
  churnReason: null,
  mrrCents: 0,
  currency: 'USD',
  planName: null,
  renewalDate: undefined,
  ownerId: null,
  tags: [],
  stripeCustomerId: null,
  notes: null,
};

/** Row → column names of the fields a file sets, for comparing with and updating an existing client. */
const COLUMN_OF: Record<keyof ClientFields, keyof ReturnType<typeof columnsOf>> = {
  name: 'name',
  domain: 'domain',
  externalId: 'external_id',
  status: 'status',
  churnedAt: 'churned_at',
  churnReason: 'churn_reason',
  mrrCents: 'mrr_cents',
  currency: 'currency',
  planName: 'plan_name',
  renewalDate: 'renewal_date',
  ownerId: 'owner_id',
  tags: 'tags',
  stripeCustomerId: 'stripe_customer_id',
  notes: 'notes',
};

const comparable = (value: unknown): string | null =>
  value === null || value === undefined ? null : Array.isArray(value) ? JSON.stringify(value) : String(value);

function isConstraintError(error: unknown): error is { code: string; detail?: string; message: string } {
  return typeof (error as { code?: unknown } | null)?.code === 'string' && (error as { code: string }).code.startsWith('23');
}

/**
 * Runs `all` inside a savepoint; if Postgres refuses it over a constraint our validation did not
 * foresee, runs `one` per item instead, each in its own savepoint, so one bad row costs only itself.
 */
async function writeWithFallback<T extends { row: number }>(
  tx: Tx,
  items: T[],
  all: (items: T[]) => Promise<void>,
  one: (item: T) => Promise<void>,
): Promise<Array<{ row: number; reason: string }>> {
  if (items.length === 0) return [];
  await sql`savepoint import_batch`.execute(tx);
  try {
    await all(items);
    await sql`release savepoint import_batch`.execute(tx);
    return [];
  } catch (error) {
    if (!isConstraintError(error)) throw error;
    await sql`rollback to savepoint import_batch`.execute(tx);
  }
  const failed: Array<{ row: number; reason: string }> = [];
  for (const item of items) {
    await sql`savepoint import_row`.execute(tx);
    try {
      await one(item);
      await sql`release savepoint import_row`.execute(tx);
    } catch (error) {
      if (!isConstraintError(error)) throw error;
      await sql`rollback to savepoint import_row`.execute(tx);
      failed.push({ row: item.row, reason: `Refused by the database: ${error.detail ?? error.message}` });
    }
  }
  return failed;
}

/** Clients whose external id or domain is among the given ones (the keys an import matches on). */
function hasKey(eb: ExpressionBuilder<DB, 'clients'>, externalIds: string[], domains: string[]) {
  return eb.or([
    ...(externalIds.length ? [eb('external_id', 'in', externalIds)] : []),
    ...(domains.length ? [eb('domain', 'in', domains)] : []),
    eb.val(false),
  ]);
}

type ExistingClient = { id: string; external_id: string | null; domain: string | null } & Record<string, unknown>;

/**
 * Upserts a batch of client rows: matched on external id, else on domain; a match is updated only
 * in the columns the file maps and only when something differs, so importing the same file again
 * changes nothing. A row's contact is matched on email (else name) among the client's contacts.
 */
export async function applyClientRows(tx: Tx, state: ImportState, rows: Array<Numbered<ClientImportRow>>): Promise<BatchOutcome> {
  const outcome: BatchOutcome = { created: 0, updated: 0, unchanged: 0, errors: [] };
  const externalIds = rows.flatMap(({ value }) => (value.externalId ? [value.externalId] : []));
  const domains = rows.flatMap(({ value }) => (value.domain ? [value.domain] : []));
  const existing = (await tx
    .selectFrom('clients')
    .select([
      'id',
      'external_id',
      'domain',
      'name',
      'status',
      'churn_reason',
      'currency',
      'plan_name',
      'owner_id',
      'tags',
      'stripe_customer_id',
      'notes',
      sql<string | null>`to_char(churned_at, 'YYYY-MM-DD')`.as('churned_at'),
      sql<string | null>`to_char(renewal_date, 'YYYY-MM-DD')`.as('renewal_date'),
      sql<string>`mrr_cents::text`.as('mrr_cents'),
    ])
    .where('workspace_id', '=', state.workspaceId)
    .where((eb) => hasKey(eb, externalIds, domains))
    .execute()) as ExistingClient[];
  const byExternalId = new Map(existing.filter((client) => client.external_id).map((client) => [client.external_id!, client]));
  const byDomain = new Map(existing.filter((client) => client.domain).map((client) => [client.domain!, client]));

  type Planned = {
    row: number;
    clientId: string;
    insert?: ReturnType<typeof columnsOf>;
    patch?: Record<string, unknown>;
    contact: ContactFields | null;
  };
  const planned: Planned[] = [];
  for (const { row, value } of rows) {
    try {
      const keys = [value.externalId ? `e:${value.externalId}` : null, value.domain ? `d:${value.domain}` : null].filter(
        (key): key is string => key !== null,
      );
      for (const key of keys) {
        const first = state.seen.get(key);
        if (first !== undefined) throw new RowError(`Same ${key.startsWith('e:') ? 'external id' : 'domain'} as row ${first}`);
      }
      let ownerId: string | null | undefined;
      if (value.ownerEmail !== null) {
        ownerId = state.membersByEmail.get(value.ownerEmail);
        if (!ownerId) throw new RowError(`No member of this workspace has the email ${value.ownerEmail}`);
      }
      let match = value.externalId ? byExternalId.get(value.externalId) : undefined;
      const sameDomain = value.domain ? byDomain.get(value.domain) : undefined;
      if (!match && sameDomain) {
        if (value.externalId && sameDomain.external_id)
          throw new RowError(`Domain ${value.domain} belongs to another client (external id ${sameDomain.external_id})`);
        match = sameDomain;
      } else if (match && sameDomain && sameDomain.id !== match.id && value.fields.domain !== undefined) {
        throw new RowError(`Domain ${value.domain} belongs to another client (${sameDomain.name as string})`);
      }
      for (const key of keys) state.seen.set(key, row);
      const fields: Partial<ClientFields> = {
        ...value.fields,
        ...(ownerId !== undefined || value.ownerEmail !== null ? { ownerId: ownerId ?? null } : {}),
      };
      if (!match) {
        planned.push({
          row,
          clientId: randomUUID(),
          insert: columnsOf({ ...CLIENT_DEFAULTS, ...fields } as ClientFields),
          contact: value.contact,
        });
        continue;
      }
      const columns = columnsOf({ ...CLIENT_DEFAULTS, ...fields } as ClientFields);
      const patch: Record<string, unknown> = {};
      for (const key of Object.keys(fields) as Array<keyof ClientFields>) {
        const column = COLUMN_OF[key];
        if (comparable(columns[column]) !== comparable(match[column])) patch[column] = columns[column];
      }
      // A status other than churned clears the churn details (the same rule as the client form).
      if ('status' in fields) {
        for (const column of ['churned_at', 'churn_reason'] as const) {
          if (comparable(columns[column]) !== comparable(match[column])) patch[column] = columns[column];
        }
      }
      planned.push({ row, clientId: match.id, patch: Object.keys(patch).length ? patch : undefined, contact: value.contact });
    } catch (error) {
      if (!(error instanceof RowError)) throw error;
      outcome.errors.push({ row, reason: error.message });
    }
  }

  // Contacts of the matched clients, to match the rows' contacts against.
  const matchedIds = planned.filter((plan) => !plan.insert && plan.contact).map((plan) => plan.clientId);
  const contacts = matchedIds.length
    ? await tx
        .selectFrom('contacts')
        .select(['id', 'client_id', 'name', 'email', 'title', 'is_primary'])
        .where('client_id', 'in', matchedIds)
        .execute()
    : [];
  type ContactWrite = {
    row: number;
    clientId: string;
    id?: string;
    values: { name: string; email: string | null; title: string | null };
    isPrimary: boolean;
  };
  const contactWrites: ContactWrite[] = [];
  for (const plan of planned) {
    if (!plan.contact) continue;
    const { name, email, title } = plan.contact;
    const mine = contacts.filter((contact) => contact.client_id === plan.clientId);
    const same = mine.find((contact) =>
      email ? contact.email === email : !contact.email && contact.name.toLowerCase() === name.toLowerCase(),
    );
    if (!same)
      contactWrites.push({
        row: plan.row,
        clientId: plan.clientId,
        values: { name, email, title },
        isPrimary: !mine.some((contact) => contact.is_primary),
      });
    else if (same.name !== name || (title !== null && same.title !== title))
      contactWrites.push({
        row: plan.row,
        clientId: plan.clientId,
        id: same.id,
        values: { name, email, title: title ?? same.title },
        isPrimary: same.is_primary,
      });
  }

  const inserts = planned.filter((plan) => plan.insert);
  const updates = planned.filter((plan) => plan.patch);
  const writeClient = async (plan: Planned) => {
    if (plan.insert)
      await tx
        .insertInto('clients')
        .values({ id: plan.clientId, workspace_id: state.workspaceId, ...plan.insert })
        .execute();
    else if (plan.patch)
      await tx
        .updateTable('clients')
        .set({ ...plan.patch, updated_at: sql`now()` })
        .where('id', '=', plan.clientId)
        .execute();
  };
  const failedClients = await writeWithFallback(
    tx,
    [...inserts, ...updates],
    async () => {
      if (inserts.length)
        await tx
          .insertInto('clients')
          .values(inserts.map((plan) => ({ id: plan.clientId, workspace_id: state.workspaceId, ...plan.insert! })))
          .execute();
      for (const plan of updates) await writeClient(plan);
    },
    writeClient,
  );
  const failedRows = new Set(failedClients.map((failure) => failure.row));
  const writeContact = async (write: ContactWrite) => {
    if (write.id)
      await tx
        .updateTable('contacts')
        .set({ ...write.values, updated_at: sql`now()` })
        .where('id', '=', write.id)
        .execute();
    else
      await tx
        .insertInto('contacts')
        .values({ workspace_id: state.workspaceId, client_id: write.clientId, ...write.values, is_primary: write.isPrimary })
        .execute();
  };
  const liveContactWrites = contactWrites.filter((write) => !failedRows.has(write.row));
  const failedContacts = await writeWithFallback(
    tx,
    liveContactWrites,
    async (writes) => {
      const inserts = writes.filter((write) => !write.id);
      if (inserts.length) {
        await tx
          .insertInto('contacts')
          .values(
            inserts.map((write) => ({
              workspace_id: state.workspaceId,
              client_id: write.clientId,
              ...write.values,
              is_primary: write.isPrimary,
            })),
          )
          .execute();
      }
      for (const write of writes.filter((candidate) => candidate.id)) await writeContact(write);
    },
    writeContact,
  );
  for (const failure of failedContacts) failedRows.add(failure.row);
  outcome.errors.push(...failedClients, ...failedContacts);

  const contactChanged = new Set(liveContactWrites.map((write) => write.row));
  for (const plan of planned) {
    if (failedRows.has(plan.row)) continue;
    if (plan.insert) outcome.created += 1;
    else if (plan.patch || contactChanged.has(plan.row)) outcome.updated += 1;
    else outcome.unchanged += 1;
  }
  return outcome;
}

/**
 * Adds a batch of interactions to the clients they name (by external id, else domain). Each row
 * carries a key derived from its content, unique per client: a row imported before is skipped.
 */
export async function applyInteractionRows(tx: Tx, state: ImportState, rows: Array<Numbered<InteractionImportRow>>): Promise<BatchOutcome> {
  const outcome: BatchOutcome = { created: 0, updated: 0, unchanged: 0, errors: [] };
  const externalIds = [...new Set(rows.flatMap(({ value }) => (value.clientExternalId ? [value.clientExternalId] : [])))];
  const domains = [...new Set(rows.flatMap(({ value }) => (value.clientDomain ? [value.clientDomain] : [])))];
  const clients = await tx
    .selectFrom('clients')
    .select(['id', 'external_id', 'domain'])
    .where('workspace_id', '=', state.workspaceId)
    .where((eb) => hasKey(eb, externalIds, domains))
    .execute();
  const byExternalId = new Map(clients.filter((client) => client.external_id).map((client) => [client.external_id!, client.id]));
  const byDomain = new Map(clients.filter((client) => client.domain).map((client) => [client.domain!, client.id]));
  const emails = [...new Set(rows.flatMap(({ value }) => (value.contactEmail ? [value.contactEmail] : [])))];
  const contacts =
    emails.length && clients.length
      ? await tx
          .selectFrom('contacts')
          .select(['id', 'client_id', 'email'])
          .where(
            'client_id',
            'in',
            clients.map((client) => client.id),
          )
          .where('email', 'in', emails)
          .execute()
      : [];
  const contactOf = new Map(contacts.map((contact) => [`${contact.client_id}:${contact.email}`, contact.id]));

  const planned: Array<{ row: number; values: Record<string, unknown> }> = [];
  for (const { row, value } of rows) {
    try {
      const clientId =
        (value.clientExternalId ? byExternalId.get(value.clientExternalId) : undefined) ??
        (value.clientDomain ? byDomain.get(value.clientDomain) : undefined);
      if (!clientId) {
        throw new RowError(
          value.clientExternalId
            ? `No client with external id "${value.clientExternalId}"` +
                `${value.clientDomain ? ` or domain ${value.clientDomain}` : ''}. Import the clients first.`
            : `No client with domain ${value.clientDomain}. Import the clients first.`,
        );
      }
      let authorId: string | null = null;
      if (value.authorEmail) {
        authorId = state.membersByEmail.get(value.authorEmail) ?? null;
        if (!authorId) throw new RowError(`No member of this workspace has the email ${value.authorEmail}`);
      }
      planned.push({
        row,
        values: {
          workspace_id: state.workspaceId,
          client_id: clientId,
          contact_id: value.contactEmail ? (contactOf.get(`${clientId}:${value.contactEmail}`) ?? null) : null,
          author_id: authorId,
          type: value.type,
          direction: value.direction,
          occurred_at: value.occurredAt,
          subject: value.subject,
          body: value.body,
          import_key: value.importKey,
        },
      });
    } catch (error) {
      if (!(error instanceof RowError)) throw error;
      outcome.errors.push({ row, reason: error.message });
    }
  }
  let created = 0;
  const insert = async (items: Array<{ row: number; values: Record<string, unknown> }>) => {
    const inserted = await tx
      .insertInto('interactions')
      .values(items.map((item) => item.values as never))
      .onConflict((conflict) => conflict.columns(['client_id', 'import_key']).where('import_key', 'is not', null).doNothing())
      .returning('id')
      .execute();
    return inserted.length;
  };
  const failed = await writeWithFallback(
    tx,
    planned,
    async (items) => {
      created = await insert(items);
    },
    async (item) => {
      created += await insert([item]);
    },
  );
  outcome.errors.push(...failed);
  outcome.created = created;
  outcome.unchanged = planned.length - failed.length - created;
  return outcome;
}
