import { randomUUID } from 'node:crypto';
import type { Insertable, Kysely, Selectable } from 'kysely';
import { pino } from 'pino';
import type { Database, DB } from '../db';
import type { Clients, Contacts, Interactions, SentimentLabel } from '../db/types';
import { signUp } from '../identity/accounts';
import { createInvitation } from '../identity/invitations';
import type { Role } from '../identity/schemas';
import { findSession } from '../identity/sessions';
import { createCaller } from '../root';
import type { AppServices } from '../services';
import { createContextInner } from '../trpc';

/** Tests and benchmarks log nothing; kept free of vitest so benchmarks can use these factories. */
export const testLog = pino({ level: 'silent' });

export const TEST_PASSWORD = 'correct horse battery staple';
export const testMeta = { ip: '127.0.0.1', userAgent: 'vitest' };

/** A unique, valid email for one test. */
export function uniqueEmail(label = 'user'): string {
  return `${label}-${randomUUID().slice(0, 12)}@example.test`;
}

/** A tRPC caller as a signed-out visitor, from `ip`. */
export function anonymousCaller(services: AppServices, ip = '127.0.0.1') {
  return createCaller(
    createContextInner({ services, log: testLog, requestId: randomUUID(), meta: { ip, userAgent: 'vitest' }, session: null }),
  );
}

/** A tRPC caller as the holder of a session token (whatever the session's state now is). */
export async function callerForToken(services: AppServices, token: string) {
  const session = await findSession(services.db, token);
  return createCaller(createContextInner({ services, log: testLog, requestId: randomUUID(), meta: testMeta, session }));
}

export type TestAccount = { userId: string; email: string; name: string; token: string; slug: string };

/** Signs up a person who owns a fresh workspace, through the real sign-up path. */
export async function createOwner(services: AppServices, label = 'owner'): Promise<TestAccount> {
  const email = uniqueEmail(label);
  const name = `Test ${label}`;
  const signedIn = await signUp(
    { db: services.db, mailer: services.mailer, appUrl: services.env.APP_URL },
    { email, name, password: TEST_PASSWORD, workspaceName: `Workspace ${label} ${randomUUID().slice(0, 6)}`, meta: testMeta },
  );
  return { userId: signedIn.userId, email, name, token: signedIn.token, slug: signedIn.workspaceSlug! };
}

/** Adds a new person to `owner`'s workspace with `role`, through an invitation they accept at sign-up. */
export async function addMember(services: AppServices, owner: TestAccount, role: Role, label: string = role): Promise<TestAccount> {
  const email = uniqueEmail(label);
  const { token: invitationToken } = await services.db.withUser({ sub: owner.userId }, async (tx) => {
    const workspace = await tx
      .selectFrom('workspaces')
      .select(['id', 'name', 'slug'])
      .where('slug', '=', owner.slug)
      .executeTakeFirstOrThrow();
    return createInvitation(tx, { workspace: { ...workspace, role: 'owner' }, actorId: owner.userId, email, role, meta: testMeta });
  });
  const name = `Test ${label}`;
  const signedIn = await signUp(
    { db: services.db, mailer: services.mailer, appUrl: services.env.APP_URL },
    { email, name, password: TEST_PASSWORD, invitationToken, meta: testMeta },
  );
  return { userId: signedIn.userId, email, name, token: signedIn.token, slug: owner.slug };
}

/** The id of `account`'s workspace: the data factories below take workspace ids. */
export async function workspaceIdOf(db: Database, account: { slug: string }): Promise<string> {
  const workspace = await db.readAsService((kysely) =>
    kysely.selectFrom('workspaces').select('id').where('slug', '=', account.slug).executeTakeFirstOrThrow(),
  );
  return workspace.id;
}

export type TestCaller = Awaited<ReturnType<typeof callerForToken>>;
export type TestWorkspace = { services: AppServices; owner: TestAccount; caller: TestCaller; workspaceId: string };

/** A fresh workspace: its owner (signed up through the real path), a tRPC caller as them, and its id. */
export async function workspaceWithOwner(services: AppServices, label: string): Promise<TestWorkspace> {
  const owner = await createOwner(services, label);
  const caller = await callerForToken(services, owner.token);
  return { services, owner, caller, workspaceId: await workspaceIdOf(services.db, owner) };
}

// ------------------------------------------------------------------------------------------------
// Data factories: rows written straight into the tables, as the owner role (RLS does not apply),
// for tests and benchmarks whose subject is not how the rows got there. Values are the tables' own
// columns (snake_case, typed by server/db/types.ts); each factory fills in only what a row cannot do
// without. Tests of a procedure or a trigger keep calling it instead.
// ------------------------------------------------------------------------------------------------

/** Where a factory writes: a Database (a service transaction of its own) or an open transaction. */
export type DatabaseOrTx = Database | Kysely<DB>;

function runOn<T>(db: DatabaseOrTx, write: (kysely: Kysely<DB>) => Promise<T>): Promise<T> {
  return 'asService' in db ? db.asService(write) : write(db);
}

/** A client's columns: the workspace is required, the name defaults to a unique one. */
export type ClientValues = Omit<Insertable<Clients>, 'name'> & { name?: string };

/** Many clients in one multi-row INSERT, returned in the order given (a few thousand at most: 65,535 parameters a statement). */
export async function createClients(db: DatabaseOrTx, values: ClientValues[]): Promise<Array<Selectable<Clients>>> {
  if (values.length === 0) return [];
  const rows = values.map((row) => ({ ...row, name: row.name ?? `Client ${randomUUID().slice(0, 8)}` }));
  return runOn(db, (kysely) => kysely.insertInto('clients').values(rows).returningAll().execute());
}

export async function createClient(db: DatabaseOrTx, values: ClientValues): Promise<Selectable<Clients>> {
  const [client] = await createClients(db, [values]);
  return client!;
}

/** A contact's columns: workspace and client are required, the name defaults to "Test contact". */
export type ContactValues = Omit<Insertable<Contacts>, 'name'> & { name?: string };

export async function createContact(db: DatabaseOrTx, values: ContactValues): Promise<Selectable<Contacts>> {
  return runOn(db, (kysely) =>
    kysely
      .insertInto('contacts')
      .values({ ...values, name: values.name ?? 'Test contact' })
      .returningAll()
      .executeTakeFirstOrThrow(),
  );
}

/**
 * An interaction's columns: workspace and client are required; an inbound email happening now unless
 * said otherwise. Sentiment stays pending (as logged) unless the values include analysedSentiment(…).
 */
export type InteractionValues = Omit<Insertable<Interactions>, 'type' | 'direction' | 'occurred_at'> &
  Partial<Pick<Insertable<Interactions>, 'type' | 'direction' | 'occurred_at'>>;

/**
 * Many interactions in one multi-row INSERT, returned in the order given. Their triggers run as for
 * any insert: the client's last contact, the sentiment and health requests in the outbox.
 */
export async function createInteractions(db: DatabaseOrTx, values: InteractionValues[]): Promise<Array<Selectable<Interactions>>> {
  if (values.length === 0) return [];
  const now = new Date();
  const rows = values.map((row) => ({
    ...row,
    type: row.type ?? 'email',
    direction: row.direction ?? 'inbound',
    occurred_at: row.occurred_at ?? now,
  }));
  return runOn(db, (kysely) => kysely.insertInto('interactions').values(rows).returningAll().execute());
}

export async function createInteraction(db: DatabaseOrTx, values: InteractionValues): Promise<Selectable<Interactions>> {
  const [interaction] = await createInteractions(db, [values]);
  return interaction!;
}

/**
 * The sentiment columns of an interaction the worker has analysed, to spread into InteractionValues.
 * The label follows the score as the tests always have: positive above 0.2, negative below -0.2.
 */
export function analysedSentiment(
  score: number,
  options: { label?: SentimentLabel; signals?: string[]; analysedAt?: Date } = {},
): Pick<InteractionValues, 'sentiment_status' | 'sentiment_score' | 'sentiment_label' | 'sentiment_signals' | 'sentiment_analysed_at'> {
  return {
    sentiment_status: 'done',
    sentiment_score: score,
    sentiment_label: options.label ?? (score > 0.2 ? 'positive' : score < -0.2 ? 'negative' : 'neutral'),
    ...(options.signals ? { sentiment_signals: options.signals } : {}),
    ...(options.analysedAt ? { sentiment_analysed_at: options.analysedAt } : {}),
  };
}
