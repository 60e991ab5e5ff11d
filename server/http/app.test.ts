import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearHeartbeat, writeHeartbeat } from '../queue/heartbeat';
import { closeAppServices, type AppServices } from '../services';
import { createTestServices } from '../testing/services';
import { createWebApp } from './app';

let services: AppServices;
let server: Server;
let base: string;

beforeAll(async () => {
  services = createTestServices();
  server = createWebApp(services, null).listen(0);
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await clearHeartbeat(services.redis);
  await closeAppServices(services);
});

describe('health endpoints', () => {
  it('GET /health/live answers 200 while the process is up', async () => {
    const response = await fetch(`${base}/health/live`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true });
  });

  it('GET /health/ready reports each check and answers 503 until a worker beats, then 200', async () => {
    await clearHeartbeat(services.redis);
    const notReady = await fetch(`${base}/health/ready`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toMatchObject({
      ok: false,
      checks: {
        postgres: { ok: true },
        migrations: { ok: true },
        redis: { ok: true },
        worker: { ok: false, detail: 'no worker heartbeat in the last 30 s' },
      },
    });

    const now = new Date().toISOString();
    await writeHeartbeat(services.redis, { pid: 4242, startedAt: now, beatAt: now, queues: ['maintenance'] });
    const ready = await fetch(`${base}/health/ready`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { ok: boolean; checks: Record<string, { ok: boolean; detail?: string }> };
    expect(body.ok).toBe(true);
    expect(body.checks.worker?.detail).toBe(`last beat ${now}`);
    // Anyone may ask: the worker's pid and queue names are not for them.
    expect(JSON.stringify(body)).not.toMatch(/4242|maintenance/);
    expect(ready.headers.get('cache-control')).toBe('no-store');
  });

  it('echoes a well-formed x-request-id and mints one otherwise', async () => {
    const echoed = await fetch(`${base}/health/live`, { headers: { 'x-request-id': 'abc-123' } });
    expect(echoed.headers.get('x-request-id')).toBe('abc-123');
    const minted = await fetch(`${base}/health/live`, { headers: { 'x-request-id': 'bad id with spaces and / slashes' } });
    expect(minted.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
