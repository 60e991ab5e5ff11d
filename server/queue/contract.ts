import type { DefaultJobOptions, JobsOptions } from 'bullmq';
import { z } from 'zod';
import type { Tx } from '../db';

/**
 * A queue's contract (decision 018): its name, its jobs (one zod payload schema per job name), each
 * job's key, the queue's default options, its schedulers, what "asked but never finished" means for
 * it and what a job's last failed attempt leaves on its domain row. One module per queue declares
 * one; `registry.ts` lists them; `requestJob` (request.ts) is the one way to ask for a job, the relay
 * (outbox.ts) moves requests to BullMQ, and the worker (worker/processors/) runs one handler per job
 * name. Nothing else spells a queue name, a job name or a key.
 */

/** One kind of job. */
export type JobSpec<Payload extends z.ZodType = z.ZodType> = {
  payload: Payload;
  /** The request's key: the outbox `job_key`, the `failed_jobs` key and the BullMQ job id (or deduplication id). */
  key: (data: z.output<Payload>) => string;
  /** BullMQ options for one job, given its key. Default: `{ jobId: key }` (a request relayed twice is one job). */
  options?: (key: string) => JobsOptions;
  /** In the dead-letter transaction (owner connection): what the job's domain row shows after its last failed attempt. */
  onDeadLetter?: (tx: Tx, data: z.output<Payload>, error: string) => Promise<void>;
  /** In the retry transaction, as the admin who retries (RLS applies): what the domain row needs to run again. */
  onRetry?: (tx: Tx, data: z.output<Payload>) => Promise<void>;
};

/** A request for one job, as the outbox stores it. */
export type JobRequest = { queue: string; name: string; key: string; payload: unknown; workspaceId: string | null };

/** Work that was asked for but never finished (a job lost with Redis data, a worker killed twice). */
export type UnfinishedWork = {
  /** For the reader: what counts as unfinished for this queue. */
  description: string;
  /** A request is asked again only when no request with its key was written within this many minutes. */
  afterMinutes: number;
  /** The requests to ask again (owner connection), at most `limit`. */
  find: (tx: Tx, limit: number) => Promise<JobRequest[]>;
};

/** A job that a scheduler starts on its pattern; `data` is its payload. */
export type Scheduler<Schemas extends Record<string, z.ZodType>> = {
  [Name in keyof Schemas & string]: { id: string; /** A cron pattern, UTC. */ pattern: string; job: Name; data: z.input<Schemas[Name]> };
}[keyof Schemas & string];

export type QueueDefinition<Name extends string, Schemas extends Record<string, z.ZodType>> = {
  name: Name;
  jobs: { [J in keyof Schemas]: JobSpec<Schemas[J]> };
  defaultJobOptions: DefaultJobOptions;
  schedulers?: Array<Scheduler<Schemas>>;
  unfinished?: UnfinishedWork;
};

export type QueueContract<
  Name extends string = string,
  Schemas extends Record<string, z.ZodType> = Record<string, z.ZodType>,
> = QueueDefinition<Name, Schemas> & {
  /**
   * A request for job `name` with `data`, validated against its schema (a wrong payload is a
   * programming error: it throws). `again`: a fresh key (`<key>-<again>`) for running a job again
   * whose key BullMQ still holds (a backfill, a retry of a dead letter).
   */
  job<J extends keyof Schemas & string>(name: J, data: z.input<Schemas[J]>, options?: { again?: string }): JobRequest;
};

/** The payload of job `J` of contract `C`, as the processor receives it. */
export type JobData<C, J extends string> = C extends QueueContract<string, infer Schemas> ? z.output<Schemas[J]> : never;

/** The job names of contract `C`. */
export type JobName<C> = C extends QueueContract<string, infer Schemas> ? keyof Schemas & string : never;

export function defineQueue<const Name extends string, const Schemas extends Record<string, z.ZodType>>(
  definition: QueueDefinition<Name, Schemas>,
): QueueContract<Name, Schemas> {
  return {
    ...definition,
    job(name, data, options = {}) {
      const spec = definition.jobs[name] as JobSpec;
      const payload = spec.payload.parse(data);
      const key = options.again ? `${spec.key(payload)}-${options.again}` : spec.key(payload);
      return { queue: definition.name, name, key, payload, workspaceId: workspaceOf(payload) };
    },
  };
}

const workspaceIdSchema = z.uuid();

/** The workspace a payload belongs to (`workspaceId`), or null for a job of the whole system. */
export function workspaceOf(payload: unknown): string | null {
  if (typeof payload !== 'object' || payload === null || !('workspaceId' in payload)) return null;
  const parsed = workspaceIdSchema.safeParse(payload.workspaceId);
  return parsed.success ? parsed.data : null;
}

/** The BullMQ options of one job: the spec's own, or its key as the job id. */
export function jobOptions(spec: JobSpec, key: string): JobsOptions {
  return spec.options ? spec.options(key) : { jobId: key };
}
