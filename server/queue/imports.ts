import { Queue, type ConnectionOptions } from 'bullmq';
import { z } from 'zod';

export const IMPORTS_QUEUE = 'imports';

export const importJobSchema = z.object({ importId: z.uuid() });
export type ImportJobData = z.infer<typeof importJobSchema>;

export function createImportQueue(connection: ConnectionOptions, prefix?: string): Queue<ImportJobData> {
  return new Queue<ImportJobData>(IMPORTS_QUEUE, {
    connection,
    prefix,
    defaultJobOptions: {
      // A retry resumes after the last committed batch, so retrying is cheap and safe.
      attempts: 3,
      backoff: { type: 'exponential', delay: 5_000, jitter: 0.5 },
      removeOnComplete: { count: 1_000 },
      removeOnFail: { count: 1_000 },
    },
  });
}

/** Queues an import; the job id is the import id, so queueing it twice runs it once. */
export async function enqueueImport(queue: Queue<ImportJobData>, importId: string): Promise<void> {
  await queue.add('import-csv', { importId }, { jobId: `import-${importId}` });
}
