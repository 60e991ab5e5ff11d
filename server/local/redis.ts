import { spawn, spawnSync } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { Redis } from 'ioredis';
import type { LocalService } from './postgres';

export type LocalRedisOptions = {
  dataDir: string;
  port: number;
  /** Shut down a Redis left answering on this port by an earlier run that was killed. */
  takeOverStale?: boolean;
  /** Start with an empty data directory. */
  fresh?: boolean;
  onLog?: (line: string) => void;
};

export function redisServerAvailable(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

async function shutDownStale(url: string): Promise<void> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch {
    return; // nothing listening: nothing to take over
  }
  await client.call('shutdown', 'nosave').catch(() => undefined);
  client.disconnect();
  await new Promise((resolve) => setTimeout(resolve, 200));
}

async function waitUntilAnswering(url: string, exited: () => string | null, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const failure = exited();
    if (failure !== null) throw new Error(failure);
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.ping();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      client.disconnect();
    }
  }
  throw new Error(`Redis did not answer within ${timeoutMs} ms`);
}

/**
 * Starts `redis-server` from PATH on 127.0.0.1 with `noeviction` (BullMQ must never lose keys)
 * and an append-only file under `dataDir`, so queued jobs survive a restart.
 */
export async function startLocalRedis(options: LocalRedisOptions): Promise<LocalService> {
  const dataDir = path.resolve(options.dataDir);
  const url = `redis://127.0.0.1:${options.port}`;
  if (options.takeOverStale) await shutDownStale(url);
  if (options.fresh) await rm(dataDir, { recursive: true, force: true });
  await mkdir(dataDir, { recursive: true });
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(options.port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dataDir,
      '--maxmemory-policy',
      'noeviction',
      '--appendonly',
      'yes',
      '--save',
      '',
      '--daemonize',
      'no',
      '--loglevel',
      'warning',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  let exitMessage: string | null = null;
  const collect = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    output = (output + text).slice(-4_000);
    for (const line of text.split('\n')) if (line.trim()) options.onLog?.(line);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<void>((resolve) => {
    child.on('exit', (code, signal) => {
      exitMessage = `redis-server exited (${signal ?? `code ${code}`}) on port ${options.port}: ${output.trim().split('\n').pop() ?? ''}`;
      resolve();
    });
  });

  try {
    await waitUntilAnswering(url, () => exitMessage, 10_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }

  return {
    url,
    pid: child.pid,
    async stop() {
      if (exitMessage !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}
