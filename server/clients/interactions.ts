import { sql } from 'kysely';
import type { Tx } from '../db';
import { encodeCursor } from '../db/cursor';
import { AppError } from '../errors';
import type { InteractionCursor, InteractionFields } from './schemas';

const TIMELINE_PAGE_SIZE = 25;

export type InteractionRow = {
  id: string;
  type: string;
  direction: string;
  occurredAt: Date;
  subject: string | null;
  body: string;
  contactId: string | null;
  contactName: string | null;
  authorName: string | null;
  sentimentStatus: string;
  sentimentLabel: string | null;
  sentimentScore: number | null;
  sentimentSignals: string[];
  sentimentSummary: string | null;
  sentimentConfidence: number | null;
  sentimentAnalysedBy: string | null;
  sentimentNote: string | null;
  sentimentAnalysedAt: Date | null;
};

/** The interaction form's contact, when it names one, must be one of the client's contacts. */
async function assertContactOfClient(tx: Tx, clientId: string, contactId: string | null | undefined): Promise<void> {
  if (!contactId) return;
  const contact = await tx
    .selectFrom('contacts')
    .select('id')
    .where('id', '=', contactId)
    .where('client_id', '=', clientId)
    .executeTakeFirst();
  if (!contact) throw AppError.field('contactId', 'Choose one of this client’s contacts.');
}

/** Logs an interaction on a client of the workspace; its sentiment starts as pending. */
export async function logInteraction(
  tx: Tx,
  input: { workspaceId: string; clientId: string; authorId: string; fields: InteractionFields },
): Promise<{ id: string }> {
  const client = await tx
    .selectFrom('clients')
    .select('id')
    .where('id', '=', input.clientId)
    .where('workspace_id', '=', input.workspaceId)
    .executeTakeFirst();
  if (!client) throw new AppError('NOT_FOUND', 'That client does not exist in this workspace.');
  await assertContactOfClient(tx, input.clientId, input.fields.contactId);
  return tx
    .insertInto('interactions')
    .values({
      workspace_id: input.workspaceId,
      client_id: input.clientId,
      contact_id: input.fields.contactId ?? null,
      author_id: input.authorId,
      type: input.fields.type,
      direction: input.fields.direction,
      occurred_at: input.fields.occurredAt ? new Date(input.fields.occurredAt) : sql<Date>`now()`,
      subject: input.fields.subject,
      body: input.fields.body,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
}

/** A client's interactions, newest first, keyset-paginated on (occurred_at, id), optionally of one type. */
export async function listInteractions(
  tx: Tx,
  input: { workspaceId: string; clientId: string; type?: string; cursor?: InteractionCursor; limit?: number },
): Promise<{ interactions: InteractionRow[]; nextCursor: string | null }> {
  const limit = input.limit ?? TIMELINE_PAGE_SIZE;
  let query = tx
    .selectFrom('interactions as i')
    .leftJoin('contacts as ct', 'ct.id', 'i.contact_id')
    .leftJoin('users as u', 'u.id', 'i.author_id')
    .select([
      'i.id',
      'i.type',
      'i.direction',
      'i.occurred_at as occurredAt',
      'i.subject',
      'i.body',
      'i.contact_id as contactId',
      'ct.name as contactName',
      'u.name as authorName',
      'i.sentiment_status as sentimentStatus',
      'i.sentiment_label as sentimentLabel',
      'i.sentiment_score as sentimentScore',
      'i.sentiment_signals as sentimentSignals',
      'i.sentiment_summary as sentimentSummary',
      'i.sentiment_confidence as sentimentConfidence',
      'i.sentiment_analysed_by as sentimentAnalysedBy',
      'i.sentiment_note as sentimentNote',
      'i.sentiment_analysed_at as sentimentAnalysedAt',
    ])
    .where('i.client_id', '=', input.clientId)
    .where('i.workspace_id', '=', input.workspaceId);
  if (input.type) query = query.where('i.type', '=', input.type as InteractionFields['type']);
  if (input.cursor) {
    const [occurredAt, id] = input.cursor;
    query = query.where(sql<boolean>`(i.occurred_at, i.id) < (${occurredAt}::timestamptz, ${id}::uuid)`);
  }
  const rows = await query
    .orderBy('i.occurred_at', 'desc')
    .orderBy('i.id', 'desc')
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    interactions: page,
    nextCursor: rows.length > limit && last ? encodeCursor<InteractionCursor>([last.occurredAt.toISOString(), last.id]) : null,
  };
}

/** One interaction of a client, for its edit form. */
export async function getInteraction(tx: Tx, input: { workspaceId: string; clientId: string; interactionId: string }) {
  const row = await tx
    .selectFrom('interactions')
    .select([
      'id',
      'type',
      'direction',
      'occurred_at as occurredAt',
      'subject',
      'body',
      'contact_id as contactId',
      'content_version as contentVersion',
    ])
    .where('id', '=', input.interactionId)
    .where('client_id', '=', input.clientId)
    .where('workspace_id', '=', input.workspaceId)
    .executeTakeFirst();
  if (!row) throw new AppError('NOT_FOUND', 'That interaction does not exist on this client.');
  return row;
}

/**
 * Edits an interaction. A change of what was said (subject, text, type or direction) makes a new
 * content version, which the database sends for analysis again (decision 015).
 */
export async function updateInteraction(
  tx: Tx,
  input: { workspaceId: string; clientId: string; interactionId: string; fields: InteractionFields },
): Promise<{ id: string; contentVersion: number }> {
  await assertContactOfClient(tx, input.clientId, input.fields.contactId);
  const updated = await tx
    .updateTable('interactions')
    .set({
      type: input.fields.type,
      direction: input.fields.direction,
      ...(input.fields.occurredAt ? { occurred_at: new Date(input.fields.occurredAt) } : {}),
      subject: input.fields.subject,
      body: input.fields.body,
      contact_id: input.fields.contactId ?? null,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', input.interactionId)
    .where('client_id', '=', input.clientId)
    .where('workspace_id', '=', input.workspaceId)
    .returning(['id', 'content_version as contentVersion'])
    .executeTakeFirst();
  if (!updated) throw new AppError('NOT_FOUND', 'That interaction does not exist on this client.');
  return updated;
}

export type SentimentTrendPoint = {
  week: string;
  interactions: number;
  positive: number;
  neutral: number;
  negative: number;
  averageScore: number | null;
};

/** The client's analysed interactions of the last `days` days, by week (Monday), oldest first. */
export async function sentimentTrend(
  tx: Tx,
  input: { workspaceId: string; clientId: string; days: number },
): Promise<SentimentTrendPoint[]> {
  const rows = await sql<{
    week: Date;
    interactions: number;
    positive: number;
    neutral: number;
    negative: number;
    average_score: number | null;
  }>`
    select date_trunc('week', occurred_at) as week,
           count(*)::int as interactions,
           count(*) filter (where sentiment_label = 'positive')::int as positive,
           count(*) filter (where sentiment_label = 'neutral')::int as neutral,
           count(*) filter (where sentiment_label = 'negative')::int as negative,
           round(avg(sentiment_score)::numeric, 3)::float8 as average_score
      from public.interactions
     where client_id = ${input.clientId}::uuid and workspace_id = ${input.workspaceId}::uuid
       and sentiment_status = 'done' and direction <> 'internal'
       and occurred_at >= now() - make_interval(days => ${input.days})
     group by 1 order by 1`.execute(tx);
  return rows.rows.map((row) => ({
    week: row.week.toISOString().slice(0, 10),
    interactions: row.interactions,
    positive: row.positive,
    neutral: row.neutral,
    negative: row.negative,
    averageScore: row.average_score,
  }));
}
