import { sql } from 'kysely';
import type { Tx } from '../db';
import { AppError } from '../errors';
import type { InteractionFields } from './schemas';

export const TIMELINE_PAGE_SIZE = 25;

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
};

/** Logs an interaction on a client of the workspace; its sentiment starts as pending. */
export async function logInteraction(
  tx: Tx,
  input: { workspaceId: string; clientId: string; authorId: string; fields: InteractionFields },
): Promise<{ id: string }> {
  const client = await tx.selectFrom('clients').select('id').where('id', '=', input.clientId).where('workspace_id', '=', input.workspaceId).executeTakeFirst();
  if (!client) throw new AppError('NOT_FOUND', 'That client does not exist in this workspace.');
  if (input.fields.contactId) {
    const contact = await tx.selectFrom('contacts').select('id').where('id', '=', input.fields.contactId).where('client_id', '=', input.clientId).executeTakeFirst();
    if (!contact) throw AppError.field('contactId', 'Choose one of this client’s contacts.');
  }
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
  input: { workspaceId: string; clientId: string; type?: string; cursor?: string; limit?: number },
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
    ])
    .where('i.client_id', '=', input.clientId)
    .where('i.workspace_id', '=', input.workspaceId);
  if (input.type) query = query.where('i.type', '=', input.type as InteractionFields['type']);
  if (input.cursor) {
    const [occurredAt, id] = Buffer.from(input.cursor, 'base64url').toString('utf8').split('|');
    if (!occurredAt || !id || Number.isNaN(Date.parse(occurredAt))) throw new AppError('BAD_REQUEST', 'Not a page of this timeline.');
    query = query.where(sql<boolean>`(i.occurred_at, i.id) < (${occurredAt}::timestamptz, ${id}::uuid)`);
  }
  const rows = await query.orderBy('i.occurred_at', 'desc').orderBy('i.id', 'desc').limit(limit + 1).execute();
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    interactions: page,
    nextCursor: rows.length > limit && last ? Buffer.from(`${last.occurredAt.toISOString()}|${last.id}`).toString('base64url') : null,
  };
}
