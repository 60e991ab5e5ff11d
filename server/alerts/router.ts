import { z } from 'zod';
import { router, workspaceProcedure } from '../trpc';
import { actOnAlert, alertActionSchema, getAlert, inboxFiltersSchema, listAlerts, ruleQuality, unreadCount } from './inbox';
import {
  alertSettings,
  alertSettingsSchema,
  listRules,
  preferences,
  preferencesSchema,
  ruleUpdateSchema,
  setPreferences,
  updateAlertSettings,
  updateRule,
} from './rules';

export const alertsRouter = router({
  list: workspaceProcedure('viewer')
    .input(z.object({ filters: inboxFiltersSchema.default({ mine: false, status: 'unresolved' }) }))
    .query(({ ctx, input }) => listAlerts(ctx.tx, { workspaceId: ctx.workspace.id, userId: ctx.session.user.id, filters: input.filters })),
  unreadCount: workspaceProcedure('viewer').query(({ ctx }) =>
    unreadCount(ctx.tx, { workspaceId: ctx.workspace.id, userId: ctx.session.user.id }),
  ),
  get: workspaceProcedure('viewer')
    .input(z.object({ alertId: z.uuid() }))
    .query(({ ctx, input }) => getAlert(ctx.tx, { workspaceId: ctx.workspace.id, userId: ctx.session.user.id, alertId: input.alertId })),
  act: workspaceProcedure('manager')
    .input(z.object({ alertId: z.uuid(), action: alertActionSchema }))
    .mutation(({ ctx, input }) =>
      actOnAlert(ctx.tx, { workspaceId: ctx.workspace.id, userId: ctx.session.user.id, alertId: input.alertId, action: input.action }),
    ),
  ruleQuality: workspaceProcedure('viewer').query(({ ctx }) => ruleQuality(ctx.tx, ctx.workspace.id)),
  rules: workspaceProcedure('viewer').query(({ ctx }) => listRules(ctx.tx, ctx.workspace.id)),
  updateRule: workspaceProcedure('admin')
    .input(ruleUpdateSchema)
    .mutation(({ ctx, input: { workspaceSlug: _slug, ...rule } }) =>
      updateRule(ctx.tx, { workspaceId: ctx.workspace.id, actorId: ctx.session.user.id, meta: ctx.meta, rule }),
    ),
  settings: workspaceProcedure('admin').query(({ ctx }) => alertSettings(ctx.tx, ctx.workspace.id)),
  updateSettings: workspaceProcedure('admin')
    .input(alertSettingsSchema)
    .mutation(({ ctx, input: { workspaceSlug: _slug, ...settings } }) =>
      updateAlertSettings(ctx.tx, { workspaceId: ctx.workspace.id, actorId: ctx.session.user.id, meta: ctx.meta, settings }),
    ),
  preferences: workspaceProcedure('viewer').query(({ ctx }) => preferences(ctx.tx, ctx.workspace.id, ctx.session.user.id)),
  setPreferences: workspaceProcedure('viewer')
    .input(preferencesSchema)
    .mutation(({ ctx, input: { workspaceSlug: _slug, ...prefs } }) =>
      setPreferences(ctx.tx, { workspaceId: ctx.workspace.id, userId: ctx.session.user.id, preferences: prefs }),
    ),
});
