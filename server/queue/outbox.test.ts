import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDatabase, type Database } from '../db';
import { migrate } from '../db/migrate';
import { createClient, createInteraction, createInteractions } from '../testing/factories';
import { createScratchDatabase, testLog, testRedisUrl } from '../testing/services';
import { createWorkerConnection } from './connection';
import { healthQueue } from './health';
import { purgeRelayedOutbox, relayOutboxBatch, type RelayQueues } from './outbox';
import { openQueues } from './registry';
import { requestJob } from './request';
import { sweepUnfinished } from './sweep';

// The relay takes every unrelayed row of its database: a scratch database keeps other files' rows out.
let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
let db: Database;
const prefix = `test-outbox-${randomUUID().slice(0, 8)}`;
let queues: RelayQueues;
let sentiment: Queue;
let health: Queue;
let workspaceId: string;
let clientId: string;

beforeAll(async () => {
  scratch = await createScratchDatabase();
  await migrate({ databaseUrl: scratch.url });
  db = createDatabase({ url: scratch.url, poolMax: 2, log: testLog });
  queues = openQueues(createWorkerConnection(testRedisUrl()), prefix);
  sentiment = queues.get('sentiment')!;
  health = queues.get('health')!;
  const workspace = await db.asService((tx) =>
    tx
      .insertInto('workspaces')
      .values({ name: 'Outbox', slug: `outbox-${randomUUID().slice(0, 8)}` })
      .returning('id')
      .executeTakeFirstOrThrow(),
  );
  workspaceId = workspace.id;
  clientId = (await createClient(db, { workspace_id: workspaceId, name: 'Relay Co' })).id;
});

afterAll(async () => {
  await Promise.all([...queues.values()].map((queue) => queue.obliterate({ force: true })));
  await Promise.all([...queues.values()].map((queue) => queue.close()));
  await db.close();
  await scratch.drop();
});

const unrelayed = () =>
  db.asService((tx) => tx.selectFrom('outbox').select('job_key').where('relayed_at', 'is', null).orderBy('id').execute());

it('relays job intents once each: sentiment jobs keyed by interaction version, health requests folded per client', async () => {
  const interactions = await createInteractions(
    db,
    [1, 2, 3].map((n) => ({ workspace_id: workspaceId, client_id: clientId, body: `Message ${n}` })),
  );
  // Two more health requests for the same client (two results in a burst), beside the one the insert asked for.
  for (const cause of ['a', 'b']) {
    await db.asService((tx) => requestJob(tx, healthQueue.job('recompute', { workspaceId, clientId, cause: { kind: 'test', id: cause } })));
  }
  expect(await unrelayed()).toHaveLength(6);

  expect(await relayOutboxBatch(db, queues)).toBe(6);
  expect(await unrelayed()).toEqual([]);
  const jobs = await sentiment.getJobs(['waiting', 'delayed', 'prioritized']);
  expect(jobs.map((job) => job.id).sort()).toEqual(interactions.map((row) => `sentiment-${row.id}-v1`).sort());
  expect(jobs.every((job) => job.data.version === 1 && job.data.workspaceId === workspaceId)).toBe(true);
  expect(await health.getJobCounts('delayed', 'waiting')).toMatchObject({ delayed: 1 });

  // The same intents again (a crash between the add and the commit): no new jobs.
  await db.asService((tx) => tx.updateTable('outbox').set({ relayed_at: null }).execute());
  expect(await relayOutboxBatch(db, queues)).toBe(6);
  expect(await sentiment.getJobCountByTypes('waiting', 'delayed', 'prioritized')).toBe(3);
  expect(await health.getJobCountByTypes('waiting', 'delayed')).toBe(1);
  expect(await relayOutboxBatch(db, queues)).toBe(0);
  expect((await health.getJobs(['delayed']))[0]?.name).toBe('recompute');
});

it('keeps the rows when Redis is unreachable, and relays them once it is back', async () => {
  await createInteraction(db, {
    workspace_id: workspaceId,
    client_id: clientId,
    type: 'note',
    direction: 'internal',
    body: 'While Redis is away',
  });
  // A queue on a port where no Redis listens; commands fail instead of waiting for it.
  const away = new Queue('sentiment', {
    prefix,
    connection: { host: '127.0.0.1', port: 1, maxRetriesPerRequest: 1, enableOfflineQueue: false, retryStrategy: () => null },
  });
  away.on('error', () => undefined);
  try {
    await expect(relayOutboxBatch(db, new Map([...queues, ['sentiment', away]]))).rejects.toThrow();
  } finally {
    await away.close().catch(() => undefined);
  }
  // Its analysis and its client's recompute, both still waiting.
  expect(await unrelayed()).toHaveLength(2);
  expect(await relayOutboxBatch(db, queues)).toBe(2);
  expect(await unrelayed()).toEqual([]);
});

it('purges relayed rows past their retention and keeps the rest', async () => {
  const before = await db.asService((tx) =>
    tx
      .selectFrom('outbox')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow(),
  );
  await db.asService((tx) =>
    tx
      .updateTable('outbox')
      .set({ relayed_at: sql<Date>`now() - interval '8 days'` })
      .where('id', '=', (eb) => eb.selectFrom('outbox').select((inner) => inner.fn.min('id').as('id')))
      .execute(),
  );
  expect(await purgeRelayedOutbox(db)).toBe(1);
  const after = await db.asService((tx) =>
    tx
      .selectFrom('outbox')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow(),
  );
  expect(Number(after.n)).toBe(Number(before.n) - 1);
});

it('asks again for the sentiment of interactions still pending an hour after their last change (a job lost with Redis data)', async () => {
  const { id } = await createInteraction(db, { workspace_id: workspaceId, client_id: clientId, body: 'Lost job' });
  await relayOutboxBatch(db, queues);
  expect((await sweepUnfinished(db)).sentiment).toBe(0);
  // Two hours pass: since the interaction's last change, and since its analysis was asked for.
  await db.asService((tx) =>
    tx
      .updateTable('interactions')
      .set({ updated_at: sql<Date>`now() - interval '2 hours'` })
      .where('id', '=', id)
      .execute(),
  );
  await db.asService((tx) =>
    tx
      .updateTable('outbox')
      .set({ created_at: sql<Date>`now() - interval '2 hours'` })
      .where('job_key', '=', `sentiment-${id}-v1`)
      .execute(),
  );
  expect((await sweepUnfinished(db)).sentiment).toBeGreaterThanOrEqual(1);
  expect((await unrelayed()).map((row) => row.job_key)).toContain(`sentiment-${id}-v1`);
});

it('folds a burst of 100 health requests for one client, relayed over several passes, into one recompute', async () => {
  const { id: burstClient } = await createClient(db, { workspace_id: workspaceId, name: 'Burst Co' });
  await relayOutboxBatch(db, queues); // what earlier tests left
  for (let pass = 0; pass < 10; pass += 1) {
    await db.asService((tx) =>
      requestJob(
        tx,
        Array.from({ length: 10 }, (_, index) =>
          healthQueue.job('recompute', { workspaceId, clientId: burstClient, cause: { kind: 'sentiment', id: `burst-${pass}-${index}` } }),
        ),
      ),
    );
    expect(await relayOutboxBatch(db, queues)).toBe(10);
  }
  const waiting = (await health.getJobs(['delayed', 'waiting'])).filter((job) => job.data.clientId === burstClient);
  expect(waiting).toHaveLength(1);
});
