import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Database } from '../../server/db';
import { SENTIMENT_OUTPUT_ATTEMPTS, SENTIMENT_QUEUE, sentimentJobSchema, type SentimentJobData } from '../../server/queue/sentiment';
import { loadInteractionToAnalyse, recordSentimentFailure, storeSentiment } from '../../server/sentiment/pipeline';
import { ProviderOutputError, ProviderRateLimitError, type SentimentProvider } from '../../server/sentiment/types';
import type { Logger } from '../../server/log';

export type SentimentOutcome = { stored: boolean; analysedBy?: string; skipped?: 'stale' };

/**
 * One interaction version: read it, analyse it with the configured provider, store the result and
 * the health-recompute request in one transaction. Idempotent: a stale or already analysed version
 * is skipped. A 429 pauses the queue for the provider's Retry-After without spending an attempt;
 * malformed LLM output is retried, then analysed by the fallback (recorded in `sentiment_note`);
 * after the last attempt the job is dead-lettered in `failed_jobs`.
 */
export function createSentimentProcessor(deps: {
  db: Database;
  provider: SentimentProvider;
  fallback: SentimentProvider;
  worker: () => Worker | undefined;
}) {
  return async (job: Job<SentimentJobData>, log: Logger): Promise<SentimentOutcome> => {
    const parsed = sentimentJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid sentiment payload: ${parsed.error.message}`);
    const data = parsed.data;
    const attempt = job.attemptsMade + 1;
    const lastAttempt = attempt >= (job.opts.attempts ?? 1);
    try {
      const interaction = await loadInteractionToAnalyse(deps.db, data);
      if (!interaction) return { stored: false, skipped: 'stale' };
      let analysedBy = deps.provider.name;
      let note: string | null = null;
      let result;
      try {
        result = await deps.provider.analyse(interaction);
      } catch (error) {
        if (!(error instanceof ProviderOutputError) || deps.fallback === deps.provider) throw error;
        const badOutputs = (data.badOutputs ?? 0) + 1;
        if (badOutputs < SENTIMENT_OUTPUT_ATTEMPTS && !lastAttempt) {
          await job.updateData({ ...data, badOutputs });
          throw error;
        }
        log.warn({ reason: error.message }, 'provider output invalid again: analysing with the fallback');
        result = await deps.fallback.analyse(interaction);
        analysedBy = deps.fallback.name;
        note = `${deps.provider.name} gave invalid output ${badOutputs} times (${error.message.slice(0, 200)}); analysed by ${deps.fallback.name}.`;
      }
      const stored = await storeSentiment(deps.db, data, result, { analysedBy, note });
      return { stored, analysedBy };
    } catch (error) {
      if (error instanceof ProviderRateLimitError) {
        log.warn({ retryAfterMs: error.retryAfterMs }, 'provider rate limit: the queue waits');
        // Redis wants a whole number of milliseconds, at least 1.
        await deps.worker()?.rateLimit(Math.max(1, Math.ceil(error.retryAfterMs)));
        throw Worker.RateLimitError();
      }
      if (lastAttempt) {
        await recordSentimentFailure(
          deps.db,
          { id: job.id ?? '', name: job.name, queue: SENTIMENT_QUEUE, data, attempts: attempt },
          error instanceof Error ? error.message : String(error),
        );
      }
      throw error;
    }
  };
}
