import { inject } from 'vitest';
import { extractLink, waitForEmail as waitForEmailAt, type CaughtEmail, type WaitForEmailOptions } from '../email/catcher-client';

export { extractLink, type CaughtEmail, type WaitForEmailOptions };

/** The web page and API of the run's mail catcher, started by the global setup. */
export function testMailCatcherUrl(): string {
  const url = inject('mailCatcherUrl');
  if (!url) throw new Error('This run has no mail catcher: TEST_SMTP_URL points at another SMTP server.');
  return url;
}

/** Waits for an email to `to` in the run's mail catcher; use a recipient address unique to the test. */
export function waitForEmail(to: string, options?: WaitForEmailOptions): Promise<CaughtEmail> {
  return waitForEmailAt(testMailCatcherUrl(), to, options);
}
