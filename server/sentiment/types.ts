import { z } from 'zod';

export const SENTIMENT_LABELS = ['positive', 'neutral', 'negative'] as const;
export type SentimentLabel = (typeof SENTIMENT_LABELS)[number];

/** The churn (and expansion) signals a message can carry; the LLM and the local rules use the same names. */
export const CHURN_SIGNALS = [
  'cancellation_intent',
  'competitor_mentioned',
  'pricing_complaint',
  'product_problem',
  'support_frustration',
  'champion_leaving',
  'budget_cut',
  'expansion_interest',
] as const;
export type ChurnSignal = (typeof CHURN_SIGNALS)[number];

export const SIGNAL_NAMES: Record<ChurnSignal, string> = {
  cancellation_intent: 'Cancellation intent',
  competitor_mentioned: 'Competitor mentioned',
  pricing_complaint: 'Pricing complaint',
  product_problem: 'Product problem or outage',
  support_frustration: 'Support frustration',
  champion_leaving: 'Champion leaving',
  budget_cut: 'Budget cut',
  expansion_interest: 'Expansion interest',
};

/** What every provider returns; the LLM's output is parsed with this schema. */
export const sentimentResultSchema = z.object({
  label: z.enum(SENTIMENT_LABELS),
  score: z.number().min(-1).max(1),
  confidence: z.number().min(0).max(1),
  signals: z
    .array(z.enum(CHURN_SIGNALS))
    .max(CHURN_SIGNALS.length)
    .transform((signals) => [...new Set(signals)]),
  summary: z.string().trim().min(1).max(300),
});
export type SentimentResult = z.infer<typeof sentimentResultSchema>;

export type SentimentInput = {
  /** email, call, meeting, support_ticket, chat or note */
  type: string;
  /** inbound, outbound or internal */
  direction: string;
  subject: string | null;
  body: string;
};

export interface SentimentProvider {
  /** Recorded as `sentiment_analysed_by` (e.g. `local`, `llm:gpt-4o-mini`). */
  readonly name: string;
  analyse(input: SentimentInput): Promise<SentimentResult>;
}

/** The LLM answered, but not with what the schema asks for: retried, then the local provider is used. */
export class ProviderOutputError extends Error {
  override name = 'ProviderOutputError';
}

/** The provider asked us to slow down (HTTP 429): the job waits without spending an attempt. */
export class ProviderRateLimitError extends Error {
  override name = 'ProviderRateLimitError';
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message);
  }
}
