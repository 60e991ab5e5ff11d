import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { readExamples } from '../eval/sentiment/run';
import { ROOT_DIR } from '../server/local/stack';
import { closeAppServices } from '../server/services';
import { analyseLocally } from '../server/sentiment/local';
import { createClients, createOwner, workspaceIdOf } from '../server/testing/factories';
import type { Benchmark } from './registry';
import { benchServices, spawnBenchWorker, stopBenchWorker, waitForWorker } from './services';
import { percentile } from './stats';

const THROUGHPUT_MESSAGES = 20_000;
const BURST = 1_000;
const SAVERS = 20;

/**
 * The local provider's throughput (messages/s, in-process, over the evaluation set's messages) and
 * the pipeline end to end: a burst of 1,000 interactions saved by 20 concurrent writers, each in its
 * own transaction, with a real worker process running; latency from the save's commit to the
 * sentiment being stored (both Postgres clocks).
 */
export const sentimentBenchmark: Benchmark = {
  description:
    `local sentiment throughput (${THROUGHPUT_MESSAGES.toLocaleString('en-US')} messages) ` +
    `and save → sentiment stored latency under a burst of ${BURST.toLocaleString('en-US')} interactions (ms)`,
  async run(context) {
    const messages = readExamples(`${ROOT_DIR}/eval/sentiment/messages.jsonl`).map((example) => example.text);
    const started = performance.now();
    for (let index = 0; index < THROUGHPUT_MESSAGES; index += 1)
      analyseLocally({ type: 'email', direction: 'inbound', subject: null, body: messages[index % messages.length]! });
    const throughput = THROUGHPUT_MESSAGES / ((performance.now() - started) / 1000);

    const prefix = `bench-${randomUUID().slice(0, 8)}`;
    const services = benchServices(context, { QUEUE_PREFIX: prefix });
    const worker = spawnBenchWorker(context, { queuePrefix: prefix, profileDir: process.env.BENCH_WORKER_PROFILE });
    let createdWorkspace: string | undefined;
    try {
      const owner = await createOwner(services, 'bench-sentiment');
      const workspaceId = await workspaceIdOf(services.db, owner);
      createdWorkspace = workspaceId;
      const clients = await createClients(
        services.db,
        Array.from({ length: 50 }, (_, index) => ({ workspace_id: workspaceId, name: `Burst client ${index}` })),
      );
      // Wait for the worker to be up (its heartbeat) before the burst.
      await waitForWorker(services, 1_000);

      let next = 0;
      await Promise.all(
        Array.from({ length: SAVERS }, async () => {
          while (next < BURST) {
            const index = next++;
            await services.db.asService((tx) =>
              tx
                .insertInto('interactions')
                .values({
                  workspace_id: workspaceId,
                  client_id: clients[index % clients.length]!.id,
                  type: 'email',
                  direction: 'inbound',
                  occurred_at: new Date(),
                  body: messages[index % messages.length]!,
                })
                .execute(),
            );
          }
        }),
      );
      const waitUntil = Date.now() + 120_000;
      let pending = BURST;
      while (pending > 0 && Date.now() < waitUntil) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        const row = await services.db.asService((tx) =>
          tx
            .selectFrom('interactions')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .where('workspace_id', '=', workspaceId)
            .where('sentiment_status', '<>', 'done')
            .executeTakeFirstOrThrow(),
        );
        pending = Number(row.n);
      }
      const latencies = await services.db.asService((tx) =>
        sql<{
          ms: number;
        }>`
          select extract(epoch from (sentiment_analysed_at - created_at)) * 1000 as ms
            from public.interactions
           where workspace_id = ${workspaceId}::uuid and sentiment_status = 'done'`.execute(tx),
      );
      const samples = latencies.rows.map((row) => Number(row.ms));
      const spans = await services.db.asService((tx) =>
        sql<{
          saves_ms: number;
          analyses_ms: number;
          first_wait_ms: number;
        }>`select extract(epoch from max(created_at) - min(created_at)) * 1000 as saves_ms,
                  extract(epoch from max(sentiment_analysed_at) - min(sentiment_analysed_at)) * 1000 as analyses_ms,
                  extract(epoch from min(sentiment_analysed_at) - min(created_at)) * 1000 as first_wait_ms
             from public.interactions where workspace_id = ${workspaceId}::uuid`.execute(tx),
      );
      const span = spans.rows[0]!;
      return {
        local_messages_per_s: Math.round(throughput),
        burst_interactions: BURST,
        burst_analysed: samples.length,
        save_to_sentiment_p50_ms: percentile(samples, 50),
        save_to_sentiment_p95_ms: percentile(samples, 95),
        save_to_sentiment_max_ms: percentile(samples, 100),
        burst_saving_ms: Math.round(Number(span.saves_ms)),
        burst_analysing_ms: Math.round(Number(span.analyses_ms)),
        first_result_after_ms: Math.round(Number(span.first_wait_ms)),
      };
    } finally {
      // The worker first: its recomputes and alert evaluations of the burst must not race the deletion.
      await stopBenchWorker(worker);
      const burst = createdWorkspace;
      if (burst) await services.db.asService((tx) => tx.deleteFrom('workspaces').where('id', '=', burst).execute());
      await closeAppServices(services);
    }
  },
};
