import { parse } from 'csv-parse/sync';
import type { Database, Tx, UserClaims } from '../db';
import { AppError } from '../errors';

/** Uploads are stored in Postgres in chunks of this size: neither side ever holds the whole file. */
export const CHUNK_BYTES = 1024 * 1024;
export const MAX_IMPORT_BYTES = 100 * 1024 * 1024;
export const PREVIEW_ROWS = 5;
const SNIFF_BYTES = 64 * 1024;
const DELIMITERS = [',', ';', '\t', '|'] as const;

export type FilePreview = { delimiter: string; headers: string[]; rows: string[][] };

/** Counts the delimiter candidates outside quotes in the first line; the most frequent wins. */
export function detectDelimiter(firstLine: string): string {
  let best: string = ',';
  let bestCount = 0;
  for (const delimiter of DELIMITERS) {
    let count = 0;
    let quoted = false;
    for (const char of firstLine) {
      if (char === '"') quoted = !quoted;
      else if (char === delimiter && !quoted) count += 1;
    }
    if (count > bestCount) {
      best = delimiter;
      bestCount = count;
    }
  }
  return best;
}

/** The header and first rows of a file from its first bytes, or a 400 saying why it isn't CSV. */
export function previewOf(head: Buffer): FilePreview {
  const sniff = head.subarray(0, SNIFF_BYTES);
  if (sniff.length === 0) throw AppError.field('file', 'The file is empty.');
  if (sniff.includes(0))
    throw AppError.field('file', 'This looks like a spreadsheet or other binary file. Save it as CSV (UTF-8) and upload that.');
  let text = sniff.toString('utf8').replace(/^\uFEFF/, '');
  // Cut at the last line break so a row is not split in the middle (unless the file is that short).
  if (head.length > SNIFF_BYTES && text.lastIndexOf('\n') > 0) text = text.slice(0, text.lastIndexOf('\n'));
  const delimiter = detectDelimiter(text.split(/\r?\n/, 1)[0] ?? '');
  let records: string[][];
  try {
    records = parse(text, {
      delimiter,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      to: PREVIEW_ROWS + 1,
    }) as string[][];
  } catch (error) {
    throw AppError.field('file', `We could not read this file as CSV: ${(error as Error).message}`);
  }
  const [headers, ...rows] = records;
  if (!headers || headers.every((header) => !header.trim())) throw AppError.field('file', 'The first row must name the columns.');
  return { delimiter, headers: headers.map((header, index) => header.trim() || `Column ${index + 1}`), rows };
}

/**
 * Streams an upload into `import_file_chunks` as it arrives, 1 MiB per row, in the caller's
 * transaction; computes the preview from the first chunk. Returns the size and preview.
 */
export async function storeFile(
  tx: Tx,
  input: { importId: string; workspaceId: string; data: AsyncIterable<Uint8Array> },
): Promise<{ bytes: number; preview: FilePreview }> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let bytes = 0;
  let seq = 0;
  let preview: FilePreview | null = null;
  const flush = async () => {
    const chunk = Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    if (!preview) preview = previewOf(chunk);
    await tx
      .insertInto('import_file_chunks')
      .values({ import_id: input.importId, workspace_id: input.workspaceId, seq, data: chunk })
      .execute();
    seq += 1;
  };
  for await (const part of input.data) {
    bytes += part.byteLength;
    if (bytes > MAX_IMPORT_BYTES)
      throw AppError.field('file', `The file is larger than ${MAX_IMPORT_BYTES / 1024 / 1024} MB. Split it into smaller files.`);
    pending.push(Buffer.from(part.buffer, part.byteOffset, part.byteLength));
    pendingBytes += part.byteLength;
    if (pendingBytes >= CHUNK_BYTES) await flush();
  }
  if (pendingBytes > 0 || seq === 0) await flush();
  return { bytes, preview: preview ?? previewOf(Buffer.alloc(0)) };
}

/**
 * The stored file, chunk by chunk in order, each read in its own short transaction as the user, so
 * a long import never holds one transaction (or the whole file) open.
 */
export async function* readFile(db: Database, claims: UserClaims, importId: string): AsyncGenerator<Buffer> {
  for (let seq = 0; ; seq += 1) {
    const chunk = await db.withUser(claims, (tx) =>
      tx.selectFrom('import_file_chunks').select('data').where('import_id', '=', importId).where('seq', '=', seq).executeTakeFirst(),
    );
    if (!chunk) return;
    yield chunk.data;
  }
}
