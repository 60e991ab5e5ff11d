import { sql } from 'kysely';
import type { Database } from '../db';
import type { SentimentJobData } from '../queue/sentiment';
import type { SentimentInput, SentimentResult } from './types';

/**
 * The worker's side of the pipeline, on the service connection: what a job reads, how its result is
 * stored (once per content version) and how a job that exhausted its attempts is recorded.
 */

export type InteractionToAnalyse = SentimentInput & { id: string; clientId: string; workspaceId: string };

/** The interaction at the job's version, or null when there is nothing to do (deleted, edited since, already analysed). */
export async function loadInteractionToAnalyse(db: Database, job: SentimentJobData): Promise<InteractionToAnalyse | null> {
  const row = await db.readAsService((kysely) =>
    kysely
      .selectFrom('interactions')
      .select(['id', 'client_id', 'workspace_id', 'type', 'direction', 'subject', 'body', 'content_version', 'sentiment_status'])
      .where('id', '=', job.interactionId)
      .executeTakeFirst(),
  );
  if (!row || row.content_version !== job.version || row.sentiment_status === 'done') return null;
  return {
    id: row.id,
    clientId: row.client_id,
    workspaceId: row.workspace_id,
    type: row.type,
    direction: row.direction,
    subject: row.subject,
    body: row.body,
  };
}

/**
 * Stores a result if the interaction is still at the job's version and not yet analysed, and in the
 * same transaction asks for the client's health recompute (an outbox row). Re-running the job for
 * the same version changes nothing and asks for nothing: returns false.
 */
export async function storeSentiment(
  db: Database,
  job: SentimentJobData,
  result: SentimentResult,
  meta: { analysedBy: string; note?: string | null },
): Promise<boolean> {
  // One statement (one round trip, its own transaction): the result and the request it causes.
  const stored = await db.readAsService((kysely) =>
    sql<{ id: string }>`
      with analysed as (
        update public.interactions
           set sentiment_status = 'done', sentiment_label = ${result.label}::public.sentiment_label, sentiment_score = ${result.score},
               sentiment_confidence = ${result.confidence}, sentiment_signals = ${result.signals}::text[], sentiment_summary = ${result.summary},
               sentiment_analysed_by = ${meta.analysedBy}, sentiment_note = ${meta.note ?? null}, sentiment_analysed_at = now()
         where id = ${job.interactionId}::uuid and content_version = ${job.version} and sentiment_status <> 'done'
        returning workspace_id, client_id
      )
      insert into public.outbox (workspace_id, topic, job_key, payload)
      select workspace_id, 'health', 'health-' || client_id,
             jsonb_build_object('workspaceId', workspace_id, 'clientId', client_id, 'cause', jsonb_build_object('kind', 'sentiment', 'id', ${`${job.interactionId}:v${job.version}`}::text))
        from analysed
      returning id`.execute(kysely),
  );
  return stored.rows.length > 0;
}

/** After the last attempt: the interaction reads as failed and the job goes to the dead-letter table. */
export async function recordSentimentFailure(
  db: Database,
  job: { id: string; name: string; queue: string; data: SentimentJobData; attempts: number },
  error: string,
): Promise<void> {
  const message = error.slice(0, 2_000);
  await db.asService(async (tx) => {
    await tx
      .updateTable('interactions')
      .set({ sentiment_status: 'failed', sentiment_note: message.slice(0, 500) })
      .where('id', '=', job.data.interactionId)
      .where('content_version', '=', job.data.version)
      .where('sentiment_status', '<>', 'done')
      .execute();
    await tx
      .insertInto('failed_jobs')
      .values({
        workspace_id: job.data.workspaceId,
        queue: job.queue,
        job_name: job.name,
        job_key: job.id,
        payload: JSON.stringify(job.data),
        error: message,
        attempts: job.attempts,
      })
      .onConflict((conflict) =>
        conflict
          .column('job_key')
          .where('retried_at', 'is', null)
          .doUpdateSet({ error: message, attempts: job.attempts, failed_at: sql<Date>`now()` }),
      )
      .execute();
  });
}

/**
 * Daily safety net: interactions still pending an hour after their last change ask for their job
 * again (same key, so a job still waiting in Redis is not doubled). Covers jobs lost with Redis data
 * (a restart without persistence, a failover). Bounded per run.
 */
export async function requeueStalePendingSentiment(db: Database, limit = 10_000): Promise<number> {
  const result = await db.asService((tx) =>
    sql`
      insert into public.outbox (workspace_id, topic, job_key, payload)
      select i.workspace_id, 'sentiment', 'sentiment-' || i.id || '-v' || i.content_version,
             jsonb_build_object('workspaceId', i.workspace_id, 'interactionId', i.id, 'version', i.content_version)
        from public.interactions i
       where i.sentiment_status = 'pending' and i.updated_at < now() - interval '1 hour'
       limit ${limit}`.execute(tx),
  );
  return Number(result.numAffectedRows ?? 0);
}
