-- One way to ask for background work (issue 15, decision 018): an outbox row names its queue and
-- job, as the queue's contract in server/queue/ declares them; triggers ask through one helper,
-- private.request_job; every queue's last failed attempt lands in failed_jobs.

-- ---------------------------------------------------------------------------------------------
-- outbox: queue and job name instead of a topic the relay had to interpret
-- ---------------------------------------------------------------------------------------------
alter table public.outbox drop constraint outbox_topic_check;
alter table public.outbox rename column topic to queue;
alter table public.outbox add column job_name text;
update public.outbox set queue = 'alerts', payload = payload || jsonb_build_object('workspaceId', workspace_id) where queue = 'alert';
update public.outbox
   set job_name = case
         when queue = 'sentiment' then 'analyse'
         when queue = 'alerts' then 'deliver'
         when payload ? 'backtestId' then 'backtest'
         when payload ? 'clientId' then 'recompute'
         else 'recompute-workspace'
       end;
alter table public.outbox
  alter column job_name set not null,
  add constraint outbox_job_name_check check (length(job_name) between 1 and 100),
  add constraint outbox_queue_check check (length(queue) between 1 and 100),
  -- A request of the whole system (a retried daily job) belongs to no workspace.
  alter column workspace_id drop not null;
-- The sweep asks again only for keys not asked for recently.
create index outbox_job_key_idx on public.outbox (job_key, created_at);

-- Managers start imports, which ask for a job; the relay checks every row against its queue's contract.
drop policy "Admins request jobs" on public.outbox;
create policy "Managers request jobs" on public.outbox
  for insert to authenticated with check (workspace_id in (select private.member_workspaces('manager')));
grant insert (job_name) on public.outbox to authenticated;

-- The one SQL path to the outbox: what a trigger asks for is the row requestJob() writes.
create function private.request_job(p_workspace uuid, p_queue text, p_job text, p_key text, p_payload jsonb) returns void
  language sql
  set search_path = ''
as $$
  insert into public.outbox (workspace_id, queue, job_name, job_key, payload) values (p_workspace, p_queue, p_job, p_key, p_payload);
$$;

-- ---------------------------------------------------------------------------------------------
-- The triggers ask through it
-- ---------------------------------------------------------------------------------------------
create or replace function private.request_interaction_sentiment() returns trigger
  language plpgsql security definer
  set search_path = ''
as $$
begin
  if new.sentiment_status = 'pending' and (tg_op = 'INSERT' or new.content_version <> old.content_version) then
    perform private.request_job(
      new.workspace_id, 'sentiment', 'analyse',
      'sentiment-' || new.id || '-v' || new.content_version,
      jsonb_build_object('workspaceId', new.workspace_id, 'interactionId', new.id, 'version', new.content_version)
    );
  end if;
  return null;
end
$$;

create or replace function private.request_health_for_interactions() returns trigger
  language plpgsql security definer
  set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    perform private.request_job(n.workspace_id, 'health', 'recompute', 'health-' || n.client_id,
              jsonb_build_object('workspaceId', n.workspace_id, 'clientId', n.client_id, 'cause', jsonb_build_object('kind', 'interaction.insert')))
       from (select distinct on (client_id) workspace_id, client_id from new_rows order by client_id) n;
  elsif tg_op = 'DELETE' then
    perform private.request_job(o.workspace_id, 'health', 'recompute', 'health-' || o.client_id,
              jsonb_build_object('workspaceId', o.workspace_id, 'clientId', o.client_id, 'cause', jsonb_build_object('kind', 'interaction.delete')))
       from (select distinct on (client_id) workspace_id, client_id from old_rows order by client_id) o
      -- not when the client itself is being deleted (its interactions go with it)
      where exists (select 1 from public.clients c where c.id = o.client_id);
  else
    perform private.request_job(m.workspace_id, 'health', 'recompute', 'health-' || m.client_id,
              jsonb_build_object('workspaceId', m.workspace_id, 'clientId', m.client_id, 'cause', jsonb_build_object('kind', 'interaction.update')))
       from (
         select distinct on (client_id) workspace_id, client_id from (
           select o.workspace_id, o.client_id from old_rows o join new_rows n on n.id = o.id
            where (o.occurred_at, o.direction, o.client_id) is distinct from (n.occurred_at, n.direction, n.client_id)
           union all
           select n.workspace_id, n.client_id from old_rows o join new_rows n on n.id = o.id
            where (o.occurred_at, o.direction, o.client_id) is distinct from (n.occurred_at, n.direction, n.client_id)
         ) moved order by client_id
       ) m;
  end if;
  return null;
end
$$;

create or replace function private.request_health_for_client() returns trigger
  language plpgsql security definer
  set search_path = ''
as $$
begin
  perform private.request_job(new.workspace_id, 'health', 'recompute', 'health-' || new.id,
            jsonb_build_object('workspaceId', new.workspace_id, 'clientId', new.id, 'cause', jsonb_build_object('kind', 'client.status')));
  return null;
end
$$;

-- ---------------------------------------------------------------------------------------------
-- failed_jobs: every queue's dead letters, system jobs (no workspace) included
-- ---------------------------------------------------------------------------------------------
alter table public.failed_jobs alter column workspace_id drop not null;
create index failed_jobs_open_queue_idx on public.failed_jobs (workspace_id, queue) where retried_at is null;

-- A failed backtest can be retried by an admin (its dead letter on the Background jobs page).
grant update (status, failure, finished_at, horizons_done) on public.health_backtests to authenticated;
create policy "Admins retry failed backtests" on public.health_backtests
  for update to authenticated
  using (workspace_id in (select private.member_workspaces('admin')) and status = 'failed')
  with check (workspace_id in (select private.member_workspaces('admin')) and status = 'queued');

-- The sweep's look for interactions whose analysis was asked for but never came back.
create index interactions_pending_since_idx on public.interactions (updated_at) where sentiment_status = 'pending';
