import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { createRequestHandler } from '@remix-run/express';
import type { ServerBuild } from '@remix-run/node';
import express, { type ErrorRequestHandler, type Express } from 'express';
import { createExpressMiddleware } from '@trpc/server/adapters/express';
import { pinoHttp } from 'pino-http';
import { appRouter } from '../root';
import { createContext } from '../trpc';
import type { AppServices } from '../services';
import { trustProxyOf } from '../env';
import { isRateLimitedError } from '../security/rate-limit';
import { checkReadiness } from '../system/health';
import { clientIpOf } from './client-ip';
import { BODY_LIMIT_BYTES, bodyLimit, isImportUpload } from './body-limit';
import { cspNonceOf, sameOriginCheck, securityHeaders } from './security';
import { pageRequestCheck } from './page-requests';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** The most calls one batched tRPC request may carry; the browser's client batches far fewer. */
export const TRPC_MAX_BATCH_SIZE = 10;

/** Honours a well-formed incoming `x-request-id` (set by Railway's or any proxy), else mints one. */
function requestIdOf(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/**
 * The web process's HTTP app: request ids and access logs, security headers and the same-origin
 * check, health endpoints, the tRPC endpoint, static assets, and everything else handed to Remix
 * with the shared services and the response's CSP nonce in its load context.
 */
export function createWebApp(services: AppServices, build: ServerBuild | null): Express {
  const app = express();
  app.disable('x-powered-by');
  // Which hops of X-Forwarded-For name the client (TRUST_PROXY, decision 020): 1 in production (Railway), none elsewhere.
  app.set('trust proxy', trustProxyOf(services.env));

  app.use(
    pinoHttp({
      logger: services.log,
      genReqId: (req, res) => {
        const id = requestIdOf(req);
        res.setHeader('x-request-id', id);
        return id;
      },
      customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
      autoLogging: { ignore: (req) => req.url?.startsWith('/health/') === true || req.url?.startsWith('/build/') === true },
    }),
  );

  app.use(securityHeaders({ production: services.env.NODE_ENV === 'production' }));
  app.use(sameOriginCheck({ appUrl: services.env.APP_URL }));
  // Before anything reads a body: 413 over 1 MiB (the CSV upload has its own limit), decision 021.
  app.use(bodyLimit({ limitBytes: BODY_LIMIT_BYTES, exempt: isImportUpload }));

  app.get('/health/live', (_req, res) => {
    res.json({ ok: true, uptimeSeconds: Math.round(process.uptime()) });
  });

  app.get('/health/ready', async (_req, res) => {
    const readiness = await checkReadiness(services);
    res
      .status(readiness.ok ? 200 : 503)
      .set('cache-control', 'no-store')
      .json(readiness);
  });

  // The browser's tRPC client (`app/utils/trpc.ts`) calls procedures here, straight from Express:
  // no static-file lookup and no Remix route matching on the way (decision 014).
  app.use(
    '/api/trpc',
    createExpressMiddleware({
      router: appRouter,
      // A batch is one request doing many calls' work: ten at most (400 beyond), decision 021.
      maxBatchSize: TRPC_MAX_BATCH_SIZE,
      maxBodySize: BODY_LIMIT_BYTES,
      // The 429 of a rate limit says when to retry, as loaders' and actions' 429s do.
      responseMeta: ({ errors }) => {
        const waits = errors.flatMap((error) => (isRateLimitedError(error.cause) ? [error.cause.retryAfterSeconds] : []));
        return waits.length > 0 ? { headers: { 'Retry-After': String(Math.max(...waits)) } } : {};
      },
      createContext: ({ req }) =>
        createContext({
          services,
          log: req.log,
          requestId: String(req.id),
          meta: { ip: clientIpOf(req), userAgent: req.headers['user-agent'] ?? null },
          cookieHeader: req.headers.cookie ?? null,
        }),
    }),
  );

  if (build) {
    // Fingerprinted by the Remix build, so they may be cached forever.
    app.use('/build', express.static('public/build', { immutable: true, maxAge: '1y' }));
    app.use(express.static('public', { maxAge: '1h' }));
    // Pages take GET/HEAD and form POSTs; anything else is a 405/415 here, not a 500 in an action.
    app.use(pageRequestCheck());
    app.all(
      '*',
      createRequestHandler({
        build,
        mode: services.env.NODE_ENV,
        getLoadContext: (req, res) => ({
          services,
          log: req.log,
          requestId: String(req.id),
          cspNonce: cspNonceOf(res),
          clientIp: clientIpOf(req),
        }),
      }),
    );
  }
  app.use(lastErrorHandler);

  return app;
}

/**
 * The last word on an error a middleware passed on (a body that is not JSON, a stream that broke): its
 * 4xx with a line, or a 500 logged with its request id — never Express's default page, which prints
 * the stack trace outside production.
 */
const lastErrorHandler: ErrorRequestHandler = (
  error: { status?: unknown; statusCode?: unknown; expose?: unknown; message?: unknown },
  req,
  res,
  _next,
) => {
  const candidate = Number(error.status ?? error.statusCode);
  const status = Number.isInteger(candidate) && candidate >= 400 && candidate < 600 ? candidate : 500;
  if (status >= 500) req.log.error({ err: error }, 'request failed');
  if (res.headersSent) {
    res.end();
    return;
  }
  const line =
    status < 500 && error.expose && typeof error.message === 'string'
      ? error.message
      : status < 500
        ? 'Bad request.'
        : 'Something went wrong.';
  res.status(status).type('text/plain').send(line);
};
