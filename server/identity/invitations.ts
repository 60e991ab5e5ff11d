import { sql } from 'kysely';
import type { Database, Tx } from '../db';
import { renderEmail, type Mailer } from '../email';
import { AppError } from '../errors';
import { recordAudit, type RequestMeta } from './audit';
import { roleAtLeast, type Role } from './schemas';
import type { SessionUser } from './sessions';
import { hashToken, newToken } from './tokens';
import type { WorkspaceSummary } from './workspaces';

const INVITATION_TTL_DAYS = 7;

export type PendingInvitation = { id: string; email: string; role: Role; invitedByName: string | null; createdAt: Date; expiresAt: Date };

/** Creates an invitation (admins; never above the inviter's own role) and returns its one-time token. */
export async function createInvitation(
  tx: Tx,
  input: { workspace: WorkspaceSummary; actorId: string; email: string; role: Role; meta: RequestMeta },
): Promise<{ token: string; invitationId: string }> {
  if (!roleAtLeast(input.workspace.role, input.role)) {
    throw AppError.field('role', `You can invite people as ${input.workspace.role} at most.`, 'FORBIDDEN');
  }
  const alreadyMember = await tx
    .selectFrom('workspace_members as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select('m.user_id')
    .where('m.workspace_id', '=', input.workspace.id)
    .where('u.email', '=', input.email)
    .executeTakeFirst();
  if (alreadyMember) throw AppError.field('email', `${input.email} is already a member of this workspace.`, 'CONFLICT');

  // A new invitation replaces any pending one for the same address: only the newest link works.
  await tx
    .updateTable('invitations')
    .set({ revoked_at: sql`now()` })
    .where('workspace_id', '=', input.workspace.id)
    .where('email', '=', input.email)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .execute();
  const { token, hash } = newToken();
  const row = await tx
    .insertInto('invitations')
    .values({
      workspace_id: input.workspace.id,
      email: input.email,
      role: input.role,
      token_hash: hash,
      invited_by: input.actorId,
      expires_at: sql<Date>`now() + make_interval(days => ${INVITATION_TTL_DAYS})`,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await recordAudit(tx, {
    action: 'invitation.sent',
    actorId: input.actorId,
    workspaceId: input.workspace.id,
    target: { type: 'invitation', id: row.id },
    after: { email: input.email, role: input.role },
    meta: input.meta,
  });
  return { token, invitationId: row.id };
}

/**
 * Invites someone by email: the invitation and the email with its link. Sent inside the caller's
 * transaction: if the mail server refuses, no invitation exists that nobody received.
 */
export async function sendInvitation(
  tx: Tx,
  deps: { mailer: Mailer; appUrl: string },
  input: { workspace: WorkspaceSummary; inviter: SessionUser; email: string; role: Role; meta: RequestMeta },
): Promise<{ invitationId: string }> {
  const { token, invitationId } = await createInvitation(tx, {
    workspace: input.workspace,
    actorId: input.inviter.id,
    email: input.email,
    role: input.role,
    meta: input.meta,
  });
  const acceptUrl = new URL(`/invitations/${token}`, deps.appUrl).toString();
  await deps.mailer.send(
    input.email,
    await renderEmail('invitation', {
      inviterName: input.inviter.name,
      workspaceName: input.workspace.name,
      role: input.role,
      acceptUrl,
      expiresInDays: INVITATION_TTL_DAYS,
    }),
  );
  return { invitationId };
}

export async function listPendingInvitations(tx: Tx, workspaceId: string): Promise<PendingInvitation[]> {
  return tx
    .selectFrom('invitations as i')
    .leftJoin('users as u', 'u.id', 'i.invited_by')
    .select(['i.id', 'i.email', 'i.role', 'u.name as invitedByName', 'i.created_at as createdAt', 'i.expires_at as expiresAt'])
    .where('i.workspace_id', '=', workspaceId)
    .where('i.accepted_at', 'is', null)
    .where('i.revoked_at', 'is', null)
    .where('i.expires_at', '>', sql<Date>`now()`)
    .orderBy('i.created_at', 'desc')
    .execute();
}

export async function revokeInvitation(
  tx: Tx,
  input: { workspace: WorkspaceSummary; actorId: string; invitationId: string; meta: RequestMeta },
): Promise<void> {
  const result = await tx
    .updateTable('invitations')
    .set({ revoked_at: sql`now()` })
    .where('id', '=', input.invitationId)
    .where('workspace_id', '=', input.workspace.id)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) throw new AppError('NOT_FOUND', 'That invitation is no longer pending.');
  await recordAudit(tx, {
    action: 'invitation.revoked',
    actorId: input.actorId,
    workspaceId: input.workspace.id,
    target: { type: 'invitation', id: input.invitationId },
    meta: input.meta,
  });
}

export type InvitationDetails = {
  id: string;
  email: string;
  role: Role;
  workspaceId: string;
  workspaceName: string;
  workspaceSlug: string;
  inviterName: string | null;
};

const INVALID_INVITATION =
  'This invitation link is not valid any more. ' +
  'It may have expired, been used already, or been replaced by a newer one. Ask for a new invitation.';

/**
 * The pending invitation a link's token names. Service path: the person holding the link is not a
 * member yet (and may have no account), so the token itself is the credential.
 */
export async function findInvitation(db: Database, token: string): Promise<InvitationDetails> {
  const row = await db.asService((tx) =>
    tx
      .selectFrom('invitations as i')
      .innerJoin('workspaces as w', 'w.id', 'i.workspace_id')
      .leftJoin('users as u', 'u.id', 'i.invited_by')
      .select([
        'i.id',
        'i.email',
        'i.role',
        'w.id as workspaceId',
        'w.name as workspaceName',
        'w.slug as workspaceSlug',
        'u.name as inviterName',
      ])
      .where('i.token_hash', '=', hashToken(token))
      .where('i.accepted_at', 'is', null)
      .where('i.revoked_at', 'is', null)
      .where('i.expires_at', '>', sql<Date>`now()`)
      .executeTakeFirst(),
  );
  if (!row) throw new AppError('BAD_REQUEST', INVALID_INVITATION);
  return row;
}

/**
 * Makes `user` a member with the invited role and spends the invitation. The account's email must
 * be the invited address. Runs in a service transaction; the row lock makes a second use fail.
 */
export async function acceptInvitation(
  tx: Tx,
  input: { token: string; user: { id: string; email: string }; meta: RequestMeta },
): Promise<{ workspaceSlug: string }> {
  const invitation = await tx
    .selectFrom('invitations as i')
    .innerJoin('workspaces as w', 'w.id', 'i.workspace_id')
    .select(['i.id', 'i.email', 'i.role', 'i.workspace_id', 'w.slug'])
    .where('i.token_hash', '=', hashToken(input.token))
    .where('i.accepted_at', 'is', null)
    .where('i.revoked_at', 'is', null)
    .where('i.expires_at', '>', sql<Date>`now()`)
    .forUpdate()
    .executeTakeFirst();
  if (!invitation) throw new AppError('BAD_REQUEST', INVALID_INVITATION);
  if (invitation.email !== input.user.email) {
    throw new AppError('FORBIDDEN', `This invitation is for ${invitation.email}. Sign in with that address to accept it.`);
  }
  await tx
    .insertInto('workspace_members')
    .values({ workspace_id: invitation.workspace_id, user_id: input.user.id, role: invitation.role })
    .onConflict((oc) => oc.columns(['workspace_id', 'user_id']).doNothing())
    .execute();
  await tx
    .updateTable('invitations')
    .set({ accepted_at: sql`now()`, accepted_by: input.user.id })
    .where('id', '=', invitation.id)
    .execute();
  await recordAudit(tx, {
    action: 'invitation.accepted',
    actorId: input.user.id,
    workspaceId: invitation.workspace_id,
    target: { type: 'invitation', id: invitation.id },
    after: { email: invitation.email, role: invitation.role },
    meta: input.meta,
  });
  return { workspaceSlug: invitation.slug };
}
