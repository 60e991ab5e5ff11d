import type { JobsOptions, Queue } from 'bullmq';
import pg from 'pg';
import { sql } from 'kysely';
import type { Database } from '../db';
import type { Logger } from '../log';
import { jobOptions, workspaceOf } from './contract';
import { insertFailedJob } from './dead-letter';
import { jobSpec } from './registry';

/**
 * The outbox relay (decisions 015, 018). Domain writes leave job requests in `outbox` in their own
 * transaction (`requestJob`, or `private.request_job` in a trigger); the relay moves them to BullMQ,
 * each with the options its queue's contract gives its key, then marks them relayed. If Redis is
 * away the rows stay and the next pass takes them; a row relayed twice (a crash between the add and
 * the commit) is one job. Several relays (one per worker replica) never take the same row: a pass
 * locks its rows, the others skip them. A row no contract accepts is dead-lettered, never retried.
 */

export const OUTBOX_CHANNEL = 'clientpulse_outbox';
const BATCH = 500;
const NOTIFY_COALESCE_MS = 50;

/** The BullMQ queue of each queue name. */
export type RelayQueues = Map<string, Queue>;

type OutboxRow = { id: string; workspace_id: string | null; queue: string; job_name: string; job_key: string; payload: unknown };

/** The row as a job of its queue's contract, or why it is none. */
function readRow(row: OutboxRow): { data: unknown; options: JobsOptions } | { error: string } {
  const spec = jobSpec(row.queue, row.job_name);
  if (!spec) return { error: `The outbox row asks for job "${row.job_name}" of queue "${row.queue}", which no queue contract declares.` };
  const parsed = spec.payload.safeParse(row.payload);
  if (!parsed.success)
    return { error: `The outbox row's payload breaks the contract of ${row.queue}/${row.job_name}: ${parsed.error.message}` };
  if (workspaceOf(parsed.data) !== row.workspace_id) return { error: "The outbox row's workspace is not its payload's." };
  return { data: parsed.data, options: jobOptions(spec, row.job_key) };
}

/**
 * One pass: up to BATCH rows, oldest first. Returns how many were relayed (dead-lettered rows
 * included). `workspaceId`: only that workspace's rows (tests sharing one database relay their own).
 */
export async function relayOutboxBatch(db: Database, queues: RelayQueues, options: { workspaceId?: string } = {}): Promise<number> {
  // Owner connection: the relay serves every workspace.
  return db.asService(async (tx) => {
    let query = tx
      .selectFrom('outbox')
      .select(['id', 'workspace_id', 'queue', 'job_name', 'job_key', 'payload'])
      .where('relayed_at', 'is', null);
    if (options.workspaceId) query = query.where('workspace_id', '=', options.workspaceId);
    const rows = await query.orderBy('id').limit(BATCH).forUpdate().skipLocked().execute();
    if (!rows.length) return 0;
    // Many requests with one key in a batch are one job: the latest payload wins.
    const jobs = new Map<string, Map<string, { name: string; data: unknown; opts: JobsOptions }>>();
    const refused: Array<{ row: OutboxRow; error: string }> = [];
    for (const row of rows) {
      const read = readRow(row);
      const queue = queues.get(row.queue);
      if ('error' in read || !queue) {
        refused.push({ row, error: 'error' in read ? read.error : `The worker runs no queue "${row.queue}".` });
        continue;
      }
      const perQueue = jobs.get(row.queue) ?? new Map();
      perQueue.set(row.job_key, { name: row.job_name, data: read.data, opts: read.options });
      jobs.set(row.queue, perQueue);
    }
    for (const [name, perQueue] of jobs) await queues.get(name)!.addBulk([...perQueue.values()]);
    for (const { row, error } of refused) {
      await insertFailedJob(tx, {
        workspaceId: row.workspace_id,
        queue: row.queue,
        name: row.job_name,
        key: row.job_key,
        payload: row.payload,
        error,
        attempts: 0,
      });
    }
    await tx
      .updateTable('outbox')
      .set({ relayed_at: sql<Date>`now()`, relay_attempts: sql<number>`relay_attempts + 1` })
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
