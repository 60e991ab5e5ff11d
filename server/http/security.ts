import { randomBytes } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';

/**
 * The Content-Security-Policy for one response. Scripts run only with this response's nonce;
 * `'strict-dynamic'` extends that trust to the modules those scripts import (Remix's entry and route
 * chunks), so no host allow-list is needed. `'self'` stays for browsers without CSP level 3.
 */
export function contentSecurityPolicy(nonce: string, production: boolean): string {
  const directives = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`,
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "object-src 'none'",
    // Local development runs on plain http, where upgrading would break every asset.
    ...(production ? ['upgrade-insecure-requests'] : []),
  ];
  return directives.join('; ');
}

/** The nonce `securityHeaders` stored for this response; Remix gets it through the load context. */
export function cspNonceOf(res: Response): string {
  const nonce: unknown = res.locals.cspNonce;
  if (typeof nonce !== 'string') throw new Error('No CSP nonce on this response: mount securityHeaders() before the Remix handler');
  return nonce;
}

/**
 * Security headers on every response, and a fresh CSP nonce per request in `res.locals.cspNonce`.
 * HSTS only in production: on localhost it would pin the browser to https for two years.
 */
export function securityHeaders(options: { production: boolean }): RequestHandler {
  return (_req, res, next) => {
    const nonce = randomBytes(16).toString('base64');
    res.locals.cspNonce = nonce;
    res.setHeader('Content-Security-Policy', contentSecurityPolicy(nonce, options.production));
    res.setHeader('Referrer-Policy', 'strict-origin-when-cross-origin');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Permissions-Policy', 'camera=(), microphone=(), geolocation=()');
    if (options.production) res.setHeader('Strict-Transport-Security', 'max-age=63072000; includeSubDomains');
    next();
  };
}

const STATE_CHANGING_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** `none`: the user typed the URL or used a bookmark — no other site is involved. */
const TRUSTED_FETCH_SITES = new Set(['same-origin', 'none']);

/** The origin of a URL, or null when it is not one (`Origin: null` from sandboxed frames, garbage). */
function originOf(url: string): string | null {
  try {
    const origin = new URL(url).origin;
    return origin === 'null' ? null : origin;
  } catch {
    return null;
  }
}

/**
 * Whether a browser request comes from one of our own pages. `trust proxy` makes `req.protocol`
 * follow the proxy's `X-Forwarded-Proto`, so `https://<host>` matches behind Railway's TLS proxy.
 */
function isSameOrigin(req: Request, appOrigin: string | null): boolean {
  const fetchSite = req.get('sec-fetch-site');
  if (fetchSite !== undefined && TRUSTED_FETCH_SITES.has(fetchSite)) return true;
  const origin = req.get('origin');
  if (origin === undefined) return fetchSite === undefined;
  const requestOrigin = originOf(`${req.protocol}://${req.get('host') ?? ''}`);
  const claimed = originOf(origin);
  return claimed !== null && (claimed === appOrigin || claimed === requestOrigin);
}

const REFUSAL = 'Cross-site request refused';

/**
 * Refuses state-changing requests that a browser says come from another site — the CSRF defence,
 * alongside SameSite=Lax cookies, instead of per-form tokens. Browsers send `Sec-Fetch-Site` or
 * `Origin` (usually both) on every cross-site POST, so a request with neither is not a browser's
 * (curl, server-to-server) and carries no ambient cookies an attacker could ride; it passes.
 * `exemptPathPrefixes` are for endpoints other sites legitimately post to (payment webhooks).
 */
export function sameOriginCheck(options: { appUrl: string; exemptPathPrefixes?: readonly string[] }): RequestHandler {
  const appOrigin = originOf(options.appUrl);
  const exempt = options.exemptPathPrefixes ?? [];
  return (req, res, next) => {
    if (!STATE_CHANGING_METHODS.has(req.method) || exempt.some((prefix) => req.path.startsWith(prefix)) || isSameOrigin(req, appOrigin)) {
      next();
      return;
    }
    req.log.warn(
      { method: req.method, path: req.path, origin: req.get('origin'), secFetchSite: req.get('sec-fetch-site') },
      'cross-site request refused',
    );
    res.status(403).set('cache-control', 'no-store');
    if (req.path.startsWith('/api/')) res.json({ error: REFUSAL });
    else res.type('text/plain').send(`${REFUSAL}. Go back to the page and try again.`);
  };
}
