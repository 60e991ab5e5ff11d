import type { JobsOptions, Queue } from 'bullmq';
import pg from 'pg';
import { sql } from 'kysely';
import type { Database } from '../db';
import type { Logger } from '../log';
import type { AlertJobData } from './alerts';
import { healthJobName, healthJobOptions, type HealthJobData } from './health';
import type { SentimentJobData } from './sentiment';

/**
 * The outbox relay (decision 015). Domain writes leave job intents in `outbox` in their own
 * transaction; the relay moves them to BullMQ with the intent's key as the job id (sentiment) or
 * deduplication id (health), then marks them relayed. If Redis is away the rows stay and the next
 * pass takes them; a row relayed twice (a crash between the add and the commit) is one job.
 */

export const OUTBOX_CHANNEL = 'clientpulse_outbox';
const BATCH = 500;
const NOTIFY_COALESCE_MS = 50;

export type RelayQueues = { sentiment: Queue<SentimentJobData>; health: Queue<HealthJobData>; alerts: Queue<AlertJobData> };

/** One pass: up to BATCH rows, oldest first. Returns how many were relayed. */
export async function relayOutboxBatch(db: Database, queues: RelayQueues): Promise<number> {
  return db.asService(async (tx) => {
    const rows = await tx
      .selectFrom('outbox')
      .select(['id', 'topic', 'job_key', 'payload'])
      .where('relayed_at', 'is', null)
      .orderBy('id')
      .limit(BATCH)
      .forUpdate()
      .skipLocked()
      .execute();
    if (!rows.length) return 0;
    const sentiment = rows.filter((row) => row.topic === 'sentiment');
    const health = rows.filter((row) => row.topic === 'health');
    const alerts = rows.filter((row) => row.topic === 'alert');
    if (sentiment.length) {
      await queues.sentiment.addBulk(
        sentiment.map((row) => ({
          name: 'analyse',
          data: row.payload as SentimentJobData,
          opts: { jobId: row.job_key } satisfies JobsOptions,
        })),
      );
    }
    if (health.length) {
      // Many rows of one client in a batch are one request.
      const latest = new Map(health.map((row) => [row.job_key, row.payload as HealthJobData]));
      await queues.health.addBulk([...latest.values()].map((data) => ({ name: healthJobName(data), data, opts: healthJobOptions(data) })));
    }
    if (alerts.length) {
      await queues.alerts.addBulk(
        alerts.map((row) => ({ name: 'deliver', data: row.payload as AlertJobData, opts: { jobId: row.job_key } satisfies JobsOptions })),
      );
    }
    await tx
      .updateTable('outbox')
      .set({ relayed_at: sql<Date>`now()` })
      .where(
        'id',
        'in',
        rows.map((row) => row.id),
      )
      .execute();
    return rows.length;
  });
}

/** Relayed rows are kept a while (to trace what was asked and when), then purged by daily maintenance. */
export const OUTBOX_RETENTION_DAYS = 7;

export async function purgeRelayedOutbox(db: Database, retentionDays = OUTBOX_RETENTION_DAYS): Promise<number> {
  const result = await db.asService((tx) =>
    tx
      .deleteFrom('outbox')
      .where('relayed_at', '<', sql<Date>`now() - make_interval(days => ${retentionDays})`)
      .executeTakeFirst(),
  );
  return Number(result.numDeletedRows);
}

export type OutboxRelay = { stop(): Promise<void>; wake(): void };

/**
 * Runs the relay: at once on a NOTIFY from an outbox insert, and every `pollMs` in any case (a missed
 * notification, Redis back after an outage). Errors back off up to 10 s and never stop the loop.
 */
export function startOutboxRelay(options: {
  db: Database;
  databaseUrl: string;
  queues: RelayQueues;
  log: Logger;
  pollMs?: number;
}): OutboxRelay {
  const pollMs = options.pollMs ?? 1_000;
  let stopped = false;
  let running: Promise<void> | null = null;
  let again = false;
  let failures = 0;
  let timer: NodeJS.Timeout | null = null;
  let listener: pg.Client | null = null;

  let dueAt = Infinity;
  /** Wakes the relay in `ms` unless it is due sooner already. */
  const schedule = (ms: number) => {
    if (stopped || Date.now() + ms >= dueAt) return;
    if (timer) clearTimeout(timer);
    dueAt = Date.now() + ms;
    timer = setTimeout(() => {
      dueAt = Infinity;
      wake();
    }, ms);
  };

  async function drain(): Promise<void> {
    try {
      let relayed: number;
      do {
        relayed = await relayOutboxBatch(options.db, options.queues);
        if (relayed) options.log.debug({ relayed }, 'relayed outbox rows');
      } while (relayed > 0 && !stopped);
      if (failures) options.log.info('outbox relay recovered');
      failures = 0;
      schedule(pollMs);
    } catch (error) {
      failures += 1;
      if (failures === 1 || failures % 30 === 0)
        options.log.warn({ err: error, failures }, 'outbox relay failed; rows stay and are retried');
      schedule(Math.min(10_000, pollMs * 2 ** Math.min(failures, 4)));
    }
  }

  function wake(): void {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = drain().finally(() => {
      running = null;
      if (again && !stopped) {
        again = false;
        wake();
      }
    });
  }

  async function listen(): Promise<void> {
    if (stopped) return;
    const client = new pg.Client({ connectionString: options.databaseUrl, application_name: 'clientpulse-outbox-listener' });
    // Notifications come in bursts (one per writing transaction): gather them for a moment.
    client.on('notification', () => schedule(NOTIFY_COALESCE_MS));
    client.on('error', (error) => {
      options.log.warn({ reason: error.message }, 'outbox listener lost its connection; polling until it is back');
      listener = null;
      void client.end().catch(() => undefined);
      setTimeout(() => void listen(), 2_000);
    });
    try {
      await client.connect();
      await client.query(`listen ${OUTBOX_CHANNEL}`);
      listener = client;
    } catch (error) {
      options.log.warn({ reason: (error as Error).message }, 'outbox listener could not connect; polling');
      void client.end().catch(() => undefined);
      setTimeout(() => void listen(), 2_000);
    }
  }

  void listen();
  wake();
  return {
    wake,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
      await listener?.end().catch(() => undefined);
    },
  };
}
