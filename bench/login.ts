import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createWebApp } from '../server/http/app';
import { createRateLimits } from '../server/security/rate-limit';
import { closeAppServices } from '../server/services';
import { createOwner, TEST_PASSWORD, type TestAccount } from '../server/testing/factories';
import type { Benchmark } from './registry';
import { benchServices } from './services';
import { percentile } from './stats';

const IDLE_RUNS = 9;
const REPEATS = 3;
const ATTEMPTS = 40;
/** Accounts the spread-out attempts use: eight accounts × five wrong passwords each, all within budget. */
const SPREAD_ACCOUNTS = 8;

const WRONG = { currentPassword: 'not the current password', newPassword: 'a fresh passphrase here' };

/**
 * A login's latency over HTTP (the real web app: Express, tRPC, argon2) while 40 wrong current-password
 * attempts (`account.changePassword`) arrive, next to an idle login: as one batched request, as 40
 * concurrent requests on one account, and as 40 concurrent requests spread over eight accounts so
 * that no budget refuses any and all 40 reach argon2 (decision 021; target: within 2× of idle).
 */
export const loginBenchmark: Benchmark = {
  description: `login latency while ${ATTEMPTS} wrong current passwords arrive (HTTP, median of ${REPEATS}, ms)`,
  async run(context) {
    const services = benchServices(context, { NODE_ENV: 'test' });
    // Counters of this run's own: the bench Redis outlives runs, and the per-ip login budget is 30.
    const freshLimits = () => {
      services.rateLimits = createRateLimits(services.redis, { log: services.log, keyPrefix: `rl-bench-${randomUUID()}` });
    };
    freshLimits();
    const server: Server = createWebApp(services, null).listen(0, '127.0.0.1');
    try {
      await new Promise((resolve) => server.once('listening', resolve));
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/trpc`;
      const label = `bench-login-${randomUUID().slice(0, 6)}`;
      const [user, ...victims] = await Promise.all(
        Array.from({ length: 1 + SPREAD_ACCOUNTS }, (_, index) => createOwner(services, `${label}-${index}`)),
      );
      const cookieOf = async (account: TestAccount) => (await services.sessionCookie.serialize(account.token)).split(';')[0]!;
      const cookies = await Promise.all(victims.map(cookieOf));

      const post = (path: string, body: unknown, cookie?: string) =>
        fetch(`${base}/${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
          body: JSON.stringify(body),
        });
      const timedLogin = async () => {
        const started = performance.now();
        const response = await post('auth.logIn', { email: user!.email, password: TEST_PASSWORD });
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`login answered ${response.status}`);
        return performance.now() - started;
      };
      /** A login started 50 ms after `attack` began (its calls are queued or running by then). */
      const loginDuring = async (attack: () => Promise<number[]>) => {
        freshLimits();
        const attempts = attack();
        await new Promise((resolve) => setTimeout(resolve, 50));
        const login = await timedLogin();
        return { login, statuses: await attempts };
      };
      const statusOf = async (response: Response) => (await response.arrayBuffer(), response.status);

      await timedLogin();
      const idle: number[] = [];
      for (let i = 0; i < IDLE_RUNS; i += 1) idle.push(await timedLogin());

      const batched: number[] = [];
      const concurrent: number[] = [];
      const spread: number[] = [];
      let batchStatus = 0;
      let concurrentRefused = 0;
      let spreadRefused = 0;
      for (let repeat = 0; repeat < REPEATS; repeat += 1) {
        const batch = await loginDuring(async () => {
          const paths = Array<string>(ATTEMPTS).fill('account.changePassword').join(',');
          const inputs = Object.fromEntries(Array.from({ length: ATTEMPTS }, (_, index) => [index, WRONG]));
          return [await statusOf(await post(`${paths}?batch=1`, inputs, cookies[0]))];
        });
        batched.push(batch.login);
        batchStatus = batch.statuses[0]!;
        const oneAccount = await loginDuring(() =>
          Promise.all(Array.from({ length: ATTEMPTS }, async () => statusOf(await post('account.changePassword', WRONG, cookies[0])))),
        );
        concurrent.push(oneAccount.login);
        concurrentRefused = oneAccount.statuses.filter((status) => status === 429).length;
        const overAccounts = await loginDuring(() =>
          Promise.all(
            Array.from({ length: ATTEMPTS }, async (_, index) =>
              statusOf(await post('account.changePassword', WRONG, cookies[index % SPREAD_ACCOUNTS])),
            ),
          ),
        );
        spread.push(overAccounts.login);
        spreadRefused = overAccounts.statuses.filter((status) => status === 429).length;
      }
      const idleMs = percentile(idle, 50);
      const worst = Math.max(percentile(batched, 50), percentile(concurrent, 50), percentile(spread, 50));
      return {
        idle_login_p50_ms: idleMs,
        batch_of_40_status: batchStatus,
        login_during_batch_of_40_p50_ms: percentile(batched, 50),
        login_during_40_concurrent_one_account_p50_ms: percentile(concurrent, 50),
        concurrent_one_account_refused_429: concurrentRefused,
        login_during_40_concurrent_8_accounts_p50_ms: percentile(spread, 50),
        concurrent_8_accounts_refused_429: spreadRefused,
        worst_to_idle_ratio: Number((worst / idleMs).toFixed(2)),
      };
    } finally {
      await new Promise((resolve) => server.close(resolve));
      await closeAppServices(services);
    }
  },
};
