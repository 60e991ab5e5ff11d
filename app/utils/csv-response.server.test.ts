import { describe, expect, it } from 'vitest';
import { csvResponse, type CsvRow } from './csv-response.server';

async function* pagesOf(...pages: CsvRow[][]) {
  yield* pages;
}

describe('csvResponse', () => {
  it('streams the header, then one chunk per non-empty page, as an uncached attachment', async () => {
    const response = csvResponse({
      fileName: 'clients-acme-2026-01-02.csv',
      header: ['name', 'mrr'],
      pages: pagesOf([['Acme, Inc.', 12.5]], [], [['"Quoted"', null]]),
    });
    expect(Object.fromEntries(response.headers)).toEqual({
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': 'attachment; filename="clients-acme-2026-01-02.csv"',
      'cache-control': 'no-store',
    });
    const chunks: string[] = [];
    const decoder = new TextDecoder();
    const reader = response.body!.getReader();
    for (let read = await reader.read(); !read.done; read = await reader.read()) chunks.push(decoder.decode(read.value));
    expect(chunks).toEqual(['name,mrr\n', '"Acme, Inc.",12.5\n', '"""Quoted""",\n']);
  });

  it('ends after the header when there are no rows (the download never hangs)', async () => {
    expect(await csvResponse({ fileName: 'x.csv', header: ['row'], pages: pagesOf([]) }).text()).toBe('row\n');
  });

  it('stops asking for pages when the reader goes away', async () => {
    let finished = false;
    let asked = 0;
    async function* endless() {
      try {
        for (;;) {
          asked += 1;
          yield [[asked]];
        }
      } finally {
        finished = true;
      }
    }
    const reader = csvResponse({ fileName: 'x.csv', header: ['n'], pages: endless() }).body!.getReader();
    await reader.read();
    await reader.read();
    await reader.cancel();
    expect(finished).toBe(true);
    expect(asked).toBeLessThan(5);
  });
});
