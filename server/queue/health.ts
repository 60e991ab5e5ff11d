import { Queue, type ConnectionOptions } from 'bullmq';
import { z } from 'zod';

export const HEALTH_QUEUE = 'health';

/**
 * A client's health score to recompute (`recompute`), or, without `clientId`, every client of a
 * workspace (`recompute-workspace`, after its model settings changed); `cause` says what asked.
 * With `backtestId`: the backtest an admin asked for (`backtest`).
 */
export const healthJobSchema = z.object({
  workspaceId: z.uuid(),
  clientId: z.uuid().optional(),
  backtestId: z.uuid().optional(),
  cause: z.object({ kind: z.string(), id: z.string().optional() }).optional(),
});
export type HealthJobData = z.infer<typeof healthJobSchema>;

/**
 * How long a recompute request waits for others of the same client: a burst of results for one
 * client (an import, a backfill) becomes one recompute.
 */
export const HEALTH_DEBOUNCE_MS = 1_000;

export function createHealthQueue(connection: ConnectionOptions, prefix?: string): Queue<HealthJobData> {
  return new Queue<HealthJobData>(HEALTH_QUEUE, {
    connection,
    prefix,
    defaultJobOptions: {
      attempts: 5,
      backoff: { type: 'exponential', delay: 2_000, jitter: 0.5 },
      removeOnComplete: { age: 24 * 3600, count: 10_000 },
      removeOnFail: { age: 7 * 24 * 3600 },
    },
  });
}

/**
 * Job options of a debounced recompute: while one is waiting for its client, more requests fold into
 * it; a request that arrives while one runs leaves exactly one more to run after it.
 */
export function healthJobOptions(data: HealthJobData) {
  if (data.backtestId) return { jobId: healthJobKey(data) };
  return { delay: HEALTH_DEBOUNCE_MS, deduplication: { id: healthJobKey(data), keepLastIfActive: true } };
}

/** A request's key: its outbox `job_key`, and the job's id or deduplication id (the SQL triggers write `health-<client>` too). */
export const healthJobKey = (data: HealthJobData) =>
  data.backtestId ? `backtest-${data.backtestId}` : data.clientId ? `health-${data.clientId}` : `health-workspace-${data.workspaceId}`;

/** The job name for a request: one client, a whole workspace, or a backtest. */
export const healthJobName = (data: HealthJobData) => (data.backtestId ? 'backtest' : data.clientId ? 'recompute' : 'recompute-workspace');

export const DAILY_HEALTH_SCHEDULER = 'daily-health';
/** 02:30 UTC: every client of every workspace, before the day's alerts are read. */
export const DAILY_HEALTH_PATTERN = '30 2 * * *';

/** Registers (or updates) the daily recompute of every workspace; safe on every boot. */
export async function scheduleDailyHealth(queue: Queue<HealthJobData>): Promise<void> {
  await queue.upsertJobScheduler(
    DAILY_HEALTH_SCHEDULER,
    { pattern: DAILY_HEALTH_PATTERN, tz: 'UTC' },
    { name: 'recompute-all', data: {} as HealthJobData },
  );
}
