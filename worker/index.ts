import { Worker, type Queue } from 'bullmq';
import { createDatabase } from '../server/db';
import { createMailer } from '../server/email';
import { loadEnvOrExit } from '../server/env';
import { createLogger } from '../server/log';
import { createClientConnection, createWorkerConnection } from '../server/queue/connection';
import { clearHeartbeat, HEARTBEAT_INTERVAL_MS, writeHeartbeat } from '../server/queue/heartbeat';
import { ALERTS_QUEUE, createAlertsQueue, scheduleAlertJobs } from '../server/queue/alerts';
import { createImportQueue, IMPORTS_QUEUE } from '../server/queue/imports';
import { createHealthQueue, HEALTH_QUEUE, scheduleDailyHealth } from '../server/queue/health';
import { createMaintenanceQueue, MAINTENANCE_QUEUE, scheduleDailyMaintenance } from '../server/queue/maintenance';
import { purgeRelayedOutbox, startOutboxRelay } from '../server/queue/outbox';
import { createSentimentQueue, SENTIMENT_QUEUE, sentimentJobSchema } from '../server/queue/sentiment';
import { recordSentimentFailure, requeueStalePendingSentiment } from '../server/sentiment/pipeline';
import { createSentimentProviders } from '../server/sentiment/providers';
import { withJobLog } from './job-log';
import { createAlertsProcessor } from './processors/alerts';
import { createHealthProcessor } from './processors/health';
import { createImportProcessor, requeueWaitingImports } from './processors/imports';
import { createMaintenanceProcessor } from './processors/maintenance';
import { createSentimentProcessor } from './processors/sentiment';

const env = loadEnvOrExit();
const log = createLogger(env, 'worker');
const connection = createWorkerConnection(env.REDIS_URL);
connection.on('error', (error) => log.warn({ err: error }, 'redis connection error'));

const db = createDatabase({ url: env.DATABASE_URL, poolMax: env.DATABASE_POOL_MAX, log, applicationName: 'clientpulse-worker' });

const prefix = env.QUEUE_PREFIX;
const maintenanceQueue = createMaintenanceQueue(connection, prefix);
const importQueue = createImportQueue(connection, prefix);
const sentimentQueue = createSentimentQueue(connection, prefix);
const healthQueue = createHealthQueue(connection, prefix);
const alertsQueue = createAlertsQueue(connection, prefix);
const queues: Queue[] = [maintenanceQueue, importQueue, sentimentQueue, healthQueue, alertsQueue];
const mailer = createMailer({ smtpUrl: env.SMTP_URL, from: env.MAIL_FROM, log });
const sentiment = createSentimentProviders(env);
let sentimentWorker: Worker | undefined;

const workers = [
  new Worker(
    MAINTENANCE_QUEUE,
    withJobLog(
      log,
      MAINTENANCE_QUEUE,
      createMaintenanceProcessor({
        queues: () => queues,
        purgeOutbox: () => purgeRelayedOutbox(db),
        requeueStale: () => requeueStalePendingSentiment(db),
      }),
    ),
    {
      connection,
      prefix,
      concurrency: 1,
    },
  ),
  // One import at a time per worker: each streams its file and writes in batches of 500 rows.
  new Worker(IMPORTS_QUEUE, withJobLog(log, IMPORTS_QUEUE, createImportProcessor({ db })), { connection, prefix, concurrency: 1 }),
  (sentimentWorker = new Worker(
    SENTIMENT_QUEUE,
    withJobLog(
      log,
      SENTIMENT_QUEUE,
      createSentimentProcessor({ db, provider: sentiment.provider, fallback: sentiment.fallback, worker: () => sentimentWorker }),
    ),
    {
      connection,
      prefix,
      concurrency: env.SENTIMENT_CONCURRENCY,
      // The provider's rate limit, across every worker of the queue.
      ...(sentiment.ratePerSecond ? { limiter: { max: sentiment.ratePerSecond, duration: 1_000 } } : {}),
      // A killed worker's jobs go back to the queue within seconds (the lock is renewed while a job runs).
      lockDuration: 10_000,
      stalledInterval: 5_000,
    },
  )),
  // Recomputes are single statements; a few at once keep Postgres busy without crowding it.
  new Worker(HEALTH_QUEUE, withJobLog(log, HEALTH_QUEUE, createHealthProcessor({ db })), { connection, prefix, concurrency: 4 }),
  // Deliveries wait on SMTP and Slack: many at once, on their own queue so nothing else waits with them.
  new Worker(ALERTS_QUEUE, withJobLog(log, ALERTS_QUEUE, createAlertsProcessor({ db, mailer, appUrl: env.APP_URL })), {
    connection,
    prefix,
    concurrency: 8,
  }),
];
// A job that stalled too often (its worker killed mid-job, twice) fails without running the
// processor's own dead-lettering: record it here.
sentimentWorker.on('failed', (job, error) => {
  if (!job || !/stalled/i.test(error.message)) return;
  const parsed = sentimentJobSchema.safeParse(job.data);
  if (!parsed.success) return;
  void recordSentimentFailure(
    db,
    { id: job.id ?? '', name: job.name, queue: SENTIMENT_QUEUE, data: parsed.data, attempts: job.attemptsMade },
    error.message,
  ).catch((failure: unknown) => log.error({ err: failure, jobId: job.id }, 'could not dead-letter a stalled sentiment job'));
});
// The relay produces through a connection that gives up (2 s) instead of waiting out a Redis outage
// with the outbox rows locked: the batch rolls back and is tried again with backoff.
const relayConnection = createClientConnection(env.REDIS_URL);
relayConnection.on('error', () => undefined);
const relayQueues = {
  sentiment: createSentimentQueue(relayConnection, prefix),
  health: createHealthQueue(relayConnection, prefix),
  alerts: createAlertsQueue(relayConnection, prefix),
};
for (const queue of Object.values(relayQueues)) queue.on('error', () => undefined);
const relay = startOutboxRelay({ db, databaseUrl: env.DATABASE_URL, queues: relayQueues, log: log.child({ component: 'outbox-relay' }) });

for (const queue of queues) queue.on('error', (error) => log.error({ err: error, queue: queue.name }, 'queue error'));
for (const worker of workers) {
  worker.on('error', (error) => log.error({ err: error, queue: worker.name }, 'worker error'));
}

await scheduleDailyMaintenance(maintenanceQueue);
await scheduleDailyHealth(healthQueue);
await scheduleAlertJobs(alertsQueue);
const requeued = await requeueWaitingImports(db, importQueue);
if (requeued) log.info({ imports: requeued }, 'queued waiting imports again');

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
  await Promise.all(Object.values(relayQueues).map((queue) => queue.close()));
  relayConnection.disconnect();
  // Worker.close() waits for the jobs in progress to finish before resolving.
  await Promise.all(workers.map((worker) => worker.close()));
  await clearHeartbeat(connection).catch(() => undefined);
  await Promise.all(queues.map((queue) => queue.close()));
  await connection.quit();
  mailer.close();
  await db.close();
  log.info('worker closed');
  process.exit(0);
}
process.on('SIGTERM', (signal) => void shutdown(signal));
process.on('SIGINT', (signal) => void shutdown(signal));
