-- =============================================================================================
-- Clients, their contacts and interactions: the account manager's portfolio. Every table carries
-- workspace_id; RLS: members read, managers and up write.
-- =============================================================================================

create schema if not exists extensions;
create extension if not exists pg_trgm with schema extensions;

create type public.client_status as enum ('active', 'paused', 'churned');
create type public.risk_level as enum ('healthy', 'at_risk', 'critical');
create type public.interaction_type as enum ('email', 'call', 'meeting', 'support_ticket', 'chat', 'note');
create type public.interaction_direction as enum ('inbound', 'outbound', 'internal');
create type public.sentiment_status as enum ('pending', 'done', 'failed');
create type public.sentiment_label as enum ('positive', 'neutral', 'negative');

-- ---------------------------------------------------------------------------------------------
-- clients
-- ---------------------------------------------------------------------------------------------
create table public.clients (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  name text not null check (length(btrim(name)) between 1 and 200),
  domain text check (domain ~ '^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$'),
  external_id text check (length(external_id) between 1 and 200),
  status public.client_status not null default 'active',
  churned_at date,
  churn_reason text check (length(churn_reason) <= 1000),
  mrr_cents bigint not null default 0 check (mrr_cents >= 0),
  currency text not null default 'USD' check (currency ~ '^[A-Z]{3}$'),
  plan_name text check (length(plan_name) <= 100),
  renewal_date date,
  owner_id uuid references public.users (id) on delete set null,
  tags text[] not null default '{}' check (cardinality(tags) <= 50),
  stripe_customer_id text check (stripe_customer_id ~ '^cus_[A-Za-z0-9]+$'),
  notes text check (length(notes) <= 20000),
  health_score smallint check (health_score between 0 and 100),
  risk_level public.risk_level,
  last_contact_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint clients_churn_has_date check (status <> 'churned' or churned_at is not null)
);
create unique index clients_workspace_external_id_key on public.clients (workspace_id, external_id) where external_id is not null;
create unique index clients_workspace_domain_key on public.clients (workspace_id, domain) where domain is not null;
-- List orders (keyset on (sort key, id)) and filters.
create index clients_workspace_name_idx on public.clients (workspace_id, lower(name), id);
create index clients_workspace_mrr_idx on public.clients (workspace_id, mrr_cents, id);
create index clients_workspace_renewal_idx on public.clients (workspace_id, renewal_date, id);
create index clients_workspace_health_idx on public.clients (workspace_id, health_score, id);
create index clients_workspace_last_contact_idx on public.clients (workspace_id, last_contact_at, id);
create index clients_workspace_owner_idx on public.clients (workspace_id, owner_id);
create index clients_tags_idx on public.clients using gin (tags);
create index clients_name_trgm_idx on public.clients using gin (name extensions.gin_trgm_ops);
create index clients_domain_trgm_idx on public.clients using gin (domain extensions.gin_trgm_ops);

-- ---------------------------------------------------------------------------------------------
-- contacts
-- ---------------------------------------------------------------------------------------------
create table public.contacts (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  client_id uuid not null references public.clients (id) on delete cascade,
  name text not null check (length(btrim(name)) between 1 and 200),
  email text check (email = lower(btrim(email)) and length(email) <= 254),
  title text check (length(title) <= 200),
  is_primary boolean not null default false,
  unsubscribed boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index contacts_client_idx on public.contacts (client_id);
create index contacts_workspace_idx on public.contacts (workspace_id);
create index contacts_email_trgm_idx on public.contacts using gin (email extensions.gin_trgm_ops);
create unique index contacts_one_primary_key on public.contacts (client_id) where is_primary;

-- ---------------------------------------------------------------------------------------------
-- interactions
-- ---------------------------------------------------------------------------------------------
create table public.interactions (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  client_id uuid not null references public.clients (id) on delete cascade,
  contact_id uuid references public.contacts (id) on delete set null,
  author_id uuid references public.users (id) on delete set null,
  type public.interaction_type not null,
  direction public.interaction_direction not null,
  occurred_at timestamptz not null,
  subject text check (length(subject) <= 500),
  body text not null default '' check (length(body) <= 100000),
  content_version int not null default 1,
  sentiment_status public.sentiment_status not null default 'pending',
  sentiment_label public.sentiment_label,
  sentiment_score real check (sentiment_score between -1 and 1),
  sentiment_signals text[] not null default '{}',
  sentiment_summary text,
  sentiment_analysed_by text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index interactions_client_timeline_idx on public.interactions (client_id, occurred_at desc, id desc);
create index interactions_workspace_idx on public.interactions (workspace_id, occurred_at desc);
create index interactions_pending_idx on public.interactions (workspace_id) where sentiment_status <> 'done';

-- The client's last two-way contact, kept current for the list's "last contact" column and sort.
create function private.touch_client_last_contact() returns trigger
  language plpgsql security definer
  set search_path = ''
as $$
begin
  if new.direction <> 'internal' then
    update public.clients
       set last_contact_at = greatest(coalesce(last_contact_at, new.occurred_at), new.occurred_at)
     where id = new.client_id;
  end if;
  return new;
end
$$;
create trigger interactions_touch_client
  after insert or update of occurred_at, direction on public.interactions
  for each row execute function private.touch_client_last_contact();

-- Children must belong to the same workspace as their client (RLS checks workspace_id only).
create function private.same_workspace_as_client() returns trigger
  language plpgsql security definer
  set search_path = ''
as $$
begin
  if not exists (select 1 from public.clients c where c.id = new.client_id and c.workspace_id = new.workspace_id) then
    raise exception 'client % is not in workspace %', new.client_id, new.workspace_id using errcode = '23514';
  end if;
  return new;
end
$$;
create trigger contacts_same_workspace before insert or update of client_id, workspace_id on public.contacts
  for each row execute function private.same_workspace_as_client();
create trigger interactions_same_workspace before insert or update of client_id, workspace_id on public.interactions
  for each row execute function private.same_workspace_as_client();

-- ---------------------------------------------------------------------------------------------
-- Row-level security. Policies compare workspace_id with the set of the user's workspaces, which
-- Postgres computes once per statement (a hashed subplan), instead of calling a function per row:
-- lists of 100,000 clients stay fast.
-- ---------------------------------------------------------------------------------------------
create function private.member_workspaces(min_role public.workspace_role) returns setof uuid
  language sql stable security definer
  set search_path = ''
as $$
  select m.workspace_id from public.workspace_members m
   where m.user_id = (select auth.uid()) and private.role_rank(m.role) >= private.role_rank(min_role)
$$;
grant execute on function private.member_workspaces(public.workspace_role) to authenticated, service_role;

alter table public.clients enable row level security;
alter table public.clients force row level security;
alter table public.contacts enable row level security;
alter table public.contacts force row level security;
alter table public.interactions enable row level security;
alter table public.interactions force row level security;

create policy "Members read clients" on public.clients
  for select to authenticated using (workspace_id in (select private.member_workspaces('viewer')));
create policy "Managers add clients" on public.clients
  for insert to authenticated with check (workspace_id in (select private.member_workspaces('manager')));
create policy "Managers edit clients" on public.clients
  for update to authenticated
  using (workspace_id in (select private.member_workspaces('manager'))) with check (workspace_id in (select private.member_workspaces('manager')));
create policy "Managers delete clients" on public.clients
  for delete to authenticated using (workspace_id in (select private.member_workspaces('manager')));

create policy "Members read contacts" on public.contacts
  for select to authenticated using (workspace_id in (select private.member_workspaces('viewer')));
create policy "Managers add contacts" on public.contacts
  for insert to authenticated with check (workspace_id in (select private.member_workspaces('manager')));
create policy "Managers edit contacts" on public.contacts
  for update to authenticated
  using (workspace_id in (select private.member_workspaces('manager'))) with check (workspace_id in (select private.member_workspaces('manager')));
create policy "Managers delete contacts" on public.contacts
  for delete to authenticated using (workspace_id in (select private.member_workspaces('manager')));

create policy "Members read interactions" on public.interactions
  for select to authenticated using (workspace_id in (select private.member_workspaces('viewer')));
create policy "Managers log interactions" on public.interactions
  for insert to authenticated with check (workspace_id in (select private.member_workspaces('manager')));
create policy "Managers edit interactions" on public.interactions
  for update to authenticated
  using (workspace_id in (select private.member_workspaces('manager'))) with check (workspace_id in (select private.member_workspaces('manager')));
create policy "Managers delete interactions" on public.interactions
  for delete to authenticated using (workspace_id in (select private.member_workspaces('manager')));

revoke all on public.clients, public.contacts, public.interactions from anon, authenticated;
grant select, insert, update, delete on public.clients, public.contacts, public.interactions to authenticated;
grant all on public.clients, public.contacts, public.interactions to service_role;
grant usage on schema extensions to authenticated, service_role;
