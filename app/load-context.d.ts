import type { Logger } from '../server/log';
import type { AppServices } from '../server/services';

declare module '@remix-run/node' {
  interface AppLoadContext {
    services: AppServices;
    log: Logger;
    requestId: string;
    /** This response's Content-Security-Policy nonce (server/http/security.ts); every inline script carries it. */
    cspNonce: string;
    /** The client's address as Express sees it behind the trusted proxy. */
    clientIp: string | null;
  }

  interface Future {
    v3_singleFetch: true;
  }
}
