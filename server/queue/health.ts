import { z } from 'zod';
import { markBacktestFailed, queueFailedBacktestAgain, unfinishedBacktests } from '../health/backtest';
import { defineQueue, type JobRequest } from './contract';

/**
 * The health queue (processed by worker/processors/health.ts):
 * - `recompute`: one client's score, after a signal changed (an interaction logged, moved or deleted,
 *   its sentiment stored, a client's status: the triggers, through `private.request_job`), debounced
 *   per client;
 * - `recompute-workspace`: every client of a workspace, after an admin changed its model settings;
 * - `recompute-all`: every workspace, daily;
 * - `backtest`: the backtest an admin asked for, stored with its progress and result.
 * Each recompute ends with the alert rules evaluated for what it recomputed.
 */
export const HEALTH_QUEUE = 'health';

/**
 * How long a recompute request waits for others of the same client: a burst of results for one
 * client (an import, a backfill) becomes one recompute.
 */
const HEALTH_DEBOUNCE_MS = 1_000;

const cause = z.object({ kind: z.string().max(100), id: z.string().max(200).optional() });

/**
 * A debounced recompute: while one is waiting for its key, more requests fold into it; a request that
 * arrives while one runs leaves exactly one more to run after it.
 */
const debounced = (key: string) => ({ delay: HEALTH_DEBOUNCE_MS, deduplication: { id: key, keepLastIfActive: true } });

const DAILY_HEALTH_SCHEDULER = 'daily-health';
/** 02:30 UTC: every client of every workspace, before the day's alerts are read. */
const DAILY_HEALTH_PATTERN = '30 2 * * *';

export const healthQueue = defineQueue({
  name: HEALTH_QUEUE,
  jobs: {
    recompute: {
      payload: z.object({ workspaceId: z.uuid(), clientId: z.uuid(), cause }),
      key: (data) => `health-${data.clientId}`,
      options: debounced,
    },
    'recompute-workspace': {
      payload: z.object({ workspaceId: z.uuid(), cause }),
      key: (data) => `health-workspace-${data.workspaceId}`,
      options: debounced,
    },
    'recompute-all': {
      payload: z.object({}),
      key: () => 'health-all',
    },
    backtest: {
      payload: z.object({ workspaceId: z.uuid(), backtestId: z.uuid() }),
      key: (data) => `backtest-${data.backtestId}`,
      onDeadLetter: (tx, data, error) => markBacktestFailed(tx, data.backtestId, error),
      onRetry: (tx, data) => queueFailedBacktestAgain(tx, data.backtestId),
    },
  },
  defaultJobOptions: {
    attempts: 5,
    backoff: { type: 'exponential', delay: 2_000, jitter: 0.5 },
    removeOnComplete: { age: 24 * 3600, count: 10_000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  },
  schedulers: [{ id: DAILY_HEALTH_SCHEDULER, pattern: DAILY_HEALTH_PATTERN, job: 'recompute-all', data: {} }],
  unfinished: {
    description:
      'backtests queued or running for fifteen minutes whose job is gone (recomputes need none: the daily run redoes every score)',
    afterMinutes: 15,
    find: async (tx, limit): Promise<JobRequest[]> =>
      (await unfinishedBacktests(tx, { olderThanMinutes: 15, limit })).map((data) => healthQueue.job('backtest', data)),
  },
});
