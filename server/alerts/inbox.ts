import { sql } from 'kysely';
import type { Tx } from '../db';
import { encodeCursor } from '../db/cursor';
import { AppError } from '../errors';
import { RULE_LABELS, nextStepFor } from './rules';
import { RULE_KINDS, type AlertAction, type AlertCursor, type InboxFilters, type RuleKind } from './schemas';

/**
 * The alert inbox, as the member under RLS: a filtered, keyset-paginated list, one alert with its
 * context, the actions that work it (acknowledge, assign, snooze, resolve with an outcome), the unread
 * count for the navigation, and per rule how often alerts were resolved without action.
 */

const INBOX_PAGE = 25;

export type InboxAlert = {
  id: string;
  clientId: string;
  clientName: string;
  kind: RuleKind;
  rule: string;
  severity: string;
  status: string;
  title: string;
  assigneeName: string | null;
  snoozedUntil: Date | null;
  triggerCount: number;
  lastTriggeredAt: Date;
  unread: boolean;
};

/** "Mine": assigned to me, or unassigned on a client I own — or, on a client nobody owns, I am an admin (they are told). */
const mineCondition = (userId: string) =>
  sql<boolean>`(a.assignee_id = ${userId}::uuid or (a.assignee_id is null and (c.owner_id = ${userId}::uuid
    or (c.owner_id is null and exists (select 1 from public.workspace_members m
                                         where m.workspace_id = a.workspace_id and m.user_id = ${userId}::uuid
                                           and m.role in ('admin', 'owner'))))))`;
const unreadCondition = (userId: string) =>
  sql<boolean>`not exists (select 1 from public.alert_reads r
                            where r.alert_id = a.id and r.user_id = ${userId}::uuid
                              and r.read_at >= greatest(a.last_triggered_at, a.woken_at))`;

export async function listAlerts(
  tx: Tx,
  input: { workspaceId: string; userId: string; filters: InboxFilters },
): Promise<{ alerts: InboxAlert[]; nextCursor: string | null }> {
  const { filters } = input;
  const after = filters.cursor;
  const statusCondition =
    filters.status === 'all'
      ? sql`true`
      : filters.status === 'unresolved'
        ? sql`a.status <> 'resolved'`
        : sql`a.status = ${filters.status}`;
  const rows = await sql<{
    id: string;
    client_id: string;
    client_name: string;
    kind: RuleKind;
    severity: string;
    status: string;
    title: string;
    assignee_name: string | null;
    snoozed_until: Date | null;
    trigger_count: number;
    last_triggered_at: Date;
    unread: boolean;
  }>`
    select a.id, a.client_id, c.name as client_name, a.kind, a.severity, a.status, a.title, u.name as assignee_name, a.snoozed_until,
           a.trigger_count, a.last_triggered_at, ${unreadCondition(input.userId)} as unread
      from public.alerts a
      join public.clients c on c.id = a.client_id
      left join public.users u on u.id = a.assignee_id
     where a.workspace_id = ${input.workspaceId}::uuid
       and ${statusCondition}
       and ${filters.severity ? sql`a.severity = ${filters.severity}` : sql`true`}
       and ${filters.kind ? sql`a.kind = ${filters.kind}` : sql`true`}
       and ${filters.mine ? mineCondition(input.userId) : sql`true`}
       and ${after ? sql`(a.last_triggered_at, a.id) < (${after[0]}::timestamptz, ${after[1]}::uuid)` : sql`true`}
     order by a.last_triggered_at desc, a.id desc
     limit ${INBOX_PAGE + 1}`.execute(tx);
  const page = rows.rows.slice(0, INBOX_PAGE);
  const last = page.at(-1);
  return {
    alerts: page.map((row) => ({
      id: row.id,
      clientId: row.client_id,
      clientName: row.client_name,
      kind: row.kind,
      rule: RULE_LABELS[row.kind] ?? row.kind,
      severity: row.severity,
      status: row.status,
      title: row.title,
      assigneeName: row.assignee_name,
      snoozedUntil: row.snoozed_until,
      triggerCount: row.trigger_count,
      lastTriggeredAt: row.last_triggered_at,
      unread: row.unread,
    })),
    nextCursor: rows.rows.length > INBOX_PAGE && last ? encodeCursor<AlertCursor>([last.last_triggered_at.toISOString(), last.id]) : null,
  };
}

/** Unresolved, not snoozed, mine, and not seen since it last triggered or woke from a snooze. */
export async function unreadCount(tx: Tx, input: { workspaceId: string; userId: string }): Promise<number> {
  const result = await sql<{ n: number }>`
    select count(*)::int as n
      from public.alerts a join public.clients c on c.id = a.client_id
     where a.workspace_id = ${input.workspaceId}::uuid and a.status in ('open', 'acknowledged')
       and ${mineCondition(input.userId)} and ${unreadCondition(input.userId)}`.execute(tx);
  return result.rows[0]!.n;
}

export type AlertDetail = {
  id: string;
  kind: RuleKind;
  rule: string;
  severity: string;
  status: string;
  title: string;
  detail: Record<string, unknown>;
  nextStep: string;
  client: { id: string; name: string; healthScore: number | null; riskLevel: string | null; ownerName: string | null };
  assigneeId: string | null;
  assigneeName: string | null;
  snoozedUntil: Date | null;
  outcome: string | null;
  resolutionNote: string | null;
  resolvedAt: Date | null;
  resolvedByName: string | null;
  triggerCount: number;
  firstTriggeredAt: Date;
  lastTriggeredAt: Date;
  interactions: Array<{
    id: string;
    type: string;
    occurredAt: Date;
    subject: string | null;
    summary: string | null;
    label: string | null;
    signals: string[];
  }>;
  deliveries: Array<{
    channel: string;
    mode: string;
    status: string;
    attempts: number;
    recipientName: string | null;
    sentAt: Date | null;
    lastError: string | null;
  }>;
};

/** One alert with its context; marks it read for the viewer. */
export async function getAlert(tx: Tx, input: { workspaceId: string; userId: string; alertId: string }): Promise<AlertDetail> {
  const row = (
    await sql<{
      id: string;
      kind: RuleKind;
      severity: string;
      status: string;
      title: string;
      detail: Record<string, unknown>;
      client_id: string;
      client_name: string;
      health_score: number | null;
      risk_level: string | null;
      owner_name: string | null;
      assignee_id: string | null;
      assignee_name: string | null;
      snoozed_until: Date | null;
      outcome: string | null;
      resolution_note: string | null;
      resolved_at: Date | null;
      resolved_by_name: string | null;
      trigger_count: number;
      first_triggered_at: Date;
      last_triggered_at: Date;
    }>`
      select a.id, a.kind, a.severity, a.status, a.title, a.detail,
             c.id as client_id, c.name as client_name, c.health_score, c.risk_level, o.name as owner_name,
             a.assignee_id, u.name as assignee_name, a.snoozed_until, a.outcome, a.resolution_note, a.resolved_at,
             r.name as resolved_by_name,
             a.trigger_count, a.first_triggered_at, a.last_triggered_at
        from public.alerts a
        join public.clients c on c.id = a.client_id
        left join public.users o on o.id = c.owner_id
        left join public.users u on u.id = a.assignee_id
        left join public.users r on r.id = a.resolved_by
       where a.id = ${input.alertId}::uuid and a.workspace_id = ${input.workspaceId}::uuid`.execute(tx)
  ).rows[0];
  if (!row) throw new AppError('NOT_FOUND', 'That alert does not exist in this workspace.');
  // The interactions behind it: those it names, else the client's negative ones of the last 30 days.
  const named = Array.isArray(row.detail.interactionIds) ? (row.detail.interactionIds as string[]) : [];
  const [interactions, deliveries] = await Promise.all([
    tx
      .selectFrom('interactions')
      .select(['id', 'type', 'occurred_at', 'subject', 'sentiment_summary', 'sentiment_label', 'sentiment_signals'])
      .where('client_id', '=', row.client_id)
      .where((eb) =>
        named.length
          ? eb('id', 'in', named)
          : eb.and([
              eb('sentiment_label', '=', 'negative'),
              eb('occurred_at', '>', sql<Date>`${row.last_triggered_at}::timestamptz - interval '30 days'`),
            ]),
      )
      .orderBy('occurred_at', 'desc')
      .limit(5)
      .execute(),
    tx
      .selectFrom('alert_deliveries as d')
      .leftJoin('users as u', 'u.id', 'd.user_id')
      .select(['d.channel', 'd.mode', 'd.status', 'd.attempts', 'u.name as recipientName', 'd.sent_at', 'd.last_error'])
      .where('d.alert_id', '=', row.id)
      .orderBy('d.id')
      .execute(),
  ]);
  await sql`insert into public.alert_reads (alert_id, user_id, workspace_id)
            values (${row.id}::uuid, ${input.userId}::uuid, ${input.workspaceId}::uuid)
            on conflict (alert_id, user_id) do update set read_at = now()`.execute(tx);
  return {
    id: row.id,
    kind: row.kind,
    rule: RULE_LABELS[row.kind] ?? row.kind,
    severity: row.severity,
    status: row.status,
    title: row.title,
    detail: row.detail,
    nextStep: nextStepFor(row.kind),
    client: {
      id: row.client_id,
      name: row.client_name,
      healthScore: row.health_score,
      riskLevel: row.risk_level,
      ownerName: row.owner_name,
    },
    assigneeId: row.assignee_id,
    assigneeName: row.assignee_name,
    snoozedUntil: row.snoozed_until,
    outcome: row.outcome,
    resolutionNote: row.resolution_note,
    resolvedAt: row.resolved_at,
    resolvedByName: row.resolved_by_name,
    triggerCount: row.trigger_count,
    firstTriggeredAt: row.first_triggered_at,
    lastTriggeredAt: row.last_triggered_at,
    interactions: interactions.map((item) => ({
      id: item.id,
      type: item.type,
      occurredAt: item.occurred_at,
      subject: item.subject,
      summary: item.sentiment_summary,
      label: item.sentiment_label,
      signals: item.sentiment_signals ?? [],
    })),
    deliveries: deliveries.map((item) => ({ ...item, sentAt: item.sent_at, lastError: item.last_error })),
  };
}

/** Works an alert (managers and up, enforced by RLS and the procedure). */
export async function actOnAlert(
  tx: Tx,
  input: { workspaceId: string; userId: string; alertId: string; action: AlertAction },
): Promise<void> {
  const current = await tx
    .selectFrom('alerts')
    .select(['id', 'status'])
    .where('id', '=', input.alertId)
    .where('workspace_id', '=', input.workspaceId)
    .executeTakeFirst();
  if (!current) throw new AppError('NOT_FOUND', 'That alert does not exist in this workspace.');
  const { action } = input;
  if (current.status === 'resolved' && action.action !== 'reopen')
    throw new AppError('CONFLICT', 'This alert is resolved already; re-open it first.');
  const update = tx
    .updateTable('alerts')
    .where('id', '=', current.id)
    .set({ updated_at: sql<Date>`now()` });
  switch (action.action) {
    case 'acknowledge':
      await update.set({ status: 'acknowledged', snoozed_until: null }).execute();
      return;
    case 'assign': {
      if (action.assigneeId) {
        const member = await tx
          .selectFrom('workspace_members')
          .select('user_id')
          .where('workspace_id', '=', input.workspaceId)
          .where('user_id', '=', action.assigneeId)
          .where('role', '<>', 'viewer')
          .executeTakeFirst();
        if (!member) throw AppError.field('assigneeId', 'Choose a teammate who can work alerts (a manager, admin or owner).');
      }
      await update.set({ assignee_id: action.assigneeId }).execute();
      return;
    }
    case 'snooze': {
      const until = new Date(`${action.until}T08:00:00Z`);
      if (until.getTime() <= Date.now()) throw AppError.field('until', 'Choose a date after today.');
      if (until.getTime() > Date.now() + 90 * 86_400_000) throw AppError.field('until', 'Snooze for at most 90 days.');
      await update.set({ status: 'snoozed', snoozed_until: until }).execute();
      return;
    }
    case 'resolve':
      if (action.outcome === 'action_taken' && !action.note)
        throw AppError.field('note', 'Say what you did, so the team can learn from it.');
      await update
        .set({
          status: 'resolved',
          snoozed_until: null,
          outcome: action.outcome,
          resolution_note: action.note || null,
          resolved_at: sql<Date>`now()`,
          resolved_by: input.userId,
        })
        .execute();
      return;
    case 'reopen': {
      if (current.status !== 'resolved') throw new AppError('CONFLICT', 'This alert is not resolved.');
      // At most one unresolved alert per client and rule: a newer one may be open already.
      const result = await sql`
        update public.alerts a
           set status = 'open', outcome = null, resolution_note = null, resolved_at = null, resolved_by = null, updated_at = now()
         where a.id = ${current.id}::uuid
           and not exists (select 1 from public.alerts b
                            where b.client_id = a.client_id and b.rule_id = a.rule_id and b.status <> 'resolved')`.execute(tx);
      if (!Number(result.numAffectedRows))
        throw new AppError('CONFLICT', 'A newer alert of this rule is open for this client; work that one.');
      return;
    }
  }
}

/** Per rule, over the last 90 days: alerts resolved, and how many of them without action (noise). */
export async function ruleQuality(
  tx: Tx,
  workspaceId: string,
): Promise<Array<{ kind: RuleKind; rule: string; opened: number; resolved: number; withoutAction: number }>> {
  const rows = await sql<{ kind: RuleKind; opened: number; resolved: number; without_action: number }>`
    select r.kind,
           count(a.id) filter (where a.first_triggered_at > now() - interval '90 days')::int as opened,
           count(a.id) filter (where a.status = 'resolved' and a.resolved_at > now() - interval '90 days')::int as resolved,
           count(a.id) filter (where a.status = 'resolved' and a.outcome = 'no_action'
                                 and a.resolved_at > now() - interval '90 days')::int as without_action
      from public.alert_rules r
      left join public.alerts a on a.rule_id = r.id
     where r.workspace_id = ${workspaceId}::uuid
     group by r.kind`.execute(tx);
  return rows.rows
    .map((row) => ({
      kind: row.kind,
      rule: RULE_LABELS[row.kind],
      opened: row.opened,
      resolved: row.resolved,
      withoutAction: row.without_action,
    }))
    .sort((a, b) => RULE_KINDS.indexOf(a.kind) - RULE_KINDS.indexOf(b.kind));
}
