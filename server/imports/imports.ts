import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Tx } from '../db';
import { AppError } from '../errors';
import { guessMapping, importFieldsOf, mappingProblems, type ImportField, type ImportKind, type ImportMapping } from './fields';
import { storeFile } from './files';
import { importsQueue } from '../queue/imports';
import { requestJob } from '../queue/request';

export type ImportStatus = 'uploaded' | 'queued' | 'running' | 'done' | 'failed';

export type ImportView = {
  id: string;
  kind: ImportKind;
  fileName: string;
  fileBytes: number;
  headers: string[];
  preview: string[][];
  mapping: ImportMapping | null;
  status: ImportStatus;
  processedBytes: number;
  processedRows: number;
  createdRows: number;
  updatedRows: number;
  unchangedRows: number;
  errorRows: number;
  failure: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  createdByName: string | null;
};

const importColumns = [
  'i.id',
  'i.kind',
  'i.file_name as fileName',
  sql<number>`i.file_bytes::float8`.as('fileBytes'),
  'i.headers',
  'i.preview',
  'i.mapping',
  'i.status',
  sql<number>`i.processed_bytes::float8`.as('processedBytes'),
  'i.processed_rows as processedRows',
  'i.created_rows as createdRows',
  'i.updated_rows as updatedRows',
  'i.unchanged_rows as unchangedRows',
  'i.error_rows as errorRows',
  'i.failure',
  'i.created_at as createdAt',
  'i.started_at as startedAt',
  'i.finished_at as finishedAt',
  'u.name as createdByName',
] as const;

/** Stores an uploaded CSV (streamed, never whole in memory) and reads its header and first rows. */
export async function createImport(
  tx: Tx,
  input: { workspaceId: string; actorId: string; kind: ImportKind; fileName: string; data: AsyncIterable<Uint8Array> },
): Promise<{ id: string }> {
  const id = randomUUID();
  await tx
    .insertInto('imports')
    .values({ id, workspace_id: input.workspaceId, created_by: input.actorId, kind: input.kind, file_name: input.fileName })
    .execute();
  const { bytes, preview } = await storeFile(tx, { importId: id, workspaceId: input.workspaceId, data: input.data });
  await tx
    .updateTable('imports')
    .set({ file_bytes: bytes, delimiter: preview.delimiter, headers: preview.headers, preview: JSON.stringify(preview.rows) })
    .where('id', '=', id)
    .execute();
  return { id };
}

export async function getImport(
  tx: Tx,
  workspaceId: string,
  importId: string,
): Promise<ImportView & { fields: readonly ImportField[]; suggested: ImportMapping }> {
  const row = await tx
    .selectFrom('imports as i')
    .leftJoin('users as u', 'u.id', 'i.created_by')
    .select(importColumns)
    .where('i.id', '=', importId)
    .where('i.workspace_id', '=', workspaceId)
    .executeTakeFirst();
  if (!row) throw new AppError('NOT_FOUND', 'That import does not exist in this workspace.');
  const view = row as ImportView;
  return { ...view, fields: importFieldsOf(view.kind), suggested: view.mapping ?? guessMapping(view.kind, view.headers) };
}

export async function listImports(tx: Tx, workspaceId: string): Promise<ImportView[]> {
  const rows = await tx
    .selectFrom('imports as i')
    .leftJoin('users as u', 'u.id', 'i.created_by')
    .select(importColumns)
    .where('i.workspace_id', '=', workspaceId)
    .orderBy('i.created_at', 'desc')
    .limit(20)
    .execute();
  return rows as ImportView[];
}

/** Saves the column mapping and queues the import; a mapping that can't work comes back per field. */
export async function startImport(tx: Tx, input: { workspaceId: string; importId: string; mapping: ImportMapping }): Promise<void> {
  const current = await tx
    .selectFrom('imports')
    .select(['kind', 'status', 'headers'])
    .where('id', '=', input.importId)
    .where('workspace_id', '=', input.workspaceId)
    .forUpdate()
    .executeTakeFirst();
  if (!current) throw new AppError('NOT_FOUND', 'That import does not exist in this workspace.');
  if (current.status !== 'uploaded') throw new AppError('CONFLICT', 'This import has already been started.');
  const problems = mappingProblems(current.kind, input.mapping, current.headers.length);
  if (Object.keys(problems).length) throw new AppError('BAD_REQUEST', 'Some columns need attention.', problems);
  await tx
    .updateTable('imports')
    .set({ mapping: JSON.stringify(input.mapping), status: 'queued', queued_at: sql`now()` })
    .where('id', '=', input.importId)
    .execute();
  // Committed with the mapping: the worker finds it saved, and a Redis outage loses nothing.
  await requestJob(tx, importsQueue.job('import-csv', { workspaceId: input.workspaceId, importId: input.importId }));
}

export const IMPORT_ERRORS_PAGE = 1000;

/** The rows that could not be imported, in file order, a page at a time after `afterRow`. */
export async function listImportErrors(tx: Tx, input: { workspaceId: string; importId: string; afterRow?: number; limit?: number }) {
  return tx
    .selectFrom('import_row_errors')
    .select(['row_number as row', 'reason', 'raw'])
    .where('import_id', '=', input.importId)
    .where('workspace_id', '=', input.workspaceId)
    .where('row_number', '>', input.afterRow ?? 0)
    .orderBy('row_number')
    .limit(input.limit ?? IMPORT_ERRORS_PAGE)
    .execute();
}
