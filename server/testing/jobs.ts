import { randomUUID } from 'node:crypto';
import type { Job } from 'bullmq';
import { jobRunner, type Handlers } from '../../worker/run-job';
import type { Database } from '../db';
import type { JobData, JobName, QueueContract } from '../queue/contract';
import { testLog } from './factories';

/**
 * Runs one job through the worker's own runner (payload parsed by the contract, its handler, the
 * dead-letter step on its last attempt), without Redis: for tests that need a job's effect now.
 * `attempts`: how many the job has (default 1, so a failure is its last attempt).
 */
export async function runJobNow<C extends QueueContract, J extends JobName<C>>(
  db: Database,
  contract: C,
  handlers: Handlers<C>,
  name: J,
  data: JobData<C, J>,
  options: { attempts?: number; attemptsMade?: number } = {},
): Promise<unknown> {
  const job = {
    id: `test-${randomUUID()}`,
    name,
    data,
    opts: { attempts: options.attempts ?? 1 },
    attemptsMade: options.attemptsMade ?? 0,
    updateData: async () => undefined,
  };
  return jobRunner({ db, log: testLog }, contract, handlers)(job as unknown as Job);
}
