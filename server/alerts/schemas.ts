import { z } from 'zod';
import { cursorSchema, cursorTimestamp } from '../db/cursor';
import type { Env } from '../env';
import { CHURN_SIGNALS } from '../sentiment/types';

/** The alerts domain's inputs: rules and their parameters, settings, preferences, the inbox and its actions. */

export const RULE_KINDS = ['score_drop', 'entered_critical', 'entered_at_risk', 'churn_signal', 'no_contact', 'renewal_risk'] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

export const ALERT_STATUSES = ['open', 'acknowledged', 'snoozed', 'resolved'] as const;

const days = (label: string) =>
  z
    .number({ error: `Enter the ${label} as a whole number of days.` })
    .int('Whole days only.')
    .min(1, 'At least 1 day.')
    .max(365, 'At most 365 days.');

/** Parameters by kind; each field's name is its form field. */
export const RULE_PARAMS = {
  score_drop: z.object({
    points: z
      .number({ error: 'Enter the drop in points.' })
      .int('Whole points only.')
      .min(1, 'At least 1 point.')
      .max(100, 'At most 100 points.'),
    days: days('window'),
  }),
  entered_critical: z.object({}),
  entered_at_risk: z.object({}),
  churn_signal: z.object({ signals: z.array(z.enum(CHURN_SIGNALS)).min(1, 'Choose at least one signal.') }),
  no_contact: z.object({ days: days('silence') }),
  renewal_risk: z.object({ days: days('lead time') }),
} satisfies Record<RuleKind, z.ZodType>;

export const ruleUpdateSchema = z.object({
  ruleId: z.uuid(),
  enabled: z.boolean(),
  severity: z.enum(['low', 'medium', 'high'], { error: 'Choose low, medium or high.' }),
  cooldownDays: z
    .number({ error: 'Enter the cool-down in days.' })
    .int('Whole days only.')
    .min(0, 'At least 0 days.')
    .max(90, 'At most 90 days.'),
  params: z.record(z.string(), z.unknown()),
});
export type RuleUpdate = z.infer<typeof ruleUpdateSchema>;

const WEBHOOK_MESSAGE = 'Enter the webhook URL Slack gave you (https://hooks.slack.com/services/…).';

/**
 * A Slack incoming webhook as a form value: an http(s) URL without a user name or password. Where it
 * may point is decided by the deployment (slackWebhookProblem) and, on every call, by the guarded
 * outbound client (server/http/outbound.ts).
 */
const webhookUrl = z
  .string()
  .trim()
  .max(500, 'At most 500 characters.')
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'https:' || url.protocol === 'http:') && !url.username && !url.password;
    } catch {
      return false;
    }
  }, WEBHOOK_MESSAGE);

/** Where a Slack webhook may point: in production only Slack's incoming-webhook host and SLACK_WEBHOOK_HOSTS. */
export type SlackWebhookPolicy = { production: boolean; extraHosts: readonly string[] };

export function slackWebhookPolicyOf(env: Pick<Env, 'NODE_ENV' | 'SLACK_WEBHOOK_HOSTS'>): SlackWebhookPolicy {
  return { production: env.NODE_ENV === 'production', extraHosts: env.SLACK_WEBHOOK_HOSTS };
}

/**
 * Why this deployment will not call `value` (a URL that passed `webhookUrl`), for the field; null when
 * it will. Outside production any http(s) URL passes (the outbound client still refuses private
 * addresses); in production: https on the default port, to hooks.slack.com/services/… or a listed host.
 */
export function slackWebhookProblem(value: string, policy: SlackWebhookPolicy): string | null {
  if (!policy.production || value === '') return null;
  const url = new URL(value);
  const slack = url.hostname === 'hooks.slack.com' && url.pathname.startsWith('/services/');
  const allowedHost = slack || policy.extraHosts.includes(url.hostname);
  if (url.protocol === 'https:' && url.port === '' && allowedHost) return null;
  return policy.extraHosts.length > 0
    ? `Enter the webhook URL Slack gave you (https://hooks.slack.com/services/…) or an https URL on ${policy.extraHosts.join(', ')}.`
    : WEBHOOK_MESSAGE;
}

export const alertSettingsSchema = z.object({
  slackWebhookUrl: z.union([z.literal(''), webhookUrl]),
  immediateCapPerHour: z
    .number({ error: 'Enter a whole number from 1 to 100.' })
    .int('Whole numbers only.')
    .min(1, 'At least 1.')
    .max(100, 'At most 100.'),
});
export type AlertSettingsInput = z.infer<typeof alertSettingsSchema>;

export const NOTIFICATION_MODES = ['immediate', 'digest', 'off'] as const;
export const preferencesSchema = z.object({
  email: z.enum(NOTIFICATION_MODES, { error: 'Choose immediate, daily digest or off.' }),
  slack: z.enum(NOTIFICATION_MODES, { error: 'Choose immediate, daily digest or off.' }),
});
export type NotificationPreferences = z.infer<typeof preferencesSchema>;

/** An inbox page ends at an alert's (last_triggered_at, id). */
const alertCursorSchema = cursorSchema(z.tuple([cursorTimestamp, z.uuid()]));
export type AlertCursor = z.output<typeof alertCursorSchema>;

const inboxFiltersSchema = z.object({
  mine: z.boolean().default(false),
  /** `unresolved` (default): open, acknowledged and snoozed. */
  status: z.enum([...ALERT_STATUSES, 'unresolved', 'all']).default('unresolved'),
  severity: z.enum(['low', 'medium', 'high']).optional(),
  kind: z.enum(RULE_KINDS).optional(),
  cursor: alertCursorSchema.optional(),
});
export type InboxFilters = z.infer<typeof inboxFiltersSchema>;

export const alertListInput = z.object({ filters: inboxFiltersSchema.default({ mine: false, status: 'unresolved' }) });
export const alertInput = z.object({ alertId: z.uuid() });

const alertActionSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('acknowledge') }),
  z.object({ action: z.literal('assign'), assigneeId: z.uuid({ error: 'Choose a teammate.' }).nullable() }),
  z.object({
    action: z.literal('snooze'),
    until: z.iso.date({ error: 'Choose the date to snooze until.' }),
  }),
  z.object({
    action: z.literal('resolve'),
    outcome: z.enum(['action_taken', 'no_action'], { error: 'Say whether you acted on it.' }),
    note: z.string().trim().max(2000, 'At most 2,000 characters.').default(''),
  }),
  z.object({ action: z.literal('reopen') }),
]);
export type AlertAction = z.infer<typeof alertActionSchema>;

export const alertActInput = z.object({ alertId: z.uuid(), action: alertActionSchema });
