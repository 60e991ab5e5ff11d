import { sql } from 'kysely';
import type { Database, Tx } from '../db';
import { workspaceOf } from './contract';
import { jobSpec } from './registry';

/**
 * The one dead-letter path (decision 018): a job's last failed attempt, on any queue, leaves one
 * `failed_jobs` row (queue, job name, key, payload, error, attempts, time), and in the same
 * transaction its contract's `onDeadLetter` marks the job's domain row (the interaction, import,
 * delivery or backtest shows the failure). Admins see and retry them on Settings → Background jobs.
 */

export type DeadLetter = {
  workspaceId: string | null;
  queue: string;
  name: string;
  key: string;
  payload: unknown;
  error: string;
  attempts: number;
};

const MAX_ERROR = 2_000;

/** One open entry per key: a job failing again before anyone retried it updates its entry. */
export async function insertFailedJob(tx: Tx, letter: DeadLetter): Promise<void> {
  const error = letter.error.slice(0, MAX_ERROR);
  await tx
    .insertInto('failed_jobs')
    .values({
      workspace_id: letter.workspaceId,
      queue: letter.queue,
      job_name: letter.name,
      job_key: letter.key,
      payload: JSON.stringify(letter.payload ?? null),
      error,
      attempts: letter.attempts,
    })
    .onConflict((conflict) =>
      conflict
        .column('job_key')
        .where('retried_at', 'is', null)
        .doUpdateSet({ error, attempts: letter.attempts, payload: JSON.stringify(letter.payload ?? null), failed_at: sql<Date>`now()` }),
    )
    .execute();
}

/**
 * Records the last failed attempt of a job of `queue` named `name` with `payload`. A payload its
 * contract refuses (or an unknown job) is recorded as it came, with no domain row to mark.
 */
export async function recordDeadLetter(
  db: Database,
  job: { queue: string; name: string; id: string | undefined; payload: unknown; attempts: number; error: string },
): Promise<void> {
  const spec = jobSpec(job.queue, job.name);
  const parsed = spec?.payload.safeParse(job.payload);
  const data = parsed?.success ? parsed.data : undefined;
  const key = spec && parsed?.success ? spec.key(data) : (job.id ?? `${job.queue}-${job.name}`);
  // Owner connection: the worker records failures of every workspace.
  await db.asService(async (tx) => {
    if (spec?.onDeadLetter && parsed?.success) await spec.onDeadLetter(tx, data, job.error.slice(0, MAX_ERROR));
    await insertFailedJob(tx, {
      workspaceId: workspaceOf(data ?? job.payload),
      queue: job.queue,
      name: job.name,
      key,
      payload: data ?? job.payload,
      error: job.error,
      attempts: job.attempts,
    });
  });
}
