import { useRevalidator } from '@remix-run/react';
import { usePolling } from './use-polling';

/** Reloads the page's data every `intervalMs` while `active` and the tab is visible (results appear without a reload). */
export function useRevalidateWhile(active: boolean, intervalMs = 1_500): void {
  const revalidator = useRevalidator();
  usePolling(() => revalidator.revalidate(), { active, intervalMs, busy: revalidator.state !== 'idle' });
}
