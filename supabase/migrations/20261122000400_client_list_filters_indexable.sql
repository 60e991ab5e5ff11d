-- Client list filters that Postgres can answer from an index under RLS (decision 014).
--
-- Under RLS, Postgres evaluates a condition before the policy (and so through an index) only when
-- its operator is leakproof. Equality of enums is not (enum_eq), equality of text is (texteq): a
-- status or risk filter tested every client of the workspace. Status and risk level become text
-- with CHECK constraints (the same values), with indexes for the filters.
alter table public.clients drop constraint clients_churn_has_date;
alter table public.clients alter column status drop default;
alter table public.clients alter column status type text using status::text;
alter table public.clients alter column status set default 'active';
alter table public.clients add constraint clients_status_check check (status in ('active', 'paused', 'churned'));
alter table public.clients add constraint clients_churn_has_date check (status <> 'churned' or churned_at is not null);
alter table public.clients alter column risk_level type text using risk_level::text;
alter table public.clients add constraint clients_risk_level_check check (risk_level in ('healthy', 'at_risk', 'critical'));
drop type public.client_status;
drop type public.risk_level;

create index clients_workspace_status_idx on public.clients (workspace_id, status);
create index clients_workspace_risk_idx on public.clients (workspace_id, risk_level);

-- Search answers exact matches when there are any (the name, domain or a contact's email contains
-- the text), and only otherwise the close ones (pg_trgm word similarity): "northwind" lists the
-- Northwind clients, not every name a few letters away, and skips the costly similarity test of
-- hundreds of near misses; "Northwnd Tradrs" still finds "Northwind Traders".
create or replace function private.search_client_ids(workspace uuid, query text) returns setof uuid
  language plpgsql stable security definer
  set search_path = ''
  rows 100
as $$
declare
  words constant text := lower(btrim(query));
  pattern constant text := '%' || replace(replace(replace(words, '\', '\\'), '%', '\%'), '_', '\_') || '%';
  -- The longest word (the most selective) must be close to a word of the name (word similarity at
  -- least 0.6, looked up in the index), and every word somewhat close (0.4): "Northwnd Tradrs" finds
  -- "Northwind Traders", "Umbrella Wealth Partners" does not find "Umbrella Health".
  word_list constant text[] := array(select w from regexp_split_to_table(words, '\s+') w where w <> '' order by length(w) desc);
  longest constant text := coalesce(word_list[1], '');
begin
  if words = '' or not private.has_role(workspace, 'viewer') then
    return;
  end if;
  return query
    select s.id from public.clients s
     where s.workspace_id = workspace and (s.name ilike pattern or s.domain ilike pattern)
    union
    select ct.client_id from public.contacts ct
     where ct.workspace_id = workspace and ct.email ilike pattern;
  if found then
    return;
  end if;
  return query
    select s.id from public.clients s
     where s.workspace_id = workspace
       and s.name operator(extensions.%>) longest
       and (select bool_and(extensions.word_similarity(w, s.name) >= 0.4) from unnest(word_list) w);
end
$$;
