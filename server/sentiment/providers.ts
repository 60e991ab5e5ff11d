import { sentimentProviderOf, type Env } from '../env';
import { createLlmProvider } from './llm';
import { createLocalProvider } from './local';
import type { SentimentProvider } from './types';

/**
 * The configured provider, the local one as its fallback, and the queue's rate limit for it: the
 * LLM's (5/s unless SENTIMENT_RATE_PER_SECOND says otherwise); the local provider needs none unless set.
 */
export function createSentimentProviders(env: Env): {
  provider: SentimentProvider;
  fallback: SentimentProvider;
  ratePerSecond: number | null;
} {
  const local = createLocalProvider();
  if (sentimentProviderOf(env) === 'llm') {
    const provider = createLlmProvider({
      apiKey: env.OPENAI_API_KEY!,
      baseURL: env.OPENAI_BASE_URL,
      model: env.LLM_MODEL,
      timeoutMs: env.LLM_TIMEOUT_MS,
    });
    return { provider, fallback: local, ratePerSecond: env.SENTIMENT_RATE_PER_SECOND ?? 5 };
  }
  return { provider: local, fallback: local, ratePerSecond: env.SENTIMENT_RATE_PER_SECOND ?? null };
}
