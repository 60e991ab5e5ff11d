-- =============================================================================================
-- Identity and tenancy: users, sessions, password resets, workspaces, members, invitations,
-- audit log. Every table has RLS enabled and forced; policies call security-definer helpers in
-- schema private, wrapped as (select …) so they run once per statement.
-- Sign-up, log-in, password reset and invitation acceptance happen before the person holds a
-- session (or before they are a member), so those flows run on the service path on purpose.
-- =============================================================================================

create type public.workspace_role as enum ('viewer', 'manager', 'admin', 'owner');

-- ---------------------------------------------------------------------------------------------
-- users: one per person, across workspaces. Emails are stored trimmed and lower-cased.
-- ---------------------------------------------------------------------------------------------
create table public.users (
  id uuid primary key default gen_random_uuid(),
  email text not null unique check (email = lower(btrim(email)) and length(email) between 3 and 254),
  name text not null check (length(btrim(name)) between 1 and 100),
  password_hash text not null,
  password_changed_at timestamptz not null default now(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- ---------------------------------------------------------------------------------------------
-- sessions: server-side, revocable, expiring. The cookie carries a random token; only its
-- SHA-256 is stored, so a database leak does not leak live sessions.
-- ---------------------------------------------------------------------------------------------
create table public.sessions (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references public.users (id) on delete cascade,
  token_hash bytea not null unique,
  ip inet,
  user_agent text check (length(user_agent) <= 512),
  created_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  expires_at timestamptz not null,
  revoked_at timestamptz
);
create index sessions_user_id_idx on public.sessions (user_id);
create index sessions_expires_at_idx on public.sessions (expires_at);

-- ---------------------------------------------------------------------------------------------
-- password_resets: single-use, expiring tokens (hash only). Service path only: no policies.
-- ---------------------------------------------------------------------------------------------
create table public.password_resets (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references public.users (id) on delete cascade,
  token_hash bytea not null unique,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz
);
create index password_resets_user_id_idx on public.password_resets (user_id);

-- ---------------------------------------------------------------------------------------------
-- workspaces and their members
-- ---------------------------------------------------------------------------------------------
create table public.workspaces (
  id uuid primary key default gen_random_uuid(),
  name text not null check (length(btrim(name)) between 1 and 80),
  slug text not null unique check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' and length(slug) between 2 and 60),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table public.workspace_members (
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  user_id uuid not null references public.users (id) on delete cascade,
  role public.workspace_role not null,
  created_at timestamptz not null default now(),
  primary key (workspace_id, user_id)
);
create index workspace_members_user_id_idx on public.workspace_members (user_id);

create table public.invitations (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  email text not null check (email = lower(btrim(email))),
  role public.workspace_role not null,
  token_hash bytea not null unique,
  invited_by uuid references public.users (id) on delete set null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  accepted_at timestamptz,
  accepted_by uuid references public.users (id) on delete set null,
  revoked_at timestamptz
);
create index invitations_workspace_id_idx on public.invitations (workspace_id, created_at desc);

-- ---------------------------------------------------------------------------------------------
-- audit_log: who did what, where from, and what changed. Workspace events keep their rows when
-- the workspace is deleted (workspace_id becomes null; the name stays in before/after).
-- ---------------------------------------------------------------------------------------------
create table public.audit_log (
  id bigint generated always as identity primary key,
  workspace_id uuid references public.workspaces (id) on delete set null,
  actor_id uuid references public.users (id) on delete set null,
  action text not null check (action ~ '^[a-z_]+\.[a-z_]+$'),
  target_type text,
  target_id text,
  ip inet,
  user_agent text check (length(user_agent) <= 512),
  before jsonb,
  after jsonb,
  created_at timestamptz not null default now()
);
create index audit_log_workspace_idx on public.audit_log (workspace_id, created_at desc, id desc);
create index audit_log_actor_idx on public.audit_log (actor_id, created_at desc, id desc);
create index audit_log_action_idx on public.audit_log (workspace_id, action, created_at desc);

-- ---------------------------------------------------------------------------------------------
-- Helpers for policies: security definer so they can read memberships without recursing into
-- workspace_members' own policies; search_path empty and every name qualified.
-- ---------------------------------------------------------------------------------------------
create function private.role_rank(role public.workspace_role) returns int
  language sql immutable
  set search_path = ''
as $$
  select case role when 'viewer' then 1 when 'manager' then 2 when 'admin' then 3 when 'owner' then 4 end
$$;

create function private.has_role(workspace uuid, min_role public.workspace_role) returns boolean
  language sql stable security definer
  set search_path = ''
as $$
  select exists (
    select 1 from public.workspace_members m
     where m.workspace_id = workspace
       and m.user_id = (select auth.uid())
       and private.role_rank(m.role) >= private.role_rank(min_role)
  )
$$;

create function private.is_member(workspace uuid) returns boolean
  language sql stable security definer
  set search_path = ''
as $$
  select private.has_role(workspace, 'viewer')
$$;

-- Whether anyone belongs to the workspace yet, seen past RLS (a non-member sees no rows).
create function private.workspace_has_members(workspace uuid) returns boolean
  language sql stable security definer
  set search_path = ''
as $$
  select exists (select 1 from public.workspace_members m where m.workspace_id = workspace)
$$;

grant execute on function private.workspace_has_members(uuid) to authenticated, service_role;

-- Everyone the user shares a workspace with (themselves included), computed once per statement.
create function private.co_members() returns setof uuid
  language sql stable security definer
  set search_path = ''
as $$
  select distinct theirs.user_id from public.workspace_members mine
    join public.workspace_members theirs on theirs.workspace_id = mine.workspace_id
   where mine.user_id = (select auth.uid())
$$;
grant execute on function private.co_members() to authenticated, service_role;

grant execute on function private.role_rank(public.workspace_role), private.has_role(uuid, public.workspace_role),
  private.is_member(uuid) to authenticated, service_role;

-- A workspace always keeps an owner: refuse the change that would leave it without one.
create function private.keep_an_owner() returns trigger
  language plpgsql security definer
  set search_path = ''
as $$
begin
  if old.role = 'owner'
     and exists (select 1 from public.workspaces w where w.id = old.workspace_id)
     and not exists (
       select 1 from public.workspace_members m
        where m.workspace_id = old.workspace_id and m.role = 'owner' and m.user_id <> old.user_id
     )
     and (tg_op = 'DELETE' or new.role <> 'owner') then
    raise exception 'A workspace must keep at least one owner' using errcode = 'P0001', hint = 'last_owner';
  end if;
  return coalesce(new, old);
end
$$;

create trigger workspace_members_keep_an_owner
  before update of role or delete on public.workspace_members
  for each row execute function private.keep_an_owner();

-- ---------------------------------------------------------------------------------------------
-- Row-level security: enabled and forced everywhere; one policy per operation.
-- ---------------------------------------------------------------------------------------------
alter table public.users enable row level security;
alter table public.users force row level security;
alter table public.sessions enable row level security;
alter table public.sessions force row level security;
alter table public.password_resets enable row level security;
alter table public.password_resets force row level security;
alter table public.workspaces enable row level security;
alter table public.workspaces force row level security;
alter table public.workspace_members enable row level security;
alter table public.workspace_members force row level security;
alter table public.invitations enable row level security;
alter table public.invitations force row level security;
alter table public.audit_log enable row level security;
alter table public.audit_log force row level security;

-- users: yourself, and people you share a workspace with.
create policy "Users see themselves and co-members" on public.users
  for select to authenticated
  using (id = (select auth.uid()) or id in (select private.co_members()));
create policy "Users update themselves" on public.users
  for update to authenticated
  using (id = (select auth.uid())) with check (id = (select auth.uid()));

-- sessions: your own, to list and revoke.
create policy "Users see their sessions" on public.sessions
  for select to authenticated using (user_id = (select auth.uid()));
create policy "Users revoke their sessions" on public.sessions
  for update to authenticated
  using (user_id = (select auth.uid())) with check (user_id = (select auth.uid()));

-- workspaces
create policy "Members see their workspaces" on public.workspaces
  for select to authenticated using ((select private.is_member(id)));
create policy "Signed-in users create workspaces" on public.workspaces
  for insert to authenticated with check (true);
create policy "Admins rename their workspace" on public.workspaces
  for update to authenticated
  using ((select private.has_role(id, 'admin'))) with check ((select private.has_role(id, 'admin')));
create policy "Owners delete their workspace" on public.workspaces
  for delete to authenticated using ((select private.has_role(id, 'owner')));

-- workspace_members
create policy "Members see co-members" on public.workspace_members
  for select to authenticated using ((select private.is_member(workspace_id)));
create policy "Creators become the first owner" on public.workspace_members
  for insert to authenticated
  with check (
    user_id = (select auth.uid()) and role = 'owner' and not (select private.workspace_has_members(workspace_id))
  );
create policy "Admins change roles" on public.workspace_members
  for update to authenticated
  using ((select private.has_role(workspace_id, 'admin'))) with check ((select private.has_role(workspace_id, 'admin')));
create policy "Admins remove members and members leave" on public.workspace_members
  for delete to authenticated
  using (user_id = (select auth.uid()) or (select private.has_role(workspace_id, 'admin')));

-- invitations
create policy "Admins see invitations" on public.invitations
  for select to authenticated using ((select private.has_role(workspace_id, 'admin')));
create policy "Admins invite" on public.invitations
  for insert to authenticated with check ((select private.has_role(workspace_id, 'admin')));
create policy "Admins revoke invitations" on public.invitations
  for update to authenticated
  using ((select private.has_role(workspace_id, 'admin'))) with check ((select private.has_role(workspace_id, 'admin')));

-- audit_log: admins read their workspace's trail; everyone reads their own account events.
create policy "Admins read the workspace audit log" on public.audit_log
  for select to authenticated
  using (
    (workspace_id is not null and (select private.has_role(workspace_id, 'admin')))
    or (workspace_id is null and actor_id = (select auth.uid()))
  );
create policy "Members record their own actions" on public.audit_log
  for insert to authenticated
  with check (
    actor_id = (select auth.uid())
    and (workspace_id is null or (select private.is_member(workspace_id)))
  );

-- ---------------------------------------------------------------------------------------------
-- Grants: the API role gets only what the policies above make meaningful; password hashes and
-- token hashes are never readable by it.
-- ---------------------------------------------------------------------------------------------
revoke all on public.users, public.sessions, public.password_resets, public.workspaces,
  public.workspace_members, public.invitations, public.audit_log from anon, authenticated;

grant select (id, email, name, created_at, updated_at, password_changed_at) on public.users to authenticated;
grant update (name, updated_at) on public.users to authenticated;
grant select (id, user_id, ip, user_agent, created_at, last_seen_at, expires_at, revoked_at) on public.sessions to authenticated;
grant update (revoked_at) on public.sessions to authenticated;
grant select, insert, delete on public.workspaces to authenticated;
grant update (name, updated_at) on public.workspaces to authenticated;
grant select, insert, delete on public.workspace_members to authenticated;
grant update (role) on public.workspace_members to authenticated;
grant select (id, workspace_id, email, role, invited_by, created_at, expires_at, accepted_at, accepted_by, revoked_at),
  insert on public.invitations to authenticated;
grant update (revoked_at) on public.invitations to authenticated;
grant select, insert on public.audit_log to authenticated;

grant all on public.users, public.sessions, public.password_resets, public.workspaces,
  public.workspace_members, public.invitations, public.audit_log to service_role;
