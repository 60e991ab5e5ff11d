import type { Redis } from 'ioredis';
import { z } from 'zod';

/** Redis key the worker refreshes while it runs; the web's readiness check reads it. */
export const WORKER_HEARTBEAT_KEY = 'clientpulse:worker:heartbeat';
export const HEARTBEAT_INTERVAL_MS = 10_000;
/** A heartbeat older than three missed beats means the worker is gone. */
const HEARTBEAT_TTL_MS = HEARTBEAT_INTERVAL_MS * 3;

const heartbeatSchema = z.object({
  pid: z.number().int(),
  startedAt: z.iso.datetime(),
  beatAt: z.iso.datetime(),
  queues: z.array(z.string()),
});
export type WorkerHeartbeat = z.infer<typeof heartbeatSchema>;

export async function writeHeartbeat(redis: Redis, beat: WorkerHeartbeat): Promise<void> {
  await redis.set(WORKER_HEARTBEAT_KEY, JSON.stringify(beat), 'PX', HEARTBEAT_TTL_MS);
}

export async function clearHeartbeat(redis: Redis): Promise<void> {
  await redis.del(WORKER_HEARTBEAT_KEY);
}

/** The live worker's last heartbeat, or null when no worker has beaten recently. */
export async function readHeartbeat(redis: Redis): Promise<WorkerHeartbeat | null> {
  const raw = await redis.get(WORKER_HEARTBEAT_KEY);
  if (raw === null) return null;
  const parsed = heartbeatSchema.safeParse(JSON.parse(raw));
  return parsed.success ? parsed.data : null;
}
