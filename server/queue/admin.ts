import { sql } from 'kysely';
import type { Tx } from '../db';
import { AppError } from '../errors';
import { recordAudit, type RequestMeta } from '../identity/audit';
import type { QueueContract } from './contract';
import { QUEUES, queueContract } from './registry';
import { requestJob } from './request';
import type { QueueCounts } from './stats';

/**
 * Settings → Background jobs (admins, under RLS): every queue's counts, the workspace's
 * dead-lettered jobs with what they were about, and retrying one or all of them through the outbox.
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
  importId: string | null;
  clientId: string | null;
  clientName: string | null;
};

export const FAILED_JOBS_PAGE = 50;

/** The workspace's open dead letters, newest first (optionally one queue's). */
export async function listFailedJobs(tx: Tx, workspaceId: string, options: { queue?: string } = {}): Promise<FailedJobRow[]> {
  let query = tx
    .selectFrom('failed_jobs as f')
    .leftJoin('interactions as i', (join) => join.on(sql<boolean>`f.queue = 'sentiment' and i.id = (f.payload->>'interactionId')::uuid`))
    .leftJoin('imports as m', (join) => join.on(sql<boolean>`f.queue = 'imports' and m.id = (f.payload->>'importId')::uuid`))
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
      'm.id as importId',
      'c.id as clientId',
      'c.name as clientName',
    ])
    .where('f.workspace_id', '=', workspaceId)
    .where('f.retried_at', 'is', null);
  if (options.queue) query = query.where('f.queue', '=', options.queue);
  return query.orderBy('f.failed_at', 'desc').orderBy('f.id', 'desc').limit(FAILED_JOBS_PAGE).execute();
}

export type QueueOverview = QueueCounts & { deadLettered: number; description: string };

/** Each queue's counts in Redis (all workspaces) beside the workspace's own dead letters. */
export async function queueOverview(tx: Tx, workspaceId: string, counts: QueueCounts[]): Promise<QueueOverview[]> {
  const dead = await tx
    .selectFrom('failed_jobs')
    .select(['queue', (eb) => eb.fn.countAll<number>().as('n')])
    .where('workspace_id', '=', workspaceId)
    .where('retried_at', 'is', null)
    .groupBy('queue')
    .execute();
  const deadBy = new Map(dead.map((row) => [row.queue, Number(row.n)]));
  return counts.map((count) => ({
    ...count,
    deadLettered: deadBy.get(count.queue) ?? 0,
    description: QUEUE_DESCRIPTIONS[count.queue] ?? '',
  }));
}

const QUEUE_DESCRIPTIONS: Record<string, string> = {
  sentiment: 'Analyses what each interaction says.',
  health: 'Recomputes health scores and runs backtests.',
  alerts: 'Sends alert emails and Slack messages.',
  imports: 'Imports CSV files.',
  maintenance: 'Purges finished jobs and old requests every night.',
};

type RetryInput = { workspaceId: string; actorId: string; meta: RequestMeta };

/** Sends one dead-lettered job back to its queue (through the outbox, under a fresh key) and closes its entry. */
export async function retryFailedJob(tx: Tx, input: RetryInput & { failedJobId: string }): Promise<void> {
  const [retried] = await retryWhere(tx, input, { failedJobId: input.failedJobId });
  if (!retried) throw new AppError('NOT_FOUND', 'That failed job does not exist or was retried already.');
}

/** Sends every open dead letter of the workspace (or of one queue) back, up to a page at a time. */
export async function retryAllFailedJobs(tx: Tx, input: RetryInput & { queue?: string }): Promise<{ retried: number }> {
  const retried = await retryWhere(tx, input, { queue: input.queue });
  return { retried: retried.length };
}

async function retryWhere(tx: Tx, input: RetryInput, which: { failedJobId?: string; queue?: string }): Promise<string[]> {
  let query = tx
    .updateTable('failed_jobs')
    .set({ retried_at: sql<Date>`now()`, retried_by: input.actorId })
    .where('workspace_id', '=', input.workspaceId)
    .where('retried_at', 'is', null);
  if (which.failedJobId) query = query.where('id', '=', which.failedJobId);
  else {
    // Oldest first, a page at a time.
    let page = tx
      .selectFrom('failed_jobs')
      .select('id')
      .where('workspace_id', '=', input.workspaceId)
      .where('retried_at', 'is', null)
      .orderBy('failed_at')
      .limit(RETRY_ALL_LIMIT);
    if (which.queue) page = page.where('queue', '=', which.queue);
    query = query.where('id', 'in', page);
  }
  const jobs = await query.returning(['id', 'queue', 'job_name', 'job_key', 'payload']).execute();
  for (const job of jobs) {
    const contract = queueContract(job.queue);
    const spec = contract?.jobs[job.job_name];
    const parsed = spec?.payload.safeParse(job.payload);
    if (!contract || !spec || !parsed?.success) {
      throw new AppError('BAD_REQUEST', `The failed ${job.queue}/${job.job_name} job cannot run again: no queue accepts it any more.`);
    }
    await spec.onRetry?.(tx, parsed.data);
    await requestJob(tx, contract.job(job.job_name, parsed.data as never, { again: `retry-${job.id}` }));
    await recordAudit(tx, {
      action: 'job.retried',
      actorId: input.actorId,
      workspaceId: input.workspaceId,
      target: { type: 'failed_job', id: job.id },
      after: { queue: job.queue, jobKey: job.job_key },
      meta: input.meta,
    });
  }
  return jobs.map((job) => job.id);
}

/** One "retry all" is bounded: a workspace with thousands of dead letters retries them a page at a time. */
export const RETRY_ALL_LIMIT = 500;

/** The queues' names, for input validation and the page's filters. */
export const QUEUE_NAMES = (QUEUES as readonly QueueContract[]).map((contract) => contract.name);
