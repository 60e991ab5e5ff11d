-- Alerts (issue 7, decision 017): rules per workspace, at most one open alert per client and rule,
-- deliveries by email and Slack with their status, per-user notification preferences.

-- ---------------------------------------------------------------------------------------------
-- Rules: one of each kind per workspace, seeded with defaults; admins edit parameters and switch them
-- ---------------------------------------------------------------------------------------------
create table public.alert_rules (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  kind text not null check (kind in ('score_drop', 'entered_critical', 'entered_at_risk', 'churn_signal', 'no_contact', 'renewal_risk')),
  enabled boolean not null default true,
  -- score_drop: {points, days}; churn_signal: {signals}; no_contact: {days}; renewal_risk: {days}
  params jsonb not null default '{}',
  severity text not null check (severity in ('low', 'medium', 'high')),
  -- A resolved alert re-opens for the same client only after this many days.
  cooldown_days smallint not null default 7 check (cooldown_days between 0 and 90),
  updated_at timestamptz not null default now(),
  unique (workspace_id, kind)
);

create table public.workspace_alert_settings (
  workspace_id uuid primary key references public.workspaces (id) on delete cascade,
  -- A Slack incoming-webhook URL (https://hooks.slack.com/… or any compatible endpoint); null: no Slack.
  slack_webhook_url text check (slack_webhook_url ~ '^https?://'),
  -- Immediate notifications per person per hour; the rest go to their daily digest.
  immediate_cap_per_hour smallint not null default 5 check (immediate_cap_per_hour between 1 and 100),
  updated_at timestamptz not null default now()
);

-- ---------------------------------------------------------------------------------------------
-- Alerts
-- ---------------------------------------------------------------------------------------------
create table public.alerts (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  client_id uuid not null references public.clients (id) on delete cascade,
  rule_id uuid not null references public.alert_rules (id) on delete cascade,
  kind text not null,
  severity text not null check (severity in ('low', 'medium', 'high')),
  status text not null default 'open' check (status in ('open', 'acknowledged', 'snoozed', 'resolved')),
  title text not null,
  -- What triggered it: score before/after, interaction ids, signals, days — shown on the alert page.
  detail jsonb not null default '{}',
  assignee_id uuid references public.users (id) on delete set null,
  snoozed_until timestamptz,
  outcome text check (outcome in ('action_taken', 'no_action')),
  resolution_note text check (length(resolution_note) <= 2000),
  resolved_at timestamptz,
  resolved_by uuid references public.users (id) on delete set null,
  trigger_count int not null default 1,
  first_triggered_at timestamptz not null default now(),
  last_triggered_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint alerts_resolved_has_outcome check ((status = 'resolved') = (resolved_at is not null and outcome is not null)),
  constraint alerts_snoozed_has_date check ((status = 'snoozed') = (snoozed_until is not null))
);
-- Deduplication: at most one alert per client and rule that is not resolved.
create unique index alerts_one_open_idx on public.alerts (client_id, rule_id) where status <> 'resolved';
create index alerts_inbox_idx on public.alerts (workspace_id, last_triggered_at desc, id desc);
create index alerts_assignee_idx on public.alerts (workspace_id, assignee_id, last_triggered_at desc) where status <> 'resolved';
create index alerts_cooldown_idx on public.alerts (client_id, rule_id, resolved_at desc) where status = 'resolved';

-- Who has seen an alert since it last triggered (the unread count).
create table public.alert_reads (
  alert_id uuid not null references public.alerts (id) on delete cascade,
  user_id uuid not null references public.users (id) on delete cascade,
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  read_at timestamptz not null default now(),
  primary key (alert_id, user_id)
);

create table public.notification_preferences (
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  user_id uuid not null references public.users (id) on delete cascade,
  email text not null default 'immediate' check (email in ('immediate', 'digest', 'off')),
  slack text not null default 'immediate' check (slack in ('immediate', 'digest', 'off')),
  updated_at timestamptz not null default now(),
  primary key (workspace_id, user_id)
);

-- One row per alert, person and channel: what was sent (or put in the digest), when, and how it went.
create table public.alert_deliveries (
  id bigint generated always as identity primary key,
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  alert_id uuid not null references public.alerts (id) on delete cascade,
  user_id uuid references public.users (id) on delete cascade,
  channel text not null check (channel in ('email', 'slack')),
  mode text not null check (mode in ('immediate', 'digest')),
  status text not null default 'pending' check (status in ('pending', 'sent', 'failed')),
  attempts int not null default 0,
  last_error text,
  created_at timestamptz not null default now(),
  sent_at timestamptz,
  unique (alert_id, user_id, channel, created_at)
);
create index alert_deliveries_user_idx on public.alert_deliveries (user_id, mode, sent_at desc);
create index alert_deliveries_digest_idx on public.alert_deliveries (workspace_id, user_id) where mode = 'digest' and status = 'pending';
create index alert_deliveries_alert_idx on public.alert_deliveries (alert_id);

-- ---------------------------------------------------------------------------------------------
-- Default rules for every workspace, present and future
-- ---------------------------------------------------------------------------------------------
create function private.seed_alert_rules(p_workspace uuid) returns void
  language sql security definer
  set search_path = ''
as $$
  insert into public.alert_rules (workspace_id, kind, params, severity, cooldown_days)
  values (p_workspace, 'score_drop', '{"points": 15, "days": 7}', 'high', 7),
         (p_workspace, 'entered_critical', '{}', 'high', 7),
         (p_workspace, 'entered_at_risk', '{}', 'medium', 7),
         (p_workspace, 'churn_signal', '{"signals": ["cancellation_intent", "competitor_mentioned", "budget_cut", "champion_leaving"]}', 'high', 3),
         (p_workspace, 'no_contact', '{"days": 30}', 'medium', 14),
         (p_workspace, 'renewal_risk', '{"days": 30}', 'high', 14)
  on conflict (workspace_id, kind) do nothing
$$;

create function private.seed_alert_rules_for_new_workspace() returns trigger
  language plpgsql security definer
  set search_path = ''
as $$
begin
  perform private.seed_alert_rules(new.id);
  return null;
end
$$;
create trigger workspaces_seed_alert_rules after insert on public.workspaces
  for each row execute function private.seed_alert_rules_for_new_workspace();
select private.seed_alert_rules(id) from public.workspaces;

-- ---------------------------------------------------------------------------------------------
-- Row-level security
-- ---------------------------------------------------------------------------------------------
alter table public.alert_rules enable row level security;
alter table public.alert_rules force row level security;
alter table public.workspace_alert_settings enable row level security;
alter table public.workspace_alert_settings force row level security;
alter table public.alerts enable row level security;
alter table public.alerts force row level security;
alter table public.alert_reads enable row level security;
alter table public.alert_reads force row level security;
alter table public.notification_preferences enable row level security;
alter table public.notification_preferences force row level security;
alter table public.alert_deliveries enable row level security;
alter table public.alert_deliveries force row level security;

create policy "Members read alert rules" on public.alert_rules
  for select to authenticated using (workspace_id in (select private.member_workspaces('viewer')));
create policy "Admins change alert rules" on public.alert_rules
  for update to authenticated
  using (workspace_id in (select private.member_workspaces('admin'))) with check (workspace_id in (select private.member_workspaces('admin')));

create policy "Members read alert settings" on public.workspace_alert_settings
  for select to authenticated using (workspace_id in (select private.member_workspaces('viewer')));
create policy "Admins set alert settings" on public.workspace_alert_settings
  for insert to authenticated with check (workspace_id in (select private.member_workspaces('admin')));
create policy "Admins change alert settings" on public.workspace_alert_settings
  for update to authenticated
  using (workspace_id in (select private.member_workspaces('admin'))) with check (workspace_id in (select private.member_workspaces('admin')));

create policy "Members read alerts" on public.alerts
  for select to authenticated using (workspace_id in (select private.member_workspaces('viewer')));
-- Working an alert (acknowledge, assign, snooze, resolve) is for managers and up.
create policy "Managers work alerts" on public.alerts
  for update to authenticated
  using (workspace_id in (select private.member_workspaces('manager'))) with check (workspace_id in (select private.member_workspaces('manager')));

create policy "People read their own reads" on public.alert_reads
  for select to authenticated using (user_id = auth.uid() and workspace_id in (select private.member_workspaces('viewer')));
create policy "People mark alerts read" on public.alert_reads
  for insert to authenticated with check (user_id = auth.uid() and workspace_id in (select private.member_workspaces('viewer')));
create policy "People re-mark alerts read" on public.alert_reads
  for update to authenticated
  using (user_id = auth.uid() and workspace_id in (select private.member_workspaces('viewer')))
  with check (user_id = auth.uid() and workspace_id in (select private.member_workspaces('viewer')));

create policy "People read their preferences" on public.notification_preferences
  for select to authenticated using (user_id = auth.uid() and workspace_id in (select private.member_workspaces('viewer')));
create policy "People set their preferences" on public.notification_preferences
  for insert to authenticated with check (user_id = auth.uid() and workspace_id in (select private.member_workspaces('viewer')));
create policy "People change their preferences" on public.notification_preferences
  for update to authenticated
  using (user_id = auth.uid() and workspace_id in (select private.member_workspaces('viewer')))
  with check (user_id = auth.uid() and workspace_id in (select private.member_workspaces('viewer')));

create policy "Members read deliveries" on public.alert_deliveries
  for select to authenticated using (workspace_id in (select private.member_workspaces('viewer')));

revoke all on public.alert_rules, public.workspace_alert_settings, public.alerts, public.alert_reads, public.notification_preferences, public.alert_deliveries from anon, authenticated;
grant select on public.alert_rules, public.alerts, public.alert_deliveries to authenticated;
grant update (enabled, params, severity, cooldown_days, updated_at) on public.alert_rules to authenticated;
grant update (status, assignee_id, snoozed_until, outcome, resolution_note, resolved_at, resolved_by, updated_at) on public.alerts to authenticated;
grant select, insert, update on public.workspace_alert_settings, public.alert_reads, public.notification_preferences to authenticated;
grant all on public.alert_rules, public.workspace_alert_settings, public.alerts, public.alert_reads, public.notification_preferences, public.alert_deliveries to service_role;

-- Alert deliveries are queued through the outbox like sentiment and health jobs.
alter table public.outbox drop constraint outbox_topic_check,
  add constraint outbox_topic_check check (topic in ('sentiment', 'health', 'alert'));
