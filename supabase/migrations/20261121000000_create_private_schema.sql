-- ---------------------------------------------------------------------------------------------
-- Schema private: home of the `security definer` helpers RLS policies call
-- (e.g. `(select private.has_role(workspace_id, 'manager'))`). Supabase's API exposes only the
-- schemas listed in its settings (public by default), so nothing here is reachable over HTTP, and
-- the API roles may call its functions but never create anything in it.
-- ---------------------------------------------------------------------------------------------
create schema if not exists private;

revoke all on schema private from public;
grant usage on schema private to authenticated, service_role;

-- Functions created here later are not executable by everyone unless granted explicitly.
alter default privileges in schema private revoke execute on functions from public;
