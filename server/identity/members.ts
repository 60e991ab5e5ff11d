import { sql } from 'kysely';
import type { Tx } from '../db';
import { AppError } from '../errors';
import { recordAudit, type RequestMeta } from './audit';
import { roleAtLeast, type Role } from './schemas';
import type { WorkspaceSummary } from './workspaces';

export type Member = { userId: string; name: string; email: string; role: Role; joinedAt: Date };

export async function listMembers(tx: Tx, workspaceId: string): Promise<Member[]> {
  return tx
    .selectFrom('workspace_members as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['m.user_id as userId', 'u.name', 'u.email', 'm.role', 'm.created_at as joinedAt'])
    .where('m.workspace_id', '=', workspaceId)
    .orderBy(sql`array_position(array['owner','admin','manager','viewer']::public.workspace_role[], m.role)`)
    .orderBy('u.name')
    .execute();
}

/** Postgres raises this (from private.keep_an_owner) when a change would leave no owner. */
function isLastOwnerError(error: unknown): boolean {
  return (error as { hint?: string } | null)?.hint === 'last_owner';
}

const LAST_OWNER_MESSAGE = 'A workspace needs at least one owner. Make someone else an owner first.';

async function memberOf(tx: Tx, workspaceId: string, userId: string): Promise<Member> {
  const member = (await listMembers(tx, workspaceId)).find((candidate) => candidate.userId === userId);
  if (!member) throw new AppError('NOT_FOUND', 'That person is not a member of this workspace.');
  return member;
}

/**
 * Changes a member's role. Admins manage up to admin; only owners grant or take away ownership.
 * The database refuses to demote the last owner.
 */
export async function changeRole(
  tx: Tx,
  input: { workspace: WorkspaceSummary; actorId: string; userId: string; role: Role; meta: RequestMeta },
): Promise<void> {
  const member = await memberOf(tx, input.workspace.id, input.userId);
  if (member.role === input.role) return;
  if ((member.role === 'owner' || input.role === 'owner') && input.workspace.role !== 'owner') {
    throw new AppError('FORBIDDEN', 'Only an owner can grant or remove the owner role.');
  }
  try {
    await tx
      .updateTable('workspace_members')
      .set({ role: input.role })
      .where('workspace_id', '=', input.workspace.id)
      .where('user_id', '=', input.userId)
      .execute();
  } catch (error) {
    if (isLastOwnerError(error)) throw new AppError('CONFLICT', LAST_OWNER_MESSAGE);
    throw error;
  }
  await recordAudit(tx, {
    action: 'member.role_changed',
    actorId: input.actorId,
    workspaceId: input.workspace.id,
    target: { type: 'user', id: input.userId },
    before: { role: member.role, email: member.email },
    after: { role: input.role, email: member.email },
    meta: input.meta,
  });
}

/** Removes a member (admins; owners only by owners), or lets a member leave. Never the last owner. */
export async function removeMember(
  tx: Tx,
  input: { workspace: WorkspaceSummary; actorId: string; userId: string; meta: RequestMeta },
): Promise<void> {
  const leaving = input.userId === input.actorId;
  const member = await memberOf(tx, input.workspace.id, input.userId);
  if (!leaving && !roleAtLeast(input.workspace.role, 'admin')) {
    throw new AppError('FORBIDDEN', 'Only admins and owners can remove members.');
  }
  if (!leaving && member.role === 'owner' && input.workspace.role !== 'owner') {
    throw new AppError('FORBIDDEN', 'Only an owner can remove another owner.');
  }
  try {
    await tx.deleteFrom('workspace_members').where('workspace_id', '=', input.workspace.id).where('user_id', '=', input.userId).execute();
  } catch (error) {
    if (isLastOwnerError(error)) throw new AppError('CONFLICT', LAST_OWNER_MESSAGE);
    throw error;
  }
  await recordAudit(tx, {
    action: leaving ? 'member.left' : 'member.removed',
    actorId: input.actorId,
    // A member who left can no longer write into the workspace's trail as themselves.
    workspaceId: leaving ? null : input.workspace.id,
    target: { type: 'user', id: input.userId },
    before: { role: member.role, email: member.email, workspace: input.workspace.slug },
    meta: input.meta,
  });
}
