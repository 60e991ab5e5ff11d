/**
 * Reads what the local mail catcher (server/local/mailcatcher.ts) received, through its JSON API.
 * Plain fetch and no test-runner imports, so Vitest tests (server/testing/mail.ts) and Playwright
 * specs (e2e/mail.ts) share it.
 */
import type { CaughtEmail } from '../local/mailcatcher';

export type { CaughtEmail };

export type WaitForEmailOptions = {
  /** Only a message whose subject matches. */
  subject?: RegExp;
  /** Default 10 s. */
  timeoutMs?: number;
};

const POLL_INTERVAL_MS = 100;

/** Received messages, newest first; only those delivered to `to` (any case) when given. */
export async function listCaughtEmails(catcherUrl: string, to?: string): Promise<CaughtEmail[]> {
  const url = new URL('/api/messages', catcherUrl);
  if (to !== undefined) url.searchParams.set('to', to);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`The mail catcher at ${catcherUrl} answered ${response.status} to GET ${url.pathname}`);
  return (await response.json()) as CaughtEmail[];
}

export async function clearCaughtEmails(catcherUrl: string): Promise<void> {
  const response = await fetch(new URL('/api/messages', catcherUrl), { method: 'DELETE' });
  if (!response.ok) throw new Error(`The mail catcher at ${catcherUrl} answered ${response.status} to DELETE /api/messages`);
}

/** Polls until a message to `to` (with a matching subject, if given) arrives; resolves with the newest one. */
export async function waitForEmail(
  catcherUrl: string,
  to: string,
  { subject, timeoutMs = 10_000 }: WaitForEmailOptions = {},
): Promise<CaughtEmail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const received = await listCaughtEmails(catcherUrl, to);
    // search() ignores lastIndex, so a /g pattern matches the same way on every poll.
    const match = received.find((message) => subject === undefined || message.subject.search(subject) !== -1);
    if (match) return match;
    if (Date.now() >= deadline) {
      const seen = received.length ? ` (received for it: ${received.map((message) => JSON.stringify(message.subject)).join(', ')})` : '';
      throw new Error(`No email to ${to}${subject ? ` with a subject matching ${subject}` : ''} within ${timeoutMs} ms${seen}`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}

/** The first absolute http(s) URL in the message's text version whose path starts with `pathPrefix`. */
export function extractLink(message: Pick<CaughtEmail, 'subject' | 'text'>, pathPrefix: string): string {
  const candidates = (message.text.match(/https?:\/\/[^\s<>"]+/g) ?? []).map((candidate) => candidate.replace(/[.,;:!?)\]]+$/, ''));
  const link = candidates.find((candidate) => URL.canParse(candidate) && new URL(candidate).pathname.startsWith(pathPrefix));
  if (link === undefined) throw new Error(`The email ${JSON.stringify(message.subject)} has no link to ${pathPrefix} in its text version`);
  return link;
}
