import { sql } from 'kysely';
import type { Database, Tx } from '../db';
import { alertsQueue } from '../queue/alerts';
import { requestJob } from '../queue/request';

/**
 * Alert evaluation (decision 017): one statement finds which enabled rules fire for the clients of a
 * workspace (or one client), and opens an alert for each — or, when one is already open for that
 * client and rule, updates it (deduplication is a partial unique index). A resolved alert re-opens
 * only after its rule's cool-down. New alerts get their deliveries in the same transaction.
 *
 * Runs in the worker after every health recompute of a client (which follows every sentiment result)
 * and daily for every client (the time-based rules: no contact, renewal).
 */

/**
 * Opens the snoozed alerts whose snooze has run out (of a workspace or client, or everywhere), and
 * stamps `woken_at` so they count as unread again. Evaluation does it first; the alerts queue's
 * `wake-snoozed` job every 15 minutes does it for every workspace, so a snooze ends on time even
 * for a client nothing happens to.
 */
export async function wakeSnoozedAlerts(tx: Tx, scope: { workspaceId?: string | null; clientId?: string | null } = {}): Promise<number> {
  const result = await sql`update public.alerts set status = 'open', snoozed_until = null, woken_at = now(), updated_at = now()
               where status = 'snoozed' and snoozed_until <= now()
                 and (${scope.workspaceId ?? null}::uuid is null or workspace_id = ${scope.workspaceId ?? null}::uuid)
                 and (${scope.clientId ?? null}::uuid is null or client_id = ${scope.clientId ?? null}::uuid)`.execute(tx);
  return Number(result.numAffectedRows ?? 0);
}

export type EvaluationResult = { fired: number; opened: number; updated: number; deliveries: number };

export async function evaluateAlerts(db: Database, input: { workspaceId: string; clientId?: string }): Promise<EvaluationResult> {
  return db.asService(async (tx) => {
    const client = input.clientId ?? null;
    // Snoozes that have run out are open again before anything else looks at them.
    await wakeSnoozedAlerts(tx, { workspaceId: input.workspaceId, clientId: client });
    const result = await sql<{ id: string; created: boolean }>`
      with rules as (
        select r.* from public.alert_rules r where r.workspace_id = ${input.workspaceId}::uuid and r.enabled
      ),
      targets as (
        select c.id, c.status, c.health_score, c.risk_level, c.health_computed_at, c.last_contact_at, c.created_at, c.renewal_date
          from public.clients c
         where c.workspace_id = ${input.workspaceId}::uuid and (${client}::uuid is null or c.id = ${client}::uuid) and c.status <> 'churned'
      ),
      -- The history row before the current one (the client row always equals the latest).
      previous as (
        select t.id as client_id, p.score, p.risk_level
          from targets t
          cross join lateral (select h.score, h.risk_level
                                from public.health_scores h
                               where h.client_id = t.id
                               order by h.computed_at desc offset 1 limit 1) p
         where t.health_score is not null and exists (select 1 from rules where kind in ('entered_critical', 'entered_at_risk'))
      ),
      drops as (
        select t.id as client_id, r.id as rule_id, b.best, t.health_score as score, (r.params->>'days')::int as days
          from targets t
          join rules r on r.kind = 'score_drop'
          cross join lateral (
            select max(x.score) as best from (
              select h.score from public.health_scores h
               where h.client_id = t.id and h.computed_at > now() - make_interval(days => (r.params->>'days')::int)
              union all
              (select h.score from public.health_scores h
                where h.client_id = t.id and h.computed_at <= now() - make_interval(days => (r.params->>'days')::int)
                order by h.computed_at desc limit 1)
            ) x
          ) b
         where t.health_score is not null and b.best - t.health_score >= (r.params->>'points')::int
      ),
      -- Negative interactions analysed lately that carry one of the rule's signals: one row per signal.
      hits as (
        select t.id as client_id, r.id as rule_id, i.id as interaction_id, i.occurred_at, h.signal
          from targets t
          join rules r on r.kind = 'churn_signal'
          join public.interactions i on i.client_id = t.id
          cross join lateral unnest(i.sentiment_signals) as h(signal)
         where i.sentiment_status = 'done' and i.sentiment_label = 'negative'
           and i.sentiment_analysed_at > now() - interval '2 days'
           and h.signal in (select jsonb_array_elements_text(r.params->'signals'))
      ),
      signals as (
        select n.client_id, n.rule_id, n.interaction_ids, g.signals
          from (select x.client_id, x.rule_id, array_agg(x.interaction_id order by x.occurred_at desc, x.interaction_id) as interaction_ids
                  from (select distinct client_id, rule_id, interaction_id, occurred_at from hits) x
                 group by x.client_id, x.rule_id) n
          join (select client_id, rule_id, array_agg(distinct signal order by signal) as signals from hits group by client_id, rule_id) g
            on g.client_id = n.client_id and g.rule_id = n.rule_id
      ),
      fired as (
        select d.client_id, r.id as rule_id, r.kind, r.severity, r.cooldown_days,
               format('Score dropped %s points in %s days (%s → %s)', d.best - d.score, d.days, d.best, d.score) as title,
               jsonb_build_object('scoreBefore', d.best, 'score', d.score, 'days', d.days) as detail
          from drops d join rules r on r.id = d.rule_id
        union all
        select t.id, r.id, r.kind, r.severity, r.cooldown_days,
               format('Became %s (score %s)', case r.kind when 'entered_critical' then 'critical' else 'at risk' end, t.health_score),
               jsonb_build_object('score', t.health_score, 'scoreBefore', p.score, 'riskBefore', p.risk_level, 'risk', t.risk_level)
          from targets t
          join rules r on (r.kind = 'entered_critical' and t.risk_level = 'critical')
                       or (r.kind = 'entered_at_risk' and t.risk_level = 'at_risk')
          left join previous p on p.client_id = t.id
         -- entered lately (so the daily run does not re-open an old entry), from a better level
         where t.health_computed_at > now() - interval '1 day'
           and (p.risk_level is null
                or (r.kind = 'entered_critical' and p.risk_level <> 'critical')
                or (r.kind = 'entered_at_risk' and p.risk_level = 'healthy'))
        union all
        select s.client_id, r.id, r.kind, r.severity, r.cooldown_days,
               'Negative interaction with a churn signal',
               jsonb_build_object('interactionIds', to_jsonb(s.interaction_ids[1:5]), 'signals', to_jsonb(s.signals))
          from signals s join rules r on r.id = s.rule_id
        union all
        select t.id, r.id, r.kind, r.severity, r.cooldown_days,
               format('No two-way contact for %s days',
                      floor(extract(epoch from now() - coalesce(t.last_contact_at, t.created_at)) / 86400)),
               jsonb_build_object('days', floor(extract(epoch from now() - coalesce(t.last_contact_at, t.created_at)) / 86400),
                                  'lastContactAt', t.last_contact_at)
          from targets t join rules r on r.kind = 'no_contact'
         where t.status = 'active' and coalesce(t.last_contact_at, t.created_at) < now() - make_interval(days => (r.params->>'days')::int)
        union all
        select t.id, r.id, r.kind, r.severity, r.cooldown_days,
               format('Renews in %s days while %s', t.renewal_date - current_date, replace(t.risk_level, '_', ' ')),
               jsonb_build_object('renewalDate', t.renewal_date, 'days', t.renewal_date - current_date,
                                  'risk', t.risk_level, 'score', t.health_score)
          from targets t join rules r on r.kind = 'renewal_risk'
         where t.renewal_date between current_date and current_date + (r.params->>'days')::int and t.risk_level in ('at_risk', 'critical')
      ),
      upserted as (
        insert into public.alerts (workspace_id, client_id, rule_id, kind, severity, title, detail)
        select ${input.workspaceId}::uuid, f.client_id, f.rule_id, f.kind, f.severity, f.title, f.detail
          from fired f
         where not exists (
           select 1 from public.alerts a
            where a.client_id = f.client_id and a.rule_id = f.rule_id and a.status = 'resolved'
              and a.resolved_at > now() - make_interval(days => f.cooldown_days))
        on conflict (client_id, rule_id) where status <> 'resolved' do update
          set title = excluded.title, detail = excluded.detail, severity = excluded.severity,
              last_triggered_at = now(), trigger_count = public.alerts.trigger_count + 1, updated_at = now()
          where public.alerts.detail is distinct from excluded.detail
        returning id, (xmax = 0) as created
      )
      select id, created from upserted`.execute(tx);
    const opened = result.rows.filter((row) => row.created).map((row) => row.id);
    const deliveries = opened.length ? await createDeliveries(tx, input.workspaceId, opened) : 0;
    return { fired: result.rows.length, opened: opened.length, updated: result.rows.length - opened.length, deliveries };
  });
}

/**
 * Who hears of a new alert, and how: the client's account owner (if still a member), else the
 * workspace's admins and owners; by email and, when the workspace has a Slack webhook, Slack, each as
 * the person's preference says (immediate, digest or off). Past the workspace's cap of immediate
 * notifications per person and channel in the last hour, the rest go to the digest. A per-person
 * advisory lock (taken in id order) keeps concurrent evaluations from overshooting the cap.
 * Immediate deliveries are queued through the outbox, committed with the alert.
 */
async function createDeliveries(tx: Tx, workspaceId: string, alertIds: string[]): Promise<number> {
  const recipients = await sql<{ alert_id: string; user_id: string; email: string; slack: string; has_slack: boolean; cap: number }>`
    with settings as (
      select coalesce(s.immediate_cap_per_hour, 5) as cap, s.slack_webhook_url is not null as has_slack
        from (select 1) one left join public.workspace_alert_settings s on s.workspace_id = ${workspaceId}::uuid
    ),
    owners as (
      select a.id as alert_id, m.user_id
        from public.alerts a
        join public.clients c on c.id = a.client_id
        join public.workspace_members m on m.workspace_id = a.workspace_id and m.user_id = c.owner_id
       where a.id = any (${alertIds}::uuid[])
    ),
    fallback as (
      select a.id as alert_id, m.user_id
        from public.alerts a
        join public.workspace_members m on m.workspace_id = a.workspace_id and m.role in ('admin', 'owner')
       where a.id = any (${alertIds}::uuid[]) and not exists (select 1 from owners o where o.alert_id = a.id)
    )
    select r.alert_id, r.user_id, coalesce(p.email, 'immediate') as email, coalesce(p.slack, 'immediate') as slack, st.has_slack, st.cap
      from (select * from owners union select * from fallback) r
      cross join settings st
      left join public.notification_preferences p on p.workspace_id = ${workspaceId}::uuid and p.user_id = r.user_id
     order by r.user_id, r.alert_id`.execute(tx);
  const users = [...new Set(recipients.rows.map((row) => row.user_id))].sort();
  if (!users.length) return 0;
  for (const userId of users) await sql`select pg_advisory_xact_lock(hashtextextended(${`alert-cap:${userId}`}, 0))`.execute(tx);
  // Immediate notifications each person had per channel in the last hour (counted under the locks).
  const recent = await sql<{ user_id: string; channel: string; n: number }>`
    select user_id, channel, count(*)::int as n from public.alert_deliveries
     where user_id = any (${users}::uuid[]) and mode = 'immediate' and created_at > now() - interval '1 hour'
     group by 1, 2`.execute(tx);
  const sentLastHour = new Map(recent.rows.map((row) => [`${row.user_id}:${row.channel}`, row.n]));
  const rows: Array<{ workspace_id: string; alert_id: string; user_id: string; channel: 'email' | 'slack'; mode: 'immediate' | 'digest' }> =
    [];
  for (const recipient of recipients.rows) {
    const channels: Array<['email' | 'slack', string]> = [['email', recipient.email]];
    if (recipient.has_slack) channels.push(['slack', recipient.slack]);
    for (const [channel, preference] of channels) {
      if (preference === 'off') continue;
      const key = `${recipient.user_id}:${channel}`;
      const count = sentLastHour.get(key) ?? 0;
      const mode = preference === 'immediate' && count < recipient.cap ? 'immediate' : 'digest';
      if (mode === 'immediate') sentLastHour.set(key, count + 1);
      rows.push({ workspace_id: workspaceId, alert_id: recipient.alert_id, user_id: recipient.user_id, channel, mode });
    }
  }
  if (!rows.length) return 0;
  const created = await tx.insertInto('alert_deliveries').values(rows).returning(['id', 'mode']).execute();
  const immediate = created.filter((delivery) => delivery.mode === 'immediate');
  await requestJob(
    tx,
    immediate.map((delivery) => alertsQueue.job('deliver', { workspaceId, deliveryId: String(delivery.id) })),
  );
  return created.length;
}

/** The daily run's part: every workspace, every client (time-based rules included). */
export async function evaluateAllWorkspaces(db: Database): Promise<EvaluationResult> {
  const workspaces = await db.readAsService((kysely) => kysely.selectFrom('workspaces').select('id').execute());
  const total: EvaluationResult = { fired: 0, opened: 0, updated: 0, deliveries: 0 };
  for (const { id } of workspaces) {
    const result = await evaluateAlerts(db, { workspaceId: id });
    total.fired += result.fired;
    total.opened += result.opened;
    total.updated += result.updated;
    total.deliveries += result.deliveries;
  }
  return total;
}
