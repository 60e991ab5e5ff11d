import { authedProcedure, publicProcedure, router, userProcedure, workspaceProcedure, type Context } from '../trpc';
import {
  changeEmail,
  changePassword,
  checkPasswordResetToken,
  logIn,
  renameUser,
  requestPasswordReset,
  resetPassword,
  signUp,
  type PasswordCheckDeps,
} from './accounts';
import { listAudit } from './audit';
import { acceptInvitation, findInvitation, listPendingInvitations, revokeInvitation, sendInvitation } from './invitations';
import { changeRole, listMembers, removeMember } from './members';
import {
  auditListInput,
  changeEmailInput,
  changePasswordInput,
  changeRoleInput,
  deleteWorkspaceInput,
  emailInput,
  invitationInput,
  inviteInput,
  logInInput,
  memberInput,
  personNameInput,
  resetPasswordInput,
  sessionInput,
  signUpInput,
  tokenInput,
  workspaceNameInput,
} from './schemas';
import { listSessions, revokeAccountSession, revokeSession } from './sessions';
import { createWorkspace, deleteWorkspace, listMyWorkspaces, renameWorkspace } from './workspaces';

const deps = (ctx: Context): PasswordCheckDeps => ({
  db: ctx.services.db,
  mailer: ctx.services.mailer,
  appUrl: ctx.services.env.APP_URL,
  rateLimits: ctx.services.rateLimits,
});

const authRouter = router({
  signUp: publicProcedure.input(signUpInput).mutation(async ({ ctx, input }) => {
    await ctx.services.rateLimits.consume({ signupByIp: ctx.meta.ip ?? 'unknown' });
    return signUp(deps(ctx), { ...input, meta: ctx.meta });
  }),
  // Rate-limited inside, as every procedure that checks a password (changePassword, changeEmail).
  logIn: publicProcedure.input(logInInput).mutation(({ ctx, input }) => logIn(deps(ctx), { ...input, meta: ctx.meta })),
  logOut: userProcedure.mutation(async ({ ctx }) => {
    await revokeSession(ctx.tx, ctx.session.id);
  }),
  requestPasswordReset: publicProcedure.input(emailInput).mutation(async ({ ctx, input }) => {
    await ctx.services.rateLimits.consume({ passwordResetByIp: ctx.meta.ip ?? 'unknown', passwordResetByAccount: input.email });
    await requestPasswordReset(deps(ctx), { email: input.email, meta: ctx.meta });
  }),
  checkPasswordReset: publicProcedure.input(tokenInput).query(({ ctx, input }) => checkPasswordResetToken(deps(ctx), input.token)),
  resetPassword: publicProcedure.input(resetPasswordInput).mutation(async ({ ctx, input }) => {
    await resetPassword(deps(ctx), { ...input, meta: ctx.meta });
  }),
  invitation: publicProcedure.input(tokenInput).query(({ ctx, input }) => findInvitation(ctx.services.db, input.token)),
  acceptInvitation: authedProcedure.input(tokenInput).mutation(({ ctx, input }) =>
    // Service path: the token is the credential and the user is not a member yet.
    ctx.services.db.asService((tx) => acceptInvitation(tx, { token: input.token, user: ctx.session.user, meta: ctx.meta })),
  ),
});

const accountRouter = router({
  me: userProcedure.query(async ({ ctx }) => ({ user: ctx.session.user, workspaces: await listMyWorkspaces(ctx.tx, ctx.session.user.id) })),
  updateName: userProcedure
    .input(personNameInput)
    .mutation(({ ctx, input }) => renameUser(ctx.tx, { userId: ctx.session.user.id, name: input.name })),
  changePassword: authedProcedure
    .input(changePasswordInput)
    .mutation(({ ctx, input }) =>
      changePassword(deps(ctx), { ...input, userId: ctx.session.user.id, sessionId: ctx.session.id, meta: ctx.meta }),
    ),
  changeEmail: authedProcedure
    .input(changeEmailInput)
    .mutation(({ ctx, input }) => changeEmail(deps(ctx), { ...input, userId: ctx.session.user.id, meta: ctx.meta })),
  sessions: userProcedure.query(({ ctx }) => listSessions(ctx.tx, ctx.session.id)),
  revokeSession: userProcedure
    .input(sessionInput)
    .mutation(({ ctx, input }) =>
      revokeAccountSession(ctx.tx, { userId: ctx.session.user.id, sessionId: input.sessionId, meta: ctx.meta }),
    ),
});

const workspacesRouter = router({
  mine: userProcedure.query(({ ctx }) => listMyWorkspaces(ctx.tx, ctx.session.user.id)),
  create: userProcedure
    .input(workspaceNameInput)
    .mutation(({ ctx, input }) => createWorkspace(ctx.tx, ctx.session.user.id, input.name, ctx.meta)),
  get: workspaceProcedure('viewer').query(({ ctx }) => ctx.workspace),
  rename: workspaceProcedure('admin')
    .input(workspaceNameInput)
    .mutation(({ ctx, input }) =>
      renameWorkspace(ctx.tx, { workspace: ctx.workspace, actorId: ctx.session.user.id, name: input.name, meta: ctx.meta }),
    ),
  delete: workspaceProcedure('owner')
    .input(deleteWorkspaceInput)
    .mutation(({ ctx, input }) =>
      deleteWorkspace(ctx.tx, { workspace: ctx.workspace, actorId: ctx.session.user.id, confirmation: input.confirmation, meta: ctx.meta }),
    ),
});

const membersRouter = router({
  list: workspaceProcedure('viewer').query(({ ctx }) => listMembers(ctx.tx, ctx.workspace.id)),
  changeRole: workspaceProcedure('admin')
    .input(changeRoleInput)
    .mutation(({ ctx, input }) => changeRole(ctx.tx, { workspace: ctx.workspace, actorId: ctx.session.user.id, ...input, meta: ctx.meta })),
  remove: workspaceProcedure('admin')
    .input(memberInput)
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
      return sendInvitation(ctx.tx, deps(ctx), { workspace: ctx.workspace, inviter: ctx.session.user, ...input, meta: ctx.meta });
    }),
  revoke: workspaceProcedure('admin')
    .input(invitationInput)
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
    .input(auditListInput)
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
