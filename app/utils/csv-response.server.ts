import { stringify } from 'csv-stringify/sync';

/** One CSV cell: numbers are written as they are, null and undefined as an empty cell. */
export type CsvCell = string | number | null | undefined;
export type CsvRow = CsvCell[];

/**
 * A CSV download (`attachment`, never cached) streamed from `pages`: the header row first, then each
 * page of rows the iterable yields as one chunk. The next page is asked for only when the reader has
 * taken the last one, so a large file never sits in memory at once; a reader that goes away stops
 * the iterable (its `finally` blocks run).
 */
export function csvResponse(options: { fileName: string; header: string[]; pages: AsyncIterable<CsvRow[]> }): Response {
  const encoder = new TextEncoder();
  const iterator = options.pages[Symbol.asyncIterator]();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(stringify([options.header])));
    },
    // Every pull enqueues a page or closes: a pull that does neither would stall the download.
    async pull(controller) {
      for (;;) {
        const next = await iterator.next();
        if (next.done) return controller.close();
        if (next.value.length) return controller.enqueue(encoder.encode(stringify(next.value)));
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
