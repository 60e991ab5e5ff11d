import { createContext, useContext } from 'react';

/**
 * The response's CSP nonce, provided around `<RemixServer>` in entry.server.tsx. It travels by React
 * context rather than loader data so it is never serialised into the page's data or reused by a
 * client-side navigation. In the browser nothing provides it: scripts already on the page keep
 * their nonce, and Remix adds no inline scripts after hydration, so the empty default is right.
 */
const NonceContext = createContext('');

export const NonceProvider = NonceContext.Provider;

export function useNonce(): string {
  return useContext(NonceContext);
}
