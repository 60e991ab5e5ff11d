-- Snoozes wake on time (issue 7, decision 017): a job every 15 minutes opens alerts whose snooze
-- has run out, and the moment it did is kept, so a woken alert counts as unread again for the people
-- it concerns (they read it before they snoozed it; it is back now).
alter table public.alerts add column woken_at timestamptz;
create index alerts_snoozed_idx on public.alerts (snoozed_until) where status = 'snoozed';
