import OpenAI from 'openai';
import {
  CHURN_SIGNALS,
  ProviderOutputError,
  ProviderRateLimitError,
  SENTIMENT_LABELS,
  sentimentResultSchema,
  type SentimentInput,
  type SentimentProvider,
} from './types';

export type LlmOptions = {
  apiKey: string;
  /** Any OpenAI-compatible server (OpenRouter, a local one); the SDK's default is api.openai.com. */
  baseURL?: string;
  model: string;
  timeoutMs: number;
  /** For tests: the HTTP layer. */
  fetch?: typeof fetch;
};

/** The structured output asked for; the answer is parsed again with `sentimentResultSchema`. */
const RESPONSE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['label', 'score', 'confidence', 'signals', 'summary'],
  properties: {
    label: { type: 'string', enum: SENTIMENT_LABELS },
    score: { type: 'number', minimum: -1, maximum: 1, description: '-1 very negative … 1 very positive' },
    confidence: { type: 'number', minimum: 0, maximum: 1 },
    signals: { type: 'array', items: { type: 'string', enum: CHURN_SIGNALS } },
    summary: { type: 'string', description: 'one line, at most 200 characters' },
  },
} as const;

const SYSTEM_PROMPT = [
  "You analyse one interaction between a B2B software vendor and its client for the vendor's account managers.",
  "Judge the CLIENT's sentiment toward the vendor and the relationship, not the politeness of the wording: " +
    'a courteous message announcing that the client will not renew, is switching vendors or is cutting the product is negative. ' +
    'Purely logistical messages (scheduling, invoices, addresses) are neutral.',
  'Signals, only when the text clearly shows them: cancellation_intent (will cancel, not renew, switching away), competitor_mentioned, ' +
    'pricing_complaint, product_problem (bugs, outages, slowness), support_frustration, ' +
    "champion_leaving (the vendor's contact or sponsor is leaving), budget_cut, expansion_interest (more seats, other teams, upgrades).",
  'Answer with JSON only: label (positive|neutral|negative), score (-1..1), confidence (0..1), signals (array), ' +
    'summary (one plain sentence for the account manager, at most 200 characters).',
].join('\n');

function retryAfterMs(headers: Headers | undefined): number {
  const milliseconds = Number(headers?.get('retry-after-ms'));
  if (Number.isFinite(milliseconds) && milliseconds > 0) return milliseconds;
  const value = headers?.get('retry-after');
  const seconds = Number(value);
  if (value && Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = value ? Date.parse(value) : NaN;
  return Number.isNaN(date) ? 10_000 : Math.max(0, date - Date.now());
}

/**
 * The LLM provider through the `openai` SDK. SDK retries are off: the queue retries, with backoff,
 * and a 429 delays the job without spending an attempt (ProviderRateLimitError). Output that is not
 * JSON or breaks the schema is a ProviderOutputError (retried, then the local provider is used).
 */
export function createLlmProvider(options: LlmOptions): SentimentProvider {
  const client = new OpenAI({
    apiKey: options.apiKey,
    baseURL: options.baseURL,
    timeout: options.timeoutMs,
    maxRetries: 0,
    fetch: options.fetch,
  });
  return {
    name: `llm:${options.model}`,
    async analyse(input: SentimentInput) {
      const message = [
        `Type: ${input.type} (${input.direction})`,
        input.subject ? `Subject: ${input.subject}` : null,
        `Text:\n${input.body.slice(0, 8_000)}`,
      ]
        .filter(Boolean)
        .join('\n');
      let content: string | null | undefined;
      try {
        const completion = await client.chat.completions.create({
          model: options.model,
          temperature: 0,
          messages: [
            { role: 'system', content: SYSTEM_PROMPT },
            { role: 'user', content: message },
          ],
          response_format: {
            type: 'json_schema',
            json_schema: { name: 'interaction_sentiment', strict: true, schema: RESPONSE_SCHEMA as unknown as Record<string, unknown> },
          },
        });
        content = completion.choices[0]?.message.content;
      } catch (error) {
        if (error instanceof OpenAI.APIError && error.status === 429)
          throw new ProviderRateLimitError('The LLM asked us to slow down (HTTP 429).', retryAfterMs(error.headers));
        throw error;
      }
      let value: unknown;
      try {
        value = JSON.parse(content ?? '');
      } catch {
        throw new ProviderOutputError(`The LLM did not answer with JSON: ${String(content).slice(0, 120)}`);
      }
      const parsed = sentimentResultSchema.safeParse(value);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new ProviderOutputError(`The LLM's answer breaks the schema at ${issue?.path.join('.') || 'the top'}: ${issue?.message}`);
      }
      return parsed.data;
    },
  };
}
