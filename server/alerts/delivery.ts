import { sql } from 'kysely';
import type { Database, Tx } from '../db';
import { renderEmail, type Mailer } from '../email';
import { createOutboundClient, type OutboundClient } from '../http/outbound';
import { nextStepFor } from './rules';

/**
 * Sending what evaluation decided (decision 017): one delivery is one email or one Slack message to
 * one person about one alert; the daily digest gathers a person's digest deliveries into one email or
 * one Slack message per channel. Every attempt is recorded on the delivery (status, attempts, last
 * error); the queue retries with backoff and the last failed attempt marks it failed.
 */

export type DeliveryDeps = {
  db: Database;
  mailer: Mailer;
  appUrl: string;
  /** The guarded client for the workspace's webhook URL (server/http/outbound.ts); default: production's rules (https, public only). */
  outbound?: OutboundClient;
};

type DeliveryRow = {
  id: string;
  status: string;
  channel: 'email' | 'slack';
  alert_id: string;
  title: string;
  severity: string;
  kind: string;
  client_name: string;
  workspace_name: string;
  workspace_slug: string;
  user_email: string | null;
  user_name: string | null;
  slack_webhook_url: string | null;
};

const alertUrl = (appUrl: string, slug: string, alertId: string) => `${appUrl.replace(/\/$/, '')}/w/${slug}/alerts/${alertId}`;

const strictOutbound = createOutboundClient({ httpsOnly: true });

/**
 * Posts a message to a Slack incoming webhook (or any endpoint that speaks its JSON) through the guarded
 * client: no redirects, 5 s, a 16 KB answer at most. Throws an OutboundError with a short reason
 * ("Slack answered 500", "Slack: the address is not public"), never what the target answered.
 */
export async function postToSlack(deps: Pick<DeliveryDeps, 'outbound'>, url: string, message: { text: string }): Promise<void> {
  await (deps.outbound ?? strictOutbound).request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(message),
    service: 'Slack',
    timeoutMs: 5_000,
    maxBytes: 16 * 1024,
  });
}

/**
 * Text for a Slack message, escaped as Slack asks (`&`, `<`, `>`): user text (a client's name, a
 * person's name) cannot mention `<!channel>` or forge a `<url|link>`. Our own markup goes around it.
 */
export function slackText(value: string): string {
  return value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Records one attempt at the deliveries `ids`: sent, or failed with its error (still waiting: the queue retries, or tomorrow's digest). */
async function recordAttempt(db: Database, ids: string[], outcome: 'sent' | { error: unknown }): Promise<void> {
  const set =
    outcome === 'sent'
      ? sql`status = 'sent', sent_at = now(), last_error = null`
      : sql`status = 'pending', last_error = ${errorMessage(outcome.error).slice(0, 500)}`;
  // Owner connection: the worker records what it sent for every workspace.
  await db.asService((tx) =>
    sql`update public.alert_deliveries set attempts = attempts + 1, ${set} where id = any (${ids}::bigint[])`.execute(tx),
  );
}

/** The delivery's last attempt failed (its job's dead-letter step): it reads as failed, with the error. */
export async function markDeliveryFailed(tx: Tx, deliveryId: string, error: string): Promise<void> {
  await tx
    .updateTable('alert_deliveries')
    .set({ status: 'failed', last_error: error.slice(0, 500) })
    .where('id', '=', deliveryId)
    .where('status', '=', 'pending')
    .execute();
}

/** What the sweep asks for again: immediate deliveries still pending `olderThanMinutes` after they were created. */
export async function stalledDeliveries(
  tx: Tx,
  options: { olderThanMinutes: number; limit: number },
): Promise<Array<{ workspaceId: string; deliveryId: string }>> {
  const rows = await tx
    .selectFrom('alert_deliveries')
    .select(['workspace_id', 'id'])
    .where('mode', '=', 'immediate')
    .where('status', '=', 'pending')
    .where('created_at', '<', sql<Date>`now() - make_interval(mins => ${options.olderThanMinutes})`)
    .orderBy('created_at')
    .limit(options.limit)
    .execute();
  return rows.map((row) => ({ workspaceId: row.workspace_id, deliveryId: String(row.id) }));
}

/** Sends one immediate delivery; a failure is recorded on it and thrown (the queue retries; the last failure dead-letters it). */
export async function sendDelivery(deps: DeliveryDeps, deliveryId: string): Promise<'sent' | 'already-sent' | 'gone'> {
  const row = (
    await deps.db.readAsService((kysely) =>
      sql<DeliveryRow>`
        select d.id::text, d.status, d.channel, d.mode, a.id as alert_id, a.title, a.severity, a.kind, c.name as client_name,
               w.name as workspace_name, w.slug as workspace_slug, u.email as user_email, u.name as user_name, s.slack_webhook_url
          from public.alert_deliveries d
          join public.alerts a on a.id = d.alert_id
          join public.clients c on c.id = a.client_id
          join public.workspaces w on w.id = d.workspace_id
          left join public.users u on u.id = d.user_id
          left join public.workspace_alert_settings s on s.workspace_id = d.workspace_id
         where d.id = ${deliveryId}::bigint`.execute(kysely),
    )
  ).rows[0];
  if (!row) return 'gone';
  if (row.status === 'sent') return 'already-sent';
  const url = alertUrl(deps.appUrl, row.workspace_slug, row.alert_id);
  try {
    if (row.channel === 'email') {
      if (!row.user_email) return 'gone';
      const email = await renderEmail('alert', {
        workspaceName: row.workspace_name,
        clientName: row.client_name,
        title: row.title,
        severity: row.severity,
        nextStep: nextStepFor(row.kind),
        alertUrl: url,
      });
      await deps.mailer.send(row.user_email, email);
    } else {
      if (!row.slack_webhook_url) return 'gone';
      const forWhom = row.user_name ? ` — for ${slackText(row.user_name)}` : '';
      await postToSlack(deps, row.slack_webhook_url, {
        text:
          `:rotating_light: *${slackText(row.client_name)}*: ${slackText(row.title)} (${slackText(row.severity)})${forWhom}\n` +
          `${slackText(nextStepFor(row.kind))}\n<${slackText(url)}|Open the alert>`,
      });
    }
  } catch (error) {
    await recordAttempt(deps.db, [deliveryId], { error });
    throw error;
  }
  await recordAttempt(deps.db, [deliveryId], 'sent');
  return 'sent';
}

/**
 * The daily digests: for each person and channel with digest deliveries waiting, one email or Slack
 * message listing those alerts (still-unresolved ones), then marked sent. A failed send leaves them
 * waiting for the next day (with the error recorded); it never stops the other digests.
 */
export async function sendDigests(deps: DeliveryDeps): Promise<{ sent: number; failed: number }> {
  const groups = (
    await deps.db.readAsService((kysely) =>
      sql<{
        workspace_id: string;
        workspace_name: string;
        workspace_slug: string;
        user_id: string;
        channel: 'email' | 'slack';
        user_email: string;
        user_name: string;
        slack_webhook_url: string | null;
        items: Array<{ deliveryId: string; alertId: string; clientName: string; title: string }>;
      }>`
        select d.workspace_id, w.name as workspace_name, w.slug as workspace_slug, d.user_id, d.channel,
               u.email as user_email, u.name as user_name, s.slack_webhook_url,
               jsonb_agg(jsonb_build_object('deliveryId', d.id::text, 'alertId', a.id, 'clientName', c.name, 'title', a.title)
                         order by a.last_triggered_at desc) as items
          from public.alert_deliveries d
          join public.alerts a on a.id = d.alert_id
          join public.clients c on c.id = a.client_id
          join public.workspaces w on w.id = d.workspace_id
          join public.users u on u.id = d.user_id
          left join public.workspace_alert_settings s on s.workspace_id = d.workspace_id
         where d.mode = 'digest' and d.status = 'pending'
         group by d.workspace_id, w.name, w.slug, d.user_id, d.channel, u.email, u.name, s.slack_webhook_url`.execute(kysely),
    )
  ).rows;
  let sent = 0;
  let failed = 0;
  for (const group of groups) {
    const ids = group.items.map((item) => item.deliveryId);
    const alerts = group.items.map((item) => ({
      clientName: item.clientName,
      title: item.title,
      url: alertUrl(deps.appUrl, group.workspace_slug, item.alertId),
    }));
    try {
      if (group.channel === 'email') {
        await deps.mailer.send(
          group.user_email,
          await renderEmail('alert-digest', {
            workspaceName: group.workspace_name,
            alerts,
            inboxUrl: `${deps.appUrl.replace(/\/$/, '')}/w/${group.workspace_slug}/alerts`,
          }),
        );
      } else if (group.slack_webhook_url) {
        await postToSlack(deps, group.slack_webhook_url, {
          text:
            `Daily digest for ${slackText(group.user_name)}: ${alerts.length} alert${alerts.length === 1 ? '' : 's'}\n` +
            alerts
              .map((alert) => `• *${slackText(alert.clientName)}*: ${slackText(alert.title)} <${slackText(alert.url)}|open>`)
              .join('\n'),
        });
      }
      await recordAttempt(deps.db, ids, 'sent');
      sent += 1;
    } catch (error) {
      // Left waiting for tomorrow's digest.
      await recordAttempt(deps.db, ids, { error });
      failed += 1;
    }
  }
  return { sent, failed };
}
