import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import type { Env } from '../env';

/**
 * The one HTTP client for URLs a user gave us (a Slack webhook today; survey and billing webhooks
 * later), decision 019. It refuses what would let a user aim our servers at our own network (SSRF):
 *
 * - the URL: http(s) only, https only in production, no user name or password in it;
 * - the address: checked at connect time on the address the socket connects to (our own DNS lookup
 *   feeds the connection, so a name cannot resolve to a public address for a check and to a private
 *   one for the connection); only public unicast addresses pass: never loopback (unless the client
 *   allows it, for tests), private, link-local (cloud metadata), CGNAT, multicast, unspecified,
 *   broadcast, reserved, unique-local, NAT64/6to4/Teredo or IPv4-mapped forms of those;
 * - the answer: no redirect is followed (a 3xx is an error), anything but 2xx is an error, the whole
 *   exchange has a deadline and the body a size cap.
 *
 * Every refusal is an OutboundError whose message is short and safe to show to people; it never
 * contains what the target answered.
 */

export type OutboundClientOptions = {
  /** Allow 127.0.0.0/8 and ::1 (fake servers in tests, a local chat server): off unless OUTBOUND_ALLOW_LOOPBACK. */
  allowLoopback?: boolean;
  /** Refuse plain http (production). */
  httpsOnly?: boolean;
  /** Default deadline of one exchange, ms (5 s). */
  timeoutMs?: number;
  /** Default cap on the answer's body, bytes (64 KiB). */
  maxBytes?: number;
  /** The name lookup (tests: a name that resolves to 127.0.0.1); default the system resolver (`dns.lookup`). */
  resolve?: (hostname: string) => Promise<LookupAddress[]>;
};

export type OutboundRequest = {
  method?: 'GET' | 'POST' | 'PUT';
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Who is called, for the error messages ("Slack answered 500"). */
  service?: string;
  timeoutMs?: number;
  maxBytes?: number;
};

export type OutboundResponse = { status: number; headers: IncomingHttpHeaders; body: Buffer };

export type OutboundClient = { request(url: string, init?: OutboundRequest): Promise<OutboundResponse> };

/** Why an outbound request failed, in a few words for people; `status` when the target answered (non-2xx). */
export class OutboundError extends Error {
  override name = 'OutboundError';
  constructor(
    message: string,
    readonly reason: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** The client's options from the environment: loopback only when OUTBOUND_ALLOW_LOOPBACK is on, and never in production. */
export function outboundOptionsOf(env: Pick<Env, 'NODE_ENV' | 'OUTBOUND_ALLOW_LOOPBACK'>): OutboundClientOptions {
  const production = env.NODE_ENV === 'production';
  return { httpsOnly: production, allowLoopback: !production && env.OUTBOUND_ALLOW_LOOPBACK };
}

const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');

/**
 * Whether `address` (an IPv4 or IPv6 literal, without brackets) is a public unicast address. IPv4-mapped
 * IPv6 is judged as its IPv4 address; other IPv6 must be global unicast (2000::/3) outside every
 * special range ipaddr.js knows (6to4, Teredo, documentation, benchmarking, ORCHID…).
 */
export function isPublicAddress(address: string, options: { allowLoopback?: boolean } = {}): boolean {
  if (!ipaddr.isValid(address)) return false;
  const parsed = ipaddr.process(address);
  const range = parsed.range();
  if (range === 'loopback') return options.allowLoopback === true;
  if (range !== 'unicast') return false;
  return parsed.kind() === 'ipv4' || parsed.match(GLOBAL_UNICAST_V6);
}

const NOT_PUBLIC = 'the address is not public';
const DEFAULT_TIMEOUT_MS = 5_000;
const DEFAULT_MAX_BYTES = 64 * 1024;

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(1))} s`;
const size = (bytes: number) => (bytes >= 1024 ? `${Number((bytes / 1024).toFixed(1))} KB` : `${bytes} bytes`);

/** What a socket or TLS error code means, in a few words (never the error's own text, which can quote the target). */
function connectReason(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the host name does not resolve';
    case 'ECONNREFUSED':
      return 'the connection was refused';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'the connection was closed';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'the host is unreachable';
    default:
      if (error.code?.startsWith('ERR_TLS') || /CERT|SSL/.test(error.code ?? '')) return `the TLS handshake failed (${error.code})`;
      return error.code ? `the request failed (${error.code})` : 'the request failed';
  }
}

const systemResolve = (hostname: string): Promise<LookupAddress[]> =>
  new Promise((resolve, reject) => dnsLookup(hostname, { all: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))));

export function createOutboundClient(options: OutboundClientOptions = {}): OutboundClient {
  const resolveName = options.resolve ?? systemResolve;
  const allowLoopback = options.allowLoopback === true;

  /** The connection's own lookup: every address of the name must be public, and the socket connects to one of those. */
  const guardedLookup: LookupFunction = (hostname, lookupOptions, callback) => {
    resolveName(hostname).then(
      (found) => {
        const addresses = found.filter((entry) => !lookupOptions.family || entry.family === lookupOptions.family);
        if (addresses.length === 0) return callback(Object.assign(new Error(hostname), { code: 'ENOTFOUND' }), '', 0);
        if (!addresses.every((entry) => isPublicAddress(entry.address, { allowLoopback }))) {
          return callback(new OutboundError(NOT_PUBLIC, NOT_PUBLIC), '', 0);
        }
        if (lookupOptions.all) return (callback as unknown as (error: null, addresses: LookupAddress[]) => void)(null, addresses);
        callback(null, addresses[0]!.address, addresses[0]!.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };

  return {
    request(rawUrl, init = {}) {
      const service = init.service ?? 'The server';
      const fail = (reason: string, status?: number) =>
        new OutboundError(status === undefined ? `${service}: ${reason}` : `${service} ${reason}`, reason, status);
      const timeoutMs = init.timeoutMs ?? options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      const maxBytes = init.maxBytes ?? options.maxBytes ?? DEFAULT_MAX_BYTES;

      let url: URL;
      try {
        url = new URL(rawUrl);
      } catch {
        return Promise.reject(fail('the URL is not valid'));
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:') return Promise.reject(fail('only http(s) URLs are allowed'));
      if (url.protocol === 'http:' && options.httpsOnly) return Promise.reject(fail('only https URLs are allowed'));
      if (url.username || url.password) return Promise.reject(fail('the URL must not contain a user name or password'));
      // WHATWG parsing has already turned 127.1, 2130706433, 0x7f.0.0.1 and 0177.0.0.1 into 127.0.0.1.
      const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
      // A literal address never reaches the lookup: it is checked here.
      if (isIP(host) && !isPublicAddress(host, { allowLoopback })) return Promise.reject(fail(NOT_PUBLIC));

      const body = init.body === undefined ? undefined : Buffer.from(init.body);
      const transport = url.protocol === 'https:' ? https : http;
      return new Promise<OutboundResponse>((resolve, reject) => {
        let settled = false;
        // One deadline for the whole exchange: connecting, the TLS handshake, waiting and reading.
        const timer = setTimeout(() => finish({ error: fail(`timed out after ${seconds(timeoutMs)}`) }), timeoutMs);
        const finish = (outcome: { error: OutboundError } | { response: OutboundResponse }) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          if ('error' in outcome) {
            request.destroy();
            reject(outcome.error);
          } else resolve(outcome.response);
        };
        const request = transport.request(
          {
            protocol: url.protocol,
            host,
            port: url.port || undefined,
            path: `${url.pathname}${url.search}`,
            method: init.method ?? (body ? 'POST' : 'GET'),
            headers: { ...init.headers, ...(body ? { 'content-length': String(body.length) } : {}) },
            lookup: guardedLookup,
            // A socket of its own: nothing pooled from another request to the same name.
            agent: false,
          },
          (response) => {
            const status = response.statusCode ?? 0;
            if (status >= 300 && status < 400) return finish({ error: fail(`answered ${status} (redirects are not followed)`, status) });
            if (status < 200 || status >= 300) return finish({ error: fail(`answered ${status}`, status) });
            const declared = Number(response.headers['content-length']);
            const tooLarge = () => fail(`the answer was larger than ${size(maxBytes)}`);
            if (declared > maxBytes) return finish({ error: tooLarge() });
            const chunks: Buffer[] = [];
            let received = 0;
            response.on('data', (chunk: Buffer) => {
              received += chunk.length;
              if (received > maxBytes) finish({ error: tooLarge() });
              else chunks.push(chunk);
            });
            response.on('end', () => finish({ response: { status, headers: response.headers, body: Buffer.concat(chunks) } }));
            response.on('error', (error) => finish({ error: fail(connectReason(error)) }));
          },
        );
        request.on('error', (error: NodeJS.ErrnoException) =>
          finish({ error: error instanceof OutboundError ? fail(error.reason) : fail(connectReason(error)) }),
        );
        request.end(body);
      });
    },
  };
}
