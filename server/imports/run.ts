import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { sql } from 'kysely';
import type { Database, Tx, UserClaims } from '../db';
import { recordAudit } from '../identity/audit';
import type { Logger } from '../log';
import { applyClientRows, applyInteractionRows, type BatchOutcome, type ImportState, type Numbered } from './apply';
import { readClientRow, readInteractionRow, RowError, type ClientImportRow, type ImportMapping, type InteractionImportRow } from './fields';
import { readFile } from './files';

export const IMPORT_BATCH_ROWS = 500;

export type ImportSummary = { created: number; updated: number; unchanged: number; errors: number; rows: number };

/** The importer's identity: the worker imports as the person who started it, with RLS in force. */
async function importerOf(db: Database, importId: string): Promise<{ claims: UserClaims; workspaceId: string } | null> {
  // Service access only to learn who that person is; everything after runs as them.
  const row = await db.asService((tx) =>
    tx
      .selectFrom('imports as i')
      .leftJoin('users as u', 'u.id', 'i.created_by')
      .select(['i.workspace_id', 'u.id as userId', 'u.email'])
      .where('i.id', '=', importId)
      .executeTakeFirst(),
  );
  if (!row) return null;
  if (!row.userId || !row.email) {
    await db.asService((tx) => markImportFailed(tx, importId, 'The person who started this import no longer has an account.'));
    return null;
  }
  return { claims: { sub: row.userId, email: row.email }, workspaceId: row.workspace_id };
}

/** Records why an import stopped (also its job's dead-letter step); the rows imported before it stay imported. */
export async function markImportFailed(tx: Tx, importId: string, reason: string): Promise<void> {
  await tx
    .updateTable('imports')
    .set({ status: 'failed', failure: reason.slice(0, 1000), finished_at: sql`now()` })
    .where('id', '=', importId)
    .where('status', 'in', ['queued', 'running'])
    .execute();
}

/** A failed import retried from the Background jobs page (as the admin): queued again, resuming after its last committed batch. */
export async function queueFailedImportAgain(tx: Tx, importId: string): Promise<void> {
  await tx
    .updateTable('imports')
    .set({ status: 'queued', failure: null, finished_at: null, queued_at: sql`now()` })
    .where('id', '=', importId)
    .where('status', '=', 'failed')
    .execute();
}

/** What the sweep asks for again: imports queued or running for `olderThanMinutes` (their job may be gone). */
export async function stalledImports(
  tx: Tx,
  options: { olderThanMinutes: number; limit: number },
): Promise<Array<{ workspaceId: string; importId: string }>> {
  return tx
    .selectFrom('imports')
    .select(['workspace_id as workspaceId', 'id as importId'])
    .where('status', 'in', ['queued', 'running'])
    .where('queued_at', '<', sql<Date>`now() - make_interval(mins => ${options.olderThanMinutes})`)
    .orderBy('queued_at')
    .limit(options.limit)
    .execute();
}

/**
 * Imports a mapped file: streams it from Postgres through csv-parse, validates each row, and writes
 * batches of 500 rows, each batch in one transaction with its bad rows and the progress counters.
 * Picks up after the last committed batch when a retry runs it again. Returns null when the import
 * is not waiting to run (already finished, or gone).
 */
export async function runImport(
  deps: { db: Database; log: Logger },
  importId: string,
  options: { batchRows?: number } = {},
): Promise<ImportSummary | null> {
  const { db, log } = deps;
  const importer = await importerOf(db, importId);
  if (!importer) return null;
  const { claims, workspaceId } = importer;
  const batchRows = options.batchRows ?? IMPORT_BATCH_ROWS;

  const start = await db.withUser(claims, async (tx) => {
    const started = await tx
      .updateTable('imports')
      .set({ status: 'running', started_at: sql`coalesce(started_at, now())` })
      .where('id', '=', importId)
      .where('status', 'in', ['queued', 'running'])
      .returning(['kind', 'mapping', 'delimiter', 'processed_rows'])
      .executeTakeFirst();
    if (!started) return null;
    const members = await tx
      .selectFrom('workspace_members as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .select(['u.email', 'u.id'])
      .where('m.workspace_id', '=', workspaceId)
      .execute();
    return { ...started, members };
  });
  if (!start) return null;
  const mapping = start.mapping as ImportMapping;
  const state: ImportState = {
    workspaceId,
    membersByEmail: new Map(start.members.map((member) => [member.email.toLowerCase(), member.id])),
    seen: new Map(),
  };
  const checkpoint = start.processed_rows;

  const malformed: Array<{ row: number; reason: string; raw: string[] }> = [];
  let skipped = 0;
  const parser = Readable.from(readFile(db, claims, importId)).pipe(
    parse({
      delimiter: start.delimiter,
      bom: true,
      info: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      on_skip: (error, raw) => {
        skipped += 1;
        const row = Number((error as { records?: number } | undefined)?.records ?? 0) + skipped;
        malformed.push({ row, reason: `Not valid CSV: ${error?.message ?? 'unreadable row'}`, raw: raw ? [raw.slice(0, 2000)] : [] });
        return undefined;
      },
    }),
  );

  type Pending = {
    rows: Array<Numbered<ClientImportRow | InteractionImportRow>>;
    errors: Array<{ row: number; reason: string; raw: string[] }>;
  };
  let pending: Pending = { rows: [], errors: [] };
  const raws = new Map<number, string[]>();

  const flush = async (lastRow: number, bytes: number) => {
    const batch = pending;
    pending = { rows: [], errors: [] };
    const batchRaws = new Map(raws);
    raws.clear();
    await db.withUser(claims, async (tx) => {
      const outcome: BatchOutcome =
        start.kind === 'clients'
          ? await applyClientRows(tx, state, batch.rows as Array<Numbered<ClientImportRow>>)
          : await applyInteractionRows(tx, state, batch.rows as Array<Numbered<InteractionImportRow>>);
      const errors = [...batch.errors, ...outcome.errors.map((error) => ({ ...error, raw: batchRaws.get(error.row) ?? [] }))];
      if (errors.length) {
        await tx
          .insertInto('import_row_errors')
          .values(
            errors.map((error) => ({
              import_id: importId,
              workspace_id: workspaceId,
              row_number: error.row,
              reason: error.reason.slice(0, 1000),
              raw: error.raw,
            })),
          )
          .onConflict((conflict) => conflict.columns(['import_id', 'row_number']).doNothing())
          .execute();
      }
      await tx
        .updateTable('imports')
        .set({
          processed_rows: lastRow,
          processed_bytes: bytes,
          created_rows: sql`created_rows + ${outcome.created}::int`,
          updated_rows: sql`updated_rows + ${outcome.updated}::int`,
          unchanged_rows: sql`unchanged_rows + ${outcome.unchanged}::int`,
          error_rows: sql`error_rows + ${errors.length}::int`,
        })
        .where('id', '=', importId)
        .execute();
    });
  };

  let lastRow = 1;
  let bytes = 0;
  for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { records: number; bytes: number } }>) {
    const row = info.records + skipped;
    bytes = info.bytes;
    lastRow = row;
    pending.errors.push(...malformed.splice(0).filter((error) => error.row > checkpoint));
    if (row === 1 || row <= checkpoint) continue;
    // Spreadsheets export trailing rows of empty cells; they are not rows anyone meant.
    if (record.every((cell) => cell.trim() === '')) continue;
    try {
      const value = start.kind === 'clients' ? readClientRow(mapping, record) : readInteractionRow(mapping, record);
      pending.rows.push({ row, value });
      raws.set(row, record);
    } catch (error) {
      if (!(error instanceof RowError)) throw error;
      pending.errors.push({ row, reason: error.message, raw: record });
    }
    if (pending.rows.length + pending.errors.length >= batchRows) await flush(row, bytes);
  }
  pending.errors.push(...malformed.splice(0).filter((error) => error.row > checkpoint));
  await flush(Math.max(lastRow, checkpoint), bytes);

  const summary = await db.withUser(claims, async (tx) => {
    const done = await tx
      .updateTable('imports')
      .set({ status: 'done', finished_at: sql`now()`, processed_bytes: sql`file_bytes` })
      .where('id', '=', importId)
      .returning(['kind', 'file_name', 'created_rows', 'updated_rows', 'unchanged_rows', 'error_rows'])
      .executeTakeFirstOrThrow();
    // The file has served its purpose; the bad rows stay for the report.
    await tx.deleteFrom('import_file_chunks').where('import_id', '=', importId).execute();
    const summary = {
      created: done.created_rows,
      updated: done.updated_rows,
      unchanged: done.unchanged_rows,
      errors: done.error_rows,
      rows: done.created_rows + done.updated_rows + done.unchanged_rows + done.error_rows,
    };
    await recordAudit(tx, {
      action: 'client.imported',
      actorId: claims.sub,
      workspaceId,
      target: { type: 'import', id: importId },
      after: { kind: done.kind, fileName: done.file_name, ...summary },
      meta: { ip: null, userAgent: 'clientpulse-worker' },
    });
    return summary;
  });
  log.info({ importId, ...summary }, 'import finished');
  return summary;
}
