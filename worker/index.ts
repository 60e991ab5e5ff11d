import type { Worker } from 'bullmq';
import { createDatabase } from '../server/db';
import { createMailer } from '../server/email';
import { loadEnvOrExit } from '../server/env';
import { createOutboundClient, outboundOptionsOf } from '../server/http/outbound';
import { createLogger } from '../server/log';
import { alertsQueue } from '../server/queue/alerts';
import { createClientConnection, createWorkerConnection } from '../server/queue/connection';
import { healthQueue } from '../server/queue/health';
import { clearHeartbeat, HEARTBEAT_INTERVAL_MS, writeHeartbeat } from '../server/queue/heartbeat';
import { importsQueue } from '../server/queue/imports';
import { maintenanceQueue } from '../server/queue/maintenance';
import { startOutboxRelay } from '../server/queue/outbox';
import { openQueues, registerSchedulers } from '../server/queue/registry';
import { sentimentQueue } from '../server/queue/sentiment';
import { startSweeper } from '../server/queue/sweep';
import { METRICS_MINUTES } from '../server/queue/stats';
import { createSentimentProviders } from '../server/sentiment/providers';
import { createAlertHandlers } from './processors/alerts';
import { createHealthHandlers } from './processors/health';
import { createImportHandlers } from './processors/imports';
import { createMaintenanceHandlers } from './processors/maintenance';
import { createSentimentHandlers } from './processors/sentiment';
import { startQueueWorker } from './run-job';

/**
 * The worker process: one BullMQ worker per queue contract (server/queue/registry.ts), the outbox
 * relay, the schedulers and a heartbeat. Any number of these may run side by side (Railway
 * replicas): they share the queues, each outbox row is relayed by one of them, and a scheduler fires
 * once whoever registered it.
 */
const env = loadEnvOrExit();
const log = createLogger(env, 'worker');
const connection = createWorkerConnection(env.REDIS_URL);
connection.on('error', (error) => log.warn({ err: error }, 'redis connection error'));

const db = createDatabase({ url: env.DATABASE_URL, poolMax: env.DATABASE_POOL_MAX, log, applicationName: 'clientpulse-worker' });
const deps = { db, log };
const prefix = env.QUEUE_PREFIX;
const queues = openQueues(connection, prefix);
const mailer = createMailer({ smtpUrl: env.SMTP_URL, from: env.MAIL_FROM, log });
const outbound = createOutboundClient(outboundOptionsOf(env));
const sentiment = createSentimentProviders(env);
// Completion counts per minute, for the Background jobs page.
const common = { connection, prefix, metrics: { maxDataPoints: METRICS_MINUTES } };

const sentimentWorker: Worker = startQueueWorker(
  deps,
  sentimentQueue,
  createSentimentHandlers({ db, provider: sentiment.provider, fallback: sentiment.fallback, worker: () => sentimentWorker }),
  {
    ...common,
    concurrency: env.SENTIMENT_CONCURRENCY,
    // The provider's rate limit, across every worker of the queue.
    ...(sentiment.ratePerSecond ? { limiter: { max: sentiment.ratePerSecond, duration: 1_000 } } : {}),
    // A killed worker's jobs go back to the queue within seconds (the lock is renewed while a job runs).
    lockDuration: 10_000,
    stalledInterval: 5_000,
  },
);
const workers = [
  startQueueWorker(deps, maintenanceQueue, createMaintenanceHandlers({ db, queues: () => [...queues.values()] }), {
    ...common,
    concurrency: 1,
  }),
  // One import at a time per worker: each streams its file and writes in batches of 500 rows.
  startQueueWorker(deps, importsQueue, createImportHandlers({ db }), { ...common, concurrency: 1 }),
  sentimentWorker,
  // Recomputes are single statements; a few at once keep Postgres busy without crowding it.
  startQueueWorker(deps, healthQueue, createHealthHandlers({ db }), { ...common, concurrency: 4 }),
  // Deliveries wait on SMTP and Slack: many at once, on their own queue so nothing else waits with them.
  // Slack webhooks are URLs admins typed: the one guarded outbound client (decision 019).
  startQueueWorker(deps, alertsQueue, createAlertHandlers({ db, mailer, appUrl: env.APP_URL, outbound }), { ...common, concurrency: 8 }),
];

// The relay produces through a connection that gives up (2 s) instead of waiting out a Redis outage
// with the outbox rows locked: the batch rolls back and is tried again with backoff.
const relayConnection = createClientConnection(env.REDIS_URL);
relayConnection.on('error', () => undefined);
const relayQueues = openQueues(relayConnection, prefix);
for (const queue of relayQueues.values()) queue.on('error', () => undefined);
const relay = startOutboxRelay({ db, databaseUrl: env.DATABASE_URL, queues: relayQueues, log: log.child({ component: 'outbox-relay' }) });

const sweeper = startSweeper({ db, redis: relayConnection, prefix: prefix ?? 'bull', intervalMs: env.JOB_SWEEP_INTERVAL_MS, log });

for (const queue of queues.values()) queue.on('error', (error) => log.error({ err: error, queue: queue.name }, 'queue error'));

await registerSchedulers(queues);

const startedAt = new Date().toISOString();
async function beat(): Promise<void> {
  await writeHeartbeat(connection, {
    pid: process.pid,
    startedAt,
    beatAt: new Date().toISOString(),
    queues: workers.map((worker) => worker.name),
  }).catch((error: unknown) => log.warn({ err: error }, 'heartbeat failed'));
}
await beat();
const heartbeat = setInterval(() => void beat(), HEARTBEAT_INTERVAL_MS);

log.info({ queues: workers.map((worker) => worker.name), sentimentProvider: sentiment.provider.name }, 'worker started');

let closing = false;
async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (closing) return;
  closing = true;
  log.info({ signal }, 'worker closing: finishing active jobs');
  clearInterval(heartbeat);
  await relay.stop();
  await sweeper.stop();
  await Promise.all([...relayQueues.values()].map((queue) => queue.close()));
  relayConnection.disconnect();
  // Worker.close() waits for the jobs in progress to finish before resolving.
  await Promise.all(workers.map((worker) => worker.close()));
  await clearHeartbeat(connection).catch(() => undefined);
  await Promise.all([...queues.values()].map((queue) => queue.close()));
  await connection.quit();
  mailer.close();
  await db.close();
  log.info('worker closed');
  process.exit(0);
}
process.on('SIGTERM', (signal) => void shutdown(signal));
process.on('SIGINT', (signal) => void shutdown(signal));
