import { createTRPCClient, httpBatchLink } from '@trpc/client';
import type { AppRouter } from '../../server/root';

/** Where Express mounts the tRPC endpoint (`server/http/app.ts`). */
export const TRPC_ENDPOINT = '/api/trpc';

/** Typed tRPC client for interactive calls from the browser (forms and loaders use the server caller). */
export const trpc = createTRPCClient<AppRouter>({
  // The server refuses batches of more than 10 calls (decision 021): the link splits them.
  links: [httpBatchLink({ url: TRPC_ENDPOINT, maxItems: 10 })],
});
