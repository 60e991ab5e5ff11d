import { pino, type Logger } from 'pino';
import type { Env } from './env';

export type { Logger };

/**
 * Structured JSON logs; pretty, human-readable lines in development (pino-pretty is a dev dependency,
 * so production never loads it). Secrets are redacted wherever they might appear.
 */
export function createLogger(env: Pick<Env, 'LOG_LEVEL' | 'LOG_PRETTY' | 'NODE_ENV'>, name: string): Logger {
  const pretty = env.LOG_PRETTY ?? env.NODE_ENV === 'development';
  return pino({
    name,
    level: env.LOG_LEVEL,
    redact: {
      paths: ['req.headers.cookie', 'req.headers.authorization', 'password', '*.password', 'DATABASE_URL', 'REDIS_URL'],
      censor: '[redacted]',
    },
    ...(pretty
      ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } }
      : {}),
  });
}
