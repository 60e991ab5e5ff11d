-- The client list keeps empty values last in both directions. A descending scan of an ascending
-- index returns nulls first, so the nullable sort keys get descending indexes with nulls last; the
-- list then reads the first page of any sort straight from an index instead of sorting the workspace.
create index clients_workspace_health_desc_idx on public.clients (workspace_id, health_score desc nulls last, id desc);
create index clients_workspace_renewal_desc_idx on public.clients (workspace_id, renewal_date desc nulls last, id desc);
create index clients_workspace_last_contact_desc_idx on public.clients (workspace_id, last_contact_at desc nulls last, id desc);
