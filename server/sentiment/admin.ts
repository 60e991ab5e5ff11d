import { sql } from 'kysely';
import type { Tx } from '../db';
import { recordAudit, type RequestMeta } from '../identity/audit';
import { requestJob } from '../queue/request';
import { sentimentQueue } from '../queue/sentiment';

/**
 * What admins do with the pipeline (settings page): analyse every pending or failed interaction
 * again (backfill) and watch the workspace's progress, as the user under RLS. Its dead-lettered jobs
 * are retried on Settings → Background jobs (server/queue/admin.ts), like every queue's.
 */

/**
 * Asks for the analysis of every interaction of the workspace that is pending or failed. Jobs
 * already waiting for the same version run once in effect (the processor skips a version already
 * analysed).
 */
export async function startSentimentBackfill(
  tx: Tx,
  input: { workspaceId: string; actorId: string; meta: RequestMeta },
): Promise<{ queued: number }> {
  const waiting = await tx
    .selectFrom('interactions')
    .select(['id', 'content_version'])
    .where('workspace_id', '=', input.workspaceId)
    .where('sentiment_status', '<>', 'done')
    .execute();
  // A fresh key per backfill: a failed job of the same version is still in Redis under the plain one.
  const again = `b${Date.now().toString(36)}`;
  const queued = await requestJob(
    tx,
    waiting.map((row) =>
      sentimentQueue.job('analyse', { workspaceId: input.workspaceId, interactionId: row.id, version: row.content_version }, { again }),
    ),
  );
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

/** What is left to analyse in the workspace, and the sentiment jobs waiting on Background jobs for a retry. */
export async function sentimentProgress(tx: Tx, workspaceId: string): Promise<SentimentProgress> {
  const counts = await sql<{ pending: number; failed: number; open_failed_jobs: number }>`
    select count(*) filter (where sentiment_status = 'pending')::int as pending,
           count(*) filter (where sentiment_status = 'failed')::int as failed,
           (select count(*)::int from public.failed_jobs f
             where f.workspace_id = ${workspaceId}::uuid and f.queue = 'sentiment' and f.retried_at is null) as open_failed_jobs
      from public.interactions
     where workspace_id = ${workspaceId}::uuid and sentiment_status <> 'done'`.execute(tx);
  const row = counts.rows[0]!;
  return { pending: row.pending, failed: row.failed, openFailedJobs: row.open_failed_jobs };
}
