import { z } from 'zod';
import { markImportFailed, queueFailedImportAgain, stalledImports } from '../imports/run';
import { defineQueue, type JobRequest } from './contract';

/**
 * The imports queue: one mapped CSV file to import (`import-csv`), asked for when a manager starts
 * the import (server/imports/imports.ts). Processed by worker/processors/imports.ts.
 */
export const IMPORTS_QUEUE = 'imports';

export const importsQueue = defineQueue({
  name: IMPORTS_QUEUE,
  jobs: {
    'import-csv': {
      payload: z.object({ workspaceId: z.uuid(), importId: z.uuid() }),
      key: (data) => `import-${data.importId}`,
      onDeadLetter: (tx, data, error) => markImportFailed(tx, data.importId, `The import stopped: ${error}`),
      onRetry: (tx, data) => queueFailedImportAgain(tx, data.importId),
    },
  },
  defaultJobOptions: {
    // A retry resumes after the last committed batch, so retrying is cheap and safe.
    attempts: 3,
    backoff: { type: 'exponential', delay: 5_000, jitter: 0.5 },
    removeOnComplete: { count: 1_000 },
    removeOnFail: { count: 1_000 },
  },
  unfinished: {
    description: 'imports queued or running for ten minutes whose job is gone (Redis was away, a worker died twice)',
    afterMinutes: 10,
    find: async (tx, limit): Promise<JobRequest[]> =>
      (await stalledImports(tx, { olderThanMinutes: 10, limit })).map((data) => importsQueue.job('import-csv', data)),
  },
});
