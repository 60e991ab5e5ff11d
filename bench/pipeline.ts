import { randomUUID } from 'node:crypto';
import type { Tx } from '../server/db';
import { recomputeHealth } from '../server/health/engine';
import type { AppServices } from '../server/services';
import { spawnBenchWorker, stopBenchWorker, waitForWorker } from './services';

/**
 * End-to-end latency through a real worker process (its own queue prefix): saves one interaction at
 * a time for each client and waits until `latencyOf` (read with Postgres clocks, from the
 * interaction's `created_at`) reports what the pipeline did with it — a new score, an alert.
 * The interactions it saved are deleted afterwards (and any an interrupted earlier run left), and
 * their clients rescored: repeated runs measure the same clients, and a client already buried in
 * identical complaints would not move any more.
 */
export async function measureFromInteraction(input: {
  databaseUrl: string;
  redisUrl: string;
  services: AppServices;
  workspaceId: string;
  clientIds: string[];
  body: string;
  what: string;
  latencyOf: (tx: Tx, interactionId: string) => Promise<number | null>;
}): Promise<number[]> {
  const worker = spawnBenchWorker(input, { queuePrefix: `bench-${randomUUID().slice(0, 8)}` });
  const { services } = input;
  const cleanUp = async () => {
    await services.db.asService((tx) =>
      tx
        .deleteFrom('interactions')
        .where('workspace_id', '=', input.workspaceId)
        .where('client_id', 'in', input.clientIds)
        .where('body', '=', input.body)
        .execute(),
    );
    for (const clientId of input.clientIds)
      await recomputeHealth(services.db, { workspaceId: input.workspaceId, clientId, trigger: 'event' });
  };
  await cleanUp();
  try {
    await waitForWorker(services, 2_000);
    const latencies: number[] = [];
    for (const clientId of input.clientIds) {
      const saved = await services.db.asService((tx) =>
        tx
          .insertInto('interactions')
          .values({
            workspace_id: input.workspaceId,
            client_id: clientId,
            type: 'email',
            direction: 'inbound',
            occurred_at: new Date(),
            body: input.body,
          })
          .returning('id')
          .executeTakeFirstOrThrow(),
      );
      const until = Date.now() + 30_000;
      for (;;) {
        const ms = await services.db.asService((tx) => input.latencyOf(tx, saved.id));
        if (ms !== null) {
          latencies.push(ms);
          break;
        }
        if (Date.now() > until) throw new Error(`no ${input.what} for client ${clientId} within 30 s`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    }
    return latencies;
  } finally {
    await stopBenchWorker(worker);
    await cleanUp();
  }
}
