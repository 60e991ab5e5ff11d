-- The sentiment pipeline (issue 5, decision 015): job intents written in the same transaction as
-- the change (outbox), relayed to BullMQ by the worker; jobs that exhausted their attempts kept for
-- admins (failed_jobs); what the analysis found on each interaction.

-- ---------------------------------------------------------------------------------------------
-- interactions: what the analysis adds, and a content version that moves when the text does
-- ---------------------------------------------------------------------------------------------
alter table public.interactions
  add column sentiment_confidence real check (sentiment_confidence between 0 and 1),
  add column sentiment_analysed_at timestamptz,
  -- Why the result is not the configured provider's own (a fallback), or why the analysis failed.
  add column sentiment_note text check (length(sentiment_note) <= 500);

-- An edit of what was said (or of who said it how) is a new version: analysed again.
create function private.version_interaction_content() returns trigger
  language plpgsql
  set search_path = ''
as $$
begin
  if (new.subject, new.body, new.type, new.direction) is distinct from (old.subject, old.body, old.type, old.direction) then
    new.content_version := old.content_version + 1;
    new.sentiment_status := 'pending';
    new.sentiment_note := null;
    new.updated_at := now();
  end if;
  return new;
end
$$;
create trigger interactions_version_content
  before update of subject, body, type, direction on public.interactions
  for each row execute function private.version_interaction_content();

-- ---------------------------------------------------------------------------------------------
-- outbox: job intents, committed with the change that needs them
-- ---------------------------------------------------------------------------------------------
create table public.outbox (
  id bigint generated always as identity primary key,
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  topic text not null check (topic in ('sentiment', 'health')),
  -- The BullMQ job id: the same intent relayed twice is one job.
  job_key text not null check (length(job_key) <= 200),
  payload jsonb not null,
  created_at timestamptz not null default now(),
  relayed_at timestamptz,
  relay_attempts int not null default 0,
  last_error text
);
-- The relay's queue: rows not yet relayed, oldest first.
create index outbox_unrelayed_idx on public.outbox (id) where relayed_at is null;
create index outbox_relayed_at_idx on public.outbox (relayed_at) where relayed_at is not null;
create index outbox_workspace_idx on public.outbox (workspace_id);

create function private.outbox_wake() returns trigger
  language plpgsql
  set search_path = ''
as $$
begin
  -- One notification per transaction (Postgres folds identical ones): the relay wakes at once.
  perform pg_notify('clientpulse_outbox', '');
  return null;
end
$$;
create trigger outbox_wake after insert on public.outbox
  for each statement execute function private.outbox_wake();

-- A new interaction waiting for analysis, or a new version of one, asks for a sentiment job.
create function private.request_interaction_sentiment() returns trigger
  language plpgsql security definer
  set search_path = ''
as $$
begin
  if new.sentiment_status = 'pending' and (tg_op = 'INSERT' or new.content_version <> old.content_version) then
    insert into public.outbox (workspace_id, topic, job_key, payload)
    values (
      new.workspace_id,
      'sentiment',
      'sentiment-' || new.id || '-v' || new.content_version,
      jsonb_build_object('workspaceId', new.workspace_id, 'interactionId', new.id, 'version', new.content_version)
    );
  end if;
  return null;
end
$$;
-- (`update of content_version` would not fire: the BEFORE trigger sets it, the statement does not.)
create trigger interactions_request_sentiment
  after insert or update of subject, body, type, direction on public.interactions
  for each row execute function private.request_interaction_sentiment();

-- ---------------------------------------------------------------------------------------------
-- failed_jobs: the dead-letter table
-- ---------------------------------------------------------------------------------------------
create table public.failed_jobs (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  queue text not null,
  job_name text not null,
  job_key text not null,
  payload jsonb not null,
  error text not null check (length(error) <= 2000),
  attempts int not null,
  failed_at timestamptz not null default now(),
  retried_at timestamptz,
  retried_by uuid references public.users (id) on delete set null
);
create index failed_jobs_workspace_idx on public.failed_jobs (workspace_id, failed_at desc, id desc);
-- One open entry per job: a job failing again after a retry updates its entry.
create unique index failed_jobs_open_key on public.failed_jobs (job_key) where retried_at is null;

-- ---------------------------------------------------------------------------------------------
-- Row-level security
-- ---------------------------------------------------------------------------------------------
alter table public.outbox enable row level security;
alter table public.outbox force row level security;
alter table public.failed_jobs enable row level security;
alter table public.failed_jobs force row level security;

-- Users never read the outbox; admins add intents (backfill, retry) for their workspace.
create policy "Admins request jobs" on public.outbox
  for insert to authenticated with check (workspace_id in (select private.member_workspaces('admin')));

create policy "Admins read failed jobs" on public.failed_jobs
  for select to authenticated using (workspace_id in (select private.member_workspaces('admin')));
create policy "Admins retry failed jobs" on public.failed_jobs
  for update to authenticated
  using (workspace_id in (select private.member_workspaces('admin'))) with check (workspace_id in (select private.member_workspaces('admin')));

revoke all on public.outbox, public.failed_jobs from anon, authenticated;
grant insert (workspace_id, topic, job_key, payload) on public.outbox to authenticated;
grant select on public.failed_jobs to authenticated;
grant update (retried_at, retried_by) on public.failed_jobs to authenticated;
grant all on public.outbox, public.failed_jobs to service_role;

-- What the analysis writes is the worker's, not the user's: users edit an interaction's content,
-- never its sentiment.
revoke update on public.interactions from authenticated;
grant update (contact_id, type, direction, occurred_at, subject, body, updated_at) on public.interactions to authenticated;
