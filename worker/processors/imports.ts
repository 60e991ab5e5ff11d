import { UnrecoverableError, type Queue } from 'bullmq';
import type { Database } from '../../server/db';
import { markImportFailed, runImport, type ImportSummary } from '../../server/imports/run';
import { enqueueImport, importJobSchema, type ImportJobData } from '../../server/queue/imports';
import type { JobProcessor } from '../job-log';

/**
 * Runs one CSV import. A failed attempt is retried (resuming after the last committed batch); when
 * the last attempt fails, the import is marked failed with the reason, which its page shows.
 */
export function createImportProcessor(deps: { db: Database }): JobProcessor<ImportJobData, ImportSummary | null> {
  return async (job, log) => {
    const parsed = importJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid import payload: ${parsed.error.message}`);
    try {
      return await runImport({ db: deps.db, log }, parsed.data.importId);
    } catch (error) {
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (lastAttempt) await markImportFailed(deps.db, parsed.data.importId, `The import stopped: ${(error as Error).message}`);
      throw error;
    }
  };
}

/**
 * Imports left queued or running (Redis was away when they were queued, or a worker died) are
 * queued again at start-up; the job id makes this a no-op for imports still in the queue.
 */
export async function requeueWaitingImports(db: Database, queue: Queue<ImportJobData>): Promise<number> {
  const waiting = await db.asService((tx) => tx.selectFrom('imports').select('id').where('status', 'in', ['queued', 'running']).execute());
  for (const { id } of waiting) await enqueueImport(queue, id);
  return waiting.length;
}
