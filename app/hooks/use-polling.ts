import { useEffect, useRef } from 'react';

export type PollingOptions = {
  /** Poll only while this holds (a job runs, results are pending); polls always when left out. */
  active?: boolean;
  intervalMs: number;
  /** True while the last poll is still loading: no new one starts until it has finished. */
  busy: boolean;
};

/**
 * The app's one polling loop: calls `poll` every `intervalMs` while `active`, the tab is visible and
 * the last poll has finished (`busy` false), so polls never overlap and a hidden tab asks nothing.
 * The interval starts again when a poll finishes: the next one comes `intervalMs` after it.
 */
export function usePolling(poll: () => void, { active = true, intervalMs, busy }: PollingOptions): void {
  // The latest `poll` without restarting the interval on every render (callers pass a new closure each time).
  const latestPoll = useRef(poll);
  useEffect(() => {
    latestPoll.current = poll;
  }, [poll]);
  useEffect(() => {
    if (!active || busy) return;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') latestPoll.current();
    }, intervalMs);
    return () => clearInterval(timer);
  }, [active, busy, intervalMs]);
}
