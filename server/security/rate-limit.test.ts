import { randomUUID } from 'node:crypto';
import { TRPCError } from '@trpc/server';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createClientConnection } from '../queue/connection';
import { testLog, testRedisUrl } from '../testing/services';
import {
  createRateLimits,
  isRateLimitedError,
  normaliseIp,
  RateLimitedError,
  retryMessage,
  type RateLimitKeys,
  type RateLimits,
} from './rate-limit';
import { rateLimitedResponse, rateLimitedTrpcError } from './rate-limit-response';

let redis: Redis;
const prefixes: string[] = [];

beforeAll(async () => {
  redis = createClientConnection(testRedisUrl());
  // The limiters fail open while the client is still connecting; start the tests connected.
  await redis.ping();
});
afterAll(async () => {
  for (const prefix of prefixes) {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
  }
  await redis.quit();
});

/** Limits under a prefix of their own, so parallel test files and runs never share counters. */
function freshLimits(recordDelay?: (ms: number) => void): RateLimits {
  const keyPrefix = `rl-test-${randomUUID()}`;
  prefixes.push(keyPrefix);
  const sleep = recordDelay && ((ms: number) => (recordDelay(ms), Promise.resolve()));
  return createRateLimits(redis, { log: testLog, keyPrefix, sleep });
}

/** Consumes `times` attempts and returns the refusals' errors (null for attempts let through). */
async function attempt(limits: RateLimits, keys: RateLimitKeys, times: number): Promise<Array<RateLimitedError | null>> {
  const outcomes: Array<RateLimitedError | null> = [];
  for (let i = 0; i < times; i++) {
    outcomes.push(
      await limits.consume(keys).then(
        () => null,
        (error: unknown) => (isRateLimitedError(error) ? error : Promise.reject(error)),
      ),
    );
  }
  return outcomes;
}

describe('rate limits on the test Redis', () => {
  it('refuses the 11th login on one account from one client, with a retry time; another client or account is unaffected', async () => {
    const limits = freshLimits();
    const outcomes = await attempt(limits, { loginByAccountAndIp: ['Ada@Example.com', '203.0.113.7'] }, 11);
    expect(outcomes.slice(0, 10)).toEqual(Array(10).fill(null));
    const refusal = outcomes[10];
    expect(refusal).toBeInstanceOf(RateLimitedError);
    expect(refusal?.limits).toEqual(['loginByAccountAndIp']);
    expect(refusal?.retryAfterSeconds).toBeGreaterThan(14 * 60);
    expect(refusal?.retryAfterSeconds).toBeLessThanOrEqual(15 * 60);
    expect(refusal?.message).toBe('Too many attempts. Try again in 15 minutes.');

    // The same account, however it is typed, stays refused from that client; the owner elsewhere is not.
    await expect(limits.consume({ loginByAccountAndIp: ['  ada@EXAMPLE.com ', '::ffff:203.0.113.7'] })).rejects.toBeInstanceOf(
      RateLimitedError,
    );
    await expect(limits.consume({ loginByAccountAndIp: ['ada@example.com', '198.51.100.4'] })).resolves.toBeUndefined();
    await expect(limits.consume({ loginByAccountAndIp: ['grace@example.com', '203.0.113.7'] })).resolves.toBeUndefined();
    await expect(limits.consume({ loginByAccountAndIp: ['ada@example.com', ' '] })).rejects.toThrow('Empty key');
  });

  it('forgets an account after reset (a successful login)', async () => {
    const limits = freshLimits();
    const key = ['ada@example.com', '203.0.113.7'] as const;
    await attempt(limits, { loginByAccountAndIp: key }, 9);
    await limits.reset('loginByAccountAndIp', key);
    const outcomes = await attempt(limits, { loginByAccountAndIp: key }, 11);
    expect(outcomes.filter((outcome) => outcome !== null)).toHaveLength(1);
    expect(outcomes[10]).not.toBeNull();
  });

  it('slows an account down after five attempts, doubling to 4 s, and never refuses', async () => {
    const delays: number[] = [];
    const limits = freshLimits((ms) => delays.push(ms));
    const outcomes = await attempt(limits, { loginSlowdownByAccount: 'ada@example.com' }, 12);
    expect(outcomes).toEqual(Array(12).fill(null));
    expect(delays).toEqual([500, 1_000, 2_000, 4_000, 4_000, 4_000, 4_000]);
    // A right password refunds its attempt: the count stays where the failures left it.
    await limits.refund('loginSlowdownByAccount', 'ada@example.com');
    await limits.consume({ loginSlowdownByAccount: 'ada@example.com' });
    expect(delays).toHaveLength(8);
    // Another account is not slowed.
    await limits.consume({ loginSlowdownByAccount: 'grace@example.com' });
    expect(delays).toHaveLength(8);
  });

  it('consumes a slowdown only when no hard limit refused, and waits once for the longest delay', async () => {
    const delays: number[] = [];
    const limits = freshLimits((ms) => delays.push(ms));
    for (let i = 0; i < 6; i++) await limits.consume({ loginSlowdownByAccount: 'ada@example.com', loginByIp: '203.0.113.9' });
    expect(delays).toEqual([500]);
    await attempt(limits, { loginByIp: '203.0.113.9' }, 30);
    await expect(limits.consume({ loginSlowdownByAccount: 'ada@example.com', loginByIp: '203.0.113.9' })).rejects.toBeInstanceOf(
      RateLimitedError,
    );
    expect(delays).toEqual([500]);
    await limits.consume({ loginSlowdownByAccount: 'ada@example.com', loginByIp: '203.0.113.10' });
    expect(delays).toEqual([500, 1_000]);
  });

  it('counts wrong current passwords per account: the sixth in the window is refused, refunds do not count', async () => {
    const limits = freshLimits();
    await limits.consume({ currentPasswordByAccount: 'user-1' });
    await limits.refund('currentPasswordByAccount', 'user-1');
    const outcomes = await attempt(limits, { currentPasswordByAccount: 'user-1' }, 6);
    expect(outcomes.slice(0, 5)).toEqual(Array(5).fill(null));
    expect(outcomes[5]?.limits).toEqual(['currentPasswordByAccount']);
    await expect(limits.consume({ currentPasswordByAccount: 'user-2' })).resolves.toBeUndefined();
  });

  it('consumes every given limit and names those that refused; per-IP limits are independent', async () => {
    const limits = freshLimits();
    await attempt(limits, { passwordResetByAccount: 'ada@example.com', passwordResetByIp: '203.0.113.7' }, 3);
    const [refusal] = await attempt(limits, { passwordResetByAccount: 'ada@example.com', passwordResetByIp: '203.0.113.7' }, 1);
    expect(refusal?.limits).toEqual(['passwordResetByAccount']);

    // Four of the IP's ten attempts are used: six more pass, the seventh is refused.
    const byIp = await attempt(limits, { passwordResetByIp: '203.0.113.7' }, 7);
    expect(byIp.slice(0, 6)).toEqual(Array(6).fill(null));
    expect(byIp[6]?.limits).toEqual(['passwordResetByIp']);

    // Another IP, and the same IP on another limit, have their own budgets.
    await expect(limits.consume({ passwordResetByIp: '203.0.113.8', signupByIp: '203.0.113.7' })).resolves.toBeUndefined();
  });

  it('counts an IPv6 /64 as one client and an IPv4-mapped address as its IPv4', async () => {
    expect(normaliseIp('2001:DB8:0:1:aaaa::1')).toBe('2001:db8:0:1::/64');
    expect(normaliseIp('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(normaliseIp('::ffff:198.51.100.4')).toBe('198.51.100.4');
    expect(normaliseIp('198.51.100.4')).toBe('198.51.100.4');

    const limits = freshLimits();
    const sameSubnet = ['2001:db8:0:1::1', '2001:db8:0:1::2', '2001:db8:0:1:ffff::9'];
    for (let i = 0; i < 10; i++) await limits.consume({ signupByIp: sameSubnet[i % sameSubnet.length] });
    await expect(limits.consume({ signupByIp: '2001:db8:0:1::77' })).rejects.toBeInstanceOf(RateLimitedError);
    await expect(limits.consume({ signupByIp: '2001:db8:0:2::1' })).resolves.toBeUndefined();
  });

  it('refuses an empty key rather than lumping unknown clients together', async () => {
    await expect(freshLimits().consume({ loginByIp: ' ' })).rejects.toThrow('Empty key for rate limit loginByIp');
  });
});

describe('when Redis is unreachable', () => {
  let deadRedis: Redis;
  beforeAll(() => {
    deadRedis = createClientConnection('redis://127.0.0.1:1', { retryStrategy: () => null, lazyConnect: false });
    deadRedis.on('error', () => {});
  });
  afterAll(() => deadRedis.disconnect());

  it('fails open, quickly, and logs a warning', async () => {
    const log = pino({ level: 'silent' });
    const warn = vi.spyOn(log, 'warn');
    const limits = createRateLimits(deadRedis, { log, keyPrefix: 'rl-dead' });
    const started = performance.now();
    const keys = { loginByAccountAndIp: ['ada@example.com', '203.0.113.7'], loginByIp: '203.0.113.7' } as const;
    for (let i = 0; i < 15; i++) await limits.consume({ ...keys, loginSlowdownByAccount: 'ada@example.com' });
    await limits.reset('loginByAccountAndIp', keys.loginByAccountAndIp);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(warn).toHaveBeenCalledWith(
      expect.objectContaining({ limits: ['loginByAccountAndIp', 'loginByIp'] }),
      expect.stringContaining('failing open'),
    );
  });
});

describe('429 helpers', () => {
  const refusal = new RateLimitedError(14 * 60 - 5, ['loginByAccountAndIp']);

  it('words the wait in whole minutes, rounded up', () => {
    expect(refusal.message).toBe('Too many attempts. Try again in 14 minutes.');
    expect(retryMessage(1)).toBe('Too many attempts. Try again in 1 minute.');
    expect(retryMessage(61)).toBe('Too many attempts. Try again in 2 minutes.');
  });

  it('turns a refusal into a 429 Response with Retry-After and the message', async () => {
    const response = rateLimitedResponse(refusal);
    expect(response.status).toBe(429);
    expect(response.headers.get('Retry-After')).toBe(String(14 * 60 - 5));
    expect(await response.text()).toBe('Too many attempts. Try again in 14 minutes.');
  });

  it('turns a refusal into TRPCError TOO_MANY_REQUESTS carrying the message', () => {
    const error = rateLimitedTrpcError(refusal);
    expect(error).toBeInstanceOf(TRPCError);
    expect(error).toMatchObject({ code: 'TOO_MANY_REQUESTS', message: refusal.message, cause: refusal });
  });

  it('recognises a refusal from another copy of the module (the Remix bundle has its own)', () => {
    const fromOtherCopy = Object.assign(new Error('Too many attempts.'), {
      [Symbol.for('clientpulse.RateLimitedError')]: true,
      retryAfterSeconds: 5,
    });
    expect(isRateLimitedError(fromOtherCopy)).toBe(true);
    expect(isRateLimitedError(new Error('x'))).toBe(false);
  });
});
