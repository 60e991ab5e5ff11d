import type { RequestHandler } from 'express';

/**
 * What the pages (Remix loaders and actions) take, checked before Remix sees the request (issue 16):
 * GET/HEAD for pages, POST with a form body for actions. Anything else is answered here — 405 with
 * `Allow` for another method (`PUT /login`, `TRACE /`), 415 for a POST whose body is not a form — so
 * an action never meets a body it cannot read and answers 500. The tRPC API, health checks and any
 * future webhook are mounted before this and keep their own rules.
 */
const PAGE_METHODS = new Set(['GET', 'HEAD', 'POST']);
const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data'];

export function pageRequestCheck(): RequestHandler {
  return (req, res, next) => {
    if (!PAGE_METHODS.has(req.method)) {
      res.status(405).set('Allow', 'GET, HEAD, POST').type('text/plain').send('This address takes GET and POST only.');
      return;
    }
    if (req.method === 'POST') {
      const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (!FORM_TYPES.includes(type)) {
        res.status(415).type('text/plain').send('Send the form as application/x-www-form-urlencoded or multipart/form-data.');
        return;
      }
    }
    next();
  };
}
