import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutboundClient, isPublicAddress, OutboundError, outboundOptionsOf } from './outbound';

/** A server on 127.0.0.1 (and, for the IPv6 spellings, one on ::1 at the same port when the machine has it) that counts its requests. */
type FakeServer = { port: number; hits: string[]; url(path?: string): string; close(): Promise<void> };

async function fakeServer(handler: (request: IncomingMessage, response: ServerResponse) => void): Promise<FakeServer> {
  const hits: string[] = [];
  const onRequest = (request: IncomingMessage, response: ServerResponse) => {
    hits.push(`${request.method} ${request.url}`);
    handler(request, response);
  };
  const v4: Server = createServer(onRequest);
  await new Promise<void>((resolve) => v4.listen(0, '127.0.0.1', resolve));
  const port = (v4.address() as AddressInfo).port;
  // The same port on ::1, so a request that slipped through to [::1] would be counted rather than refused by the kernel.
  const v6: Server = createServer(onRequest);
  await new Promise<void>((resolve) => {
    v6.once('error', () => resolve());
    v6.listen(port, '::1', resolve);
  });
  const close = (server: Server) =>
    new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return {
    port,
    hits,
    url: (path = '/hook') => `http://127.0.0.1:${port}${path}`,
    close: async () => {
      await Promise.all([close(v4), close(v6)]);
    },
  };
}

let ok: FakeServer;
beforeAll(async () => {
  ok = await fakeServer((_request, response) => response.writeHead(200, { 'content-type': 'text/plain' }).end('ok'));
});
afterAll(async () => {
  await ok.close();
});

/** The reason a request was refused (OutboundError only). */
async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(OutboundError);
  return (error as OutboundError).message;
}

describe('the outbound client refuses addresses that are not public', () => {
  // Loopback off, http allowed: what development and the worker outside production run with.
  const guarded = createOutboundClient({ allowLoopback: false });

  it.each([
    ['127.0.0.1', (port: number) => `http://127.0.0.1:${port}/`],
    ['127.1', (port: number) => `http://127.1:${port}/`],
    ['decimal 2130706433', (port: number) => `http://2130706433:${port}/`],
    ['hex 0x7f.0.0.1', (port: number) => `http://0x7f.0.0.1:${port}/`],
    ['hex 0x7f000001', (port: number) => `http://0x7f000001:${port}/`],
    ['octal 0177.0.0.1', (port: number) => `http://0177.0.0.1:${port}/`],
    ['a trailing dot', (port: number) => `http://127.0.0.1.:${port}/`],
    ['0 (0.0.0.0 reaches this machine)', (port: number) => `http://0:${port}/`],
    ['[::1]', (port: number) => `http://[::1]:${port}/`],
    ['[::ffff:127.0.0.1]', (port: number) => `http://[::ffff:127.0.0.1]:${port}/`],
    ['[0:0:0:0:0:ffff:7f00:1]', (port: number) => `http://[0:0:0:0:0:ffff:7f00:1]:${port}/`],
    ['IPv4-compatible [::127.0.0.1]', (port: number) => `http://[::127.0.0.1]:${port}/`],
    ['[::]', (port: number) => `http://[::]:${port}/`],
    ['localhost (DNS)', (port: number) => `http://localhost:${port}/`],
  ])('%s', async (_label, url) => {
    expect(await refusal(guarded.request(url(ok.port), { method: 'POST', body: '{}' }))).toBe('The server: the address is not public');
    expect(ok.hits).toEqual([]);
  });

  it.each([
    'http://10.0.0.1/',
    'http://172.16.0.1/',
    'http://172.31.255.255/',
    'http://192.168.1.1/',
    'https://169.254.169.254/latest/meta-data/',
    'http://100.64.0.1/',
    'http://100.100.100.200/',
    'http://192.0.0.192/',
    'http://198.18.0.1/',
    'http://224.0.0.1/',
    'http://255.255.255.255/',
    'http://240.0.0.1/',
    'http://0.1.2.3/',
    'http://[fe80::1]/',
    'http://[fc00::1]/',
    'http://[fd00:ec2::254]/',
    'http://[ff02::1]/',
    'http://[::ffff:10.0.0.1]/',
    'http://[::ffff:169.254.169.254]/',
    'http://[64:ff9b::a00:1]/',
    'http://[2002:a00:1::]/',
    'http://[2001:db8::1]/',
  ])('%s', async (url) => {
    expect(await refusal(guarded.request(url, { service: 'Slack' }))).toBe('Slack: the address is not public');
  });

  it('checks the address the name resolves to, at connect time (every address of the name)', async () => {
    const toLoopback = createOutboundClient({ resolve: async () => [{ address: '127.0.0.1', family: 4 }] });
    expect(await refusal(toLoopback.request(`http://hooks.slack.test:${ok.port}/hook`))).toBe('The server: the address is not public');
    const mixed = createOutboundClient({
      resolve: async () => [
        { address: '93.184.216.34', family: 4 },
        { address: '10.0.0.5', family: 4 },
      ],
    });
    expect(await refusal(mixed.request(`http://hooks.slack.test:${ok.port}/hook`))).toBe('The server: the address is not public');
    const mapped = createOutboundClient({ resolve: async () => [{ address: '::ffff:127.0.0.1', family: 6 }] });
    expect(await refusal(mapped.request(`http://hooks.slack.test:${ok.port}/hook`))).toBe('The server: the address is not public');
    expect(ok.hits).toEqual([]);
    // The connection goes where the checked lookup said: with loopback allowed, the name reaches the fake server.
    const allowed = createOutboundClient({ allowLoopback: true, resolve: async () => [{ address: '127.0.0.1', family: 4 }] });
    const response = await allowed.request(`http://hooks.slack.test:${ok.port}/resolved`, { method: 'POST', body: '{}' });
    expect(response.body.toString()).toBe('ok');
    expect(ok.hits).toEqual(['POST /resolved']);
    ok.hits.length = 0;
  });

  it('allows loopback only when asked, and public unicast addresses', () => {
    expect(isPublicAddress('127.0.0.1')).toBe(false);
    expect(isPublicAddress('127.0.0.1', { allowLoopback: true })).toBe(true);
    expect(isPublicAddress('::1', { allowLoopback: true })).toBe(true);
    expect(isPublicAddress('10.0.0.1', { allowLoopback: true })).toBe(false);
    expect(isPublicAddress('8.8.8.8')).toBe(true);
    expect(isPublicAddress('2606:4700:4700::1111')).toBe(true);
    expect(isPublicAddress('::ffff:8.8.8.8')).toBe(true);
    expect(isPublicAddress('not-an-address')).toBe(false);
  });
});

describe('the outbound client refuses URLs and answers it must not follow', () => {
  const local = createOutboundClient({ allowLoopback: true });

  it('refuses a user name or password in the URL, plain http in production and other schemes', async () => {
    const port = ok.port;
    expect(await refusal(local.request(`http://user:secret@127.0.0.1:${port}/`))).toBe(
      'The server: the URL must not contain a user name or password',
    );
    expect(await refusal(local.request(`http://user@127.0.0.1:${port}/`))).toBe(
      'The server: the URL must not contain a user name or password',
    );
    const production = createOutboundClient(outboundOptionsOf({ NODE_ENV: 'production', OUTBOUND_ALLOW_LOOPBACK: true }));
    expect(await refusal(production.request(ok.url(), { service: 'Slack' }))).toBe('Slack: only https URLs are allowed');
    expect(await refusal(production.request(`https://127.0.0.1:${port}/`))).toBe('The server: the address is not public');
    expect(await refusal(local.request('file:///etc/passwd'))).toBe('The server: only http(s) URLs are allowed');
    expect(await refusal(local.request('not a url'))).toBe('The server: the URL is not valid');
    expect(ok.hits).toEqual([]);
  });

  it('never follows a redirect: a 307 to another local address is an error and the second server sees nothing', async () => {
    const target = await fakeServer((_request, response) => response.writeHead(200).end('followed'));
    const redirecting = await fakeServer((_request, response) =>
      response.writeHead(307, { location: `http://127.0.0.1:${target.port}/internal` }).end(),
    );
    try {
      const error = await local.request(redirecting.url(), { method: 'POST', body: '{}', service: 'Slack' }).catch((caught) => caught);
      expect(error).toBeInstanceOf(OutboundError);
      expect(error).toMatchObject({ message: 'Slack answered 307 (redirects are not followed)', status: 307 });
      expect(redirecting.hits).toEqual(['POST /hook']);
      expect(target.hits).toEqual([]);
    } finally {
      await Promise.all([target.close(), redirecting.close()]);
    }
  });

  it("answers a non-2xx with its status only, never the target's body", async () => {
    const failing = await fakeServer((_request, response) => response.writeHead(500).end('internal secret: db password is hunter2'));
    try {
      const message = await refusal(local.request(failing.url(), { method: 'POST', body: '{}', service: 'Slack' }));
      expect(message).toBe('Slack answered 500');
    } finally {
      await failing.close();
    }
  });

  it('reads at most maxBytes of the answer, then aborts', async () => {
    const chunk = Buffer.alloc(16 * 1024, 'a');
    const streaming = await fakeServer((_request, response) => {
      // No content-length: the cap must hold while reading.
      response.writeHead(200);
      for (let index = 0; index < 64; index += 1) response.write(chunk);
      response.end();
    });
    const declared = await fakeServer((_request, response) => response.writeHead(200, { 'content-length': '1000000' }).end());
    try {
      expect(await refusal(local.request(streaming.url(), { maxBytes: 1024 }))).toBe('The server: the answer was larger than 1 KB');
      expect(await refusal(local.request(declared.url(), { maxBytes: 1024 }))).toBe('The server: the answer was larger than 1 KB');
      expect((await local.request(streaming.url(), { maxBytes: 2 * 1024 * 1024 })).body.length).toBe(64 * chunk.length);
    } finally {
      await Promise.all([streaming.close(), declared.close()]);
    }
  });

  it('gives up after the timeout', async () => {
    const silent = await fakeServer(() => undefined);
    try {
      const started = Date.now();
      expect(await refusal(local.request(silent.url(), { timeoutMs: 300, service: 'Slack' }))).toBe('Slack: timed out after 0.3 s');
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      await silent.close();
    }
  });

  it('says a refused connection in a few words', async () => {
    const gone = await fakeServer(() => undefined);
    const url = gone.url();
    await gone.close();
    expect(await refusal(local.request(url))).toBe('The server: the connection was refused');
  });
});

describe('outboundOptionsOf', () => {
  it('allows loopback only outside production when OUTBOUND_ALLOW_LOOPBACK is on, and https only in production', () => {
    expect(outboundOptionsOf({ NODE_ENV: 'development', OUTBOUND_ALLOW_LOOPBACK: false })).toEqual({
      httpsOnly: false,
      allowLoopback: false,
    });
    expect(outboundOptionsOf({ NODE_ENV: 'test', OUTBOUND_ALLOW_LOOPBACK: true })).toEqual({ httpsOnly: false, allowLoopback: true });
    expect(outboundOptionsOf({ NODE_ENV: 'production', OUTBOUND_ALLOW_LOOPBACK: true })).toEqual({ httpsOnly: true, allowLoopback: false });
  });
});
