import { sql } from 'kysely';
import type { Tx } from '../db';
import { encodeCursor } from '../db/cursor';
import type { AuditCursor } from './schemas';

export const AUDIT_ACTIONS = [
  'auth.sign_up',
  'auth.sign_in',
  'auth.sign_in_failed',
  'auth.password_reset_requested',
  'auth.password_reset',
  'account.password_changed',
  'account.email_changed',
  'account.session_revoked',
  'workspace.created',
  'workspace.renamed',
  'workspace.deleted',
  'invitation.sent',
  'invitation.revoked',
  'invitation.accepted',
  'member.role_changed',
  'member.removed',
  'member.left',
  'client.deleted',
  'client.bulk_updated',
  'client.imported',
  'client.exported',
  'job.retried',
  'sentiment.backfill_started',
  'health.settings_changed',
  'alert.rule_changed',
  'alert.settings_changed',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** Where a request came from, recorded with every audit entry and session. */
export type RequestMeta = { ip: string | null; userAgent: string | null };

export type AuditEvent = {
  action: AuditAction;
  actorId: string | null;
  workspaceId?: string | null;
  target?: { type: string; id: string };
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
  meta: RequestMeta;
};

/** Writes one audit entry in the caller's transaction, so it commits or rolls back with the change. */
export async function recordAudit(tx: Tx, event: AuditEvent): Promise<void> {
  await tx
    .insertInto('audit_log')
    .values({
      action: event.action,
      actor_id: event.actorId,
      workspace_id: event.workspaceId ?? null,
      target_type: event.target?.type ?? null,
      target_id: event.target?.id ?? null,
      before: event.before ? JSON.stringify(event.before) : null,
      after: event.after ? JSON.stringify(event.after) : null,
      ip: event.meta.ip,
      user_agent: event.meta.userAgent?.slice(0, 512) ?? null,
    })
    .execute();
}

export type AuditEntry = {
  id: string;
  action: string;
  actorId: string | null;
  actorName: string | null;
  actorEmail: string | null;
  targetType: string | null;
  targetId: string | null;
  ip: string | null;
  userAgent: string | null;
  before: unknown;
  after: unknown;
  createdAt: Date;
};

const AUDIT_PAGE_SIZE = 50;

/**
 * A page of the workspace's audit trail, newest first, filtered by action prefix and actor.
 * Keyset pagination on (created_at, id): `before` is the cursor the previous page returned.
 */
export async function listAudit(
  tx: Tx,
  input: { workspaceId: string; action?: string; actorId?: string; before?: AuditCursor },
): Promise<{ entries: AuditEntry[]; nextCursor: string | null }> {
  let query = tx
    .selectFrom('audit_log as a')
    .leftJoin('users as u', 'u.id', 'a.actor_id')
    .select([
      'a.id',
      'a.action',
      'a.actor_id as actorId',
      'u.name as actorName',
      'u.email as actorEmail',
      'a.target_type as targetType',
      'a.target_id as targetId',
      sql<string | null>`host(a.ip)`.as('ip'),
      'a.user_agent as userAgent',
      'a.before',
      'a.after',
      'a.created_at as createdAt',
    ])
    .where('a.workspace_id', '=', input.workspaceId);
  if (input.action) query = query.where('a.action', 'like', `${input.action.replace(/[%_\\]/g, '\\$&')}%`);
  if (input.actorId) query = query.where('a.actor_id', '=', input.actorId);
  if (input.before) {
    const [createdAt, id] = input.before;
    query = query.where(sql<boolean>`(a.created_at, a.id) < (${createdAt}::timestamptz, ${id}::bigint)`);
  }
  const rows = await query
    .orderBy('a.created_at', 'desc')
    .orderBy('a.id', 'desc')
    .limit(AUDIT_PAGE_SIZE + 1)
    .execute();
  const entries = rows.slice(0, AUDIT_PAGE_SIZE).map((row) => ({ ...row, id: String(row.id) }));
  const last = entries.at(-1);
  return {
    entries,
    nextCursor: rows.length > AUDIT_PAGE_SIZE && last ? encodeCursor<AuditCursor>([last.createdAt.toISOString(), last.id]) : null,
  };
}
