import { sql } from 'kysely';
import type { Tx } from '../db';
import { AppError } from '../errors';
import { recordAudit, type RequestMeta } from '../identity/audit';

/**
 * What admins do with the pipeline (settings page): see dead-lettered jobs and retry them, analyse
 * every pending or failed interaction again (backfill), and watch the workspace's progress. All as
 * the user: RLS lets admins read failed jobs and add job intents to the outbox.
 */

export type FailedJobRow = {
  id: string;
  queue: string;
  jobName: string;
  payload: unknown;
  error: string;
  attempts: number;
  failedAt: Date;
  interactionId: string | null;
  clientId: string | null;
  clientName: string | null;
};

export const FAILED_JOBS_PAGE = 50;

export async function listFailedJobs(tx: Tx, workspaceId: string): Promise<FailedJobRow[]> {
  const rows = await tx
    .selectFrom('failed_jobs as f')
    .leftJoin('interactions as i', (join) => join.on(sql<boolean>`i.id = (f.payload->>'interactionId')::uuid`))
    .leftJoin('clients as c', 'c.id', 'i.client_id')
    .select([
      'f.id',
      'f.queue',
      'f.job_name as jobName',
      'f.payload',
      'f.error',
      'f.attempts',
      'f.failed_at as failedAt',
      'i.id as interactionId',
      'c.id as clientId',
      'c.name as clientName',
    ])
    .where('f.workspace_id', '=', workspaceId)
    .where('f.retried_at', 'is', null)
    .orderBy('f.failed_at', 'desc')
    .orderBy('f.id', 'desc')
    .limit(FAILED_JOBS_PAGE)
    .execute();
  return rows;
}

/** Sends a dead-lettered job back to its queue (through the outbox) and closes its entry. */
export async function retryFailedJob(
  tx: Tx,
  input: { workspaceId: string; failedJobId: string; actorId: string; meta: RequestMeta },
): Promise<void> {
  const job = await tx
    .updateTable('failed_jobs')
    .set({ retried_at: sql<Date>`now()`, retried_by: input.actorId })
    .where('id', '=', input.failedJobId)
    .where('workspace_id', '=', input.workspaceId)
    .where('retried_at', 'is', null)
    .returning(['id', 'queue', 'job_key', 'payload'])
    .executeTakeFirst();
  if (!job) throw new AppError('NOT_FOUND', 'That failed job does not exist or was retried already.');
  if (job.queue !== 'sentiment') throw new AppError('BAD_REQUEST', `Jobs of the ${job.queue} queue cannot be retried from here.`);
  await tx
    .insertInto('outbox')
    // A new job id: the failed job keeps its own in the queue's history.
    .values({
      workspace_id: input.workspaceId,
      topic: 'sentiment',
      job_key: `${job.job_key}-retry-${job.id}`,
      payload: JSON.stringify(job.payload),
    })
    .execute();
  await recordAudit(tx, {
    action: 'job.retried',
    actorId: input.actorId,
    workspaceId: input.workspaceId,
    target: { type: 'failed_job', id: job.id },
    after: { queue: job.queue, jobKey: job.job_key },
    meta: input.meta,
  });
}

/**
 * Asks for the analysis of every interaction of the workspace that is pending or failed, in one
 * statement. Jobs already waiting for the same version run once in effect (the processor skips a
 * version already analysed).
 */
export async function startSentimentBackfill(
  tx: Tx,
  input: { workspaceId: string; actorId: string; meta: RequestMeta },
): Promise<{ queued: number }> {
  const batch = Date.now().toString(36);
  const result = await sql`
    insert into public.outbox (workspace_id, topic, job_key, payload)
    select i.workspace_id, 'sentiment', 'sentiment-' || i.id || '-v' || i.content_version || '-b' || ${batch},
           jsonb_build_object('workspaceId', i.workspace_id, 'interactionId', i.id, 'version', i.content_version)
      from public.interactions i
     where i.workspace_id = ${input.workspaceId}::uuid and i.sentiment_status <> 'done'`.execute(tx);
  const queued = Number(result.numAffectedRows ?? 0);
  await recordAudit(tx, {
    action: 'sentiment.backfill_started',
    actorId: input.actorId,
    workspaceId: input.workspaceId,
    after: { queued },
    meta: input.meta,
  });
  return { queued };
}

export type SentimentProgress = { pending: number; failed: number; openFailedJobs: number };

/** What is left to analyse in the workspace. */
export async function sentimentProgress(tx: Tx, workspaceId: string): Promise<SentimentProgress> {
  const counts = await sql<{ pending: number; failed: number; open_failed_jobs: number }>`
    select count(*) filter (where sentiment_status = 'pending')::int as pending,
           count(*) filter (where sentiment_status = 'failed')::int as failed,
           (select count(*)::int from public.failed_jobs f where f.workspace_id = ${workspaceId}::uuid and f.retried_at is null) as open_failed_jobs
      from public.interactions
     where workspace_id = ${workspaceId}::uuid and sentiment_status <> 'done'`.execute(tx);
  const row = counts.rows[0]!;
  return { pending: row.pending, failed: row.failed, openFailedJobs: row.open_failed_jobs };
}
