import { z } from 'zod';

/**
 * Keyset cursors: the sort values of a page's last row, handed out as an opaque base64url string of a
 * JSON tuple and taken back through `cursorSchema(shape)` in the procedure's input, where each list
 * states its cursor's shape. A cursor that does not decode to that shape is bad input (400 with a
 * message), never a failed cast in SQL (500).
 */

export const INVALID_CURSOR_MESSAGE = 'That page link is not valid any more; start from the first page.';

/** Long enough for a 200-character name of escaped or multi-byte characters and an id. */
const MAX_CURSOR_LENGTH = 2048;

/** The cursor of the page that follows a row with these sort values. */
export function encodeCursor<T extends readonly unknown[]>(values: T): string {
  return Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');
}

/** The JSON a cursor holds, or undefined when it is not base64url of JSON. */
function cursorJson(cursor: string): unknown {
  if (!/^[A-Za-z0-9_-]*$/.test(cursor)) return undefined;
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** A procedure input field for a cursor of this shape: a string goes in, the validated tuple comes out. */
export function cursorSchema<Shape extends z.ZodTuple>(shape: Shape) {
  return z
    .string()
    .max(MAX_CURSOR_LENGTH, { error: INVALID_CURSOR_MESSAGE })
    .transform((cursor, context): z.output<Shape> => {
      const values = shape.safeParse(cursorJson(cursor));
      if (values.success) return values.data;
      context.addIssue({ code: 'custom', message: INVALID_CURSOR_MESSAGE });
      return z.NEVER;
    });
}

/**
 * A timestamp as `Date.toISOString()` writes it, in a range Postgres accepts (it has no year 0), so
 * that `::timestamptz` cannot fail on a forged value.
 */
export const cursorTimestamp = z.iso.datetime().refine((value) => !value.startsWith('0000'));
