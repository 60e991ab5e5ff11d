import { router, workspaceProcedure } from '../trpc';
import { actOnAlert, getAlert, listAlerts, ruleQuality, unreadCount } from './inbox';
import { alertSettings, listRules, preferences, setPreferences, updateAlertSettings, updateRule } from './rules';
import {
  alertActInput,
  alertInput,
  alertListInput,
  alertSettingsSchema,
  preferencesSchema,
  ruleUpdateSchema,
  slackWebhookPolicyOf,
} from './schemas';

export const alertsRouter = router({
  list: workspaceProcedure('viewer')
    .input(alertListInput)
    .query(({ ctx, input }) => listAlerts(ctx.tx, { workspaceId: ctx.workspace.id, userId: ctx.session.user.id, filters: input.filters })),
  unreadCount: workspaceProcedure('viewer').query(({ ctx }) =>
    unreadCount(ctx.tx, { workspaceId: ctx.workspace.id, userId: ctx.session.user.id }),
  ),
  get: workspaceProcedure('viewer')
    .input(alertInput)
    .query(({ ctx, input }) => getAlert(ctx.tx, { workspaceId: ctx.workspace.id, userId: ctx.session.user.id, alertId: input.alertId })),
  act: workspaceProcedure('manager')
    .input(alertActInput)
    .mutation(({ ctx, input }) =>
      actOnAlert(ctx.tx, { workspaceId: ctx.workspace.id, userId: ctx.session.user.id, alertId: input.alertId, action: input.action }),
    ),
  ruleQuality: workspaceProcedure('viewer').query(({ ctx }) => ruleQuality(ctx.tx, ctx.workspace.id)),
  rules: workspaceProcedure('viewer').query(({ ctx }) => listRules(ctx.tx, ctx.workspace.id)),
  updateRule: workspaceProcedure('admin')
    .input(ruleUpdateSchema)
    .mutation(({ ctx, input }) =>
      updateRule(ctx.tx, { workspaceId: ctx.workspace.id, actorId: ctx.session.user.id, meta: ctx.meta, rule: input }),
    ),
  settings: workspaceProcedure('admin').query(({ ctx }) => alertSettings(ctx.tx, ctx.workspace.id)),
  updateSettings: workspaceProcedure('admin')
    .input(alertSettingsSchema)
    .mutation(({ ctx, input }) =>
      updateAlertSettings(ctx.tx, {
        workspaceId: ctx.workspace.id,
        actorId: ctx.session.user.id,
        meta: ctx.meta,
        settings: input,
        webhookPolicy: slackWebhookPolicyOf(ctx.services.env),
      }),
    ),
  preferences: workspaceProcedure('viewer').query(({ ctx }) => preferences(ctx.tx, ctx.workspace.id, ctx.session.user.id)),
  setPreferences: workspaceProcedure('viewer')
    .input(preferencesSchema)
    .mutation(({ ctx, input }) =>
      setPreferences(ctx.tx, { workspaceId: ctx.workspace.id, userId: ctx.session.user.id, preferences: input }),
    ),
});
