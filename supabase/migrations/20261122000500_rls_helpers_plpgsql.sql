-- The helpers every policy calls, rewritten in PL/pgSQL (decision 014). Same arguments, results
-- and security. A security-definer SQL function is never inlined, and Postgres plans its body again
-- in every statement that calls it (0.3–0.4 ms here, twice over when is_member called has_role);
-- PL/pgSQL keeps its plans for the life of the connection. Each user-facing statement ran one or
-- two of these, so this cost was paid by every request.

create or replace function private.has_role(workspace uuid, min_role public.workspace_role) returns boolean
  language plpgsql stable security definer
  set search_path = ''
as $$
begin
  return exists (
    select 1 from public.workspace_members m
     where m.workspace_id = workspace
       and m.user_id = (select auth.uid())
       and private.role_rank(m.role) >= private.role_rank(min_role)
  );
end
$$;

create or replace function private.is_member(workspace uuid) returns boolean
  language plpgsql stable security definer
  set search_path = ''
as $$
begin
  return exists (select 1 from public.workspace_members m where m.workspace_id = workspace and m.user_id = (select auth.uid()));
end
$$;

create or replace function private.workspace_has_members(workspace uuid) returns boolean
  language plpgsql stable security definer
  set search_path = ''
as $$
begin
  return exists (select 1 from public.workspace_members m where m.workspace_id = workspace);
end
$$;

create or replace function private.co_members() returns setof uuid
  language plpgsql stable security definer
  set search_path = ''
as $$
begin
  return query
    select distinct theirs.user_id from public.workspace_members mine
      join public.workspace_members theirs on theirs.workspace_id = mine.workspace_id
     where mine.user_id = (select auth.uid());
end
$$;

create or replace function private.member_workspaces(min_role public.workspace_role) returns setof uuid
  language plpgsql stable security definer
  set search_path = ''
  rows 10
as $$
begin
  return query
    select m.workspace_id from public.workspace_members m
     where m.user_id = (select auth.uid()) and private.role_rank(m.role) >= private.role_rank(min_role);
end
$$;
