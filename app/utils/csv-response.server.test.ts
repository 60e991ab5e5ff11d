import { describe, expect, it } from 'vitest';
import { csvResponse, neutraliseCell, type CsvRow } from './csv-response.server';

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

  it('neutralises cells a spreadsheet would evaluate, in the header and the rows (CSV injection, issue 16)', async () => {
    const response = csvResponse({
      fileName: 'x.csv',
      header: ['row', '=cmd|"/c calc"!A1'],
      pages: pagesOf([
        ['=HYPERLINK("https://evil.example","Open")', '+1+2', '-2+3', '@SUM(A1:A9)', '\t=1+1', '\r=1+1'],
        ['Acme', 'a=b', '-5', '+12.50', -5, 0.5, null],
      ]),
    });
    expect(await response.text()).toBe(
      [
        `row,"'=cmd|""/c calc""!A1"`,
        `"'=HYPERLINK(""https://evil.example"",""Open"")",'+1+2,'-2+3,'@SUM(A1:A9),'\t=1+1,"'\r=1+1"`,
        'Acme,a=b,-5,+12.50,-5,0.5,',
        '',
      ].join('\n'),
    );
  });

  it('leaves plain numbers, and text that only contains a formula character later, as they are', () => {
    for (const cell of ['-5', '+7', '-0.25', 'Acme = best', 'me@example.test', '', null, undefined, -12])
      expect(neutraliseCell(cell)).toBe(cell);
    for (const cell of ['-', '+', '=', '@', '-5e3', '--5', '- 5', '=1-1']) expect(neutraliseCell(cell)).toBe(`'${cell}`);
  });
});
