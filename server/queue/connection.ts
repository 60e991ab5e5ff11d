import { Redis, type RedisOptions } from 'ioredis';

/**
 * Connection for BullMQ workers: `maxRetriesPerRequest: null` is required so a blocking command
 * survives a Redis restart instead of throwing inside the worker loop.
 */
export function createWorkerConnection(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, ...options });
}

/**
 * Connection for request handlers (producers, readiness checks): a command gives up after one
 * reconnect attempt or two seconds, so a web request never hangs on a Redis that is away.
 */
export function createClientConnection(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 2_000, commandTimeout: 2_000, ...options });
}
