import { request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { pinoHttp } from 'pino-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnv } from '../env';
import { closeAppServices, type AppServices } from '../services';
import { createTestServices, TEST_SESSION_SECRET, testDatabaseUrl, testLog, testRedisUrl } from '../testing/services';
import { createWebApp } from './app';
import { sameOriginCheck } from './security';

type Reply = { status: number; headers: IncomingHttpHeaders; body: string };

/** node:http rather than fetch: fetch may not set `Host`, and adds `Sec-Fetch-*` in some runtimes. */
function send(port: number, method: string, path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers: { 'content-length': '0', ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function listen(services: AppServices): Promise<{ server: Server; port: number }> {
  const server = createWebApp(services, null).listen(0);
  await new Promise((resolve) => server.once('listening', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

function nonceOf(csp: string | string[] | undefined): string | undefined {
  return typeof csp === 'string' ? /'nonce-([^']+)'/.exec(csp)?.[1] : undefined;
}

let services: AppServices;
let server: Server;
let port: number;
let productionServer: Server;
let productionPort: number;

beforeAll(async () => {
  services = createTestServices();
  ({ server, port } = await listen(services));
  const productionEnv = parseEnv({
    NODE_ENV: 'production',
    APP_URL: 'https://app.clientpulse.example',
    DATABASE_URL: testDatabaseUrl(),
    REDIS_URL: testRedisUrl(),
    SESSION_SECRET: TEST_SESSION_SECRET,
    SMTP_URL: 'smtp://127.0.0.1:2525',
    LOG_LEVEL: 'silent',
  });
  ({ server: productionServer, port: productionPort } = await listen({ ...services, env: productionEnv }));
});
afterAll(async () => {
  await Promise.all([new Promise((resolve) => server.close(resolve)), new Promise((resolve) => productionServer.close(resolve))]);
  await closeAppServices(services);
});

describe('security headers', () => {
  it('sets the CSP and the other headers on every response, health endpoints included', async () => {
    const { headers } = await send(port, 'GET', '/health/live');
    const csp = [
      "default-src 'self'",
      "script-src 'self' 'nonce-[A-Za-z0-9+/]{22}==' 'strict-dynamic'",
      "style-src 'self'",
      "img-src 'self' data:",
      "font-src 'self'",
      "connect-src 'self'",
      "frame-ancestors 'none'",
      "base-uri 'self'",
      "form-action 'self'",
      "object-src 'none'",
    ];
    expect(headers['content-security-policy']).toMatch(new RegExp(`^${csp.join('; ')}$`));
    expect(headers).toMatchObject({
      'referrer-policy': 'strict-origin-when-cross-origin',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'cross-origin-opener-policy': 'same-origin',
      'permissions-policy': 'camera=(), microphone=(), geolocation=()',
    });
    expect(headers['strict-transport-security']).toBeUndefined();
  });

  it('mints a new nonce for every request', async () => {
    const nonces = await Promise.all(
      [1, 2, 3].map(async () => nonceOf((await send(port, 'GET', '/health/live')).headers['content-security-policy'])),
    );
    expect(nonces.every((nonce) => nonce !== undefined && Buffer.from(nonce, 'base64').length >= 16)).toBe(true);
    expect(new Set(nonces).size).toBe(3);
  });

  it('adds HSTS and upgrade-insecure-requests in production only', async () => {
    const { headers } = await send(productionPort, 'GET', '/health/live');
    expect(headers['strict-transport-security']).toBe('max-age=63072000; includeSubDomains');
    expect(headers['content-security-policy']).toMatch(/; upgrade-insecure-requests$/);
  });
});

describe('same-origin check for state-changing requests', () => {
  it('refuses a POST whose Origin is another site: JSON under /api/, text elsewhere', async () => {
    const api = await send(port, 'POST', '/api/trpc/anything', { origin: 'https://evil.example' });
    expect(api.status).toBe(403);
    expect(JSON.parse(api.body)).toEqual({ error: 'Cross-site request refused' });

    const page = await send(port, 'POST', '/login', { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' });
    expect(page.status).toBe(403);
    expect(page.headers['content-type']).toMatch(/^text\/plain/);
    expect(page.body).toContain('Cross-site request refused');
  });

  it('refuses a POST the browser marks cross-site or same-site, even without Origin', async () => {
    for (const site of ['cross-site', 'same-site']) {
      expect((await send(port, 'DELETE', '/api/anything', { 'sec-fetch-site': site })).status).toBe(403);
    }
  });

  it('refuses an opaque Origin (sandboxed frames send "null")', async () => {
    expect((await send(port, 'PATCH', '/settings', { origin: 'null' })).status).toBe(403);
  });

  it('lets same-origin requests through (no Remix build here, so Express answers 404)', async () => {
    const host = `127.0.0.1:${port}`;
    const byFetchSite = await send(port, 'POST', '/login', { 'sec-fetch-site': 'same-origin', origin: `http://${host}` });
    const byOriginOnly = await send(port, 'PUT', '/login', { host, origin: `http://${host}` });
    const typedUrl = await send(port, 'POST', '/login', { 'sec-fetch-site': 'none' });
    expect([byFetchSite.status, byOriginOnly.status, typedUrl.status]).toEqual([404, 404, 404]);
  });

  it('accepts the origin of APP_URL, and https://<Host> behind a TLS-terminating proxy', async () => {
    const appUrl = await send(productionPort, 'POST', '/login', {
      origin: 'https://app.clientpulse.example',
      'sec-fetch-site': 'same-site',
    });
    expect(appUrl.status).toBe(404);

    const proxied = { host: 'clientpulse.up.railway.app', origin: 'https://clientpulse.up.railway.app' };
    expect((await send(productionPort, 'POST', '/login', { ...proxied, 'x-forwarded-proto': 'https' })).status).toBe(404);
    // Without the proxy's header the request arrived over http, so an https Origin is another origin.
    expect((await send(productionPort, 'POST', '/login', proxied)).status).toBe(403);
  });

  it('lets requests with neither Origin nor Sec-Fetch-Site through (curl, server to server)', async () => {
    expect((await send(port, 'POST', '/api/trpc/anything')).status).not.toBe(403);
  });

  it('never checks safe methods', async () => {
    expect((await send(port, 'GET', '/health/live', { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' })).status).toBe(200);
  });

  it('skips the paths it is told to exempt, and only those', async () => {
    const app = express();
    app.use(pinoHttp({ logger: testLog }));
    app.use(sameOriginCheck({ appUrl: 'http://localhost:3000', exemptPathPrefixes: ['/webhooks/'] }));
    app.post('*', (_req, res) => void res.sendStatus(204));
    const exemptServer = app.listen(0);
    await new Promise((resolve) => exemptServer.once('listening', resolve));
    const exemptPort = (exemptServer.address() as AddressInfo).port;
    try {
      const crossSite = { origin: 'https://hooks.stripe.com', 'sec-fetch-site': 'cross-site' };
      expect((await send(exemptPort, 'POST', '/webhooks/stripe', crossSite)).status).toBe(204);
      expect((await send(exemptPort, 'POST', '/webhooksX', crossSite)).status).toBe(403);
    } finally {
      await new Promise((resolve) => exemptServer.close(resolve));
    }
  });
});
