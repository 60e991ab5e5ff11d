import { sql } from 'kysely';
import type { Tx } from '../db';
import type { JobRequest } from './contract';

/**
 * The one way to ask for background work from TypeScript (decision 018): the requests become outbox
 * rows in the caller's transaction — committed with the change that needs them, or not at all — and
 * the worker's relay moves them to their queues. Build each request with its queue's contract
 * (`sentimentQueue.job('analyse', …)`). SQL triggers ask through `private.request_job`, the same row.
 *
 * `unlessAskedWithinMinutes`: leave out the requests whose key was asked for that recently (the sweep
 * asks again for unfinished work without piling up requests for work that is merely slow).
 */
export async function requestJob(
  tx: Tx,
  jobs: JobRequest | JobRequest[],
  options: { unlessAskedWithinMinutes?: number } = {},
): Promise<number> {
  const list = Array.isArray(jobs) ? jobs : [jobs];
  let requested = 0;
  // Bounded statements: a backfill of a large workspace asks in chunks.
  for (let start = 0; start < list.length; start += REQUEST_CHUNK) {
    const chunk = list.slice(start, start + REQUEST_CHUNK);
    const rows = chunk.map((job) => ({
      workspace_id: job.workspaceId,
      queue: job.queue,
      job_name: job.name,
      job_key: job.key,
      payload: job.payload,
    }));
    if (options.unlessAskedWithinMinutes === undefined) {
      await tx
        .insertInto('outbox')
        .values(rows.map((row) => ({ ...row, payload: JSON.stringify(row.payload) })))
        .execute();
      requested += rows.length;
      continue;
    }
    const result = await sql`
      insert into public.outbox (workspace_id, queue, job_name, job_key, payload)
      select r.workspace_id, r.queue, r.job_name, r.job_key, r.payload
        from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
             as r (workspace_id uuid, queue text, job_name text, job_key text, payload jsonb)
       where not exists (
         select 1 from public.outbox o
          where o.job_key = r.job_key and o.created_at > now() - make_interval(mins => ${options.unlessAskedWithinMinutes}))`.execute(tx);
    requested += Number(result.numAffectedRows ?? 0);
  }
  return requested;
}

const REQUEST_CHUNK = 2_000;
