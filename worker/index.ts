import { Worker, type Queue } from 'bullmq';
import { createDatabase } from '../server/db';
import { loadEnvOrExit } from '../server/env';
import { createLogger } from '../server/log';
import { createWorkerConnection } from '../server/queue/connection';
import { clearHeartbeat, HEARTBEAT_INTERVAL_MS, writeHeartbeat } from '../server/queue/heartbeat';
import { createImportQueue, IMPORTS_QUEUE } from '../server/queue/imports';
import { createMaintenanceQueue, MAINTENANCE_QUEUE, scheduleDailyMaintenance } from '../server/queue/maintenance';
import { withJobLog } from './job-log';
import { createImportProcessor, requeueWaitingImports } from './processors/imports';
import { createMaintenanceProcessor } from './processors/maintenance';

const env = loadEnvOrExit();
const log = createLogger(env, 'worker');
const connection = createWorkerConnection(env.REDIS_URL);
connection.on('error', (error) => log.warn({ err: error }, 'redis connection error'));

const db = createDatabase({ url: env.DATABASE_URL, poolMax: env.DATABASE_POOL_MAX, log, applicationName: 'clientpulse-worker' });

const prefix = env.QUEUE_PREFIX;
const maintenanceQueue = createMaintenanceQueue(connection, prefix);
const importQueue = createImportQueue(connection, prefix);
const queues: Queue[] = [maintenanceQueue, importQueue];

const workers = [
  new Worker(MAINTENANCE_QUEUE, withJobLog(log, MAINTENANCE_QUEUE, createMaintenanceProcessor({ queues: () => queues })), {
    connection,
    prefix,
    concurrency: 1,
  }),
  // One import at a time per worker: each streams its file and writes in batches of 500 rows.
  new Worker(IMPORTS_QUEUE, withJobLog(log, IMPORTS_QUEUE, createImportProcessor({ db })), { connection, prefix, concurrency: 1 }),
];

for (const queue of queues) queue.on('error', (error) => log.error({ err: error, queue: queue.name }, 'queue error'));
for (const worker of workers) {
  worker.on('error', (error) => log.error({ err: error, queue: worker.name }, 'worker error'));
}

await scheduleDailyMaintenance(maintenanceQueue);
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

log.info({ queues: workers.map((worker) => worker.name) }, 'worker started');

let closing = false;
async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (closing) return;
  closing = true;
  log.info({ signal }, 'worker closing: finishing active jobs');
  clearInterval(heartbeat);
  // Worker.close() waits for the jobs in progress to finish before resolving.
  await Promise.all(workers.map((worker) => worker.close()));
  await clearHeartbeat(connection).catch(() => undefined);
  await Promise.all(queues.map((queue) => queue.close()));
  await connection.quit();
  await db.close();
  log.info('worker closed');
  process.exit(0);
}
process.on('SIGTERM', (signal) => void shutdown(signal));
process.on('SIGINT', (signal) => void shutdown(signal));
