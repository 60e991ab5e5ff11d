-- Backtests in the background (issue 6, decision 016): an admin asks, the worker scores the
-- workspace's churned and retained clients horizon by horizon and stores the result, so the page
-- shows progress, keeps the last result (with who ran it and when) and never holds a request open
-- for the seconds a large portfolio takes. One backtest at a time per workspace.

create type public.backtest_status as enum ('queued', 'running', 'done', 'failed');

create table public.health_backtests (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  requested_by uuid references public.users (id) on delete set null,
  status public.backtest_status not null default 'queued',
  -- Horizons (30, 60, 90 days) computed so far: the progress bar.
  horizons_done smallint not null default 0 check (horizons_done between 0 and 3),
  -- server/health/backtest.ts BacktestResult, once done.
  result jsonb check (result is null or jsonb_typeof(result) = 'object'),
  failure text,
  created_at timestamptz not null default now(),
  started_at timestamptz,
  finished_at timestamptz
);
create index health_backtests_workspace_recent_idx on public.health_backtests (workspace_id, created_at desc);
create unique index health_backtests_one_at_a_time on public.health_backtests (workspace_id) where status in ('queued', 'running');

alter table public.health_backtests enable row level security;
alter table public.health_backtests force row level security;

-- Like the model settings, for admins; the worker (service role) runs and records them.
create policy "Admins read backtests" on public.health_backtests
  for select to authenticated using (workspace_id in (select private.member_workspaces('admin')));
create policy "Admins ask for backtests" on public.health_backtests
  for insert to authenticated
  with check (workspace_id in (select private.member_workspaces('admin')) and requested_by = (select auth.uid()) and status = 'queued');

revoke all on public.health_backtests from anon, authenticated;
grant select, insert on public.health_backtests to authenticated;
grant all on public.health_backtests to service_role;
