import { sql } from 'kysely';
import type { Tx } from '../db';
import { AppError } from '../errors';
import { recordAudit, type RequestMeta } from '../identity/audit';
import {
  RULE_KINDS,
  RULE_PARAMS,
  slackWebhookProblem,
  type AlertSettingsInput,
  type NotificationPreferences,
  type RuleKind,
  type RuleUpdate,
  type SlackWebhookPolicy,
} from './schemas';

/**
 * Alert rules (one of each kind per workspace, seeded with defaults by a trigger), the workspace's
 * alert settings (Slack webhook, hourly cap) and each person's notification preferences.
 */

export const RULE_LABELS: Record<RuleKind, string> = {
  score_drop: 'Score dropped',
  entered_critical: 'Became critical',
  entered_at_risk: 'Became at risk',
  churn_signal: 'Churn signal in a negative interaction',
  no_contact: 'No two-way contact',
  renewal_risk: 'Renewal coming while not healthy',
};

const NEXT_STEPS: Record<RuleKind, string> = {
  score_drop: 'Read the interactions that moved the score and call the main contact this week.',
  entered_critical: 'Call the main contact within 48 hours and agree a recovery plan.',
  entered_at_risk: 'Book a check-in to find out what changed before it gets worse.',
  churn_signal: 'Answer the message today: acknowledge the problem and offer a call with someone senior.',
  no_contact: 'Reach out with something useful (a usage review, a new feature) to restart the conversation.',
  renewal_risk: 'Plan the renewal conversation now: address open issues before the date.',
};
export const nextStepFor = (kind: string) => NEXT_STEPS[kind as RuleKind] ?? 'Look into this client.';

export type AlertRule = {
  id: string;
  kind: RuleKind;
  label: string;
  enabled: boolean;
  params: Record<string, unknown>;
  severity: string;
  cooldownDays: number;
  updatedAt: Date;
};

export async function listRules(tx: Tx, workspaceId: string): Promise<AlertRule[]> {
  const rows = await tx.selectFrom('alert_rules').selectAll().where('workspace_id', '=', workspaceId).execute();
  return rows
    .map((row) => ({
      id: row.id,
      kind: row.kind as RuleKind,
      label: RULE_LABELS[row.kind as RuleKind],
      enabled: row.enabled,
      params: row.params as Record<string, unknown>,
      severity: row.severity,
      cooldownDays: row.cooldown_days,
      updatedAt: row.updated_at,
    }))
    .sort((a, b) => RULE_KINDS.indexOf(a.kind) - RULE_KINDS.indexOf(b.kind));
}

export async function updateRule(
  tx: Tx,
  input: { workspaceId: string; actorId: string; meta: RequestMeta; rule: RuleUpdate },
): Promise<void> {
  const before = (await listRules(tx, input.workspaceId)).find((rule) => rule.id === input.rule.ruleId);
  if (!before) throw new AppError('NOT_FOUND', 'That rule does not exist in this workspace.');
  const parsed = RULE_PARAMS[before.kind].safeParse(input.rule.params);
  if (!parsed.success) {
    const fieldErrors: Record<string, string[]> = {};
    for (const issue of parsed.error.issues) (fieldErrors[String(issue.path[0] ?? 'params')] ??= []).push(issue.message);
    throw new AppError('BAD_REQUEST', 'Check the rule’s parameters.', fieldErrors);
  }
  const after = { enabled: input.rule.enabled, severity: input.rule.severity, cooldownDays: input.rule.cooldownDays, params: parsed.data };
  await tx
    .updateTable('alert_rules')
    .set({
      enabled: after.enabled,
      severity: after.severity,
      cooldown_days: after.cooldownDays,
      params: JSON.stringify(after.params),
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', before.id)
    .where('workspace_id', '=', input.workspaceId)
    .execute();
  await recordAudit(tx, {
    action: 'alert.rule_changed',
    actorId: input.actorId,
    workspaceId: input.workspaceId,
    target: { type: 'alert_rule', id: before.id },
    before: {
      kind: before.kind,
      enabled: before.enabled,
      severity: before.severity,
      cooldownDays: before.cooldownDays,
      params: before.params,
    },
    after: { kind: before.kind, ...after },
    meta: input.meta,
  });
}

export type AlertSettings = { slackWebhookUrl: string | null; immediateCapPerHour: number };

export async function alertSettings(tx: Tx, workspaceId: string): Promise<AlertSettings> {
  const row = await tx.selectFrom('workspace_alert_settings').selectAll().where('workspace_id', '=', workspaceId).executeTakeFirst();
  return { slackWebhookUrl: row?.slack_webhook_url ?? null, immediateCapPerHour: row?.immediate_cap_per_hour ?? 5 };
}

export async function updateAlertSettings(
  tx: Tx,
  input: { workspaceId: string; actorId: string; meta: RequestMeta; settings: AlertSettingsInput; webhookPolicy: SlackWebhookPolicy },
): Promise<void> {
  const problem = slackWebhookProblem(input.settings.slackWebhookUrl, input.webhookPolicy);
  if (problem) throw AppError.field('slackWebhookUrl', problem);
  const before = await alertSettings(tx, input.workspaceId);
  const values = {
    slack_webhook_url: input.settings.slackWebhookUrl || null,
    immediate_cap_per_hour: input.settings.immediateCapPerHour,
    updated_at: sql<Date>`now()`,
  };
  await tx
    .insertInto('workspace_alert_settings')
    .values({ workspace_id: input.workspaceId, ...values })
    .onConflict((conflict) => conflict.column('workspace_id').doUpdateSet(values))
    .execute();
  // The webhook URL is a secret (anyone with it can post to the channel): the audit says whether it changed, not what it is.
  await recordAudit(tx, {
    action: 'alert.settings_changed',
    actorId: input.actorId,
    workspaceId: input.workspaceId,
    before: { slack: before.slackWebhookUrl ? 'set' : 'none', immediateCapPerHour: before.immediateCapPerHour },
    after: {
      slack: values.slack_webhook_url ? (values.slack_webhook_url === before.slackWebhookUrl ? 'set' : 'changed') : 'none',
      immediateCapPerHour: values.immediate_cap_per_hour,
    },
    meta: input.meta,
  });
}

export async function preferences(tx: Tx, workspaceId: string, userId: string): Promise<NotificationPreferences> {
  const row = await tx
    .selectFrom('notification_preferences')
    .select(['email', 'slack'])
    .where('workspace_id', '=', workspaceId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return {
    email: (row?.email as NotificationPreferences['email']) ?? 'immediate',
    slack: (row?.slack as NotificationPreferences['slack']) ?? 'immediate',
  };
}

export async function setPreferences(
  tx: Tx,
  input: { workspaceId: string; userId: string; preferences: NotificationPreferences },
): Promise<void> {
  const values = { email: input.preferences.email, slack: input.preferences.slack, updated_at: sql<Date>`now()` };
  await tx
    .insertInto('notification_preferences')
    .values({ workspace_id: input.workspaceId, user_id: input.userId, ...values })
    .onConflict((conflict) => conflict.columns(['workspace_id', 'user_id']).doUpdateSet(values))
    .execute();
}
