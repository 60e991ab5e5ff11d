import { request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAppServices, type AppServices } from '../services';
import { createTestServices } from '../testing/services';
import { createWebApp } from './app';
import { BODY_LIMIT_BYTES, bodyLimit, isImportUpload } from './body-limit';

async function listen(server: Server): Promise<string> {
  await new Promise((resolve) => server.once('listening', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

type Answer = { status: number; body: string };

/**
 * Sends a body of `totalBytes` in 64 KiB chunks (chunked, or with `declaredLength` as Content-Length)
 * and resolves with the answer as soon as it arrives, whether or not the body was all sent.
 */
function send(url: string, options: { totalBytes: number; declaredLength?: number; contentType?: string }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'content-type': options.contentType ?? 'application/json' };
    if (options.declaredLength !== undefined) headers['content-length'] = String(options.declaredLength);
    const req = httpRequest(url, { method: 'POST', headers });
    let answered = false;
    req.on('response', (res: IncomingMessage) => {
      answered = true;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    // The server may close mid-body after answering: that is the point, not a failure.
    req.on('error', (error) => (answered ? undefined : reject(error)));
    const chunk = Buffer.alloc(64 * 1024, 'a');
    let sent = 0;
    const pump = () => {
      while (!answered && sent < options.totalBytes) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (!answered && options.declaredLength === undefined) req.end();
    };
    pump();
  });
}

describe('body limit middleware', () => {
  let server: Server;
  let base: string;
  /** Bytes the route handler read from the last request's body. */
  let handlerRead = 0;

  beforeAll(async () => {
    const app = express();
    app.use(bodyLimit({ limitBytes: BODY_LIMIT_BYTES, exempt: isImportUpload }));
    // Reads the body as a stream, as Remix's adapter and tRPC's do.
    app.post('*', async (req, res) => {
      handlerRead = 0;
      try {
        for await (const chunk of req) handlerRead += (chunk as Buffer).length;
        res.json({ read: handlerRead });
      } catch {
        if (!res.headersSent) res.status(500).end();
      }
    });
    server = app.listen(0);
    base = await listen(server);
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('lets a body within the cap through whole, chunked or not', async () => {
    expect(await send(`${base}/login`, { totalBytes: 512 * 1024 })).toEqual({ status: 200, body: JSON.stringify({ read: 512 * 1024 }) });
    const declared = 256 * 1024;
    expect(await send(`${base}/login`, { totalBytes: declared, declaredLength: declared })).toMatchObject({ status: 200 });
  });

  it('answers 413 at once to a declared Content-Length over the cap, without reading any of it', async () => {
    handlerRead = -1;
    const started = performance.now();
    const answer = await send(`${base}/login`, { totalBytes: 64 * 1024, declaredLength: 100 * 1024 * 1024 });
    expect(answer.status).toBe(413);
    expect(answer.body).toMatch(/too large/);
    expect(handlerRead).toBe(-1);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('cuts a chunked body off with 413 as it passes the cap; the handler never sees more than the cap', async () => {
    const answer = await send(`${base}/w/acme/clients`, { totalBytes: 20 * 1024 * 1024, contentType: 'application/x-www-form-urlencoded' });
    expect(answer.status).toBe(413);
    expect(handlerRead).toBeLessThanOrEqual(BODY_LIMIT_BYTES);
  });

  it('leaves the CSV upload to its own limit', async () => {
    expect(isImportUpload({ path: '/w/acme/clients/import' } as never)).toBe(true);
    expect(isImportUpload({ url: '/w/acme/clients/import?_data=x' } as never)).toBe(true);
    expect(isImportUpload({ path: '/w/acme/clients' } as never)).toBe(false);
    const size = 3 * 1024 * 1024;
    expect(await send(`${base}/w/acme/clients/import`, { totalBytes: size, contentType: 'multipart/form-data; boundary=x' })).toEqual({
      status: 200,
      body: JSON.stringify({ read: size }),
    });
  });
});

describe('tRPC behind the cap', () => {
  let services: AppServices;
  let server: Server;
  let base: string;
  beforeAll(async () => {
    services = createTestServices();
    server = createWebApp(services, null).listen(0);
    base = await listen(server);
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await closeAppServices(services);
  });

  it('answers 413 to a 100 MB JSON body without a login, before reading it', async () => {
    const started = performance.now();
    const declared = await send(`${base}/api/trpc/auth.logIn`, { totalBytes: 64 * 1024, declaredLength: 100 * 1024 * 1024 });
    expect(declared.status).toBe(413);
    expect(performance.now() - started).toBeLessThan(2_000);
    const chunked = await send(`${base}/api/trpc/auth.logIn`, { totalBytes: 100 * 1024 * 1024 });
    expect(chunked.status).toBe(413);
  });
});
