import { z } from 'zod';
import { authedProcedure, publicProcedure, router, userProcedure, workspaceProcedure } from '../trpc';
import { renderEmail } from '../email';
import {
  changeEmail,
  changePassword,
  checkPasswordResetToken,
  logIn,
  requestPasswordReset,
  resetPassword,
  signUp,
  type IdentityDeps,
} from './accounts';
import { AUDIT_ACTIONS, decodeCursor, listAudit, recordAudit } from './audit';
import {
  acceptInvitation,
  createInvitation,
  findInvitation,
  INVITATION_TTL_DAYS,
  listPendingInvitations,
  revokeInvitation,
} from './invitations';
import { changeRole, listMembers, removeMember } from './members';
import { passwordSchema } from './passwords';
import { emailSchema, personNameSchema, roleSchema, tokenSchema, workspaceNameSchema } from './schemas';
import { listSessions, revokeSession } from './sessions';
import { createWorkspace, deleteWorkspace, listMyWorkspaces, renameWorkspace } from './workspaces';
import type { Context } from '../trpc';

const deps = (ctx: Context): IdentityDeps => ({ db: ctx.services.db, mailer: ctx.services.mailer, appUrl: ctx.services.env.APP_URL });

/** A new password must not contain the person's own name or email: checked against the other fields. */
function withStrongPassword<T extends z.ZodObject<{ password: z.ZodString }>>(
  schema: T,
  context: (value: z.infer<T>) => { email?: string; name?: string },
) {
  return schema.superRefine((value, refinement) => {
    const result = passwordSchema(context(value)).safeParse(value.password);
    for (const issue of result.error?.issues ?? []) refinement.addIssue({ code: 'custom', message: issue.message, path: ['password'] });
  });
}

export const signUpInput = withStrongPassword(
  z.object({
    email: emailSchema,
    name: personNameSchema,
    password: z.string({ error: 'Choose a password' }),
    workspaceName: workspaceNameSchema.optional(),
    invitationToken: tokenSchema.optional(),
  }),
  (value) => ({ email: value.email, name: value.name }),
);
export const logInInput = z.object({ email: emailSchema, password: z.string().min(1, { error: 'Enter your password' }).max(128) });
export const resetPasswordInput = withStrongPassword(
  z.object({ token: tokenSchema, password: z.string({ error: 'Choose a password' }) }),
  () => ({}),
);
export const changePasswordInput = z.object({
  currentPassword: z.string().min(1, { error: 'Enter your current password' }).max(128),
  newPassword: passwordSchema(),
});
export const changeEmailInput = z.object({
  currentPassword: z.string().min(1, { error: 'Enter your current password' }).max(128),
  newEmail: emailSchema,
});
export const inviteInput = z.object({ email: emailSchema, role: roleSchema });

const authRouter = router({
  signUp: publicProcedure.input(signUpInput).mutation(async ({ ctx, input }) => {
    await ctx.services.rateLimits.consume({ signupByIp: ctx.meta.ip ?? 'unknown' });
    return signUp(deps(ctx), { ...input, meta: ctx.meta });
  }),
  logIn: publicProcedure.input(logInInput).mutation(async ({ ctx, input }) => {
    await ctx.services.rateLimits.consume({ loginByIp: ctx.meta.ip ?? 'unknown', loginByAccount: input.email });
    const signedIn = await logIn(deps(ctx), { ...input, meta: ctx.meta });
    await ctx.services.rateLimits.reset('loginByAccount', input.email);
    return signedIn;
  }),
  logOut: userProcedure.mutation(async ({ ctx }) => {
    await revokeSession(ctx.tx, ctx.session.id);
  }),
  requestPasswordReset: publicProcedure.input(z.object({ email: emailSchema })).mutation(async ({ ctx, input }) => {
    await ctx.services.rateLimits.consume({ passwordResetByIp: ctx.meta.ip ?? 'unknown', passwordResetByAccount: input.email });
    await requestPasswordReset(deps(ctx), { email: input.email, meta: ctx.meta });
  }),
  checkPasswordReset: publicProcedure
    .input(z.object({ token: tokenSchema }))
    .query(({ ctx, input }) => checkPasswordResetToken(deps(ctx), input.token)),
  resetPassword: publicProcedure.input(resetPasswordInput).mutation(async ({ ctx, input }) => {
    await resetPassword(deps(ctx), { ...input, meta: ctx.meta });
  }),
  invitation: publicProcedure
    .input(z.object({ token: tokenSchema }))
    .query(({ ctx, input }) => findInvitation(ctx.services.db, input.token)),
  acceptInvitation: authedProcedure.input(z.object({ token: tokenSchema })).mutation(({ ctx, input }) =>
    // Service path: the token is the credential and the user is not a member yet.
    ctx.services.db.asService((tx) => acceptInvitation(tx, { token: input.token, user: ctx.session.user, meta: ctx.meta })),
  ),
});

const accountRouter = router({
  me: userProcedure.query(async ({ ctx }) => ({ user: ctx.session.user, workspaces: await listMyWorkspaces(ctx.tx, ctx.session.user.id) })),
  updateName: userProcedure.input(z.object({ name: personNameSchema })).mutation(async ({ ctx, input }) => {
    await ctx.tx.updateTable('users').set({ name: input.name }).where('id', '=', ctx.session.user.id).execute();
  }),
  changePassword: authedProcedure
    .input(changePasswordInput)
    .mutation(({ ctx, input }) =>
      changePassword(deps(ctx), { ...input, userId: ctx.session.user.id, sessionId: ctx.session.id, meta: ctx.meta }),
    ),
  changeEmail: authedProcedure
    .input(changeEmailInput)
    .mutation(({ ctx, input }) => changeEmail(deps(ctx), { ...input, userId: ctx.session.user.id, meta: ctx.meta })),
  sessions: userProcedure.query(({ ctx }) => listSessions(ctx.tx, ctx.session.id)),
  revokeSession: userProcedure.input(z.object({ sessionId: z.uuid() })).mutation(async ({ ctx, input }) => {
    const revoked = await revokeSession(ctx.tx, input.sessionId);
    if (revoked) {
      await recordAudit(ctx.tx, {
        action: 'account.session_revoked',
        actorId: ctx.session.user.id,
        target: { type: 'session', id: input.sessionId },
        meta: ctx.meta,
      });
    }
    return { revoked };
  }),
});

const workspacesRouter = router({
  mine: userProcedure.query(({ ctx }) => listMyWorkspaces(ctx.tx, ctx.session.user.id)),
  create: userProcedure
    .input(z.object({ name: workspaceNameSchema }))
    .mutation(({ ctx, input }) => createWorkspace(ctx.tx, ctx.session.user.id, input.name, ctx.meta)),
  get: workspaceProcedure('viewer').query(({ ctx }) => ctx.workspace),
  rename: workspaceProcedure('admin')
    .input(z.object({ name: workspaceNameSchema }))
    .mutation(({ ctx, input }) =>
      renameWorkspace(ctx.tx, { workspace: ctx.workspace, actorId: ctx.session.user.id, name: input.name, meta: ctx.meta }),
    ),
  delete: workspaceProcedure('owner')
    .input(z.object({ confirmation: z.string().max(200) }))
    .mutation(({ ctx, input }) =>
      deleteWorkspace(ctx.tx, { workspace: ctx.workspace, actorId: ctx.session.user.id, confirmation: input.confirmation, meta: ctx.meta }),
    ),
});

const membersRouter = router({
  list: workspaceProcedure('viewer').query(({ ctx }) => listMembers(ctx.tx, ctx.workspace.id)),
  changeRole: workspaceProcedure('admin')
    .input(z.object({ userId: z.uuid(), role: roleSchema }))
    .mutation(({ ctx, input }) => changeRole(ctx.tx, { workspace: ctx.workspace, actorId: ctx.session.user.id, ...input, meta: ctx.meta })),
  remove: workspaceProcedure('admin')
    .input(z.object({ userId: z.uuid() }))
    .mutation(({ ctx, input }) =>
      removeMember(ctx.tx, { workspace: ctx.workspace, actorId: ctx.session.user.id, userId: input.userId, meta: ctx.meta }),
    ),
  leave: workspaceProcedure('viewer').mutation(({ ctx }) =>
    removeMember(ctx.tx, { workspace: ctx.workspace, actorId: ctx.session.user.id, userId: ctx.session.user.id, meta: ctx.meta }),
  ),
});

const invitationsRouter = router({
  list: workspaceProcedure('admin').query(({ ctx }) => listPendingInvitations(ctx.tx, ctx.workspace.id)),
  create: workspaceProcedure('admin')
    .input(inviteInput)
    .mutation(async ({ ctx, input }) => {
      await ctx.services.rateLimits.consume({ invitationsByActor: ctx.session.user.id, invitationsByIp: ctx.meta.ip ?? 'unknown' });
      const { token, invitationId } = await createInvitation(ctx.tx, {
        workspace: ctx.workspace,
        actorId: ctx.session.user.id,
        ...input,
        meta: ctx.meta,
      });
      const acceptUrl = new URL(`/invitations/${token}`, ctx.services.env.APP_URL).toString();
      // Sent inside the transaction: if the mail server refuses, no invitation exists that nobody received.
      await ctx.services.mailer.send(
        input.email,
        await renderEmail('invitation', {
          inviterName: ctx.session.user.name,
          workspaceName: ctx.workspace.name,
          role: input.role,
          acceptUrl,
          expiresInDays: INVITATION_TTL_DAYS,
        }),
      );
      return { invitationId };
    }),
  revoke: workspaceProcedure('admin')
    .input(z.object({ invitationId: z.uuid() }))
    .mutation(({ ctx, input }) =>
      revokeInvitation(ctx.tx, {
        workspace: ctx.workspace,
        actorId: ctx.session.user.id,
        invitationId: input.invitationId,
        meta: ctx.meta,
      }),
    ),
});

const auditRouter = router({
  list: workspaceProcedure('admin')
    .input(
      z.object({
        action: z.enum([...new Set(AUDIT_ACTIONS.map((action) => action.split('.')[0]!)), ...AUDIT_ACTIONS]).optional(),
        actorId: z.uuid().optional(),
        cursor: z
          .string()
          .max(200)
          .refine(
            (cursor) => {
              try {
                decodeCursor(cursor);
                return true;
              } catch {
                return false;
              }
            },
            { error: 'Not a page of this list' },
          )
          .optional(),
      }),
    )
    .query(({ ctx, input }) =>
      listAudit(ctx.tx, { workspaceId: ctx.workspace.id, action: input.action, actorId: input.actorId, before: input.cursor }),
    ),
});

export const identityRouters = {
  auth: authRouter,
  account: accountRouter,
  workspaces: workspacesRouter,
  members: membersRouter,
  invitations: invitationsRouter,
  audit: auditRouter,
};
