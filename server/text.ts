import { z } from 'zod';

/**
 * The one text schema for everything people type or send us (decision 022): a zod string that
 * Postgres can store and JSON can carry. NUL (which Postgres text refuses) and lone UTF-16 surrogates
 * (half an emoji, which the audit log's JSON refuses) are rejected with a message for the field,
 * never passed on to fail as a 500 — we reject rather than strip, so nothing a person wrote is
 * silently changed.
 */
export const UNSTORABLE_TEXT_MESSAGE = 'This text has a character that cannot be saved (a NUL or half an emoji): remove it and try again';

/** With the `u` flag a surrogate pair reads as one code point: only a lone surrogate is `\p{Cs}`. */
const LONE_SURROGATE = /\p{Cs}/u;

/** Whether Postgres and JSON can hold `value` as it is. */
export function isStorableText(value: string): boolean {
  return !value.includes('\0') && !LONE_SURROGATE.test(value);
}

/** `z.string(params)` that refuses text we could not store. Chain `.trim()`, `.min()`, `.max()` as usual. */
export function text(params?: Parameters<typeof z.string>[0]) {
  return z.string(params).refine(isStorableText, { error: UNSTORABLE_TEXT_MESSAGE });
}
