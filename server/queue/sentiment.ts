import { z } from 'zod';
import { markSentimentFailed, stalePendingInteractions } from '../sentiment/pipeline';
import { defineQueue, type JobData, type JobRequest } from './contract';

/**
 * The sentiment queue: one interaction's text at one version (`analyse`); an edit is a new version,
 * so a new job. Asked for by the interaction triggers (`private.request_job`, on insert and on every
 * edit of what was said) and by admins' backfill and retries. Processed by worker/processors/sentiment.ts.
 */
export const SENTIMENT_QUEUE = 'sentiment';

/** Attempts per job; a 429 from the LLM does not spend one. After the last, the job is dead-lettered. */
const SENTIMENT_ATTEMPTS = 5;
/** Malformed or schema-violating LLM output is tried this many times, then analysed locally. */
export const SENTIMENT_OUTPUT_ATTEMPTS = 2;

export const sentimentQueue = defineQueue({
  name: SENTIMENT_QUEUE,
  jobs: {
    analyse: {
      payload: z.object({
        workspaceId: z.uuid(),
        interactionId: z.uuid(),
        version: z.number().int().min(1),
        /** Malformed or schema-violating answers of the LLM so far (the processor keeps it on the job between attempts). */
        badOutputs: z.number().int().min(0).optional(),
      }),
      key: (data) => `sentiment-${data.interactionId}-v${data.version}`,
      onDeadLetter: (tx, data, error): Promise<void> => markSentimentFailed(tx, data, error),
    },
  },
  defaultJobOptions: {
    attempts: SENTIMENT_ATTEMPTS,
    // 2 s, 4 s, 8 s, 16 s, each ±50%: retries of many jobs do not arrive in step.
    backoff: { type: 'exponential', delay: 2_000, jitter: 0.5 },
    removeOnComplete: { age: 24 * 3600, count: 50_000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  },
  unfinished: {
    description: 'interactions still pending an hour after their last change (a job lost with Redis data)',
    afterMinutes: 60,
    find: async (tx, limit): Promise<JobRequest[]> =>
      (await stalePendingInteractions(tx, { olderThanMinutes: 60, limit })).map((data) => sentimentQueue.job('analyse', data)),
  },
});

export type SentimentJobData = JobData<typeof sentimentQueue, 'analyse'>;
