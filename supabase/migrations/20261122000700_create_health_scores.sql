-- The health score engine, model v1 (issue 6, decision 016). One SQL function computes the scores
-- of a whole workspace or of one client, as of any moment: the daily recompute, the event-driven
-- recompute and the backtest all go through it, so they cannot disagree.

-- ---------------------------------------------------------------------------------------------
-- Per-workspace model settings (defaults when a workspace has no row)
-- ---------------------------------------------------------------------------------------------
create table public.workspace_health_settings (
  workspace_id uuid primary key references public.workspaces (id) on delete cascade,
  weight_sentiment smallint not null default 30 check (weight_sentiment between 0 and 100),
  weight_engagement smallint not null default 20 check (weight_engagement between 0 and 100),
  weight_survey smallint not null default 20 check (weight_survey between 0 and 100),
  weight_payment smallint not null default 15 check (weight_payment between 0 and 100),
  weight_usage smallint not null default 15 check (weight_usage between 0 and 100),
  healthy_threshold smallint not null default 70 check (healthy_threshold between 1 and 100),
  critical_threshold smallint not null default 40 check (critical_threshold between 0 and 99),
  -- Interactions per client in 90 days that count as normal engagement in this workspace (the
  -- median, refreshed by the daily recompute).
  engagement_norm real not null default 4 check (engagement_norm > 0),
  updated_at timestamptz not null default now(),
  constraint workspace_health_weights_sum check (weight_sentiment + weight_engagement + weight_survey + weight_payment + weight_usage = 100),
  constraint workspace_health_thresholds_order check (critical_threshold < healthy_threshold)
);

-- ---------------------------------------------------------------------------------------------
-- History: one row per computation that changed something
-- ---------------------------------------------------------------------------------------------
create table public.health_scores (
  id bigint generated always as identity primary key,
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  client_id uuid not null references public.clients (id) on delete cascade,
  score smallint not null check (score between 0 and 100),
  risk_level text not null check (risk_level in ('healthy', 'at_risk', 'critical')),
  confidence real not null check (confidence between 0 and 1),
  -- [{factor, present, score, weight, effectiveWeight, contribution}]
  factors jsonb not null,
  inputs jsonb not null,
  model_version text not null,
  trigger text not null check (trigger in ('event', 'daily', 'settings', 'manual')),
  computed_at timestamptz not null default now()
);
create index health_scores_client_idx on public.health_scores (client_id, computed_at desc);
create index health_scores_workspace_idx on public.health_scores (workspace_id, computed_at desc);

-- The current score's details, denormalised for the list and the client page.
alter table public.clients
  add column health_confidence real check (health_confidence between 0 and 1),
  add column health_factors jsonb,
  add column health_computed_at timestamptz;

-- ---------------------------------------------------------------------------------------------
-- The model
-- ---------------------------------------------------------------------------------------------
create function public.compute_health_scores(p_workspace uuid, p_client uuid default null, p_as_of timestamptz default now())
returns table (client_id uuid, score smallint, risk_level text, confidence real, factors jsonb, inputs jsonb)
language sql stable
set search_path = ''
as $$
  with settings as (
    select coalesce(s.weight_sentiment, 30) as w_sentiment, coalesce(s.weight_engagement, 20) as w_engagement,
           coalesce(s.weight_survey, 20) as w_survey, coalesce(s.weight_payment, 15) as w_payment, coalesce(s.weight_usage, 15) as w_usage,
           coalesce(s.healthy_threshold, 70) as healthy, coalesce(s.critical_threshold, 40) as critical,
           coalesce(s.engagement_norm, 4) as norm
      from (select 1) as one
      left join public.workspace_health_settings s on s.workspace_id = p_workspace
  ),
  signals as (
    select i.client_id as signal_client,
           -- Sentiment over 90 days, each interaction weighted by 0.5^(age / 30 days).
           sum(i.sentiment_score * power(0.5, extract(epoch from p_as_of - i.occurred_at) / 2592000.0))
             filter (where i.sentiment_status = 'done' and i.occurred_at > p_as_of - interval '90 days') as decayed_sum,
           sum(power(0.5, extract(epoch from p_as_of - i.occurred_at) / 2592000.0))
             filter (where i.sentiment_status = 'done' and i.occurred_at > p_as_of - interval '90 days') as decayed_weight,
           count(*) filter (where i.sentiment_status = 'done' and i.occurred_at > p_as_of - interval '90 days') as analysed_90,
           count(*) filter (where i.sentiment_label = 'negative' and i.occurred_at > p_as_of - interval '14 days') as negative_14,
           count(*) filter (where i.sentiment_label = 'positive' and i.occurred_at > p_as_of - interval '14 days') as positive_14,
           count(*) filter (where 'cancellation_intent' = any (i.sentiment_signals) and i.occurred_at > p_as_of - interval '30 days') as cancellation_30,
           count(*) filter (where i.occurred_at > p_as_of - interval '90 days') as interactions_90,
           max(i.occurred_at) filter (where i.direction <> 'internal') as last_two_way
      from public.interactions i
     where i.workspace_id = p_workspace
       and (p_client is null or i.client_id = p_client)
       and i.occurred_at <= p_as_of
     group by i.client_id
  ),
  factors as (
    select c.id as client_id, s.*,
           case when s.analysed_90 > 0 then round((50 + 50 * s.decayed_sum / s.decayed_weight)::numeric) end as f_sentiment,
           case when s.last_two_way is not null then round((
             0.6 * greatest(0, least(100, 100 * (60 - extract(epoch from p_as_of - s.last_two_way) / 86400.0) / 53))
             + 0.4 * least(100, 100 * coalesce(s.interactions_90, 0) / (select norm from settings))
           )::numeric) end as f_engagement,
           null::numeric as f_survey, null::numeric as f_payment, null::numeric as f_usage
      from public.clients c
      left join signals s on s.signal_client = c.id
     where c.workspace_id = p_workspace and (p_client is null or c.id = p_client)
  ),
  weighted as (
    select f.*, st.*,
           (case when f.f_sentiment is not null then st.w_sentiment else 0 end
            + case when f.f_engagement is not null then st.w_engagement else 0 end
            + case when f.f_survey is not null then st.w_survey else 0 end
            + case when f.f_payment is not null then st.w_payment else 0 end
            + case when f.f_usage is not null then st.w_usage else 0 end) as present_weight
      from factors f cross join settings st
  ),
  scored as (
    select w.*,
           round((coalesce(w.f_sentiment * w.w_sentiment, 0) + coalesce(w.f_engagement * w.w_engagement, 0) + coalesce(w.f_survey * w.w_survey, 0)
                  + coalesce(w.f_payment * w.w_payment, 0) + coalesce(w.f_usage * w.w_usage, 0)) / nullif(w.present_weight, 0)) as total
      from weighted w
  )
  select s.client_id,
         s.total::smallint as score,
         case when s.total is null then null when s.total >= s.healthy then 'healthy' when s.total >= s.critical then 'at_risk' else 'critical' end as risk_level,
         case when s.total is null then null
              else round(((s.present_weight / 100.0) * (0.4 + 0.6 * least(1, coalesce(s.analysed_90, 0) / 6.0)))::numeric, 2)::real end as confidence,
         case when s.total is null then null else jsonb_build_array(
           jsonb_build_object('factor', 'sentiment', 'present', s.f_sentiment is not null, 'score', s.f_sentiment, 'weight', s.w_sentiment,
                              'effectiveWeight', case when s.f_sentiment is not null then round(100.0 * s.w_sentiment / s.present_weight, 1) else 0 end,
                              'contribution', case when s.f_sentiment is not null then round(s.f_sentiment * s.w_sentiment / s.present_weight, 1) else 0 end),
           jsonb_build_object('factor', 'engagement', 'present', s.f_engagement is not null, 'score', s.f_engagement, 'weight', s.w_engagement,
                              'effectiveWeight', case when s.f_engagement is not null then round(100.0 * s.w_engagement / s.present_weight, 1) else 0 end,
                              'contribution', case when s.f_engagement is not null then round(s.f_engagement * s.w_engagement / s.present_weight, 1) else 0 end),
           jsonb_build_object('factor', 'survey', 'present', false, 'score', null, 'weight', s.w_survey, 'effectiveWeight', 0, 'contribution', 0),
           jsonb_build_object('factor', 'payment', 'present', false, 'score', null, 'weight', s.w_payment, 'effectiveWeight', 0, 'contribution', 0),
           jsonb_build_object('factor', 'usage', 'present', false, 'score', null, 'weight', s.w_usage, 'effectiveWeight', 0, 'contribution', 0)
         ) end as factors,
         jsonb_build_object(
           'analysed90', coalesce(s.analysed_90, 0), 'negative14', coalesce(s.negative_14, 0), 'positive14', coalesce(s.positive_14, 0),
           'cancellation30', coalesce(s.cancellation_30, 0), 'interactions90', coalesce(s.interactions_90, 0), 'engagementNorm', s.norm,
           'lastTwoWayAt', s.last_two_way,
           'daysSinceTwoWay', case when s.last_two_way is not null then floor(extract(epoch from p_as_of - s.last_two_way) / 86400) end,
           'averageSentiment', case when s.analysed_90 > 0 then round((s.decayed_sum / s.decayed_weight)::numeric, 3) end
         ) as inputs
    from scored s
$$;
grant execute on function public.compute_health_scores(uuid, uuid, timestamptz) to authenticated, service_role;

-- ---------------------------------------------------------------------------------------------
-- Row-level security
-- ---------------------------------------------------------------------------------------------
alter table public.workspace_health_settings enable row level security;
alter table public.workspace_health_settings force row level security;
alter table public.health_scores enable row level security;
alter table public.health_scores force row level security;

create policy "Members read health settings" on public.workspace_health_settings
  for select to authenticated using (workspace_id in (select private.member_workspaces('viewer')));
create policy "Admins set health settings" on public.workspace_health_settings
  for insert to authenticated with check (workspace_id in (select private.member_workspaces('admin')));
create policy "Admins change health settings" on public.workspace_health_settings
  for update to authenticated
  using (workspace_id in (select private.member_workspaces('admin'))) with check (workspace_id in (select private.member_workspaces('admin')));

create policy "Members read health history" on public.health_scores
  for select to authenticated using (workspace_id in (select private.member_workspaces('viewer')));

revoke all on public.workspace_health_settings, public.health_scores from anon, authenticated;
grant select, insert, update on public.workspace_health_settings to authenticated;
grant select on public.health_scores to authenticated;
grant all on public.workspace_health_settings, public.health_scores to service_role;

-- Scores are the engine's: users edit clients, never their health columns (nor last contact, kept
-- by a trigger).
revoke update on public.clients from authenticated;
grant update (name, domain, external_id, status, churned_at, churn_reason, mrr_cents, currency, plan_name, renewal_date, owner_id, tags,
              stripe_customer_id, notes, updated_at) on public.clients to authenticated;
