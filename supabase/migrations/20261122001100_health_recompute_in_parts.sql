-- The daily recompute in parts (issue 6, decision 016): a workspace-wide recompute is one statement,
-- and one statement runs on one core. The model now takes an optional client-id range
-- [p_from, p_to), so a workspace can be recomputed as a few statements over disjoint ranges of
-- clients, side by side on as many connections (server/health/engine.ts). Same model otherwise.

drop function public.compute_health_scores(uuid, uuid, timestamptz);
drop function public.compute_health_scores_at(uuid, uuid[], timestamptz[]);
drop function private.health_model(uuid, uuid, timestamptz, uuid[], timestamptz[]);

create function private.health_model(p_workspace uuid, p_client uuid, p_as_of timestamptz, p_clients uuid[], p_as_ofs timestamptz[], p_from uuid, p_to uuid)
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
    weighted as materialized (
      select f.*,
             (case when f.f_sentiment is not null then f.w_sentiment else 0 end
              + case when f.f_engagement is not null then f.w_engagement else 0 end
              + case when f.f_survey is not null then f.w_survey else 0 end
              + case when f.f_payment is not null then f.w_payment else 0 end
              + case when f.f_usage is not null then f.w_usage else 0 end)::numeric as present_weight
        from factored f
    ),
    scored as materialized (
      -- missing factors are left out and the present ones' weights renormalised
      select w.*,
             round((coalesce(w.f_sentiment * w.w_sentiment, 0) + coalesce(w.f_engagement * w.w_engagement, 0) + coalesce(w.f_survey * w.w_survey, 0)
                    + coalesce(w.f_payment * w.w_payment, 0) + coalesce(w.f_usage * w.w_usage, 0)) / nullif(w.present_weight, 0)) as total
        from weighted w
    )
    select s.client_id, s.as_of,
           s.total::smallint,
           case when s.total is null then null when s.total >= s.healthy then 'healthy' when s.total >= s.critical then 'at_risk' else 'critical' end,
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

grant execute on function private.health_model(uuid, uuid, timestamptz, uuid[], timestamptz[], uuid, uuid) to authenticated, service_role;

-- Every client of a workspace, or one client, as of one moment (now by default). Invoker's rights:
-- a member reads only what row-level security lets them.
create function public.compute_health_scores(p_workspace uuid, p_client uuid default null, p_as_of timestamptz default now(), p_from uuid default null, p_to uuid default null)
returns table (
  client_id uuid, as_of timestamptz, score smallint, risk_level text, confidence real, factor_scores smallint[], factor_weights smallint[],
  analysed_90 int, negative_14 int, positive_14 int, cancellation_30 int, interactions_90 int, engagement_norm real,
  last_two_way_at timestamptz, days_since_two_way int, average_sentiment real
)
language sql stable
set search_path = ''
as $$ select * from private.health_model(p_workspace, p_client, p_as_of, null, null, p_from, p_to) $$;
grant execute on function public.compute_health_scores(uuid, uuid, timestamptz, uuid, uuid) to authenticated, service_role;

-- Given clients, each as of its own moment (arrays of the same length): the backtest.
create function public.compute_health_scores_at(p_workspace uuid, p_clients uuid[], p_as_of timestamptz[])
returns table (
  client_id uuid, as_of timestamptz, score smallint, risk_level text, confidence real, factor_scores smallint[], factor_weights smallint[],
  analysed_90 int, negative_14 int, positive_14 int, cancellation_30 int, interactions_90 int, engagement_norm real,
  last_two_way_at timestamptz, days_since_two_way int, average_sentiment real
)
language sql stable
set search_path = ''
as $$ select * from private.health_model(p_workspace, null, null, p_clients, p_as_of, null, null) $$;
grant execute on function public.compute_health_scores_at(uuid, uuid[], timestamptz[]) to authenticated, service_role;
