import { stringify } from 'csv-stringify/sync';

/** One CSV cell: numbers are written as they are, null and undefined as an empty cell. */
export type CsvCell = string | number | null | undefined;
export type CsvRow = CsvCell[];

/** What a spreadsheet evaluates at the start of a cell (OWASP's CSV injection list): `=`, `+`, `-`, `@`, tab, carriage return. */
const FORMULA_START = /^[=+\-@\t\r]/;
/** A plain decimal number, such as `-5` or `+12.50`: a spreadsheet reads it as that number, never as a formula. */
const PLAIN_NUMBER = /^[+-]?\d+(?:\.\d+)?$/;

/**
 * A cell made safe to open in a spreadsheet: text a spreadsheet would evaluate as a formula
 * (`=HYPERLINK(…)`, `@SUM(…)`, `-2+3`) gets a leading `'`, OWASP's rule, so it shows as the text it is.
 * Numbers — and text that is a plain decimal number like `-5` (OWASP lets purely numeric values
 * stay) — are written as they are, so amounts keep their sign and stay numbers.
 */
export function neutraliseCell(cell: CsvCell): CsvCell {
  return typeof cell === 'string' && FORMULA_START.test(cell) && !PLAIN_NUMBER.test(cell) ? `'${cell}` : cell;
}

function csvOf(rows: CsvRow[]): string {
  return stringify(rows.map((row) => row.map(neutraliseCell)));
}

/**
 * A CSV download (`attachment`, never cached) streamed from `pages`: the header row first, then each
 * page of rows the iterable yields as one chunk. The next page is asked for only when the reader has
 * taken the last one, so a large file never sits in memory at once; a reader that goes away stops
 * the iterable (its `finally` blocks run). Every cell, the header's included, passes `neutraliseCell`.
 */
export function csvResponse(options: { fileName: string; header: string[]; pages: AsyncIterable<CsvRow[]> }): Response {
  const encoder = new TextEncoder();
  const iterator = options.pages[Symbol.asyncIterator]();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(csvOf([options.header])));
    },
    // Every pull enqueues a page or closes: a pull that does neither would stall the download.
    async pull(controller) {
      for (;;) {
        const next = await iterator.next();
        if (next.done) return controller.close();
        if (next.value.length) return controller.enqueue(encoder.encode(csvOf(next.value)));
      }
    },
    async cancel() {
      await iterator.return?.();
    },
  });
  return new Response(body, {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${options.fileName}"`,
      'Cache-Control': 'no-store',
    },
  });
}
