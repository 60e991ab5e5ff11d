import type { Job } from 'bullmq';
import type { Logger } from '../server/log';

export type JobProcessor<Data, Result> = (job: Job<Data>, log: Logger) => Promise<Result>;

/**
 * Gives each job a child logger carrying its queue, job id, name and attempt, so every line a
 * processor writes can be traced to the job; logs start, end and duration.
 */
export function withJobLog<Data, Result>(log: Logger, queue: string, processor: JobProcessor<Data, Result>) {
  return async (job: Job<Data>): Promise<Result> => {
    const jobLog = log.child({ queue, jobId: job.id, jobName: job.name, attempt: job.attemptsMade + 1 });
    const started = performance.now();
    jobLog.debug('job started');
    try {
      const result = await processor(job, jobLog);
      jobLog.info({ durationMs: Math.round(performance.now() - started) }, 'job done');
      return result;
    } catch (error) {
      jobLog.warn({ err: error, durationMs: Math.round(performance.now() - started) }, 'job failed');
      throw error;
    }
  };
}
