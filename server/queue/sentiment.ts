import { Queue, type ConnectionOptions } from 'bullmq';
import { z } from 'zod';

export const SENTIMENT_QUEUE = 'sentiment';

/** One interaction's text at one version: an edit is a new version, so a new job. */
export const sentimentJobSchema = z.object({
  workspaceId: z.uuid(),
  interactionId: z.uuid(),
  version: z.number().int().min(1),
  /** Malformed or schema-violating answers of the LLM so far (kept on the job between attempts). */
  badOutputs: z.number().int().min(0).optional(),
});
export type SentimentJobData = z.infer<typeof sentimentJobSchema>;

/** Attempts per job; a 429 from the LLM does not spend one. After the last, the job is dead-lettered. */
export const SENTIMENT_ATTEMPTS = 5;
/** Malformed or schema-violating LLM output is tried this many times, then analysed locally. */
export const SENTIMENT_OUTPUT_ATTEMPTS = 2;

export function createSentimentQueue(connection: ConnectionOptions, prefix?: string): Queue<SentimentJobData> {
  return new Queue<SentimentJobData>(SENTIMENT_QUEUE, {
    connection,
    prefix,
    defaultJobOptions: {
      attempts: SENTIMENT_ATTEMPTS,
      // 2 s, 4 s, 8 s, 16 s, each ±50%: retries of many jobs do not arrive in step.
      backoff: { type: 'exponential', delay: 2_000, jitter: 0.5 },
      removeOnComplete: { age: 24 * 3600, count: 50_000 },
      removeOnFail: { age: 7 * 24 * 3600 },
    },
  });
}
