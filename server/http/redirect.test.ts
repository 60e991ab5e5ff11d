import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServerBuild } from '@remix-run/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as loginRoute from '../../app/routes/_auth+/login';
import { createRateLimits } from '../security/rate-limit';
import { closeAppServices, type AppServices } from '../services';
import { createOwner, TEST_PASSWORD, type TestAccount } from '../testing/factories';
import { createTestServices, testLog } from '../testing/services';
import { createWebApp } from './app';
import { safeRedirectTarget } from './redirect';

const ORIGIN = 'https://app.clientpulse.example';
const FALLBACK = '/w/acme';

/** The open-redirect spellings of issue 16 and their relatives: each must land on the fallback. */
const HOSTILE_REDIRECT_TARGETS = [
  '/\t/evil.example', // redirectTo=%2F%09%2Fevil.example, form-decoded
  '/%09/evil.example',
  '/\n/evil.example',
  '/\r/evil.example',
  '/\x0b/evil.example',
  '/\x0c/evil.example',
  '/\x00/evil.example',
  '\t//evil.example',
  ' /evil',
  '/\u3002evil.example',
  '/\u3002/evil.example',
  '//evil.example',
  '//evil.example/path',
  '/\\evil.example',
  '/\\/evil.example',
  '\\\\evil.example',
  '/%5Cevil.example',
  '/a/../..//evil.example',
  '/.//evil.example',
  'https://evil.example',
  'https://app.clientpulse.example.evil.example/x',
  'http://app.clientpulse.example/w/acme',
  'javascript:alert(1)',
  'JaVaScRiPt:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'evil.example',
  '',
];

describe('safeRedirectTarget', () => {
  it.each(HOSTILE_REDIRECT_TARGETS.map((target) => [JSON.stringify(target), target]))('sends %s to the fallback', (_, target) => {
    expect(safeRedirectTarget(target, ORIGIN, FALLBACK)).toBe(FALLBACK);
  });

  it('sends anything that is not a string to the fallback', () => {
    for (const target of [null, undefined, 42, {}, new File(['/w/acme'], 'x')])
      expect(safeRedirectTarget(target, ORIGIN, FALLBACK)).toBe(FALLBACK);
  });

  it('never throws, even with an origin that is not a URL', () => {
    expect(safeRedirectTarget('/w/acme/clients', 'not a url', FALLBACK)).toBe(FALLBACK);
  });

  it('keeps same-origin paths with their query and fragment, normalised', () => {
    expect(safeRedirectTarget('/w/acme/clients?sort=name&q=a%20b#top', ORIGIN, FALLBACK)).toBe('/w/acme/clients?sort=name&q=a%20b#top');
    expect(safeRedirectTarget('/invitations/abc_DEF-123', ORIGIN, FALLBACK)).toBe('/invitations/abc_DEF-123');
    expect(safeRedirectTarget('/w/acme/./clients/../alerts', ORIGIN, FALLBACK)).toBe('/w/acme/alerts');
    expect(safeRedirectTarget('/', ORIGIN, FALLBACK)).toBe('/');
  });

  it('returns only what a Location header can carry', () => {
    for (const target of [...HOSTILE_REDIRECT_TARGETS, '/w/acme?q="<x>"']) {
      expect(() => new Headers({ location: safeRedirectTarget(target, ORIGIN, FALLBACK) })).not.toThrow();
    }
  });
});

/** The smallest Remix build that serves the real login route: POST /login runs its action. */
function loginOnlyBuild(): ServerBuild {
  return {
    mode: 'production',
    entry: { module: { default: () => new Response('document', { status: 200 }) } },
    routes: {
      root: { id: 'root', path: '', module: { default: () => null } },
      'routes/login': { id: 'routes/login', parentId: 'root', path: 'login', module: loginRoute },
    },
    assets: { entry: { imports: [], module: '' }, routes: {}, url: '', version: 'test' },
    publicPath: '/build/',
    assetsBuildDirectory: 'public/build',
    future: {
      v3_fetcherPersist: true,
      v3_relativeSplatPath: true,
      v3_throwAbortReason: true,
      v3_lazyRouteDiscovery: true,
      v3_singleFetch: true,
    },
    isSpaMode: false,
  } as unknown as ServerBuild;
}

describe('the login action over HTTP', () => {
  let services: AppServices;
  let server: Server;
  let base: string;
  let owner: TestAccount;

  beforeAll(async () => {
    const shared = createTestServices();
    // Limits of this file's own, so its logins from 127.0.0.1 never use up other files' budget.
    services = { ...shared, rateLimits: createRateLimits(shared.redis, { log: testLog, keyPrefix: `rl-redirect-${randomUUID()}` }) };
    owner = await createOwner(services, 'redirect');
    server = createWebApp(services, loginOnlyBuild()).listen(0);
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await closeAppServices(services);
  });

  function logIn(redirectTo: string) {
    const body = new URLSearchParams({ email: owner.email, password: TEST_PASSWORD, redirectTo });
    return fetch(`${base}/login`, { method: 'POST', body, redirect: 'manual' });
  }

  // The spellings of issue 16 as a browser's form would send them; URLSearchParams encodes each.
  const spellings = ['/\t/evil.example', '/\n/evil.example', '/\r/evil.example', '/\x0b/evil.example', '/\x0c/evil.example'];
  const more = [
    '/\u3002/evil.example',
    '/a/../..//evil.example',
    '//evil.example',
    '/\\evil.example',
    'https://evil.example',
    '/%09/evil.example',
  ];
  it.each([...spellings, ...more].map((target) => [JSON.stringify(target), target]))(
    'signs in and redirects redirectTo=%s to the workspace, never elsewhere and never a 500',
    async (_, target) => {
      const response = await logIn(target);
      expect({ status: response.status, location: response.headers.get('location') }).toEqual({
        status: 302,
        location: `/w/${owner.slug}`,
      });
      expect(response.headers.get('set-cookie')).toMatch(/./);
    },
  );

  it('still follows a same-origin path', async () => {
    const response = await logIn(`/w/${owner.slug}/clients?sort=name`);
    expect({ status: response.status, location: response.headers.get('location') }).toEqual({
      status: 302,
      location: `/w/${owner.slug}/clients?sort=name`,
    });
  });

  it('answers what a page does not take before its action runs: 405, 415, and a 400 with no stack trace', async () => {
    const put = await fetch(`${base}/login`, { method: 'PUT', body: new URLSearchParams({ email: owner.email }) });
    expect(put.status).toBe(405);
    const json = await fetch(`${base}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(json.status).toBe(415);
    // A path that is not valid percent-encoding: the static middleware refuses it, our handler answers.
    const malformed = await fetch(`${base}/%E0%A4%A`);
    expect(malformed.status).toBe(400);
    const text = await malformed.text();
    expect(text).not.toMatch(/ at |node_modules|Error:/);
  });
});
