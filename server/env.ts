import { isIP } from 'node:net';
import { z } from 'zod';

const PROXY_RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** One entry of a TRUST_PROXY list: an address, a CIDR (`10.0.0.0/8`) or one of Express's range names. */
function isProxyAddress(entry: string): boolean {
  if (PROXY_RANGE_NAMES.has(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
}

/**
 * Which peers may tell us the client's address in `X-Forwarded-For` (Express's `trust proxy`):
 * `false` (none: the socket's peer is the client), a number of proxy hops in front of the web
 * (Railway: 1), or a comma list of proxy addresses/CIDRs. `true` (trust every hop, so any client
 * could name its own address) is refused. Decision 020.
 */
const trustProxySchema = z
  .string()
  .trim()
  .transform((value, ctx): false | number | string[] => {
    if (value === 'false' || value === '0') return false;
    if (/^\d{1,2}$/.test(value) && Number(value) <= 10) return Number(value);
    const entries = value.split(',').map((entry) => entry.trim());
    if (entries.every((entry) => entry !== '' && isProxyAddress(entry))) return entries;
    ctx.addIssue({
      code: 'custom',
      message: 'must be false, a number of proxy hops (1–10; Railway: 1) or a comma list of proxy addresses/CIDRs',
    });
    return z.NEVER;
  });

/**
 * Every environment variable the web and worker processes read, parsed once at start-up.
 * `.env.example` documents each of them; keep the two in step.
 */
const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  APP_URL: z.url().default('http://localhost:3000'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// connection URL' }),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(100).default(10),
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }),
  /** Key prefix of the BullMQ queues: lets several deployments (or test runs) share one Redis. */
  QUEUE_PREFIX: z
    .string()
    .regex(/^[a-z0-9_-]{1,40}$/, 'must be 1–40 lowercase letters, digits, - or _')
    .default('bull'),
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters (e.g. `openssl rand -hex 32`)'),
  SMTP_URL: z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL' }),
  MAIL_FROM: z.string().min(3).default('ClientPulse <no-reply@clientpulse.local>'),
  /** `local` (offline, the default without an API key) or `llm` (any OpenAI-compatible server). */
  SENTIMENT_PROVIDER: z.enum(['local', 'llm']).optional(),
  OPENAI_API_KEY: z.string().min(1).optional(),
  OPENAI_BASE_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s):// URL' }).optional(),
  LLM_MODEL: z.string().min(1).default('gpt-4o-mini'),
  LLM_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(120_000).default(15_000),
  /** Sentiment jobs one worker runs at once. */
  SENTIMENT_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(32),
  /** Sentiment jobs per second across the queue (the provider's rate limit); default none for local, 5 for the LLM. */
  SENTIMENT_RATE_PER_SECOND: z.coerce.number().int().min(1).max(10_000).optional(),
  /** How often one worker (whichever takes the turn) asks again for work that was asked for but never finished. */
  JOB_SWEEP_INTERVAL_MS: z.coerce.number().int().min(1_000).max(86_400_000).default(300_000),
  /** Proxies trusted for the client's address; default: 1 hop in production (Railway's edge), none elsewhere. */
  TRUST_PROXY: trustProxySchema.optional(),
  /**
   * Let the outbound HTTP client (server/http/outbound.ts) connect to 127.0.0.0/8 and ::1: only the
   * tests and `npm start` turn it on (fake or local chat servers); ignored in production.
   */
  OUTBOUND_ALLOW_LOOPBACK: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .default('false')
    .transform((value) => value === 'true'),
  /** Hosts besides hooks.slack.com a workspace's Slack webhook may point at in production (a self-hosted chat server). */
  SLACK_WEBHOOK_HOSTS: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((host) => host.trim().toLowerCase())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^[a-z0-9.-]+$/, 'must be a comma list of host names (chat.example.com)'))),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_PRETTY: z
    .enum(['true', 'false'])
    .optional()
    .transform((value) => (value === undefined ? undefined : value === 'true')),
});

export type Env = z.infer<typeof envSchema>;

/** The sentiment provider the configuration asks for: `llm` needs OPENAI_API_KEY. */
export function sentimentProviderOf(env: Env): 'local' | 'llm' {
  return env.SENTIMENT_PROVIDER ?? (env.OPENAI_API_KEY ? 'llm' : 'local');
}

/** Express's `trust proxy` setting: TRUST_PROXY, else Railway's one edge hop in production and none elsewhere. */
export function trustProxyOf(env: Env): false | number | string[] {
  return env.TRUST_PROXY ?? (env.NODE_ENV === 'production' ? 1 : false);
}

export class EnvError extends Error {
  override name = 'EnvError';
}

/** Parses `source` (default `process.env`); throws an EnvError whose message is one line naming the variable. */
export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  const result = envSchema.safeParse(source);
  if (result.success) {
    if (result.data.SENTIMENT_PROVIDER === 'llm' && !result.data.OPENAI_API_KEY) {
      throw new EnvError('Missing environment variable OPENAI_API_KEY (SENTIMENT_PROVIDER=llm needs it; see .env.example)');
    }
    return result.data;
  }
  const issue = result.error.issues[0];
  const name = issue?.path.join('.') || 'environment';
  const isMissing = issue?.code === 'invalid_type' && source[name] === undefined;
  throw new EnvError(
    isMissing
      ? `Missing environment variable ${name} (see .env.example)`
      : `Invalid environment variable ${name}: ${issue?.message ?? 'malformed'} (see .env.example)`,
  );
}

/** Parses the environment or ends the process with one line naming the bad variable. */
export function loadEnvOrExit(): Env {
  try {
    return parseEnv();
  } catch (error) {
    if (error instanceof EnvError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
