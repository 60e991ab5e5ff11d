-- The model's arithmetic once (decision 016): how factor sub-scores and weights make a score (missing
-- factors left out, the present ones' weights renormalised) and how a score maps to a risk level.
-- The model uses these, and so do the settings preview (re-weighting each client's stored
-- sub-scores with weights not saved yet) and the score breakdown. Plain-expression SQL functions
-- without SET clauses, so the planner inlines them into the model's statement (no call per row);
-- scalar arguments rather than arrays, because a version taking the sub-score and weight arrays
-- made the 100,000-client daily recompute about a second slower (array subscripts on every row).
-- Factor order in stored arrays: sentiment, engagement, survey, payment, usage.

create function public.health_present_weight(
  p_sentiment numeric, p_engagement numeric, p_survey numeric, p_payment numeric, p_usage numeric,
  p_w_sentiment int, p_w_engagement int, p_w_survey int, p_w_payment int, p_w_usage int
)
returns int
language sql immutable parallel safe
as $$
  select (case when p_sentiment is not null then p_w_sentiment else 0 end) + (case when p_engagement is not null then p_w_engagement else 0 end)
       + (case when p_survey is not null then p_w_survey else 0 end) + (case when p_payment is not null then p_w_payment else 0 end)
       + (case when p_usage is not null then p_w_usage else 0 end)
$$;

-- Null when no factor with weight has data: not scored.
create function public.health_weighted_score(
  p_sentiment numeric, p_engagement numeric, p_survey numeric, p_payment numeric, p_usage numeric,
  p_w_sentiment int, p_w_engagement int, p_w_survey int, p_w_payment int, p_w_usage int
)
returns numeric
language sql immutable parallel safe
as $$
  select pg_catalog.round((coalesce(p_sentiment * p_w_sentiment, 0) + coalesce(p_engagement * p_w_engagement, 0) + coalesce(p_survey * p_w_survey, 0)
                           + coalesce(p_payment * p_w_payment, 0) + coalesce(p_usage * p_w_usage, 0))
                          / nullif(public.health_present_weight(p_sentiment, p_engagement, p_survey, p_payment, p_usage,
                                                                p_w_sentiment, p_w_engagement, p_w_survey, p_w_payment, p_w_usage), 0))
$$;

create function public.health_risk_level(p_score numeric, p_healthy int, p_critical int)
returns text
language sql immutable parallel safe
as $$
  select case when p_score is null then null when p_score >= p_healthy then 'healthy' when p_score >= p_critical then 'at_risk' else 'critical' end
$$;

grant execute on function public.health_present_weight(numeric, numeric, numeric, numeric, numeric, int, int, int, int, int) to authenticated, service_role;
grant execute on function public.health_weighted_score(numeric, numeric, numeric, numeric, numeric, int, int, int, int, int) to authenticated, service_role;
grant execute on function public.health_risk_level(numeric, int, int) to authenticated, service_role;

-- The breakdown renormalises with the same present weight.
create or replace function public.health_factor_breakdown(p_scores smallint[], p_weights smallint[])
returns jsonb
language sql immutable
set search_path = ''
as $$
  with parts as (
    select f.name, f.ord, p_scores[f.ord] as score, p_weights[f.ord] as weight
      from unnest(array['sentiment', 'engagement', 'survey', 'payment', 'usage']) with ordinality as f(name, ord)
  ),
  present as (select nullif(public.health_present_weight(p_scores[1], p_scores[2], p_scores[3], p_scores[4], p_scores[5],
                                                            p_weights[1], p_weights[2], p_weights[3], p_weights[4], p_weights[5]), 0)::numeric as total)
  select jsonb_agg(jsonb_build_object(
           'factor', p.name, 'present', p.score is not null, 'score', p.score, 'weight', p.weight,
           'effectiveWeight', case when p.score is not null then round(100 * p.weight / pr.total, 1) else 0 end,
           'contribution', case when p.score is not null then round(p.score * p.weight / pr.total, 1) else 0 end
         ) order by p.ord)
    from parts p cross join present pr
$$;

-- The model, with the arithmetic above; otherwise as in 20261122001100.
create or replace function private.health_model(p_workspace uuid, p_client uuid, p_as_of timestamptz, p_clients uuid[], p_as_ofs timestamptz[], p_from uuid, p_to uuid)
returns table (
  client_id uuid, as_of timestamptz, score smallint, risk_level text, confidence real,
  -- sentiment, engagement, survey, payment, usage: a sub-score (null when the factor has no data) and its weight
  factor_scores smallint[], factor_weights smallint[],
  -- what the score was computed from (the explanation's words come from these)
  analysed_90 int, negative_14 int, positive_14 int, cancellation_30 int, interactions_90 int, engagement_norm real,
  last_two_way_at timestamptz, days_since_two_way int, average_sentiment real
)
language plpgsql stable
set search_path = ''
set work_mem = '64MB'
as $fn$
declare
  -- Which clients, as of when; and their interactions in the 90 days up to that moment.
  v_targets text;
  v_recent text;
begin
  if p_clients is null then
    v_targets := $t$select c.id as client_id, $3 as as_of from public.clients c where c.workspace_id = $1 and ($2::uuid is null or c.id = $2)
                      and ($6::uuid is null or c.id >= $6) and ($7::uuid is null or c.id < $7)$t$;
    v_recent := $t$select i.client_id, $3 as as_of, i.direction, i.occurred_at, i.sentiment_status, i.sentiment_score, i.sentiment_label, i.sentiment_signals
                      from public.interactions i
                     where i.workspace_id = $1 and ($2::uuid is null or i.client_id = $2)
                       and ($6::uuid is null or i.client_id >= $6) and ($7::uuid is null or i.client_id < $7)
                       and i.occurred_at > $3 - interval '90 days' and i.occurred_at <= $3$t$;
  else
    v_targets := $t$select distinct c.id as client_id, t.as_of from unnest($4::uuid[], $5::timestamptz[]) as t(client_id, as_of)
                      join public.clients c on c.id = t.client_id where c.workspace_id = $1$t$;
    v_recent := $t$select i.client_id, t.as_of, i.direction, i.occurred_at, i.sentiment_status, i.sentiment_score, i.sentiment_label, i.sentiment_signals
                      from targets t join public.interactions i
                        on i.client_id = t.client_id and i.occurred_at > t.as_of - interval '90 days' and i.occurred_at <= t.as_of$t$;
  end if;
  return query execute format($q$
    with settings as materialized (
      select coalesce(s.weight_sentiment, 30) as w_sentiment, coalesce(s.weight_engagement, 20) as w_engagement,
             coalesce(s.weight_survey, 20) as w_survey, coalesce(s.weight_payment, 15) as w_payment, coalesce(s.weight_usage, 15) as w_usage,
             coalesce(s.healthy_threshold, 70) as healthy, coalesce(s.critical_threshold, 40) as critical,
             coalesce(s.engagement_norm, 4)::numeric as norm
        from (select 1) as one
        left join public.workspace_health_settings s on s.workspace_id = $1
    ),
    targets as materialized (%s),
    recent as (%s),
    signals as (
      select r.client_id, r.as_of,
             -- sentiment decays with a 30-day half-life: what was said lately weighs most
             sum(r.sentiment_score * exp(-0.6931471805599453 * date_part('epoch', r.as_of - r.occurred_at) / 2592000.0)) filter (where r.sentiment_status = 'done') as decayed_sum,
             sum(exp(-0.6931471805599453 * date_part('epoch', r.as_of - r.occurred_at) / 2592000.0)) filter (where r.sentiment_status = 'done') as decayed_weight,
             count(*) filter (where r.sentiment_status = 'done') as analysed_90,
             count(*) filter (where r.sentiment_label = 'negative' and r.occurred_at > r.as_of - interval '14 days') as negative_14,
             count(*) filter (where r.sentiment_label = 'positive' and r.occurred_at > r.as_of - interval '14 days') as positive_14,
             count(*) filter (where 'cancellation_intent' = any (r.sentiment_signals) and r.occurred_at > r.as_of - interval '30 days') as cancellation_30,
             count(*) as interactions_90,
             max(r.occurred_at) filter (where r.direction <> 'internal') as last_two_way_90
        from recent r
       group by r.client_id, r.as_of
    ),
    base as materialized (
      select t.client_id, t.as_of,
             coalesce(s.analysed_90, 0) as analysed_90, coalesce(s.negative_14, 0) as negative_14, coalesce(s.positive_14, 0) as positive_14,
             coalesce(s.cancellation_30, 0) as cancellation_30, coalesce(s.interactions_90, 0) as interactions_90,
             case when s.analysed_90 > 0 then (s.decayed_sum / s.decayed_weight)::numeric end as average_sentiment,
             -- Older contact only for clients with none in the window (an index probe each).
             coalesce(s.last_two_way_90,
                      (select max(o.occurred_at) from public.interactions o
                        where o.client_id = t.client_id and o.occurred_at <= t.as_of and o.direction <> 'internal')) as last_two_way
        from targets t
        left join signals s on s.client_id = t.client_id and s.as_of = t.as_of
    ),
    factored as materialized (
      select b.*, st.*,
             floor(extract(epoch from b.as_of - b.last_two_way) / 86400) as days_since_two_way,
             round(50 + 50 * b.average_sentiment) as f_sentiment,
             -- engagement: 60%% recency of two-way contact (full within 7 days, none after 60), 40%% frequency against the workspace norm
             case when b.last_two_way is not null then round(
               0.6 * greatest(0, least(100, 100 * (60 - extract(epoch from b.as_of - b.last_two_way) / 86400.0) / 53))
               + 0.4 * least(100, 100 * b.interactions_90 / st.norm)) end as f_engagement,
             -- Survey, payment and usage come from their tables once those exist; until then missing, not bad.
             null::numeric as f_survey, null::numeric as f_payment, null::numeric as f_usage
        from base b cross join settings st
    ),
    scored as materialized (
      -- missing factors are left out and the present ones' weights renormalised
      select f.*,
             public.health_present_weight(f.f_sentiment, f.f_engagement, f.f_survey, f.f_payment, f.f_usage,
                                          f.w_sentiment, f.w_engagement, f.w_survey, f.w_payment, f.w_usage)::numeric as present_weight,
             public.health_weighted_score(f.f_sentiment, f.f_engagement, f.f_survey, f.f_payment, f.f_usage,
                                          f.w_sentiment, f.w_engagement, f.w_survey, f.w_payment, f.w_usage) as total
        from factored f
    )
    select s.client_id, s.as_of,
           s.total::smallint,
           public.health_risk_level(s.total, s.healthy, s.critical),
           -- confidence: the share of the model with data, and how much was said (full from 6 analysed interactions)
           case when s.total is not null then round((s.present_weight / 100.0) * (0.4 + 0.6 * least(1, s.analysed_90 / 6.0)), 2)::real end,
           array[s.f_sentiment, s.f_engagement, s.f_survey, s.f_payment, s.f_usage]::smallint[],
           array[s.w_sentiment, s.w_engagement, s.w_survey, s.w_payment, s.w_usage]::smallint[],
           s.analysed_90::int, s.negative_14::int, s.positive_14::int, s.cancellation_30::int, s.interactions_90::int, s.norm::real,
           s.last_two_way, s.days_since_two_way::int, round(s.average_sentiment, 3)::real
      from scored s
  $q$, v_targets, v_recent) using p_workspace, p_client, p_as_of, p_clients, p_as_ofs, p_from, p_to;
end
$fn$;

