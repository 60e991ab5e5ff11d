import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDatabase, type Database } from '../server/db';
import { createWorkerConnection } from '../server/queue/connection';
import type { QueueContract } from '../server/queue/contract';
import { openQueues, QUEUES } from '../server/queue/registry';
import { createClients, createInteractions, testLog } from '../server/testing/factories';
import { answer, FAKE_LLM_MODEL, startFakeLlm, type FakeLlm } from '../server/testing/fake-llm';
import { testRedisUrl } from '../server/testing/services';
import { killAllWorkers, migratedScratchDatabase, startWorkerProcess, until, type WorkerProcess } from '../server/testing/worker-process';

/**
 * Two worker processes side by side, as Railway runs two replicas, on one backlog of 5,000
 * interactions: they share the queues with no job lost or run twice, at most one relay pass moves a
 * given outbox row, and the schedulers and the sweep fire once, not once per worker. The LLM is a
 * local fake that counts the requests for each interaction. A scratch database and a Redis database
 * of its own keep other files' work out.
 */

const TOTAL = 5_000;
const CLIENTS = 25;
const SWEEP_MS = 3_000;
const redisUrl = `${testRedisUrl()}/7`;

const scratch = migratedScratchDatabase();
let db: Database;
let llm: FakeLlm;
const requestsPerInteraction = new Map<string, number>();

beforeAll(async () => {
  db = createDatabase({ url: scratch.url, poolMax: 4, log: testLog });
  const redis = createWorkerConnection(redisUrl);
  await redis.flushdb();
  await redis.quit();
  llm = await startFakeLlm((request) => {
    const id = /\[interaction:(\d+)\]/.exec(request.raw)?.[1] ?? 'none';
    requestsPerInteraction.set(id, (requestsPerInteraction.get(id) ?? 0) + 1);
    return answer({ label: 'neutral', score: 0.1, confidence: 0.8, signals: [], summary: 'Routine message.' });
  });
});
afterAll(async () => {
  // Before the fake LLM goes (the scratch database is dropped after this).
  await killAllWorkers();
  await llm?.close();
  await db?.close();
});

function startWorker(): WorkerProcess {
  return startWorkerProcess({
    databaseUrl: scratch.url,
    redisUrl,
    env: {
      SENTIMENT_PROVIDER: 'llm',
      OPENAI_API_KEY: 'test-key',
      OPENAI_BASE_URL: llm.baseURL,
      LLM_MODEL: FAKE_LLM_MODEL,
      SENTIMENT_RATE_PER_SECOND: '5000',
      SENTIMENT_CONCURRENCY: '16',
      JOB_SWEEP_INTERVAL_MS: String(SWEEP_MS),
    },
    keep: /"msg":"(swept for unfinished work|job done)"/,
  });
}

type LogLine = { msg: string; time: number; turnAt?: number };
const logLines = (worker: WorkerProcess): LogLine[] => worker.kept().map((line) => JSON.parse(line) as LogLine);

it(
  'two workers on one backlog of 5,000 interactions: each analysed once, every client rescored, rows relayed once, schedulers once',
  {
    timeout: 240_000,
  },
  async () => {
    const workspace = await db.asService((tx) =>
      tx
        .insertInto('workspaces')
        .values({ name: 'Two workers', slug: `two-workers-${randomUUID().slice(0, 8)}` })
        .returning('id')
        .executeTakeFirstOrThrow(),
    );
    const clients = await createClients(
      db,
      Array.from({ length: CLIENTS }, (_, index) => ({ workspace_id: workspace.id, name: `Client ${index}` })),
    );
    const startedAt = new Date();
    for (let start = 0; start < TOTAL; start += 1_000) {
      await createInteractions(
        db,
        Array.from({ length: 1_000 }, (_, offset) => {
          const index = start + offset;
          return {
            workspace_id: workspace.id,
            client_id: clients[index % CLIENTS]!.id,
            occurred_at: new Date(startedAt.getTime() - index * 60_000),
            body: `Message ${index} about the rollout [interaction:${index}]`,
          };
        }),
      );
    }

    const workers = [startWorker(), startWorker()];
    const progress = () =>
      db.asService(
        async (tx) =>
          (
            await sql<{ done: number; scored: number }>`
          select (select count(*)::int from interactions where workspace_id = ${workspace.id} and sentiment_status = 'done') as done,
                 (select count(*)::int from clients
                   where workspace_id = ${workspace.id} and health_computed_at >= ${startedAt}) as scored`.execute(tx)
          ).rows[0]!,
      );
    let last = { done: 0, scored: 0 };
    await until(
      async () => {
        last = await progress();
        return last.done === TOTAL && last.scored === CLIENTS;
      },
      'every interaction analysed and every client rescored by the two workers',
      180_000,
      () => `${JSON.stringify(last)}\n${workers.map((worker) => worker.output().slice(-1_500)).join('\n---\n')}`,
    );
    // Both took part, and both are still running.
    const analysedBy = workers.map((worker) => logLines(worker).filter((line) => line.msg === 'job done').length);
    expect(analysedBy.every((count) => count > 0)).toBe(true);
    expect(workers.every((worker) => worker.alive())).toBe(true);

    // Every interaction analysed exactly once: one LLM request each, none for anything else.
    expect(requestsPerInteraction.size).toBe(TOTAL);
    expect([...requestsPerInteraction.values()].every((count) => count === 1)).toBe(true);
    // No outbox row relayed twice into two jobs: every row moved by exactly one relay pass.
    const relays = await db.asService(
      async (tx) =>
        (
          await sql<{ rows: number; once: number }>`
          select count(*)::int as rows, count(*) filter (where relay_attempts = 1 and relayed_at is not null)::int as once
            from outbox where workspace_id = ${workspace.id}`.execute(tx)
        ).rows[0]!,
    );
    expect(relays.rows).toBeGreaterThanOrEqual(TOTAL);
    expect(relays.once).toBe(relays.rows);
    const failed = await db.asService((tx) => tx.selectFrom('failed_jobs').select(['queue', 'error']).execute());
    expect(failed).toEqual([]);

    const queues = openQueues(createWorkerConnection(redisUrl));
    try {
      expect(await queues.get('sentiment')!.getCompletedCount()).toBe(TOTAL);
      // Each scheduler registered once (both workers upserted it) with exactly one next run waiting.
      for (const contract of QUEUES as readonly QueueContract[]) {
        const queue = queues.get(contract.name)!;
        const schedulers = await queue.getJobSchedulers();
        expect(schedulers.map((scheduler) => scheduler.key).sort()).toEqual(
          (contract.schedulers ?? []).map((scheduler) => scheduler.id).sort(),
        );
        const delayed = await queue.getDelayed();
        for (const scheduler of contract.schedulers ?? []) {
          expect(
            delayed.filter((job) => job.repeatJobKey === scheduler.id),
            `${contract.name}: ${scheduler.id}`,
          ).toHaveLength(1);
        }
      }
    } finally {
      await Promise.all([...queues.values()].map((queue) => queue.close()));
    }

    // The sweep: once a period across both workers, never twice within one.
    const sweeps = workers
      .flatMap((worker) => logLines(worker).filter((line) => line.msg === 'swept for unfinished work'))
      .map((line) => line.turnAt!)
      .sort((a, b) => a - b);
    expect(sweeps.length).toBeGreaterThanOrEqual(2);
    const gaps = sweeps.slice(1).map((time, index) => time - sweeps[index]!);
    // Two workers sweeping in one period would be a tick apart at most; each turn (Redis's clock when
    // it was taken) comes a whole period after the last.
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(SWEEP_MS - 2);

    for (const worker of workers) worker.child.kill('SIGTERM');
    for (const worker of workers) expect((await worker.exited).code).toBe(0);
  },
);
