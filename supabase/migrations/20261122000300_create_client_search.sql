-- Client search as one function. Under RLS, Postgres may not evaluate a non-leakproof operator
-- (ILIKE, pg_trgm's similarity operators) before the policy, so it cannot use the trigram indexes and
-- tests every client of the workspace instead (seconds at 100,000 clients). This function runs as its
-- owner, checks the caller's membership itself, and answers from the indexes; the list query that
-- uses it still runs under RLS.
--
-- Matches: the name, domain or a contact's email contains the text (case-insensitive), or the words
-- of the text are close to words of the name (pg_trgm word similarity; see below).
create function private.search_client_ids(workspace uuid, query text) returns setof uuid
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
     where s.workspace_id = workspace
       and (s.name ilike pattern or s.domain ilike pattern
            or (s.name operator(extensions.%>) longest
                and (select bool_and(extensions.word_similarity(w, s.name) >= 0.4) from unnest(word_list) w)))
    union
    select ct.client_id from public.contacts ct
     where ct.workspace_id = workspace and ct.email ilike pattern;
end
$$;
revoke all on function private.search_client_ids(uuid, text) from public;
grant execute on function private.search_client_ids(uuid, text) to authenticated, service_role;
