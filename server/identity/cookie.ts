import { createCookie, type Cookie } from '@remix-run/node';
import type { Env } from '../env';
import { tokenSchema } from './schemas';
import { SESSION_TTL_DAYS } from './sessions';

/**
 * The session cookie: httpOnly, SameSite=Lax, signed with SESSION_SECRET (a tampered value parses
 * as no session), `secure` in production. It carries only the random session token.
 */
export function createSessionCookie(env: Pick<Env, 'SESSION_SECRET' | 'NODE_ENV'>): Cookie {
  return createCookie('cp_session', {
    httpOnly: true,
    sameSite: 'lax',
    secure: env.NODE_ENV === 'production',
    path: '/',
    maxAge: SESSION_TTL_DAYS * 24 * 60 * 60,
    secrets: [env.SESSION_SECRET],
  });
}

/** The session token in a Cookie header, or null when absent, unsigned or malformed. */
export async function readSessionToken(cookie: Cookie, header: string | null): Promise<string | null> {
  const value: unknown = await cookie.parse(header);
  const parsed = tokenSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}
