import type { HeadersFunction } from '@remix-run/node';

/**
 * Keeps the headers of a thrown Response (Retry-After on a 429) on the document response; Remix
 * drops them unless the route says so.
 */
export const keepErrorHeaders: HeadersFunction = ({ errorHeaders, actionHeaders, loaderHeaders }) =>
  errorHeaders ?? (actionHeaders.has('Set-Cookie') ? actionHeaders : loaderHeaders);
