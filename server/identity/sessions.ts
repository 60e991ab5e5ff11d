import { sql } from 'kysely';
import type { Database, Tx } from '../db';
import { recordAudit, type RequestMeta } from './audit';
import { hashToken, newToken } from './tokens';

export const SESSION_TTL_DAYS = 30;
/** last_seen_at is refreshed at most this often, so reads do not turn into writes on every request. */
const TOUCH_INTERVAL_MS = 10 * 60 * 1000;

export type SessionUser = { id: string; email: string; name: string };
export type CurrentSession = { id: string; user: SessionUser };

/** Opens a session for `userId` in the caller's (service) transaction; returns the cookie token. */
export async function createSession(tx: Tx, userId: string, meta: RequestMeta): Promise<{ token: string; sessionId: string }> {
  const { token, hash } = newToken();
  const row = await tx
    .insertInto('sessions')
    .values({
      user_id: userId,
      token_hash: hash,
      ip: meta.ip,
      user_agent: meta.userAgent?.slice(0, 512) ?? null,
      expires_at: sql<Date>`now() + make_interval(days => ${SESSION_TTL_DAYS})`,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { token, sessionId: row.id };
}

/**
 * The live session a cookie token names, or null when it is unknown, revoked or expired. Runs on the
 * service path: until the token is checked there is no user to run as.
 */
export async function findSession(db: Database, token: string): Promise<CurrentSession | null> {
  const row = await db.readAsService((service) =>
    service
      .selectFrom('sessions as s')
      .innerJoin('users as u', 'u.id', 's.user_id')
      .select(['s.id', 's.last_seen_at', 'u.id as userId', 'u.email', 'u.name'])
      .where('s.token_hash', '=', hashToken(token))
      .where('s.revoked_at', 'is', null)
      .where('s.expires_at', '>', sql<Date>`now()`)
      .executeTakeFirst(),
  );
  if (!row) return null;
  if (Date.now() - row.last_seen_at.getTime() > TOUCH_INTERVAL_MS) {
    await db.asService((tx) =>
      tx
        .updateTable('sessions')
        .set({ last_seen_at: sql`now()` })
        .where('id', '=', row.id)
        .execute(),
    );
  }
  return { id: row.id, user: { id: row.userId, email: row.email, name: row.name } };
}

/** Ends every other session of the user: after a password change or reset. */
export async function revokeOtherSessions(tx: Tx, userId: string, keepSessionId: string | null): Promise<number> {
  let query = tx
    .updateTable('sessions')
    .set({ revoked_at: sql`now()` })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null);
  if (keepSessionId) query = query.where('id', '!=', keepSessionId);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export type SessionListItem = {
  id: string;
  ip: string | null;
  userAgent: string | null;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  current: boolean;
};

/** The user's live sessions, as the user (RLS shows only their own). */
export async function listSessions(tx: Tx, currentSessionId: string): Promise<SessionListItem[]> {
  const rows = await tx
    .selectFrom('sessions')
    .select(['id', sql<string | null>`host(ip)`.as('ip'), 'user_agent', 'created_at', 'last_seen_at', 'expires_at'])
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .orderBy('last_seen_at', 'desc')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    ip: row.ip,
    userAgent: row.user_agent,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    expiresAt: row.expires_at,
    current: row.id === currentSessionId,
  }));
}

/** Revokes one of the user's sessions (RLS refuses anyone else's); false when none matched. */
export async function revokeSession(tx: Tx, sessionId: string): Promise<boolean> {
  const result = await tx
    .updateTable('sessions')
    .set({ revoked_at: sql`now()` })
    .where('id', '=', sessionId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Signs out one of the user's sessions from their account page, and records it when there was one to end. */
export async function revokeAccountSession(
  tx: Tx,
  input: { userId: string; sessionId: string; meta: RequestMeta },
): Promise<{ revoked: boolean }> {
  const revoked = await revokeSession(tx, input.sessionId);
  if (revoked) {
    await recordAudit(tx, {
      action: 'account.session_revoked',
      actorId: input.userId,
      target: { type: 'session', id: input.sessionId },
      meta: input.meta,
    });
  }
  return { revoked };
}
