import { sql } from 'kysely';
import type { Database, Tx } from '../db';
import type { Mailer } from '../email';
import { renderEmail } from '../email';
import { AppError } from '../errors';
import type { RateLimits } from '../security/rate-limit';
import { recordAudit, type RequestMeta } from './audit';
import { acceptInvitation } from './invitations';
import { decoyPasswordHash, hashPassword, verifyPassword } from './passwords';
import { createSession, revokeOtherSessions } from './sessions';
import { hashToken, newToken } from './tokens';
import { createWorkspace } from './workspaces';

const PASSWORD_RESET_TTL_MINUTES = 60;
/** The one message for a wrong email or a wrong password: never say which. */
const INVALID_CREDENTIALS = 'Email or password is incorrect.';
const INVALID_RESET_LINK = 'This password reset link is not valid any more. It may have expired or been used already. Ask for a new one.';

export type IdentityDeps = { db: Database; mailer: Mailer; appUrl: string };
/** What the procedures that verify a password need: every password check is rate-limited (decision 021). */
export type PasswordCheckDeps = IdentityDeps & { rateLimits: RateLimits };
export type SignedIn = { token: string; sessionId: string; userId: string; workspaceSlug: string | null };

function isUniqueViolation(error: unknown, constraint: string): boolean {
  const pgError = error as { code?: string; constraint?: string } | null;
  return pgError?.code === '23505' && pgError.constraint === constraint;
}

/**
 * Creates the account and signs it in. With an invitation token the person joins that workspace;
 * otherwise a workspace of their own is created with them as owner. Service path: there is no
 * user yet to run as; every row written belongs to the new user.
 */
export async function signUp(
  deps: IdentityDeps,
  input: { email: string; name: string; password: string; workspaceName?: string; invitationToken?: string; meta: RequestMeta },
): Promise<SignedIn> {
  const passwordHash = await hashPassword(input.password);
  try {
    return await deps.db.asService(async (tx) => {
      const user = await tx
        .insertInto('users')
        .values({ email: input.email, name: input.name, password_hash: passwordHash })
        .returning(['id', 'email'])
        .executeTakeFirstOrThrow();
      await recordAudit(tx, { action: 'auth.sign_up', actorId: user.id, target: { type: 'user', id: user.id }, meta: input.meta });
      let workspaceSlug: string | null = null;
      if (input.invitationToken) {
        workspaceSlug = (await acceptInvitation(tx, { token: input.invitationToken, user, meta: input.meta })).workspaceSlug;
      } else {
        const workspaceName = input.workspaceName ?? `${input.name}'s workspace`;
        workspaceSlug = (await createWorkspace(tx, user.id, workspaceName, input.meta)).slug;
      }
      const session = await createSession(tx, user.id, input.meta);
      return { ...session, userId: user.id, workspaceSlug };
    });
  } catch (error) {
    if (isUniqueViolation(error, 'users_email_key')) {
      throw AppError.field('email', 'An account with this email already exists. Log in instead, or reset your password.', 'CONFLICT');
    }
    throw error;
  }
}

/**
 * Checks the password and opens a session; records success and failure in the audit log. Throttled
 * per client IP, per account from that IP (refused after ten failures) and per account from anywhere
 * (slowed down, never refused), so a stranger's wrong passwords never lock the owner out.
 */
export async function logIn(deps: PasswordCheckDeps, input: { email: string; password: string; meta: RequestMeta }): Promise<SignedIn> {
  const ip = input.meta.ip ?? 'unknown';
  await deps.rateLimits.consume({ loginByIp: ip, loginByAccountAndIp: [input.email, ip], loginSlowdownByAccount: input.email });
  const user = await deps.db.asService((tx) =>
    tx.selectFrom('users').select(['id', 'password_hash']).where('email', '=', input.email).executeTakeFirst(),
  );
  // Verify against a decoy when the email is unknown, so timing does not reveal which accounts exist.
  const valid = await verifyPassword(user?.password_hash ?? (await decoyPasswordHash()), input.password, 'login');
  if (!user || !valid) {
    await deps.db.asService((tx) =>
      recordAudit(tx, {
        action: 'auth.sign_in_failed',
        actorId: user?.id ?? null,
        after: { email: input.email, reason: user ? 'wrong_password' : 'unknown_email' },
        meta: input.meta,
      }),
    );
    throw new AppError('UNAUTHORIZED', INVALID_CREDENTIALS, { password: [INVALID_CREDENTIALS] });
  }
  // The limits count failures: a right password clears this client's and gives back its attempt.
  await Promise.all([
    deps.rateLimits.reset('loginByAccountAndIp', [input.email, ip]),
    deps.rateLimits.refund('loginSlowdownByAccount', input.email),
  ]);
  return deps.db.asService(async (tx) => {
    const session = await createSession(tx, user.id, input.meta);
    await recordAudit(tx, {
      action: 'auth.sign_in',
      actorId: user.id,
      target: { type: 'session', id: session.sessionId },
      meta: input.meta,
    });
    const first = await tx
      .selectFrom('workspace_members as m')
      .innerJoin('workspaces as w', 'w.id', 'm.workspace_id')
      .select('w.slug')
      .where('m.user_id', '=', user.id)
      .orderBy('m.created_at')
      .executeTakeFirst();
    return { ...session, userId: user.id, workspaceSlug: first?.slug ?? null };
  });
}

/**
 * Emails a single-use reset link when the address has an account; answers the same either way so
 * the form cannot be used to find out who has an account.
 */
export async function requestPasswordReset(deps: IdentityDeps, input: { email: string; meta: RequestMeta }): Promise<void> {
  const issued = await deps.db.asService(async (tx) => {
    const user = await tx.selectFrom('users').select(['id', 'name', 'email']).where('email', '=', input.email).executeTakeFirst();
    if (!user) return null;
    const { token, hash } = newToken();
    // Only the newest link works: the ones sent before it are spent.
    await tx
      .updateTable('password_resets')
      .set({ used_at: sql<Date>`now()` })
      .where('user_id', '=', user.id)
      .where('used_at', 'is', null)
      .execute();
    await tx
      .insertInto('password_resets')
      .values({ user_id: user.id, token_hash: hash, expires_at: sql<Date>`now() + make_interval(mins => ${PASSWORD_RESET_TTL_MINUTES})` })
      .execute();
    await recordAudit(tx, { action: 'auth.password_reset_requested', actorId: user.id, meta: input.meta });
    return { user, token };
  });
  if (!issued) return;
  const resetUrl = new URL(`/reset-password/${issued.token}`, deps.appUrl).toString();
  await deps.mailer.send(
    issued.user.email,
    await renderEmail('password-reset', { name: issued.user.name, resetUrl, expiresInMinutes: PASSWORD_RESET_TTL_MINUTES }),
  );
}

/** Whether a reset link is still usable, for showing the form or a clear message. */
export async function checkPasswordResetToken(deps: IdentityDeps, token: string): Promise<{ email: string; name: string }> {
  const row = await deps.db.asService((tx) =>
    tx
      .selectFrom('password_resets as r')
      .innerJoin('users as u', 'u.id', 'r.user_id')
      .select(['u.email', 'u.name'])
      .where('r.token_hash', '=', hashToken(token))
      .where('r.used_at', 'is', null)
      .where('r.expires_at', '>', sql<Date>`now()`)
      .executeTakeFirst(),
  );
  if (!row) throw new AppError('BAD_REQUEST', INVALID_RESET_LINK);
  return row;
}

/** Sets a new password from a reset link, spends the link and signs out every session. */
export async function resetPassword(deps: IdentityDeps, input: { token: string; password: string; meta: RequestMeta }): Promise<void> {
  const passwordHash = await hashPassword(input.password);
  await deps.db.asService(async (tx) => {
    const reset = await tx
      .selectFrom('password_resets')
      .select(['id', 'user_id'])
      .where('token_hash', '=', hashToken(input.token))
      .where('used_at', 'is', null)
      .where('expires_at', '>', sql<Date>`now()`)
      .forUpdate()
      .executeTakeFirst();
    if (!reset) throw new AppError('BAD_REQUEST', INVALID_RESET_LINK);
    await tx
      .updateTable('password_resets')
      .set({ used_at: sql`now()` })
      .where('user_id', '=', reset.user_id)
      .where('used_at', 'is', null)
      .execute();
    await tx
      .updateTable('users')
      .set({ password_hash: passwordHash, password_changed_at: sql`now()`, updated_at: sql`now()` })
      .where('id', '=', reset.user_id)
      .execute();
    const revoked = await revokeOtherSessions(tx, reset.user_id, null);
    await recordAudit(tx, { action: 'auth.password_reset', actorId: reset.user_id, after: { sessionsRevoked: revoked }, meta: input.meta });
  });
}

/** Checks the signed-in user's current password, within the `currentPasswordByAccount` budget of wrong ones. */
async function requireCurrentPassword(deps: PasswordCheckDeps, userId: string, password: string): Promise<void> {
  await deps.rateLimits.consume({ currentPasswordByAccount: userId });
  const user = await deps.db.asService((tx) =>
    tx.selectFrom('users').select('password_hash').where('id', '=', userId).executeTakeFirstOrThrow(),
  );
  if (!(await verifyPassword(user.password_hash, password))) {
    throw AppError.field('currentPassword', 'Your current password is not right.');
  }
  await deps.rateLimits.refund('currentPasswordByAccount', userId);
}

/**
 * Changes the signed-in user's password after checking the current one, and signs out their other
 * sessions. The hash is not readable or writable by the API role, hence the service path.
 */
export async function changePassword(
  deps: PasswordCheckDeps,
  input: { userId: string; sessionId: string; currentPassword: string; newPassword: string; meta: RequestMeta },
): Promise<{ sessionsRevoked: number }> {
  await requireCurrentPassword(deps, input.userId, input.currentPassword);
  const passwordHash = await hashPassword(input.newPassword);
  return deps.db.asService(async (tx) => {
    await tx
      .updateTable('users')
      .set({ password_hash: passwordHash, password_changed_at: sql`now()`, updated_at: sql`now()` })
      .where('id', '=', input.userId)
      .execute();
    const sessionsRevoked = await revokeOtherSessions(tx, input.userId, input.sessionId);
    await recordAudit(tx, { action: 'account.password_changed', actorId: input.userId, after: { sessionsRevoked }, meta: input.meta });
    return { sessionsRevoked };
  });
}

/** Changes the sign-in email after checking the password, and tells the old address it happened. */
export async function changeEmail(
  deps: PasswordCheckDeps,
  input: { userId: string; currentPassword: string; newEmail: string; meta: RequestMeta },
): Promise<void> {
  await requireCurrentPassword(deps, input.userId, input.currentPassword);
  let previous: { email: string; name: string };
  try {
    previous = await deps.db.asService(async (tx) => {
      const user = await tx.selectFrom('users').select(['email', 'name']).where('id', '=', input.userId).executeTakeFirstOrThrow();
      if (user.email === input.newEmail) throw AppError.field('newEmail', 'That is already your email address.');
      await tx
        .updateTable('users')
        .set({ email: input.newEmail, updated_at: sql`now()` })
        .where('id', '=', input.userId)
        .execute();
      await recordAudit(tx, {
        action: 'account.email_changed',
        actorId: input.userId,
        before: { email: user.email },
        after: { email: input.newEmail },
        meta: input.meta,
      });
      return user;
    });
  } catch (error) {
    if (isUniqueViolation(error, 'users_email_key'))
      throw AppError.field('newEmail', 'Another account already uses this email.', 'CONFLICT');
    throw error;
  }
  await deps.mailer.send(previous.email, await renderEmail('email-changed', { name: previous.name, newEmail: input.newEmail }));
}

/** Renames the signed-in user, as the user (RLS lets them change only their own row). */
export async function renameUser(tx: Tx, input: { userId: string; name: string }): Promise<void> {
  await tx.updateTable('users').set({ name: input.name }).where('id', '=', input.userId).execute();
}
