-- A sentiment result asks for its client's recompute through the trigger path (decision 018), in
-- the statement that stores it: the worker's store stays one UPDATE instead of an UPDATE and an
-- INSERT in a transaction (four round trips instead of one under the sentiment burst).

create function private.request_health_after_analysis() returns trigger
  language plpgsql security definer
  set search_path = ''
as $$
begin
  perform private.request_job(new.workspace_id, 'health', 'recompute', 'health-' || new.client_id,
            jsonb_build_object('workspaceId', new.workspace_id, 'clientId', new.client_id,
                               'cause', jsonb_build_object('kind', 'sentiment', 'id', new.id || ':v' || new.content_version)));
  return null;
end
$$;

create trigger interactions_request_health_after_analysis
  after update of sentiment_status on public.interactions
  for each row when (old.sentiment_status is distinct from 'done' and new.sentiment_status = 'done')
  execute function private.request_health_after_analysis();
