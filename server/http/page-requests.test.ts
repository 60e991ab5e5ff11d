import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { pageRequestCheck } from './page-requests';

let server: Server;
let base: string;

beforeAll(async () => {
  const app = express();
  app.use(pageRequestCheck());
  app.all('*', (_req, res) => void res.send('page'));
  server = app.listen(0);
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

it('lets pages and form posts through', async () => {
  expect((await fetch(`${base}/login`)).status).toBe(200);
  expect((await fetch(`${base}/login`, { method: 'HEAD' })).status).toBe(200);
  const form = await fetch(`${base}/login`, { method: 'POST', body: new URLSearchParams({ email: 'a@b.test' }) });
  expect(await form.text()).toBe('page');
  const multipart = new FormData();
  multipart.set('file', new Blob(['name\nAcme\n']), 'clients.csv');
  expect((await fetch(`${base}/w/x/clients/import`, { method: 'POST', body: multipart })).status).toBe(200);
});

it('answers other methods 405 with Allow, and a POST that is not a form 415, before any action runs', async () => {
  for (const method of ['PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
    const response = await fetch(`${base}/login`, { method });
    expect(response.status, method).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD, POST');
  }
  const json = await fetch(`${base}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"email":1}' });
  expect(json.status).toBe(415);
  expect(await json.text()).toContain('application/x-www-form-urlencoded');
  expect((await fetch(`${base}/login`, { method: 'POST', body: 'plain' })).status).toBe(415);
});
