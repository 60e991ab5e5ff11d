import { randomUUID } from 'node:crypto';
import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkerConnection } from '../../server/queue/connection';
import { SENTIMENT_QUEUE, sentimentQueue, type SentimentJobData } from '../../server/queue/sentiment';
import { createLlmProvider } from '../../server/sentiment/llm';
import { analyseLocally, createLocalProvider } from '../../server/sentiment/local';
import { storeSentiment } from '../../server/sentiment/pipeline';
import type { SentimentProvider } from '../../server/sentiment/types';
import { closeAppServices, type AppServices } from '../../server/services';
import { callerForToken, createOwner, type TestAccount } from '../../server/testing/factories';
import { createTestServices, testLog, testRedisUrl } from '../../server/testing/services';
import { answer, completion, FAKE_LLM_MODEL, startFakeLlm, type FakeLlm, type FakeReply } from '../../server/testing/fake-llm';
import { jobRunner } from '../run-job';
import { createSentimentHandlers, type SentimentOutcome } from './sentiment';

/**
 * The sentiment processor on a real BullMQ worker, Postgres and Redis, with the LLM provider
 * pointed at a local OpenAI-compatible server. Each interaction's text carries a marker the fake
 * server routes on, so every test scripts the answers for its own interaction only.
 */

const MODEL = FAKE_LLM_MODEL;
const LLM_TIMEOUT_MS = 500;
const JOB_OPTIONS = { attempts: 5, backoff: { type: 'fixed', delay: 50 } } as const;

type Reply = FakeReply;
type HealthPayload = { workspaceId: string; clientId: string; cause: { kind: string; id: string } };
type JobRecord = Job<SentimentJobData, SentimentOutcome>;

// ------------------------------------------------------------------------------------------------
// The fake LLM: answers POST /v1/chat/completions with the replies scripted for the marker it finds.
// ------------------------------------------------------------------------------------------------
const scripts = new Map<string, Reply[]>();
const requestTimes = new Map<string, number[]>();
let llmServer: FakeLlm | undefined;
let baseURL: string;

async function startLlm(): Promise<void> {
  llmServer = await startFakeLlm((request) => {
    const marker = /\[case:([\w-]+)\]/.exec(request.raw)?.[1] ?? '';
    requestTimes.set(marker, [...(requestTimes.get(marker) ?? []), request.at]);
    return (
      scripts.get(marker)?.shift() ?? { status: 500, body: { error: { message: `no scripted reply for case ${marker || '(none)'}` } } }
    );
  });
  baseURL = llmServer.baseURL;
}

// ------------------------------------------------------------------------------------------------
// The workspace, the queue and the worker
// ------------------------------------------------------------------------------------------------
let services: AppServices;
let owner: TestAccount;
let caller: Awaited<ReturnType<typeof callerForToken>>;
let workspaceId: string;
let clientId: string;
let prefix: string;
let queue: Queue<SentimentJobData, SentimentOutcome>;
let worker: Worker<SentimentJobData, SentimentOutcome>;
const connections: Redis[] = [];
const workerErrors: Error[] = [];

function connection(): Redis {
  const redis = createWorkerConnection(testRedisUrl());
  connections.push(redis);
  return redis;
}

function startWorker(
  queuePrefix: string,
  provider: SentimentProvider,
  fallback: SentimentProvider,
): Worker<SentimentJobData, SentimentOutcome> {
  // The processor pauses this very worker on a 429, as worker/index.ts wires it.
  const handlers = createSentimentHandlers({ db: services.db, provider, fallback, worker: () => started });
  const started: Worker<SentimentJobData, SentimentOutcome> = new Worker<SentimentJobData, SentimentOutcome>(
    SENTIMENT_QUEUE,
    jobRunner({ db: services.db, log: testLog }, sentimentQueue, handlers) as (job: JobRecord) => Promise<SentimentOutcome>,
    {
      connection: connection(),
      prefix: queuePrefix,
      concurrency: 1,
      limiter: { max: 100, duration: 1_000 },
      lockDuration: 2_000,
      stalledInterval: 1_000,
    },
  );
  started.on('error', (error) => workerErrors.push(error));
  return started;
}

beforeAll(async () => {
  services = createTestServices();
  prefix = services.env.QUEUE_PREFIX!;
  await startLlm();
  owner = await createOwner(services, 'sentiment');
  caller = await callerForToken(services, owner.token);
  workspaceId = (
    await services.db.readAsService((db) =>
      db.selectFrom('workspaces').select('id').where('slug', '=', owner.slug).executeTakeFirstOrThrow(),
    )
  ).id;
  clientId = (await caller.clients.create({ workspaceSlug: owner.slug, fields: { name: 'Sentimental Inc' } })).id;
  queue = new Queue<SentimentJobData, SentimentOutcome>(SENTIMENT_QUEUE, { connection: connection(), prefix });
  const llm = createLlmProvider({ apiKey: 'test-key', baseURL, model: MODEL, timeoutMs: LLM_TIMEOUT_MS });
  worker = startWorker(prefix, llm, createLocalProvider());
  await worker.waitUntilReady();
});

afterAll(async () => {
  await worker?.close();
  if (queue) {
    await queue.obliterate({ force: true });
    await queue.close();
  }
  await Promise.allSettled(connections.map((redis) => redis.quit()));
  if (llmServer) {
    await llmServer.close();
  }
  if (services) await closeAppServices(services);
});

// ------------------------------------------------------------------------------------------------
// Helpers
// ------------------------------------------------------------------------------------------------
async function until<T>(probe: () => Promise<T | null | undefined | false>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A fresh interaction on the test client whose text carries `[case:<marker>]`; returns its id. */
async function logInteraction(body: string): Promise<string> {
  const { id } = await caller.interactions.log({
    workspaceSlug: owner.slug,
    clientId,
    fields: { type: 'email', direction: 'inbound', body },
  });
  // The trigger asked for a sentiment job in the outbox; this file adds its own jobs, so take the
  // intent off the outbox's queue: an outbox relay of another test file must not analyse it first.
  await services.db.asService((tx) =>
    tx
      .updateTable('outbox')
      .set({ relayed_at: sql<Date>`now()` })
      .where('job_key', 'like', `sentiment-${id}-v%`)
      .where('relayed_at', 'is', null)
      .execute(),
  );
  return id;
}

function newCase(name: string): { marker: string; text: (body: string) => string } {
  const marker = `${name}-${randomUUID().slice(0, 8)}`;
  return { marker, text: (body) => `${body} [case:${marker}]` };
}

/** Adds a job for the interaction's version 1 and waits until it completed or failed for good. */
async function runJob(
  interactionId: string,
  jobId = `sentiment-${interactionId}-v1`,
  queueToUse = queue,
): Promise<{ job: JobRecord; state: 'completed' | 'failed'; data: SentimentJobData }> {
  const data: SentimentJobData = { workspaceId, interactionId, version: 1 };
  await queueToUse.add('analyse', data, { jobId, ...JOB_OPTIONS });
  const state = await until(async () => {
    const current = await queueToUse.getJobState(jobId);
    return current === 'completed' || current === 'failed' ? current : null;
  }, `job ${jobId}`);
  const job = await queueToUse.getJob(jobId);
  if (!job) throw new Error(`job ${jobId} disappeared`);
  return { job, state, data };
}

function readInteraction(id: string) {
  return services.db.readAsService((db) => db.selectFrom('interactions').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
}

/** The health-recompute requests for the test client caused by `interactionId`'s version 1. */
async function healthRequestsFor(interactionId: string): Promise<HealthPayload[]> {
  const rows = await services.db.readAsService((db) =>
    db
      .selectFrom('outbox')
      .select(['queue', 'job_key', 'payload', 'workspace_id'])
      .where('queue', '=', 'health')
      .where('workspace_id', '=', workspaceId)
      .execute(),
  );
  return rows
    .map((row) => ({ ...row, payload: row.payload as HealthPayload }))
    .filter((row) => row.payload.cause.id === `${interactionId}:v1`)
    .map((row) => {
      expect(row.job_key).toBe(`health-${clientId}`);
      return row.payload;
    });
}

const requestsFor = (marker: string) => requestTimes.get(marker)?.length ?? 0;

const llmAnswer = {
  label: 'negative',
  score: -0.7,
  confidence: 0.9,
  signals: ['competitor_mentioned', 'pricing_complaint'],
  summary: 'Comparing us with a cheaper competitor before the renewal.',
};

// ------------------------------------------------------------------------------------------------
describe('sentiment processor', () => {
  it('stores the LLM result once and asks for one health recompute', async () => {
    const { marker, text } = newCase('success');
    const id = await logInteraction(text('Globex quoted us 30% less; we are comparing before the renewal.'));
    scripts.set(marker, [answer(llmAnswer)]);

    const { job, state } = await runJob(id);

    expect(state).toBe('completed');
    expect(job.returnvalue).toEqual({ stored: true, analysedBy: `llm:${MODEL}` });
    expect(job.attemptsMade).toBe(1);
    expect(requestsFor(marker)).toBe(1);
    const row = await readInteraction(id);
    expect(row).toMatchObject({
      sentiment_status: 'done',
      sentiment_label: 'negative',
      sentiment_score: -0.7,
      sentiment_confidence: 0.9,
      sentiment_signals: ['competitor_mentioned', 'pricing_complaint'],
      sentiment_summary: llmAnswer.summary,
      sentiment_analysed_by: `llm:${MODEL}`,
      sentiment_note: null,
    });
    expect(row.sentiment_analysed_at).toBeInstanceOf(Date);
    expect(await healthRequestsFor(id)).toEqual([{ workspaceId, clientId, cause: { kind: 'sentiment', id: `${id}:v1` } }]);
  });

  it('waits out a 429 for its Retry-After without spending an attempt, then stores the result', async () => {
    const { marker, text } = newCase('rate-limit');
    const id = await logInteraction(text('Could you send the invoice for October again?'));
    scripts.set(marker, [
      { status: 429, headers: { 'retry-after': '1' }, body: { error: { message: 'Rate limit reached', type: 'rate_limit_error' } } },
      answer({ label: 'neutral', score: 0, confidence: 0.7, signals: [], summary: 'Asks for an invoice copy.' }),
    ]);

    const { job, state } = await runJob(id);

    expect(state).toBe('completed');
    expect(job.returnvalue).toEqual({ stored: true, analysedBy: `llm:${MODEL}` });
    // Started twice, but only the successful run counts as an attempt.
    expect(job.attemptsStarted).toBe(2);
    expect(job.attemptsMade).toBe(1);
    const [first, second] = requestTimes.get(marker) ?? [];
    expect(second! - first!).toBeGreaterThanOrEqual(900);
    expect(await readInteraction(id)).toMatchObject({
      sentiment_status: 'done',
      sentiment_label: 'neutral',
      sentiment_summary: 'Asks for an invoice copy.',
      sentiment_analysed_by: `llm:${MODEL}`,
    });
    expect(await healthRequestsFor(id)).toHaveLength(1);
  });

  it.each([
    ['not JSON', (): Reply => ({ body: completion('I think the client is unhappy.') }), 'did not answer with JSON'],
    ['JSON breaking the schema', (): Reply => answer({ ...llmAnswer, label: 'furious', score: 3 }), 'breaks the schema at label'],
  ])('falls back to the local provider after output that is %s twice', async (_what, reply, reason) => {
    const { marker, text } = newCase('bad-output');
    const body = text('The export broke again after your update and support has not answered in a week.');
    const id = await logInteraction(body);
    scripts.set(marker, [reply(), reply()]);

    const { job, state } = await runJob(id);

    expect(state).toBe('completed');
    expect(job.returnvalue).toEqual({ stored: true, analysedBy: 'local' });
    expect(job.attemptsMade).toBe(2);
    expect(requestsFor(marker)).toBe(2);
    const local = analyseLocally({ type: 'email', direction: 'inbound', subject: null, body });
    const row = await readInteraction(id);
    expect(row).toMatchObject({
      sentiment_status: 'done',
      sentiment_analysed_by: 'local',
      sentiment_label: local.label,
      sentiment_score: local.score,
      sentiment_signals: local.signals,
      sentiment_summary: local.summary,
    });
    expect(row.sentiment_note).toContain(`llm:${MODEL} gave invalid output 2 times`);
    expect(row.sentiment_note).toContain(reason);
    expect(row.sentiment_note).toContain('analysed by local');
    expect(await healthRequestsFor(id)).toHaveLength(1);
  });

  it('marks the interaction failed and dead-letters the job when every attempt times out', async () => {
    const { marker, text } = newCase('timeout');
    const id = await logInteraction(text('Quick question about SSO.'));
    scripts.set(
      marker,
      Array.from({ length: JOB_OPTIONS.attempts }, () => ({ ...answer(llmAnswer), delayMs: 2_000 })),
    );

    const { job, state, data } = await runJob(id);

    expect(state).toBe('failed');
    expect(job.attemptsMade).toBe(JOB_OPTIONS.attempts);
    expect(job.failedReason).toMatch(/timed out/i);
    expect(requestsFor(marker)).toBe(JOB_OPTIONS.attempts);
    const row = await readInteraction(id);
    expect(row.sentiment_status).toBe('failed');
    expect(row.sentiment_label).toBeNull();
    expect(row.sentiment_note).toBe(job.failedReason);
    const deadLetters = await services.db.readAsService((db) =>
      db.selectFrom('failed_jobs').selectAll().where('job_key', '=', job.id!).execute(),
    );
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]).toMatchObject({
      workspace_id: workspaceId,
      queue: SENTIMENT_QUEUE,
      job_name: 'analyse',
      payload: data,
      attempts: JOB_OPTIONS.attempts,
      error: job.failedReason,
      retried_at: null,
    });
    expect(await healthRequestsFor(id)).toEqual([]);
  });

  it('changes nothing when the same job data runs again after success', async () => {
    const { marker, text } = newCase('idempotent');
    const id = await logInteraction(text('We are adding two more teams next quarter!'));
    scripts.set(marker, [
      answer({
        label: 'positive',
        score: 0.8,
        confidence: 0.85,
        signals: ['expansion_interest'],
        summary: 'Adding two teams next quarter.',
      }),
    ]);
    const first = await runJob(id);
    expect(first.job.returnvalue).toEqual({ stored: true, analysedBy: `llm:${MODEL}` });
    const before = await readInteraction(id);
    expect(before.sentiment_status).toBe('done');

    // The same intent again (a relay that ran twice, an admin's retry), as a new job.
    const again = await runJob(id, `sentiment-${id}-v1-again`);

    expect(again.state).toBe('completed');
    expect(again.job.returnvalue).toEqual({ stored: false, skipped: 'stale' });
    expect(requestsFor(marker)).toBe(1);
    expect(await readInteraction(id)).toEqual(before);
    expect(await healthRequestsFor(id)).toHaveLength(1);
    // Even past the read (two jobs racing), the store itself refuses a second result.
    expect(
      await storeSentiment(
        services.db,
        first.data,
        { label: 'negative', score: -1, confidence: 1, signals: [], summary: 'Other.' },
        { analysedBy: 'other' },
      ),
    ).toBe(false);
    expect(await readInteraction(id)).toEqual(before);
    expect(await healthRequestsFor(id)).toHaveLength(1);
  });

  it('stores the local provider’s reading of polite churn without any LLM', async () => {
    const localPrefix = `${prefix}-local`;
    const localQueue = new Queue<SentimentJobData, SentimentOutcome>(SENTIMENT_QUEUE, { connection: connection(), prefix: localPrefix });
    const local = createLocalProvider();
    const localWorker = startWorker(localPrefix, local, local);
    try {
      const id = await logInteraction('Thanks for everything, but we will not renew in March.');

      const { job, state } = await runJob(id, `sentiment-${id}-v1`, localQueue);

      expect(state).toBe('completed');
      expect(job.returnvalue).toEqual({ stored: true, analysedBy: 'local' });
      const row = await readInteraction(id);
      expect(row).toMatchObject({
        sentiment_status: 'done',
        sentiment_label: 'negative',
        sentiment_analysed_by: 'local',
        sentiment_note: null,
      });
      expect(row.sentiment_signals).toContain('cancellation_intent');
      expect(row.sentiment_score).toBeLessThanOrEqual(-0.6);
      expect(await healthRequestsFor(id)).toHaveLength(1);
    } finally {
      await localWorker.close();
      await localQueue.obliterate({ force: true });
      await localQueue.close();
    }
  });

  it('saw no worker errors', () => {
    expect(workerErrors).toEqual([]);
  });
});
