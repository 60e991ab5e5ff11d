import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/**
 * `value` when it is an IP address (one Postgres's `inet` takes: no `%zone`), else null. The client
 * ip reaches rate-limit keys, sessions and the audit log only through this.
 */
export function validIp(value: unknown): string | null {
  return typeof value === 'string' && !value.includes('%') && isIP(value) !== 0 ? value : null;
}

/**
 * The client's address: Express's `req.ip` (the socket's peer, or the hop TRUST_PROXY names in
 * `X-Forwarded-For`) when it is an IP address, else the socket's peer — a forged header never
 * becomes a key or an `inet` value.
 */
export function clientIpOf(req: IncomingMessage & { ip?: string | undefined }): string | null {
  return validIp(req.ip) ?? validIp(req.socket.remoteAddress);
}
