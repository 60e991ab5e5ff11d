import { PROFILES } from '../server/local/stack';
import { extractLink, waitForEmail as waitForEmailAt, type CaughtEmail, type WaitForEmailOptions } from '../server/email/catcher-client';

export { extractLink, type CaughtEmail, type WaitForEmailOptions };

/** The mail catcher `npm start` runs for Playwright (playwright.config.ts passes the e2e profile's ports). */
export const E2E_MAIL_CATCHER_URL = `http://localhost:${PROFILES.e2e.mailWebPort}`;

/** Waits for an email the product sent to `to` during an end-to-end test. */
export function waitForEmail(to: string, options?: WaitForEmailOptions): Promise<CaughtEmail> {
  return waitForEmailAt(E2E_MAIL_CATCHER_URL, to, options);
}
