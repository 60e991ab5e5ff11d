import { describe, expect, it } from 'vitest';
import { parseEnv } from './env';

const valid = {
  DATABASE_URL: 'postgres://postgres:postgres@127.0.0.1:5432/clientpulse',
  REDIS_URL: 'redis://127.0.0.1:6379',
  SESSION_SECRET: 'a'.repeat(32),
  SMTP_URL: 'smtp://127.0.0.1:1025',
};

describe('parseEnv', () => {
  it('fills defaults around the required variables', () => {
    expect(parseEnv(valid)).toMatchObject({ ...valid, NODE_ENV: 'development', PORT: 3000, LOG_LEVEL: 'info', DATABASE_POOL_MAX: 10 });
  });

  it('names a missing variable in one line', () => {
    expect(() => parseEnv({ REDIS_URL: valid.REDIS_URL })).toThrow('Missing environment variable DATABASE_URL (see .env.example)');
  });

  it('names a malformed variable and says what is wrong', () => {
    expect(() => parseEnv({ ...valid, REDIS_URL: 'http://localhost:6379' })).toThrow(
      'Invalid environment variable REDIS_URL: must be a redis:// or rediss:// URL (see .env.example)',
    );
    expect(() => parseEnv({ ...valid, PORT: 'eighty' })).toThrow(/^Invalid environment variable PORT: /);
    expect(() => parseEnv({ ...valid, SESSION_SECRET: 'short' })).toThrow(
      'Invalid environment variable SESSION_SECRET: must be at least 32 characters (e.g. `openssl rand -hex 32`) (see .env.example)',
    );
  });
});
