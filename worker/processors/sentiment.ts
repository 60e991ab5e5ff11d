import { Worker } from 'bullmq';
import type { Database } from '../../server/db';
import { SENTIMENT_OUTPUT_ATTEMPTS, type sentimentQueue } from '../../server/queue/sentiment';
import { loadInteractionToAnalyse, storeSentiment } from '../../server/sentiment/pipeline';
import { ProviderOutputError, ProviderRateLimitError, type SentimentProvider } from '../../server/sentiment/types';
import { isLastAttempt, type Handlers } from '../run-job';

export type SentimentOutcome = { stored: boolean; analysedBy?: string; skipped?: 'stale' };

/**
 * `analyse`, one interaction version: read it, analyse it with the configured provider, store the
 * result and the health-recompute request in one transaction. Idempotent: a stale or already
 * analysed version is skipped. A 429 pauses the queue for the provider's Retry-After without
 * spending an attempt; malformed LLM output is retried, then analysed by the fallback (recorded in
 * `sentiment_note`); the last failed attempt is dead-lettered by the runner (the interaction reads
 * as failed).
 */
export function createSentimentHandlers(deps: {
  db: Database;
  provider: SentimentProvider;
  fallback: SentimentProvider;
  worker: () => Worker | undefined;
}): Handlers<typeof sentimentQueue> {
  return {
    async analyse(data, job, log): Promise<SentimentOutcome> {
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
          if (badOutputs < SENTIMENT_OUTPUT_ATTEMPTS && !isLastAttempt(job, error)) {
            await job.updateData({ ...data, badOutputs });
            throw error;
          }
          log.warn({ reason: error.message }, 'provider output invalid again: analysing with the fallback');
          result = await deps.fallback.analyse(interaction);
          analysedBy = deps.fallback.name;
          note =
            `${deps.provider.name} gave invalid output ${badOutputs} times (${error.message.slice(0, 200)}); ` +
            `analysed by ${deps.fallback.name}.`;
        }
        const stored = await storeSentiment(deps.db, data, result, { analysedBy, note });
        return { stored, analysedBy };
      } catch (error) {
        if (!(error instanceof ProviderRateLimitError)) throw error;
        log.warn({ retryAfterMs: error.retryAfterMs }, 'provider rate limit: the queue waits');
        // Redis wants a whole number of milliseconds, at least 1.
        await deps.worker()?.rateLimit(Math.max(1, Math.ceil(error.retryAfterMs)));
        throw Worker.RateLimitError();
      }
    },
  };
}
