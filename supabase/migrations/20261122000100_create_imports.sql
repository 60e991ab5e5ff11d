-- =============================================================================================
-- CSV imports: the uploaded file (kept in Postgres in 1 MiB chunks, so the web and the worker —
-- separate services with no shared disk — both reach it under RLS), the column mapping, progress
-- and the rows that could not be imported. Interactions get an import key so that importing the
-- same file again adds nothing.
-- =============================================================================================

create type public.import_kind as enum ('clients', 'interactions');
create type public.import_status as enum ('uploaded', 'queued', 'running', 'done', 'failed');

create table public.imports (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  created_by uuid references public.users (id) on delete set null,
  kind public.import_kind not null,
  file_name text not null check (length(file_name) between 1 and 255),
  file_bytes bigint not null default 0 check (file_bytes >= 0),
  delimiter text not null default ',' check (delimiter in (',', ';', E'\t', '|')),
  headers text[] not null default '{}',
  -- The first rows of the file, for the mapping page: an array of arrays of strings.
  preview jsonb not null default '[]' check (jsonb_typeof(preview) = 'array'),
  -- { "<field>": <column index> } chosen on the mapping page.
  mapping jsonb check (mapping is null or jsonb_typeof(mapping) = 'object'),
  status public.import_status not null default 'uploaded',
  processed_bytes bigint not null default 0,
  processed_rows int not null default 0,
  created_rows int not null default 0,
  updated_rows int not null default 0,
  unchanged_rows int not null default 0,
  error_rows int not null default 0,
  failure text,
  created_at timestamptz not null default now(),
  queued_at timestamptz,
  started_at timestamptz,
  finished_at timestamptz,
  constraint imports_id_workspace_key unique (id, workspace_id)
);
create index imports_workspace_recent_idx on public.imports (workspace_id, created_at desc);
create index imports_waiting_idx on public.imports (queued_at) where status in ('queued', 'running');

create table public.import_file_chunks (
  import_id uuid not null,
  workspace_id uuid not null,
  seq int not null check (seq >= 0),
  data bytea not null,
  primary key (import_id, seq),
  foreign key (import_id, workspace_id) references public.imports (id, workspace_id) on delete cascade
);

create table public.import_row_errors (
  import_id uuid not null,
  workspace_id uuid not null,
  -- As a spreadsheet counts: the header is row 1, the first data row is row 2.
  row_number int not null check (row_number >= 1),
  reason text not null,
  raw text[] not null default '{}',
  primary key (import_id, row_number),
  foreign key (import_id, workspace_id) references public.imports (id, workspace_id) on delete cascade
);

alter table public.interactions add column import_key text check (length(import_key) <= 64);
create unique index interactions_import_key on public.interactions (client_id, import_key) where import_key is not null;

alter table public.imports enable row level security;
alter table public.imports force row level security;
alter table public.import_file_chunks enable row level security;
alter table public.import_file_chunks force row level security;
alter table public.import_row_errors enable row level security;
alter table public.import_row_errors force row level security;

create policy "Members read imports" on public.imports
  for select to authenticated using (workspace_id in (select private.member_workspaces('viewer')));
create policy "Managers start imports" on public.imports
  for insert to authenticated with check (workspace_id in (select private.member_workspaces('manager')) and created_by = (select auth.uid()));
create policy "Managers run imports" on public.imports
  for update to authenticated
  using (workspace_id in (select private.member_workspaces('manager'))) with check (workspace_id in (select private.member_workspaces('manager')));
create policy "Managers delete imports" on public.imports
  for delete to authenticated using (workspace_id in (select private.member_workspaces('manager')));

-- The file itself is for the people who import, not for every viewer.
create policy "Managers read import files" on public.import_file_chunks
  for select to authenticated using (workspace_id in (select private.member_workspaces('manager')));
create policy "Managers upload import files" on public.import_file_chunks
  for insert to authenticated with check (workspace_id in (select private.member_workspaces('manager')));
create policy "Managers delete import files" on public.import_file_chunks
  for delete to authenticated using (workspace_id in (select private.member_workspaces('manager')));

create policy "Members read import errors" on public.import_row_errors
  for select to authenticated using (workspace_id in (select private.member_workspaces('viewer')));
create policy "Managers record import errors" on public.import_row_errors
  for insert to authenticated with check (workspace_id in (select private.member_workspaces('manager')));
create policy "Managers delete import errors" on public.import_row_errors
  for delete to authenticated using (workspace_id in (select private.member_workspaces('manager')));

revoke all on public.imports, public.import_file_chunks, public.import_row_errors from anon, authenticated;
grant select, insert, update, delete on public.imports to authenticated;
grant select, insert, delete on public.import_file_chunks, public.import_row_errors to authenticated;
grant all on public.imports, public.import_file_chunks, public.import_row_errors to service_role;
