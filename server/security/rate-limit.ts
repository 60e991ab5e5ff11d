import { createHash } from 'node:crypto';
import { isIPv6 } from 'node:net';
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Logger } from '../log';

type KeyKind = 'ip' | 'email' | 'id' | 'emailAndIp';
/**
 * A slowdown instead of a refusal: the first `points` attempts in the window are free, each one after
 * waits `firstDelayMs`, doubling per attempt up to `maxDelayMs`. It never refuses, so nobody can lock
 * the owner out with it; it only makes guessing slow.
 */
type Slowdown = { firstDelayMs: number; maxDelayMs: number };
type RateLimitBudget = { points: number; durationSeconds: number; keyKind: KeyKind; slowdown?: Slowdown };

const MINUTE = 60;
const HOUR = 60 * MINUTE;

/**
 * Every rate limit of the product: how many attempts (`points`) a key may make in a fixed window of
 * `durationSeconds`, counted from its first attempt. Keyed by client IP, normalised email, user id,
 * or an email with the client IP (`[email, ip]`). Password throttling: decision 021.
 */
export const RATE_LIMIT_BUDGETS = {
  /** Login attempts from one IP, right or wrong: slows credential stuffing across many accounts. */
  loginByIp: { points: 30, durationSeconds: 15 * MINUTE, keyKind: 'ip' },
  /**
   * Login attempts on one account from one client IP; a successful login resets it, so in effect it
   * counts failures. Keyed with the client, so a stranger's failures never refuse the owner elsewhere.
   */
  loginByAccountAndIp: { points: 10, durationSeconds: 15 * MINUTE, keyKind: 'emailAndIp' },
  /** Login attempts on one account from anywhere: 5 free, then 0.5 s, 1 s, 2 s, 4 s, 4 s… of delay; never a refusal. */
  loginSlowdownByAccount: {
    points: 5,
    durationSeconds: 15 * MINUTE,
    keyKind: 'email',
    slowdown: { firstDelayMs: 500, maxDelayMs: 4_000 },
  },
  /** Wrong current passwords (change password, change email) on one signed-in account. */
  currentPasswordByAccount: { points: 5, durationSeconds: 15 * MINUTE, keyKind: 'id' },
  signupByIp: { points: 10, durationSeconds: HOUR, keyKind: 'ip' },
  passwordResetByIp: { points: 10, durationSeconds: HOUR, keyKind: 'ip' },
  /** Reset mails to one address: stops anyone from flooding a user's inbox. */
  passwordResetByAccount: { points: 3, durationSeconds: HOUR, keyKind: 'email' },
  invitationsByActor: { points: 30, durationSeconds: HOUR, keyKind: 'id' },
  invitationsByIp: { points: 60, durationSeconds: HOUR, keyKind: 'ip' },
} as const satisfies Record<string, RateLimitBudget>;

export type RateLimitName = keyof typeof RATE_LIMIT_BUDGETS;

/** A limit's raw key: a string, or `[email, ip]` for the limits keyed by both. */
export type RateLimitKey<N extends RateLimitName> = (typeof RATE_LIMIT_BUDGETS)[N]['keyKind'] extends 'emailAndIp'
  ? readonly [email: string, ip: string]
  : string;

/** Which limits one action consumes, each with its raw key: `{ loginByIp: ip, loginByAccountAndIp: [email, ip] }`. */
export type RateLimitKeys = { [N in RateLimitName]?: RateLimitKey<N> };

export type RateLimits = {
  /**
   * Consumes one attempt from every given limit — all of them, even when one is already exhausted —
   * and throws `RateLimitedError` if any is over budget. Only then are the slowdown limits consumed,
   * and the call waits the longest delay they ask for. When Redis cannot be reached the attempt is
   * let through without delay and a warning logged (fail open).
   */
  consume(keys: RateLimitKeys): Promise<void>;
  /** Forgets a key's attempts, e.g. `loginByAccountAndIp` after a successful login. Redis errors are logged, not thrown. */
  reset<N extends RateLimitName>(name: N, key: RateLimitKey<N>): Promise<void>;
  /** Gives back one attempt, so a limit counts only failures (a right password refunds its attempt). Errors logged. */
  refund<N extends RateLimitName>(name: N, key: RateLimitKey<N>): Promise<void>;
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

const normaliseEmail = (email: string) => email.trim().normalize('NFC').toLowerCase();

const NORMALISERS: Record<KeyKind, (key: string | readonly string[]) => string> = {
  ip: (ip) => normaliseIp(String(ip)),
  email: (email) => normaliseEmail(String(email)),
  id: (id) => String(id).trim(),
  // Empty unless both parts are there, so a missing ip is refused like any empty key.
  emailAndIp: (key) => {
    const [email = '', ip = ''] = typeof key === 'string' ? [] : key;
    const parts = [normaliseEmail(email), normaliseIp(ip)];
    return parts.every(Boolean) ? parts.join('\n') : '';
  },
};

/**
 * The Redis key part for a raw key: normalised, then hashed, so Redis holds no email addresses or
 * IPs and an attacker-chosen string cannot make keys of any length.
 */
function storedKey(name: RateLimitName, rawKey: string | readonly string[]): string {
  const key = NORMALISERS[RATE_LIMIT_BUDGETS[name].keyKind](rawKey);
  if (!key) throw new Error(`Empty key for rate limit ${name}`);
  return createHash('sha256').update(key).digest('base64url');
}

function slowdownOf(name: RateLimitName): Slowdown | undefined {
  const budget: RateLimitBudget = RATE_LIMIT_BUDGETS[name];
  return budget.slowdown;
}

/** The wait a slowdown limit asks of its `attempt`-th attempt in the window (1-based). */
export function slowdownDelayMs(name: RateLimitName, attempt: number): number {
  const slowdown = slowdownOf(name);
  const over = attempt - RATE_LIMIT_BUDGETS[name].points;
  if (!slowdown || over <= 0) return 0;
  return Math.min(slowdown.maxDelayMs, slowdown.firstDelayMs * 2 ** Math.min(over - 1, 30));
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The product's rate limits over the web's Redis client; create once per process. Keys are
 * `<keyPrefix>:<limit name>:<hashed key>` (`rl:loginByIp:…`); tests pass their own prefix.
 *
 * `rejectIfRedisNotReady` makes a limit fail at once while the client is disconnected instead of
 * queueing behind reconnects, so a Redis outage costs no latency; together with failing open, rate
 * limits never make the product unusable. Brute force is unthrottled for the outage's length, which
 * we accept: the rest of the product (queues) is down with Redis anyway.
 */
export function createRateLimits(
  redis: Redis,
  options: { log: Logger; keyPrefix?: string; /** How slowdowns wait; tests record instead. */ sleep?: (ms: number) => Promise<void> },
): RateLimits {
  const prefix = options.keyPrefix ?? 'rl';
  const wait = options.sleep ?? sleep;
  const limiters = Object.fromEntries(
    Object.entries(RATE_LIMIT_BUDGETS).map(([name, budget]) => [
      name,
      new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: `${prefix}:${name}`,
        // A slowdown never refuses: its limiter only counts, and the delay comes from the count.
        points: slowdownOf(name as RateLimitName) ? Number.MAX_SAFE_INTEGER : budget.points,
        duration: budget.durationSeconds,
        rejectIfRedisNotReady: true,
      }),
    ]),
  ) as Record<RateLimitName, RateLimiterRedis>;

  type Outcome = { name: RateLimitName; result: RateLimiterRes | null; failure: unknown };
  const consumeEach = (checks: Array<[RateLimitName, string | readonly string[]]>) =>
    Promise.all(
      checks.map(([name, key]) =>
        limiters[name].consume(storedKey(name, key)).then(
          (result): Outcome => ({ name, result, failure: null }),
          (failure: unknown): Outcome => ({ name, result: null, failure }),
        ),
      ),
    );

  function warnStoreFailures(outcomes: Outcome[]): void {
    const storeFailures = outcomes.filter(({ failure }) => failure !== null && !(failure instanceof RateLimiterRes));
    if (storeFailures.length === 0) return;
    const limits = storeFailures.map(({ name }) => name);
    options.log.warn({ err: storeFailures[0]?.failure, limits }, 'rate limits skipped: Redis unavailable (failing open)');
  }

  async function consume(keys: RateLimitKeys): Promise<void> {
    const checks = (Object.entries(keys) as Array<[RateLimitName, string | readonly string[] | undefined]>).filter(
      (entry): entry is [RateLimitName, string | readonly string[]] => entry[1] !== undefined,
    );
    const outcomes = await consumeEach(checks.filter(([name]) => !slowdownOf(name)));
    warnStoreFailures(outcomes);
    // The limiter rejects with a RateLimiterRes when over budget, with an Error when Redis failed.
    const refused = outcomes.flatMap(({ name, failure }) =>
      failure instanceof RateLimiterRes ? [{ name, msBeforeNext: failure.msBeforeNext }] : [],
    );
    if (refused.length > 0) {
      const retryAfterMs = Math.max(...refused.map((entry) => entry.msBeforeNext));
      throw new RateLimitedError(
        Math.max(1, Math.ceil(retryAfterMs / 1000)),
        refused.map((entry) => entry.name),
      );
    }
    const slowed = await consumeEach(checks.filter(([name]) => slowdownOf(name)));
    warnStoreFailures(slowed);
    const delayMs = Math.max(0, ...slowed.map(({ name, result }) => (result ? slowdownDelayMs(name, result.consumedPoints) : 0)));
    if (delayMs > 0) await wait(delayMs);
  }

  async function reset<N extends RateLimitName>(name: N, key: RateLimitKey<N>): Promise<void> {
    const stored = storedKey(name, key);
    try {
      await limiters[name].delete(stored);
    } catch (error) {
      options.log.warn({ err: error, limit: name }, 'rate limit reset skipped: Redis unavailable');
    }
  }

  async function refund<N extends RateLimitName>(name: N, key: RateLimitKey<N>): Promise<void> {
    const stored = storedKey(name, key);
    try {
      await limiters[name].reward(stored, 1);
    } catch (error) {
      options.log.warn({ err: error, limit: name }, 'rate limit refund skipped: Redis unavailable');
    }
  }

  return { consume, reset, refund };
}
