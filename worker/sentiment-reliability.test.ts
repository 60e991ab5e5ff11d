import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { sql, type RawBuilder } from 'kysely';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startLocalRedis } from '../server/local/redis';
import { createWorkerConnection } from '../server/queue/connection';
import { SENTIMENT_QUEUE } from '../server/queue/sentiment';
import { closeAppServices, type AppServices } from '../server/services';
import { workspaceWithOwner } from '../server/testing/factories';
import { createServicesOn, testRedisUrl } from '../server/testing/services';
import { killAllWorkers, migratedScratchDatabase, startWorkerProcess, until, type WorkerProcess } from '../server/testing/worker-process';

/**
 * The sentiment pipeline end to end with the real worker process: a worker killed mid-way through a
 * backlog, and Redis going away while users keep logging interactions.
 *
 * The outbox relay of a worker takes the unrelayed rows of every workspace in its database. On the
 * shared test database it would analyse other test files' interactions (which some assert to be
 * pending), and another file's worker could relay ours into its own Redis. So these tests run on a
 * scratch database of the test cluster, migrated here, and each on a Redis of its own.
 */

const scratch = migratedScratchDatabase();

/** A worker on the scratch database and `redisUrl`, with the local provider. */
function startWorker(redisUrl: string, extraEnv: Record<string, string> = {}): WorkerProcess {
  return startWorkerProcess({ databaseUrl: scratch.url, redisUrl, env: { SENTIMENT_PROVIDER: 'local', ...extraEnv } });
}

/** Web services (the tRPC callers' dependencies) on the scratch database and `redisUrl`. */
const createServices = (redisUrl: string): AppServices => createServicesOn(scratch.url, redisUrl);

async function rows<T>(services: AppServices, query: RawBuilder<T>): Promise<T[]> {
  return (await services.db.readAsService((kysely) => query.execute(kysely))).rows;
}

type StatusCounts = { total: number; pending: number; done: number; failed: number; local: number };

async function statusCounts(services: AppServices, workspaceId: string, ids?: string[]): Promise<StatusCounts> {
  const [counts] = await rows(
    services,
    sql<StatusCounts>`
      select count(*)::int as total,
             count(*) filter (where sentiment_status = 'pending')::int as pending,
             count(*) filter (where sentiment_status = 'done')::int as done,
             count(*) filter (where sentiment_status = 'failed')::int as failed,
             count(*) filter (where sentiment_analysed_by = 'local' and sentiment_label is not null)::int as local
        from interactions
       where workspace_id = ${workspaceId} ${ids ? sql`and id = any(${ids}::uuid[])` : sql``}`,
  );
  return counts!;
}

type OutboxCounts = { rows: number; relayed: number };

async function sentimentOutbox(services: AppServices, workspaceId: string, ids?: string[]): Promise<OutboxCounts> {
  const [counts] = await rows(
    services,
    sql<OutboxCounts>`
      select count(*)::int as rows, count(relayed_at)::int as relayed
        from outbox
       where workspace_id = ${workspaceId} and queue = 'sentiment'
             ${ids ? sql`and payload->>'interactionId' = any(${ids}::text[])` : sql``}`,
  );
  return counts!;
}

async function failedJobs(services: AppServices, workspaceId: string): Promise<number> {
  const [row] = await rows(
    services,
    sql<{ count: number }>`select count(*)::int as count from failed_jobs where workspace_id = ${workspaceId}`,
  );
  return row!.count;
}

const BODIES = [
  'Thanks for the quick fix, the rollout went smoothly and the team loves the new dashboard.',
  'The export keeps crashing and we are frustrated; this is the third outage this month.',
  'Can we move the quarterly review to Thursday afternoon?',
  'Budget cuts mean we are evaluating alternatives before the renewal.',
  'Support resolved our ticket in an hour. Impressed, as always.',
  'Honestly the reporting is confusing and nobody on my team uses it any more.',
  'Sent over the signed order form for the additional seats.',
];

describe('sentiment pipeline reliability', () => {
  it(
    '5,000 pending interactions, worker killed with SIGKILL mid-way and restarted: every interaction analysed exactly once in effect',
    { timeout: 180_000 },
    async () => {
      const redisUrl = `${testRedisUrl()}/5`;
      const redis = createWorkerConnection(redisUrl);
      await redis.flushdb();
      const services = createServices(redisUrl);
      onTestFinished(async () => {
        await killAllWorkers();
        await redis.flushdb();
        await redis.quit();
        await closeAppServices(services);
      });

      const { owner, caller, workspaceId } = await workspaceWithOwner(services, 'sigkill');
      const clientIds: string[] = [];
      for (const name of ['Acme', 'Globex', 'Initech', 'Hooli', 'Umbrella']) {
        clientIds.push((await caller.clients.create({ workspaceSlug: owner.slug, fields: { name } })).id);
      }

      const TOTAL = 5_000;
      // Above the local provider's defaults (200 jobs/s, 4 at once): the backlog drains in seconds, and
      // more jobs are in flight when the worker is killed.
      const FAST = { SENTIMENT_RATE_PER_SECOND: '1000', SENTIMENT_CONCURRENCY: '8' };
      const now = Date.now();
      const values = Array.from({ length: TOTAL }, (_, index) => ({
        workspace_id: workspaceId,
        client_id: clientIds[index % clientIds.length]!,
        author_id: owner.userId,
        type: index % 3 ? ('email' as const) : ('call' as const),
        direction: 'inbound' as const,
        occurred_at: new Date(now - index * 60_000),
        subject: `Message ${index}`,
        body: BODIES[index % BODIES.length]!,
      }));
      await services.db.asService(async (tx) => {
        for (let start = 0; start < TOTAL; start += 1_000)
          await tx
            .insertInto('interactions')
            .values(values.slice(start, start + 1_000))
            .execute();
      });
      expect(await statusCounts(services, workspaceId)).toMatchObject({ total: TOTAL, pending: TOTAL });
      expect(await sentimentOutbox(services, workspaceId)).toEqual({ rows: TOTAL, relayed: 0 });

      const first = startWorker(redisUrl, FAST);
      await until(
        async () => (await statusCounts(services, workspaceId)).done >= 500,
        '500 interactions analysed by the first worker',
        60_000,
        () => first.output().slice(-2_000),
      );
      first.child.kill('SIGKILL');
      expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
      const atKill = await statusCounts(services, workspaceId);
      // Killed mid-way: some analysed, not all.
      expect(atKill.done).toBeGreaterThanOrEqual(500);
      expect(atKill.done).toBeLessThan(TOTAL);

      const second = startWorker(redisUrl, FAST);
      let last = atKill;
      await until(
        async () => {
          last = await statusCounts(services, workspaceId);
          return last.done === TOTAL;
        },
        'all 5,000 interactions analysed after the restart',
        120_000,
        () => `${JSON.stringify(last)}\n${second.output().slice(-2_000)}`,
      );
      expect(second.alive()).toBe(true);

      expect(await statusCounts(services, workspaceId)).toEqual({ total: TOTAL, pending: 0, done: TOTAL, failed: 0, local: TOTAL });
      expect(await sentimentOutbox(services, workspaceId)).toEqual({ rows: TOTAL, relayed: TOTAL });
      expect(await failedJobs(services, workspaceId)).toBe(0);
      // Side effects exactly once: one health request per analysed interaction, each naming its interaction's version.
      const [health] = await rows(
        services,
        sql<{ rows: number; causes: number; matched: number }>`
          select count(*)::int as rows,
                 count(distinct o.payload->'cause'->>'id')::int as causes,
                 count(distinct i.id)::int as matched
            from outbox o
            left join interactions i
              on i.workspace_id = o.workspace_id and o.payload->'cause'->>'id' = i.id::text || ':v' || i.content_version
           where o.workspace_id = ${workspaceId} and o.queue = 'health' and o.payload->'cause'->>'kind' = 'sentiment'`,
      );
      expect(health).toEqual({ rows: TOTAL, causes: TOTAL, matched: TOTAL });
      const queue = new Queue(SENTIMENT_QUEUE, { connection: createWorkerConnection(redisUrl) });
      try {
        expect(await queue.getFailedCount()).toBe(0);
      } finally {
        await queue.close();
      }

      second.child.kill('SIGTERM');
      expect(await second.exited).toEqual({ code: 0, signal: null });
    },
  );

  it('Redis stopped while interactions are created: all saved, all analysed after Redis returns', { timeout: 120_000 }, async () => {
    const port = await freePort();
    const dataDir = await mkdtemp(path.join(tmpdir(), 'clientpulse-redis-outage-'));
    let redis = await startLocalRedis({ dataDir, port, fresh: true });
    // The web's Redis is the same one: the whole product loses Redis, not only the worker.
    const services = createServices(redis.url);
    onTestFinished(async () => {
      await killAllWorkers();
      await closeAppServices(services);
      await redis.stop();
      await rm(dataDir, { recursive: true, force: true });
    });

    const { owner, caller, workspaceId } = await workspaceWithOwner(services, 'outage');
    const { id: clientId } = await caller.clients.create({ workspaceSlug: owner.slug, fields: { name: 'Acme' } });
    const logInteraction = async (index: number) =>
      (
        await caller.interactions.log({
          workspaceSlug: owner.slug,
          clientId,
          fields: { type: 'email', direction: 'inbound', subject: `Note ${index}`, body: BODIES[index % BODIES.length]! },
        })
      ).id;

    const worker = startWorker(redis.url);
    const before: string[] = [];
    for (let index = 0; index < 10; index += 1) before.push(await logInteraction(index));
    await until(
      async () => (await statusCounts(services, workspaceId, before)).done === before.length,
      'the first interactions analysed',
      30_000,
      () => worker.output().slice(-2_000),
    );

    await redis.stop();
    const during: string[] = [];
    for (let index = 0; index < 50; index += 1) during.push(await logInteraction(100 + index));
    // The relay is woken by each insert's NOTIFY: give it time to act. Nothing may read as relayed while Redis is away.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(await statusCounts(services, workspaceId, during)).toMatchObject({ total: 50, pending: 50 });
    expect(await sentimentOutbox(services, workspaceId, during)).toEqual({ rows: 50, relayed: 0 });
    expect(worker.alive()).toBe(true);

    redis = await startLocalRedis({ dataDir, port });
    await until(
      async () => (await statusCounts(services, workspaceId)).done === 60,
      'every interaction analysed after Redis returned',
      60_000,
      () => worker.output().slice(-2_000),
    );

    expect(worker.alive()).toBe(true);
    expect(await statusCounts(services, workspaceId)).toEqual({ total: 60, pending: 0, done: 60, failed: 0, local: 60 });
    expect(await sentimentOutbox(services, workspaceId)).toEqual({ rows: 60, relayed: 60 });
    expect(await failedJobs(services, workspaceId)).toBe(0);
    // The worker saw the outage (and lived through it).
    expect(worker.output()).toContain('redis connection error');

    worker.child.kill('SIGTERM');
    expect(await worker.exited).toEqual({ code: 0, signal: null });
  });
});

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
