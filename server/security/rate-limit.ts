import { createHash } from 'node:crypto';
import { isIPv6 } from 'node:net';
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Logger } from '../log';

type KeyKind = 'ip' | 'email' | 'id';
type RateLimitBudget = { points: number; durationSeconds: number; keyKind: KeyKind };

const MINUTE = 60;
const HOUR = 60 * MINUTE;

/**
 * Every rate limit of the product: how many attempts (`points`) a key may make in a fixed window of
 * `durationSeconds`, counted from its first attempt. Keyed by client IP, normalised email or user id.
 */
export const RATE_LIMIT_BUDGETS = {
  /** Login attempts from one IP, right or wrong: slows credential stuffing across many accounts. */
  loginByIp: { points: 30, durationSeconds: 15 * MINUTE, keyKind: 'ip' },
  /** Login attempts on one account; a successful login resets it, so in effect it counts failures. */
  loginByAccount: { points: 10, durationSeconds: 15 * MINUTE, keyKind: 'email' },
  signupByIp: { points: 10, durationSeconds: HOUR, keyKind: 'ip' },
  passwordResetByIp: { points: 10, durationSeconds: HOUR, keyKind: 'ip' },
  /** Reset mails to one address: stops anyone from flooding a user's inbox. */
  passwordResetByAccount: { points: 3, durationSeconds: HOUR, keyKind: 'email' },
  invitationsByActor: { points: 30, durationSeconds: HOUR, keyKind: 'id' },
  invitationsByIp: { points: 60, durationSeconds: HOUR, keyKind: 'ip' },
} as const satisfies Record<string, RateLimitBudget>;

export type RateLimitName = keyof typeof RATE_LIMIT_BUDGETS;

/** Which limits one action consumes, each with its raw key: `{ loginByIp: ip, loginByAccount: email }`. */
export type RateLimitKeys = Partial<Record<RateLimitName, string>>;

export type RateLimits = {
  /**
   * Consumes one attempt from every given limit — all of them, even when one is already exhausted —
   * and throws `RateLimitedError` if any is over budget. When Redis cannot be reached the attempt is
   * let through and a warning logged (fail open).
   */
  consume(keys: RateLimitKeys): Promise<void>;
  /** Forgets a key's attempts, e.g. `loginByAccount` after a successful login. Redis errors are logged, not thrown. */
  reset(name: RateLimitName, key: string): Promise<void>;
};

/** The friendly sentence users see, rounded up to whole minutes. */
export function retryMessage(retryAfterSeconds: number): string {
  const minutes = Math.max(1, Math.ceil(retryAfterSeconds / MINUTE));
  return `Too many attempts. Try again in ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}.`;
}

// The Remix bundle carries its own copy of this module, so `instanceof` may compare two different
// classes; a registered symbol is the same in both copies.
const RATE_LIMITED = Symbol.for('clientpulse.RateLimitedError');

export class RateLimitedError extends Error {
  override name = 'RateLimitedError';
  readonly [RATE_LIMITED] = true;

  constructor(
    /** Seconds until every exhausted limit has room again; what `Retry-After` says. */
    readonly retryAfterSeconds: number,
    /** The limits that refused, for logs. */
    readonly limits: readonly RateLimitName[],
  ) {
    super(retryMessage(retryAfterSeconds));
  }
}

export function isRateLimitedError(error: unknown): error is RateLimitedError {
  return typeof error === 'object' && error !== null && RATE_LIMITED in error;
}

/** `::ffff:1.2.3.4` → `1.2.3.4`; an IPv6 address → its /64, the block one subscriber usually holds. */
export function normaliseIp(ip: string): string {
  const address = ip.trim().toLowerCase();
  const mappedIPv4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(address)?.[1];
  if (mappedIPv4) return mappedIPv4;
  return isIPv6(address) ? `${ipv6Prefix64(address)}::/64` : address;
}

/** The first four groups of an IPv6 address, with `::` expanded and leading zeros dropped. */
function ipv6Prefix64(address: string): string {
  const [head = '', tail] = (address.split('%')[0] ?? '').split('::');
  const groupsOf = (part: string | undefined) => (part ? part.split(':') : []);
  // An embedded dotted IPv4 (`::1.2.3.4`) fills two groups; it only matters for counting the zeros.
  const countOf = (groups: string[]) => groups.reduce((sum, group) => sum + (group.includes('.') ? 2 : 1), 0);
  const headGroups = groupsOf(head);
  const tailGroups = groupsOf(tail);
  const zeros = tail === undefined ? [] : Array<string>(8 - countOf(headGroups) - countOf(tailGroups)).fill('0');
  return [...headGroups, ...zeros, ...tailGroups]
    .slice(0, 4)
    .map((group) => Number.parseInt(group, 16).toString(16))
    .join(':');
}

const NORMALISERS: Record<KeyKind, (key: string) => string> = {
  ip: normaliseIp,
  email: (email) => email.trim().normalize('NFC').toLowerCase(),
  id: (id) => id.trim(),
};

/**
 * The Redis key part for a raw key: normalised, then hashed, so Redis holds no email addresses or
 * IPs and an attacker-chosen string cannot make keys of any length.
 */
function storedKey(name: RateLimitName, rawKey: string): string {
  const key = NORMALISERS[RATE_LIMIT_BUDGETS[name].keyKind](rawKey);
  if (!key) throw new Error(`Empty key for rate limit ${name}`);
  return createHash('sha256').update(key).digest('base64url');
}

/**
 * The product's rate limits over the web's Redis client; create once per process. Keys are
 * `<keyPrefix>:<limit name>:<hashed key>` (`rl:loginByIp:…`); tests pass their own prefix.
 *
 * `rejectIfRedisNotReady` makes a limit fail at once while the client is disconnected instead of
 * queueing behind reconnects, so a Redis outage costs no latency; together with failing open, rate
 * limits never make the product unusable. Brute force is unthrottled for the outage's length, which
 * we accept: the rest of the product (queues) is down with Redis anyway.
 */
export function createRateLimits(redis: Redis, options: { log: Logger; keyPrefix?: string }): RateLimits {
  const prefix = options.keyPrefix ?? 'rl';
  const limiters = Object.fromEntries(
    Object.entries(RATE_LIMIT_BUDGETS).map(([name, budget]) => [
      name,
      new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: `${prefix}:${name}`,
        points: budget.points,
        duration: budget.durationSeconds,
        rejectIfRedisNotReady: true,
      }),
    ]),
  ) as Record<RateLimitName, RateLimiterRedis>;

  async function consume(keys: RateLimitKeys): Promise<void> {
    const checks = Object.entries(keys).filter((entry): entry is [RateLimitName, string] => entry[1] !== undefined);
    const outcomes = await Promise.all(
      checks.map(([name, key]) =>
        limiters[name].consume(storedKey(name, key)).then(
          () => ({ name, failure: null }),
          (failure: unknown) => ({ name, failure }),
        ),
      ),
    );
    // The limiter rejects with a RateLimiterRes when over budget, with an Error when Redis failed.
    const refused = outcomes.flatMap(({ name, failure }) =>
      failure instanceof RateLimiterRes ? [{ name, msBeforeNext: failure.msBeforeNext }] : [],
    );
    const storeFailures = outcomes.filter(({ failure }) => failure !== null && !(failure instanceof RateLimiterRes));
    if (storeFailures.length > 0) {
      const limits = storeFailures.map(({ name }) => name);
      options.log.warn({ err: storeFailures[0]?.failure, limits }, 'rate limits skipped: Redis unavailable (failing open)');
    }
    if (refused.length === 0) return;
    const retryAfterMs = Math.max(...refused.map((entry) => entry.msBeforeNext));
    throw new RateLimitedError(
      Math.max(1, Math.ceil(retryAfterMs / 1000)),
      refused.map((entry) => entry.name),
    );
  }

  async function reset(name: RateLimitName, key: string): Promise<void> {
    const stored = storedKey(name, key);
    try {
      await limiters[name].delete(stored);
    } catch (error) {
      options.log.warn({ err: error, limit: name }, 'rate limit reset skipped: Redis unavailable');
    }
  }

  return { consume, reset };
}
