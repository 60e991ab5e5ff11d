import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';

/** The largest request body of any JSON or form endpoint (tRPC, Remix actions): 1 MiB. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

/** The CSV upload streams up to its own 100 MB limit (`MAX_IMPORT_BYTES` in server/imports/files.ts). */
const IMPORT_UPLOAD_PATH = /^\/w\/[^/]+\/clients\/import\/?$/;

export function isImportUpload(req: IncomingMessage & { path?: string }): boolean {
  return IMPORT_UPLOAD_PATH.test(req.path ?? new URL(req.url ?? '/', 'http://localhost').pathname);
}

function tooLargeMessage(limitBytes: number): string {
  return `This request is too large: at most ${Math.round(limitBytes / 1024)} KB is accepted here.`;
}

/**
 * Caps every request body at `limitBytes` before anyone reads it: a declared `Content-Length` over
 * the cap is answered 413 at once, and a body without one (chunked) is counted as it arrives and cut
 * off with a 413 the moment it passes the cap. Mounted before tRPC and Remix, so every endpoint added
 * later inherits it; `exempt` names the routes with a larger limit of their own (the CSV upload).
 * The 413 closes the connection, so the rest of an oversized body is never read.
 */
export function bodyLimit(options: { limitBytes: number; exempt?: (req: IncomingMessage & { path?: string }) => boolean }): RequestHandler {
  const message = tooLargeMessage(options.limitBytes);
  return (req, res, next) => {
    if (options.exempt?.(req)) return next();
    const refuse = () => {
      res.status(413).set({ Connection: 'close', 'Cache-Control': 'no-store' }).type('text/plain').send(message);
    };
    const declared = req.headers['content-length'];
    if (declared !== undefined) {
      // Node's parser never delivers more than the declared length, so checking it is enough.
      if (Number(declared) > options.limitBytes) return refuse();
      return next();
    }
    if (req.headers['transfer-encoding'] === undefined) return next();
    // A chunked body: count the bytes the HTTP parser pushes into the request stream, before any reader sees them.
    let received = 0;
    let refused = false;
    const push = req.push.bind(req);
    req.push = (chunk: unknown, encoding?: BufferEncoding) => {
      if (refused) return false;
      if (chunk !== null) received += typeof chunk === 'string' ? Buffer.byteLength(chunk) : (chunk as Uint8Array).byteLength;
      if (received <= options.limitBytes) return push(chunk, encoding);
      refused = true;
      // Whoever was reading the body sees it fail rather than end short, once the 413 has gone out.
      const failure = Object.assign(new Error(message), { status: 413, type: 'entity.too.large' });
      if (res.headersSent) req.destroy(failure);
      else {
        refuse();
        res.once('finish', () => req.destroy(failure));
      }
      return false;
    };
    next();
  };
}
