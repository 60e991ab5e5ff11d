import { Readable } from 'node:stream';
import type { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateAlerts } from '../server/alerts/evaluate';
import { OutboundError, type OutboundClient } from '../server/http/outbound';
import { alertsQueue } from '../server/queue/alerts';
import { createWorkerConnection } from '../server/queue/connection';
import type { JobName, QueueContract } from '../server/queue/contract';
import { healthQueue } from '../server/queue/health';
import { importsQueue } from '../server/queue/imports';
import { maintenanceQueue } from '../server/queue/maintenance';
import { openQueues } from '../server/queue/registry';
import { sentimentQueue } from '../server/queue/sentiment';
import { closeAppServices, type AppServices } from '../server/services';
import type { SentimentProvider } from '../server/sentiment/types';
import {
  createClient,
  createInteraction,
  testLog,
  workspaceWithOwner,
  type TestAccount,
  type TestCaller,
} from '../server/testing/factories';
import { createTestServices } from '../server/testing/services';
import { until } from '../server/testing/worker-process';
import { createAlertHandlers } from './processors/alerts';
import { createHealthHandlers } from './processors/health';
import { createImportHandlers } from './processors/imports';
import { createMaintenanceHandlers } from './processors/maintenance';
import { createSentimentHandlers } from './processors/sentiment';
import { startQueueWorker, type Handlers } from './run-job';

/**
 * The one dead-letter path, queue by queue, on real BullMQ workers, Postgres and Redis: a job's last
 * failed attempt leaves one failed_jobs row and its domain row shows the failure; an admin retries it
 * from Settings → Background jobs (the page's procedure), which asks for it again through the outbox.
 */

let services: AppServices;
let owner: TestAccount;
let caller: TestCaller;
let workspaceId: string;
let connection: Redis;
let queues: Map<string, Queue>;
const workers: Worker[] = [];

beforeAll(async () => {
  ({ services, owner, caller, workspaceId } = await workspaceWithOwner(createTestServices(), 'dead-letters'));
  connection = createWorkerConnection(services.env.REDIS_URL);
  queues = openQueues(connection, services.env.QUEUE_PREFIX);
});
afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.close()));
  await Promise.all([...queues.values()].map((queue) => queue.obliterate({ force: true }).then(() => queue.close())));
  await connection.quit();
  await closeAppServices(services);
});

/** Runs job `name` with `data` on a real worker with `handlers`, two attempts, until it has failed for good. */
async function failForGood<C extends QueueContract>(contract: C, handlers: Handlers<C>, name: JobName<C>, data: unknown, key: string) {
  workers.push(
    startQueueWorker({ db: services.db, log: testLog }, contract, handlers, {
      connection: createWorkerConnection(services.env.REDIS_URL),
      prefix: services.env.QUEUE_PREFIX,
    }),
  );
  const queue = queues.get(contract.name)!;
  await queue.add(name, data, { jobId: key, attempts: 2, backoff: { type: 'fixed', delay: 20 } });
  await until(async () => (await queue.getJobState(key)) === 'failed', `${contract.name} job ${key} to fail`);
  return queue.getJob(key);
}

const deadLettersOf = (key: string) =>
  services.db.asService((tx) => tx.selectFrom('failed_jobs').selectAll().where('job_key', '=', key).execute());

/** Retries the dead letter from the page's procedure; returns the outbox requests it left. */
async function retryFromPage(failedJobId: string) {
  await caller.jobs.retry({ workspaceSlug: owner.slug, failedJobId });
  expect((await caller.jobs.failed({ workspaceSlug: owner.slug })).map((job) => job.id)).not.toContain(failedJobId);
  return services.db.asService((tx) =>
    tx.selectFrom('outbox').select(['queue', 'job_name', 'job_key']).where('job_key', 'like', `%-retry-${failedJobId}`).execute(),
  );
}

const broken: SentimentProvider = {
  name: 'broken',
  analyse: () => Promise.reject(new Error('the provider is down')),
};

describe('every queue’s last failed attempt', () => {
  it('sentiment: one failed_jobs row, the interaction reads as failed, and a retry asks for the analysis again', async () => {
    const client = await createClient(services.db, { workspace_id: workspaceId });
    const interaction = await createInteraction(services.db, { workspace_id: workspaceId, client_id: client.id, body: 'Lost words' });
    const data = { workspaceId, interactionId: interaction.id, version: 1 };
    const key = `sentiment-${interaction.id}-v1`;
    const handlers = createSentimentHandlers({ db: services.db, provider: broken, fallback: broken, worker: () => undefined });
    const job = await failForGood(sentimentQueue, handlers, 'analyse', data, key);
    const [letter, ...more] = await deadLettersOf(key);
    expect(more).toEqual([]);
    expect(letter).toMatchObject({ workspace_id: workspaceId, queue: 'sentiment', job_name: 'analyse', payload: data, attempts: 2 });
    expect(letter!.error).toBe(job!.failedReason);
    const row = await services.db.asService((tx) =>
      tx
        .selectFrom('interactions')
        .select(['sentiment_status', 'sentiment_note'])
        .where('id', '=', interaction.id)
        .executeTakeFirstOrThrow(),
    );
    expect(row).toEqual({ sentiment_status: 'failed', sentiment_note: 'the provider is down' });
    expect(await retryFromPage(letter!.id)).toEqual([{ queue: 'sentiment', job_name: 'analyse', job_key: `${key}-retry-${letter!.id}` }]);
  });

  it('health: a backtest that failed every attempt reads as failed, and a retry queues it again', async () => {
    const { id: backtestId } = await caller.health.runBacktest({ workspaceSlug: owner.slug });
    const key = `backtest-${backtestId}`;
    const handlers = {
      ...createHealthHandlers({ db: services.db }),
      backtest: () => Promise.reject(new Error('the backtest ran out of memory')),
    };
    await failForGood(healthQueue, handlers, 'backtest', { workspaceId, backtestId }, key);
    const [letter] = await deadLettersOf(key);
    expect(letter).toMatchObject({ workspace_id: workspaceId, queue: 'health', job_name: 'backtest', attempts: 2 });
    expect((await caller.health.backtest({ workspaceSlug: owner.slug })).latest).toMatchObject({
      id: backtestId,
      status: 'failed',
      failure: 'the backtest ran out of memory',
    });
    expect(await retryFromPage(letter!.id)).toEqual([{ queue: 'health', job_name: 'backtest', job_key: `${key}-retry-${letter!.id}` }]);
    expect((await caller.health.backtest({ workspaceSlug: owner.slug })).latest).toMatchObject({ id: backtestId, status: 'queued' });
  });

  it('alerts: a delivery whose Slack webhook kept refusing reads as failed, and a retry asks for it again', async () => {
    await services.db.asService(async (tx) => {
      await tx
        .insertInto('workspace_alert_settings')
        .values({ workspace_id: workspaceId, slack_webhook_url: 'https://hooks.slack.test/refuses' })
        .execute();
      await tx
        .insertInto('notification_preferences')
        .values({ workspace_id: workspaceId, user_id: owner.userId, email: 'off', slack: 'immediate' })
        .execute();
    });
    await createClient(services.db, {
      workspace_id: workspaceId,
      name: 'Silent Co',
      last_contact_at: new Date(Date.now() - 60 * 86_400_000),
    });
    await evaluateAlerts(services.db, { workspaceId });
    const delivery = await services.db.asService((tx) =>
      tx
        .selectFrom('alert_deliveries')
        .select('id')
        .where('workspace_id', '=', workspaceId)
        .where('channel', '=', 'slack')
        .executeTakeFirstOrThrow(),
    );
    const key = `delivery-${delivery.id}`;
    // What the outbound client throws when Slack answers 500 (its body is never part of the error).
    const refusing: OutboundClient = { request: () => Promise.reject(new OutboundError('Slack answered 500', 'answered 500', 500)) };
    const handlers = createAlertHandlers({ db: services.db, mailer: services.mailer, appUrl: 'http://app.test', outbound: refusing });
    await failForGood(alertsQueue, handlers, 'deliver', { workspaceId, deliveryId: String(delivery.id) }, key);
    const [letter] = await deadLettersOf(key);
    expect(letter).toMatchObject({
      workspace_id: workspaceId,
      queue: 'alerts',
      job_name: 'deliver',
      attempts: 2,
      error: 'Slack answered 500',
    });
    const after = await services.db.asService((tx) =>
      tx
        .selectFrom('alert_deliveries')
        .select(['status', 'attempts', 'last_error'])
        .where('id', '=', delivery.id)
        .executeTakeFirstOrThrow(),
    );
    expect(after).toEqual({ status: 'failed', attempts: 2, last_error: 'Slack answered 500' });
    expect(await retryFromPage(letter!.id)).toEqual([{ queue: 'alerts', job_name: 'deliver', job_key: `${key}-retry-${letter!.id}` }]);
  });

  it('imports: an import that failed every attempt reads as failed with the reason, and a retry queues it again', async () => {
    const { id: importId } = await caller.imports.upload({
      workspaceSlug: owner.slug,
      kind: 'clients',
      fileName: 'clients.csv',
      file: Readable.from([Buffer.from('name,domain\nAcme,acme.test\n')]),
    });
    const uploaded = await caller.imports.get({ workspaceSlug: owner.slug, importId });
    await caller.imports.start({ workspaceSlug: owner.slug, importId, mapping: uploaded.suggested });
    const key = `import-${importId}`;
    const handlers = { 'import-csv': () => Promise.reject(new Error('the file store is unreachable')) };
    await failForGood(importsQueue, handlers, 'import-csv', { workspaceId, importId }, key);
    const [letter] = await deadLettersOf(key);
    expect(letter).toMatchObject({ workspace_id: workspaceId, queue: 'imports', job_name: 'import-csv', attempts: 2 });
    expect(await caller.imports.get({ workspaceSlug: owner.slug, importId })).toMatchObject({
      status: 'failed',
      failure: 'The import stopped: the file store is unreachable',
    });
    expect(await retryFromPage(letter!.id)).toEqual([{ queue: 'imports', job_name: 'import-csv', job_key: `${key}-retry-${letter!.id}` }]);
    expect(await caller.imports.get({ workspaceSlug: owner.slug, importId })).toMatchObject({ status: 'queued', failure: null });
    // The real handler then imports it.
    await createImportHandlers({ db: services.db })['import-csv']({ workspaceId, importId }, undefined as never, testLog);
    expect(await caller.imports.get({ workspaceSlug: owner.slug, importId })).toMatchObject({ status: 'done' });
  });

  it('maintenance: a system job of no workspace is dead-lettered too, and stays out of every workspace’s page', async () => {
    const handlers = createMaintenanceHandlers({
      db: services.db,
      queues: () => {
        throw new Error('redis refused the purge');
      },
    });
    const key = `purge-${owner.slug}`;
    await failForGood(maintenanceQueue, handlers, 'purge-finished-jobs', {}, key);
    const [letter] = await deadLettersOf('purge-finished-jobs');
    expect(letter).toMatchObject({
      workspace_id: null,
      queue: 'maintenance',
      job_name: 'purge-finished-jobs',
      error: 'redis refused the purge',
    });
    expect((await caller.jobs.failed({ workspaceSlug: owner.slug })).map((job) => job.queue)).not.toContain('maintenance');
    await expect(caller.jobs.retry({ workspaceSlug: owner.slug, failedJobId: letter!.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
