import { sql } from 'kysely';
import type { Database, Tx } from '../db';
import type { SentimentInput, SentimentResult } from './types';

/**
 * The worker's side of the pipeline, on the service connection: what a job reads, how its result is
 * stored (once per content version), what its last failed attempt leaves, and what the sweep asks for again.
 */

/** One interaction at one version: what a sentiment job is about. */
export type InteractionVersion = { interactionId: string; version: number };

export type InteractionToAnalyse = SentimentInput & { id: string; clientId: string; workspaceId: string };

/** The interaction at the job's version, or null when there is nothing to do (deleted, edited since, already analysed). */
export async function loadInteractionToAnalyse(db: Database, job: InteractionVersion): Promise<InteractionToAnalyse | null> {
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
 * Stores a result if the interaction is still at the job's version and not yet analysed. Its
 * trigger (`interactions_request_health_after_analysis`) asks for the client's health recompute in
 * the same statement. Re-running the job for the same version changes nothing and asks for
 * nothing: returns false.
 */
export async function storeSentiment(
  db: Database,
  job: InteractionVersion,
  result: SentimentResult,
  meta: { analysedBy: string; note?: string | null },
): Promise<boolean> {
  // Owner connection: the worker stores what the provider found; users never write sentiment.
  const stored = await db.asService((tx) =>
    tx
      .updateTable('interactions')
      .set({
        sentiment_status: 'done',
        sentiment_label: result.label,
        sentiment_score: result.score,
        sentiment_confidence: result.confidence,
        sentiment_signals: result.signals,
        sentiment_summary: result.summary,
        sentiment_analysed_by: meta.analysedBy,
        sentiment_note: meta.note ?? null,
        sentiment_analysed_at: sql<Date>`now()`,
      })
      .where('id', '=', job.interactionId)
      .where('content_version', '=', job.version)
      .where('sentiment_status', '<>', 'done')
      .executeTakeFirst(),
  );
  return Number(stored.numUpdatedRows) > 0;
}

/** After the last attempt (in the dead-letter transaction): the interaction's version reads as failed, with the reason. */
export async function markSentimentFailed(tx: Tx, job: InteractionVersion, error: string): Promise<void> {
  await tx
    .updateTable('interactions')
    .set({ sentiment_status: 'failed', sentiment_note: error.slice(0, 500) })
    .where('id', '=', job.interactionId)
    .where('content_version', '=', job.version)
    .where('sentiment_status', '<>', 'done')
    .execute();
}

/**
 * What the sweep asks for again: interactions still pending `olderThanMinutes` after their last
 * change (a job lost with Redis data: a restart without persistence, a failover). Oldest first, bounded.
 */
export async function stalePendingInteractions(
  tx: Tx,
  options: { olderThanMinutes: number; limit: number },
): Promise<Array<{ workspaceId: string; interactionId: string; version: number }>> {
  return tx
    .selectFrom('interactions')
    .select(['workspace_id as workspaceId', 'id as interactionId', 'content_version as version'])
    .where('sentiment_status', '=', 'pending')
    .where('updated_at', '<', sql<Date>`now() - make_interval(mins => ${options.olderThanMinutes})`)
    .orderBy('updated_at')
    .limit(options.limit)
    .execute();
}
