import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { completion, FAKE_LLM_MODEL, startFakeLlm, type FakeLlm, type FakeReply, type FakeRequest } from '../testing/fake-llm';
import { createLlmProvider } from './llm';
import { ProviderOutputError, ProviderRateLimitError, type SentimentInput } from './types';

/**
 * `createLlmProvider` against a local OpenAI-compatible server this file starts itself: each test
 * scripts what POST /v1/chat/completions answers and reads what the server received.
 */

const MODEL = FAKE_LLM_MODEL;
const replies: FakeReply[] = [];
let llm: FakeLlm;
let received: FakeRequest[];
let baseURL: string;

beforeAll(async () => {
  llm = await startFakeLlm(() => replies.shift());
  received = llm.received;
  baseURL = llm.baseURL;
});

afterAll(async () => {
  await llm.close();
});

beforeEach(() => {
  replies.length = 0;
  received.length = 0;
});

const provider = (timeoutMs = 5_000) => createLlmProvider({ apiKey: 'test-key', baseURL, model: MODEL, timeoutMs });

const input: SentimentInput = {
  type: 'email',
  direction: 'inbound',
  subject: 'Renewal next month',
  body: 'We love the new dashboards, but the price increase is hard to justify to finance.',
};

const validAnswer = {
  label: 'negative',
  score: -0.4,
  confidence: 0.8,
  signals: ['pricing_complaint', 'pricing_complaint'],
  summary: 'Likes the dashboards but pushes back on the price increase.',
};

describe('createLlmProvider', () => {
  it('asks for a deterministic, schema-bound answer about the interaction and returns it parsed', async () => {
    replies.push({ body: completion(JSON.stringify(validAnswer)) });
    const llm = provider();

    const result = await llm.analyse(input);

    expect(llm.name).toBe(`llm:${MODEL}`);
    expect(result).toEqual({ ...validAnswer, signals: ['pricing_complaint'] });
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request).toMatchObject({ method: 'POST', url: '/v1/chat/completions' });
    expect(request!.headers.authorization).toBe('Bearer test-key');
    expect(request!.body).toMatchObject({
      model: MODEL,
      temperature: 0,
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'interaction_sentiment',
          strict: true,
          schema: { type: 'object', required: ['label', 'score', 'confidence', 'signals', 'summary'], additionalProperties: false },
        },
      },
    });
    const messages = request!.body!.messages as { role: string; content: string }[];
    expect(messages.map((message) => message.role)).toEqual(['system', 'user']);
    const user = messages[1]!.content;
    expect(user).toContain(input.body);
    expect(user).toContain(`Subject: ${input.subject}`);
    expect(user).toContain('Type: email (inbound)');
  });

  it('turns a 429 into a ProviderRateLimitError carrying Retry-After, and answers on the next call', async () => {
    replies.push({
      status: 429,
      headers: { 'retry-after': '2' },
      body: { error: { message: 'Rate limit reached', type: 'rate_limit_error' } },
    });
    replies.push({ body: completion(JSON.stringify(validAnswer)) });
    const llm = provider();

    const error = await llm.analyse(input).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProviderRateLimitError);
    expect((error as ProviderRateLimitError).retryAfterMs).toBe(2_000);
    // The SDK does not retry the 429 itself: the queue decides when to try again.
    expect(received).toHaveLength(1);

    await expect(llm.analyse(input)).resolves.toMatchObject({ label: 'negative', signals: ['pricing_complaint'] });
    expect(received).toHaveLength(2);
  });

  it('gives up after timeoutMs with one request and an error that is neither bad output nor a rate limit', async () => {
    replies.push({ delayMs: 2_000, body: completion(JSON.stringify(validAnswer)) });
    const llm = provider(300);

    const started = performance.now();
    const error = await llm.analyse(input).catch((caught: unknown) => caught);
    const elapsed = performance.now() - started;

    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(ProviderOutputError);
    expect(error).not.toBeInstanceOf(ProviderRateLimitError);
    expect(error).toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(1_500);
    // SDK retries are off: a retry would have been a second request before the promise settled.
    expect(received).toHaveLength(1);
  });

  it.each([
    ['prose around the JSON', 'Sure! Here is the analysis: {"label": "negative"}'],
    ['an empty answer', ''],
    ['no content at all', null],
  ])('refuses %s as a ProviderOutputError', async (_what, content) => {
    replies.push({ body: completion(content) });
    const error = await provider()
      .analyse(input)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProviderOutputError);
    expect((error as Error).message).toContain('did not answer with JSON');
  });

  it.each([
    ['a label outside the enum', { ...validAnswer, label: 'furious' }, 'label'],
    ['a score outside -1..1', { ...validAnswer, score: 3 }, 'score'],
    ['an unknown signal', { ...validAnswer, signals: ['vibes'] }, 'signals.0'],
    ['a missing summary', { label: 'neutral', score: 0, confidence: 0.5, signals: [] }, 'summary'],
  ])('refuses JSON with %s as a ProviderOutputError naming the field', async (_what, answer, path) => {
    replies.push({ body: completion(JSON.stringify(answer)) });
    const error = await provider()
      .analyse(input)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProviderOutputError);
    expect((error as Error).message).toContain(`breaks the schema at ${path}`);
  });
});
