import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnv, trustProxyOf } from '../env';
import { createRateLimits, RATE_LIMIT_BUDGETS } from '../security/rate-limit';
import { closeAppServices, type AppServices } from '../services';
import { createOwner, TEST_PASSWORD, uniqueEmail, type TestAccount } from '../testing/factories';
import { createTestServices, testLog } from '../testing/services';
import { createWebApp } from './app';
import { clientIpOf, validIp } from './client-ip';

const required = {
  DATABASE_URL: 'postgres://postgres:postgres@127.0.0.1:5432/clientpulse',
  REDIS_URL: 'redis://127.0.0.1:6379',
  SESSION_SECRET: 'a'.repeat(32),
  SMTP_URL: 'smtp://127.0.0.1:1025',
};

describe('TRUST_PROXY', () => {
  it('defaults to no proxy outside production and to Railway’s one edge hop in production', () => {
    expect(trustProxyOf(parseEnv(required))).toBe(false);
    expect(trustProxyOf(parseEnv({ ...required, NODE_ENV: 'test' }))).toBe(false);
    expect(trustProxyOf(parseEnv({ ...required, NODE_ENV: 'production' }))).toBe(1);
    expect(trustProxyOf(parseEnv({ ...required, NODE_ENV: 'production', TRUST_PROXY: 'false' }))).toBe(false);
  });

  it('takes a number of hops or a list of proxy addresses and CIDRs', () => {
    expect(trustProxyOf(parseEnv({ ...required, TRUST_PROXY: '2' }))).toBe(2);
    expect(trustProxyOf(parseEnv({ ...required, TRUST_PROXY: '0' }))).toBe(false);
    expect(trustProxyOf(parseEnv({ ...required, TRUST_PROXY: '10.0.0.0/8, fd00::/8,192.0.2.1,loopback' }))).toEqual([
      '10.0.0.0/8',
      'fd00::/8',
      '192.0.2.1',
      'loopback',
    ]);
  });

  it('refuses `true` (every client could name its own address) and malformed entries, naming the variable', () => {
    for (const value of ['true', '11', '-1', '10.0.0.0/33', 'proxy.internal', '10.0.0.1,', '1.2.3.4/8/9']) {
      expect(() => parseEnv({ ...required, TRUST_PROXY: value }), value).toThrow(/^Invalid environment variable TRUST_PROXY: /);
    }
  });
});

describe('the client ip', () => {
  it('is an IP address or nothing', () => {
    expect(validIp('203.0.113.7')).toBe('203.0.113.7');
    expect(validIp('2001:db8::1')).toBe('2001:db8::1');
    for (const value of ['', ' ', 'unknown', '1.2.3.4 ', '<script>', 'fe80::1%eth0', '999.1.1.1', undefined, 42]) {
      expect(validIp(value), String(value)).toBeNull();
    }
  });

  it('falls back to the socket’s peer when Express’s ip is not an address', () => {
    const socket = { remoteAddress: '10.1.2.3' };
    const request = (ip: string | undefined) => ({ ip, socket }) as unknown as Parameters<typeof clientIpOf>[0];
    expect(clientIpOf(request('203.0.113.7'))).toBe('203.0.113.7');
    expect(clientIpOf(request('not-an-ip'))).toBe('10.1.2.3');
    expect(clientIpOf(request(undefined))).toBe('10.1.2.3');
  });
});

describe('X-Forwarded-For over HTTP', () => {
  let shared: AppServices;
  let owner: TestAccount;
  const servers: Server[] = [];

  beforeAll(async () => {
    shared = createTestServices();
    owner = await createOwner(shared, 'proxy');
  });
  afterAll(async () => {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    await closeAppServices(shared);
  });

  /** The web app with TRUST_PROXY as given and rate limits of its own (its logins never use up other files' budget). */
  async function start(trustProxy: string | undefined): Promise<{ base: string; services: AppServices }> {
    const { TRUST_PROXY } = parseEnv({ ...required, ...(trustProxy === undefined ? {} : { TRUST_PROXY: trustProxy }) });
    const rateLimits = createRateLimits(shared.redis, { log: testLog, keyPrefix: `rl-proxy-${randomUUID()}` });
    const services: AppServices = { ...shared, env: { ...shared.env, TRUST_PROXY }, rateLimits };
    const server = createWebApp(services, null).listen(0);
    servers.push(server);
    await new Promise((resolve) => server.once('listening', resolve));
    return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, services };
  }

  function logIn(base: string, input: { email: string; password: string }, forwardedFor: string) {
    return fetch(`${base}/api/trpc/auth.logIn`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
      body: JSON.stringify(input),
    });
  }

  it('without TRUST_PROXY, a rotating X-Forwarded-For does not escape the per-IP login limit', async () => {
    const { base } = await start(undefined);
    const attempts = Array.from({ length: RATE_LIMIT_BUDGETS.loginByIp.points + 1 }, (_, attempt) =>
      logIn(base, { email: uniqueEmail('rotating'), password: 'wrong password 1' }, `198.51.100.${attempt + 1}`).then((r) => r.status),
    );
    const statuses = (await Promise.all(attempts)).sort();
    // All from 127.0.0.1 whatever the header says: the one attempt over the budget is refused.
    expect(statuses.filter((status) => status === 429)).toHaveLength(1);
    expect(statuses.filter((status) => status === 401)).toHaveLength(RATE_LIMIT_BUDGETS.loginByIp.points);
  });

  it('with TRUST_PROXY=1, the address the last hop appended is the client’s (sessions and the audit log record it)', async () => {
    const { base, services } = await start('1');
    const response = await logIn(base, { email: owner.email, password: TEST_PASSWORD }, '192.0.2.66, 203.0.113.7');
    expect(response.status).toBe(200);
    const ips = await services.db.readAsService((db) =>
      db
        .selectFrom('sessions')
        .select(sql<string>`host(ip)`.as('ip'))
        .where('user_id', '=', owner.userId)
        .orderBy('created_at', 'desc')
        .limit(1)
        .execute(),
    );
    expect(ips.map((row) => row.ip)).toEqual(['203.0.113.7']);
  });

  it.each([['1'], [undefined]])('a non-IP X-Forwarded-For is never a 500 (TRUST_PROXY=%s)', async (trustProxy) => {
    const { base } = await start(trustProxy);
    for (const forwardedFor of ['not-an-ip', '', ' , ', '1.2.3.4, <script>', 'fe80::1%eth0', '999.999.999.999']) {
      const login = await logIn(base, { email: owner.email, password: TEST_PASSWORD }, forwardedFor);
      expect({ forwardedFor, status: login.status }).toEqual({ forwardedFor, status: 200 });
      const reset = await fetch(`${base}/api/trpc/auth.requestPasswordReset`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
        body: JSON.stringify({ email: uniqueEmail('reset') }),
      });
      expect({ forwardedFor, status: reset.status }).toEqual({ forwardedFor, status: 200 });
    }
  });
});
