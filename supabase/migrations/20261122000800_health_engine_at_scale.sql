-- Health engine at scale (issue 6, decision 016). The first version of compute_health_scores was a
-- SQL function: Postgres planned it once for any arguments, so one client scanned its whole
-- workspace (7 s at 100,000 clients); its inlined CTEs evaluated the score expressions many times
-- per client, and it built two jsonb documents per client (this machine builds jsonb at ~10 µs
-- per small document): 26 s for a workspace. This version:
--   * plans the one query for the actual arguments (plpgsql EXECUTE … USING): one client reads only
--     its own interactions through interactions_client_timeline_idx;
--   * reads only the 90-day window (the last two-way contact before it is looked up per client, and
--     only for the few clients without one inside the window);
--   * computes each step once (materialised) with enough memory not to spill;
--   * returns plain columns; the jsonb breakdown is built only where it is stored (history rows,
--     written only for clients whose score moved) or shown (one client);
--   * asks for a recompute when what the score reads changes outside the sentiment worker: an
--     interaction logged, moved, deleted, or a client's status changing.

-- The client row keeps what lists and the change test need: the latest history row's score, risk
-- and factor sub-scores. History keeps sub-scores and weights as arrays (cheap to write for 100,000
-- clients); the breakdown (shares, contributions) is derived from them where it is shown.
alter table public.clients add column health_factor_scores smallint[];
alter table public.health_scores add column factor_scores smallint[], add column factor_weights smallint[];
-- Rows written by the first version carry the same facts as jsonb (factors in model order).
update public.clients c
   set health_factor_scores = array(select (f.item->>'score')::smallint from jsonb_array_elements(c.health_factors) with ordinality as f(item, ord) order by f.ord)
 where c.health_factors is not null;
update public.health_scores h
   set factor_scores = array(select (f.item->>'score')::smallint from jsonb_array_elements(h.factors) with ordinality as f(item, ord) order by f.ord),
       factor_weights = array(select (f.item->>'weight')::smallint from jsonb_array_elements(h.factors) with ordinality as f(item, ord) order by f.ord);
alter table public.clients drop column health_factors;
alter table public.health_scores
  drop column factors,
  alter column factor_scores set not null,
  alter column factor_weights set not null,
  add constraint health_scores_factor_scores_check check (cardinality(factor_scores) = 5),
  add constraint health_scores_factor_weights_check check (cardinality(factor_weights) = 5);

-- Factor order in every array: sentiment, engagement, survey, payment, usage.
create function public.health_factor_breakdown(p_scores smallint[], p_weights smallint[])
returns jsonb
language sql immutable
set search_path = ''
as $$
  with parts as (
    select f.name, f.ord, p_scores[f.ord] as score, p_weights[f.ord] as weight
      from unnest(array['sentiment', 'engagement', 'survey', 'payment', 'usage']) with ordinality as f(name, ord)
  ),
  present as (select nullif(sum(weight) filter (where score is not null), 0)::numeric as total from parts)
  select jsonb_agg(jsonb_build_object(
           'factor', p.name, 'present', p.score is not null, 'score', p.score, 'weight', p.weight,
           'effectiveWeight', case when p.score is not null then round(100 * p.weight / pr.total, 1) else 0 end,
           'contribution', case when p.score is not null then round(p.score * p.weight / pr.total, 1) else 0 end
         ) order by p.ord)
    from parts p cross join present pr
$$;
grant execute on function public.health_factor_breakdown(smallint[], smallint[]) to authenticated, service_role;

drop function if exists public.compute_health_scores(uuid, uuid, timestamptz);

-- The model, once. Scores either every client of a workspace (or one client) as of one moment, or
-- given clients each as of its own moment (the backtest: clients scored before their churn date).
-- Only signals that existed at that moment count (no look-ahead).
create function private.health_model(p_workspace uuid, p_client uuid, p_as_of timestamptz, p_clients uuid[], p_as_ofs timestamptz[])
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
    v_targets := $t$select c.id as client_id, $3 as as_of from public.clients c where c.workspace_id = $1 and ($2::uuid is null or c.id = $2)$t$;
    v_recent := $t$select i.client_id, $3 as as_of, i.direction, i.occurred_at, i.sentiment_status, i.sentiment_score, i.sentiment_label, i.sentiment_signals
                      from public.interactions i
                     where i.workspace_id = $1 and ($2::uuid is null or i.client_id = $2)
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
  $q$, v_targets, v_recent) using p_workspace, p_client, p_as_of, p_clients, p_as_ofs;
end
$fn$;

grant execute on function private.health_model(uuid, uuid, timestamptz, uuid[], timestamptz[]) to authenticated, service_role;

-- Every client of a workspace, or one client, as of one moment (now by default). Invoker's rights:
-- a member reads only what row-level security lets them.
create function public.compute_health_scores(p_workspace uuid, p_client uuid default null, p_as_of timestamptz default now())
returns table (
  client_id uuid, as_of timestamptz, score smallint, risk_level text, confidence real, factor_scores smallint[], factor_weights smallint[],
  analysed_90 int, negative_14 int, positive_14 int, cancellation_30 int, interactions_90 int, engagement_norm real,
  last_two_way_at timestamptz, days_since_two_way int, average_sentiment real
)
language sql stable
set search_path = ''
as $$ select * from private.health_model(p_workspace, p_client, p_as_of, null, null) $$;
grant execute on function public.compute_health_scores(uuid, uuid, timestamptz) to authenticated, service_role;

-- Given clients, each as of its own moment (arrays of the same length): the backtest.
create function public.compute_health_scores_at(p_workspace uuid, p_clients uuid[], p_as_of timestamptz[])
returns table (
  client_id uuid, as_of timestamptz, score smallint, risk_level text, confidence real, factor_scores smallint[], factor_weights smallint[],
  analysed_90 int, negative_14 int, positive_14 int, cancellation_30 int, interactions_90 int, engagement_norm real,
  last_two_way_at timestamptz, days_since_two_way int, average_sentiment real
)
language sql stable
set search_path = ''
as $$ select * from private.health_model(p_workspace, null, null, p_clients, p_as_of) $$;
grant execute on function public.compute_health_scores_at(uuid, uuid[], timestamptz[]) to authenticated, service_role;
-- ---------------------------------------------------------------------------------------------
-- What else asks for a recompute (the sentiment worker asks after each result)
-- ---------------------------------------------------------------------------------------------
-- Logging, moving, re-attributing or deleting an interaction changes engagement before (or
-- without) any analysis. Statement-level with transition tables: a CSV batch of 500 interactions is
-- one intent per client, not 500. (Sentiment results are not a change here: the worker asks itself.)
create function private.request_health_for_interactions() returns trigger
  language plpgsql security definer
  set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    insert into public.outbox (workspace_id, topic, job_key, payload)
    select distinct on (n.client_id) n.workspace_id, 'health', 'health-' || n.client_id,
           jsonb_build_object('workspaceId', n.workspace_id, 'clientId', n.client_id, 'cause', jsonb_build_object('kind', 'interaction.insert'))
      from new_rows n order by n.client_id;
  elsif tg_op = 'DELETE' then
    insert into public.outbox (workspace_id, topic, job_key, payload)
    select distinct on (o.client_id) o.workspace_id, 'health', 'health-' || o.client_id,
           jsonb_build_object('workspaceId', o.workspace_id, 'clientId', o.client_id, 'cause', jsonb_build_object('kind', 'interaction.delete'))
      from old_rows o
     -- not when the client itself is being deleted (its interactions go with it)
     where exists (select 1 from public.clients c where c.id = o.client_id)
     order by o.client_id;
  else
    insert into public.outbox (workspace_id, topic, job_key, payload)
    select distinct on (m.client_id) m.workspace_id, 'health', 'health-' || m.client_id,
           jsonb_build_object('workspaceId', m.workspace_id, 'clientId', m.client_id, 'cause', jsonb_build_object('kind', 'interaction.update'))
      from (
        select o.workspace_id, o.client_id from old_rows o join new_rows n on n.id = o.id
         where (o.occurred_at, o.direction, o.client_id) is distinct from (n.occurred_at, n.direction, n.client_id)
        union all
        select n.workspace_id, n.client_id from old_rows o join new_rows n on n.id = o.id
         where (o.occurred_at, o.direction, o.client_id) is distinct from (n.occurred_at, n.direction, n.client_id)
      ) m order by m.client_id;
  end if;
  return null;
end
$$;
create trigger interactions_request_health_insert after insert on public.interactions
  referencing new table as new_rows for each statement execute function private.request_health_for_interactions();
create trigger interactions_request_health_update after update on public.interactions
  referencing old table as old_rows new table as new_rows for each statement execute function private.request_health_for_interactions();
create trigger interactions_request_health_delete after delete on public.interactions
  referencing old table as old_rows for each statement execute function private.request_health_for_interactions();

-- A client churned, paused or back to active: its score is kept (churned) or resumed.
create function private.request_health_for_client() returns trigger
  language plpgsql security definer
  set search_path = ''
as $$
begin
  insert into public.outbox (workspace_id, topic, job_key, payload)
  values (new.workspace_id, 'health', 'health-' || new.id,
          jsonb_build_object('workspaceId', new.workspace_id, 'clientId', new.id, 'cause', jsonb_build_object('kind', 'client.status')));
  return null;
end
$$;
create trigger clients_request_health after update of status on public.clients
  for each row when (old.status is distinct from new.status) execute function private.request_health_for_client();
