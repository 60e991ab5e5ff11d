import { UnrecoverableError, Worker, type Job, type WorkerOptions } from 'bullmq';
import type { Database } from '../server/db';
import type { Logger } from '../server/log';
import type { JobData, JobName, JobSpec, QueueContract } from '../server/queue/contract';
import { recordDeadLetter } from '../server/queue/dead-letter';

/**
 * How the worker runs a queue's jobs (decision 018): one handler per job name of the queue's
 * contract (the compiler insists on every one), the payload parsed by the job's schema first (a bad
 * payload fails at once, unretried), each job with a child logger carrying its queue, id, name and
 * attempt, and the job's last failed attempt dead-lettered before BullMQ marks it failed — so when a
 * job reads as failed its interaction, import, delivery or backtest already shows why.
 */

export type Handlers<C> = {
  [J in JobName<C>]: (data: JobData<C, J>, job: Job, log: Logger) => Promise<unknown>;
};

export type RunDeps = { db: Database; log: Logger };

/** BullMQ's signal that a job waits for a rate limit: not a failure, and no attempt spent. */
const isRateLimit = (error: unknown) => error instanceof Error && error.name === 'RateLimitError';

/** Whether this failure of `job` is its last: no attempt left, or a failure no retry can mend. */
export function isLastAttempt(job: Job, error: unknown): boolean {
  if (isRateLimit(error)) return false;
  return error instanceof UnrecoverableError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}

/** The BullMQ processor of a queue: parse, dispatch to the job's handler, log, dead-letter the last failure. */
export function jobRunner<C extends QueueContract>(deps: RunDeps, contract: C, handlers: Handlers<C>) {
  return async (job: Job): Promise<unknown> => {
    const log = deps.log.child({ queue: contract.name, jobId: job.id, jobName: job.name, attempt: job.attemptsMade + 1 });
    const started = performance.now();
    log.debug('job started');
    try {
      const spec = Object.hasOwn(contract.jobs, job.name) ? (contract.jobs[job.name] as JobSpec) : undefined;
      if (!spec) throw new UnrecoverableError(`the ${contract.name} queue has no job named "${job.name}"`);
      const parsed = spec.payload.safeParse(job.data);
      if (!parsed.success) throw new UnrecoverableError(`invalid ${contract.name}/${job.name} payload: ${parsed.error.message}`);
      const handler = handlers[job.name as keyof Handlers<C>] as (data: unknown, job: Job, log: Logger) => Promise<unknown>;
      const result = await handler(parsed.data, job, log);
      log.info({ durationMs: Math.round(performance.now() - started) }, 'job done');
      return result;
    } catch (error) {
      if (isRateLimit(error)) throw error;
      log.warn({ err: error, durationMs: Math.round(performance.now() - started) }, 'job failed');
      if (isLastAttempt(job, error)) await deadLetter(deps, contract.name, job, error, job.attemptsMade + 1);
      throw error;
    }
  };
}

async function deadLetter(deps: RunDeps, queue: string, job: Job, error: unknown, attempts: number): Promise<void> {
  const message = error instanceof Error ? error.message : String(error);
  await recordDeadLetter(deps.db, { queue, name: job.name, id: job.id, payload: job.data, attempts, error: message }).catch(
    (failure: unknown) => deps.log.error({ err: failure, queue, jobId: job.id }, 'could not dead-letter a job'),
  );
}

/**
 * A BullMQ worker for the contract's queue, with its error listener and the dead-letter step for a
 * job that stalled too often (its worker killed mid-job, twice): BullMQ fails it without running the
 * processor, so the runner above never sees that failure.
 */
export function startQueueWorker<C extends QueueContract>(
  deps: RunDeps,
  contract: C,
  handlers: Handlers<C>,
  options: WorkerOptions,
): Worker {
  const worker = new Worker(contract.name, jobRunner(deps, contract, handlers), options);
  worker.on('error', (error) => deps.log.error({ err: error, queue: contract.name }, 'worker error'));
  worker.on('failed', (job, error) => {
    if (job && /stalled/i.test(error.message)) void deadLetter(deps, contract.name, job, error, job.attemptsMade);
  });
  return worker;
}
