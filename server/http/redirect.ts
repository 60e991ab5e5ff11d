/**
 * Printable ASCII other than space and backslash: what a path our own pages put in `redirectTo`
 * (`encodeURIComponent` of a URL's pathname and search) decodes to. Everything else — tab, newline
 * and the other controls a browser strips or a header refuses, U+3002 and other non-ASCII a browser
 * may fold into `.` or `/`, `\` that a browser reads as `/` — is refused before parsing.
 */
const PLAIN_TARGET = /^\/[\x21-\x5b\x5d-\x7e]*$/;
/** Controls and backslashes hidden in percent escapes (`/%09/evil.example`), refused in case anything decodes them on the way. */
const ENCODED_TRICK = /%(?:[01][0-9a-f]|7f|5c)/i;

/**
 * The same-origin path to send a person to after signing in (or any other redirect to a target the
 * request chose), or `fallback`. The target is parsed as a browser would (WHATWG URL, relative to
 * `origin`) and accepted only when it is path-absolute (`/…`, not `//…` or `/\…`) and stays on
 * `origin`; the normalised `pathname + search + hash` is returned, so what reaches `Location` is
 * exactly what was checked. Never throws.
 */
export function safeRedirectTarget(target: unknown, origin: string, fallback: string): string {
  if (typeof target !== 'string' || !PLAIN_TARGET.test(target) || target.startsWith('//')) return fallback;
  try {
    const base = new URL(origin);
    const url = new URL(target, base);
    const path = `${url.pathname}${url.search}${url.hash}`;
    // `/a/../..//evil` normalises to `//evil`: check what the browser will see, not what was sent.
    if (url.origin !== base.origin || !path.startsWith('/') || path.startsWith('//') || ENCODED_TRICK.test(url.pathname)) {
      return fallback;
    }
    return path;
  } catch {
    return fallback;
  }
}
