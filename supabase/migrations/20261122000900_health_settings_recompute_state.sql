-- Health model settings (issue 6): when an admin last changed the weights or thresholds, and when the
-- workspace's scores were last recomputed as a whole, so the settings page can say "recomputing with
-- your new settings…" until the worker has done it.
alter table public.workspace_health_settings
  add column settings_changed_at timestamptz,
  add column scores_recomputed_at timestamptz;
