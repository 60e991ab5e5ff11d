import type { Logger } from '../server/log';
import type { AppServices } from '../server/services';

declare module '@remix-run/node' {
  interface AppLoadContext {
    services: AppServices;
    log: Logger;
    requestId: string;
  }

  interface Future {
    v3_singleFetch: true;
  }
}
