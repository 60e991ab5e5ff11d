import type { Redis } from 'ioredis';
import type { Database } from '../db';
import type { Logger } from '../log';
import type { QueueContract } from './contract';
import { QUEUES } from './registry';
import { requestJob } from './request';

/**
 * The one safety net (decision 018). The outbox is the durable record of what was asked; the relay
 * polls it, so a request never relayed is relayed later. What can still be lost is a job after the
 * relay (Redis data gone, a worker killed mid-job too often): every few minutes the sweep asks each
 * queue's contract what was asked for but never finished, and asks for it again — unless a request
 * with the same key was written within the contract's `afterMinutes` (slow is not lost).
 */

/** Requests per queue and sweep, so a sweep after a long outage is a few bounded statements. */
const SWEEP_LIMIT = 5_000;

export async function sweepUnfinished(db: Database, limit = SWEEP_LIMIT): Promise<Record<string, number>> {
  const asked: Record<string, number> = {};
  for (const contract of QUEUES as readonly QueueContract[]) {
    const unfinished = contract.unfinished;
    if (!unfinished) continue;
    // Owner connection: the sweep looks at every workspace.
    asked[contract.name] = await db.asService(async (tx) =>
      requestJob(tx, await unfinished.find(tx, limit), { unlessAskedWithinMinutes: unfinished.afterMinutes }),
    );
  }
  return asked;
}

/**
 * Runs the sweep every `intervalMs`, on one worker of however many run: each tries every few seconds
 * to take the turn (a Redis key that lives `intervalMs`, set only if absent), and whoever takes it
 * sweeps. So the sweep fires once a period, not once per worker.
 */
export function startSweeper(options: { db: Database; redis: Redis; prefix: string; intervalMs: number; log: Logger }): {
  stop(): Promise<void>;
} {
  const key = `${options.prefix}:clientpulse:sweep-turn`;
  let running: Promise<void> | null = null;
  const tick = async () => {
    // The turn and Redis's own clock in one transaction: `turnAt` is when the turn was taken.
    const reply = await options.redis
      .multi()
      .set(key, String(process.pid), 'PX', options.intervalMs, 'NX')
      .time()
      .exec()
      .catch(() => null);
    if (reply?.[0]?.[1] !== 'OK') return;
    const [seconds, micros] = reply[1]![1] as [string, string];
    const turnAt = Number(seconds) * 1_000 + Math.floor(Number(micros) / 1_000);
    try {
      const asked = await sweepUnfinished(options.db);
      options.log.info({ asked, turnAt }, 'swept for unfinished work');
    } catch (error) {
      options.log.warn({ err: error }, 'sweep failed; the next turn tries again');
    }
  };
  const timer = setInterval(
    () => {
      running ??= tick().finally(() => (running = null));
    },
    Math.min(5_000, options.intervalMs),
  );
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
