import { sql } from 'kysely';
import { recomputeHealth, refreshEngagementNorm } from '../server/health/engine';
import { closeAppServices } from '../server/services';
import type { Benchmark } from './registry';
import { measureFromInteraction } from './pipeline';
import { benchServices } from './services';
import { ensureScaleWorkspace, LARGE_WORKSPACE } from './scale-data';
import { percentile } from './stats';

const { clients: CLIENTS, interactions: INTERACTIONS } = LARGE_WORKSPACE;
const SINGLE_RUNS = 50;
const EVENTS = 40;
const NEGATIVE = 'We are cancelling at the end of the month. Third outage this week, support never answered and the team is furious.';

/**
 * On the scale data: the daily recompute of the 100,000-client workspace (set-based: the engagement
 * norm, then one statement computing, comparing, writing history and updating clients) — first from
 * no scores at all (every client written), then again (what a day usually is); the single-client
 * recompute; and event-driven latency end to end with a real worker process: a strongly negative
 * interaction saved → analysed → its client's new score stored (Postgres clocks).
 */
export const healthBenchmark: Benchmark = {
  description:
    `health recompute: daily (set-based) of ${CLIENTS.toLocaleString('en-US')} clients / ` +
    `${INTERACTIONS.toLocaleString('en-US')} interactions, and one client (ms)`,
  async run({ databaseUrl, redisUrl }) {
    const services = benchServices({ databaseUrl, redisUrl });
    try {
      const large = await ensureScaleWorkspace(services, LARGE_WORKSPACE);
      // From nothing: no current scores, no history (not timed).
      await services.db.asService(async (tx) => {
        await tx.deleteFrom('health_scores').where('workspace_id', '=', large.workspaceId).execute();
        await tx
          .updateTable('clients')
          .set({ health_score: null, risk_level: null, health_confidence: null, health_factor_scores: null, health_computed_at: null })
          .where('workspace_id', '=', large.workspaceId)
          .execute();
      });
      const runs: Array<{ ms: number; scored: number; history: number }> = [];
      for (let run = 0; run < 2; run += 1) {
        const started = performance.now();
        await refreshEngagementNorm(services.db, large.workspaceId);
        const result = await recomputeHealth(services.db, { workspaceId: large.workspaceId, trigger: 'daily' });
        runs.push({ ms: performance.now() - started, scored: result.scored, history: result.history });
      }
      const clients = await services.db.asService((tx) =>
        tx
          .selectFrom('clients')
          .select('id')
          .where('workspace_id', '=', large.workspaceId)
          .where('status', '<>', 'churned')
          .orderBy('id')
          .limit(SINGLE_RUNS)
          .execute(),
      );
      const single: number[] = [];
      for (const client of [...clients, { id: large.busiestClientId }]) {
        const started = performance.now();
        await recomputeHealth(services.db, { workspaceId: large.workspaceId, clientId: client.id, trigger: 'event' });
        single.push(performance.now() - started);
      }
      // Tomorrow's run: the day's drift (engagement ages by a day, interactions leave the 90-day window).
      const tomorrow = new Date(Date.now() + 86_400_000);
      const nextDayStarted = performance.now();
      await refreshEngagementNorm(services.db, large.workspaceId);
      const nextDay = await recomputeHealth(services.db, { workspaceId: large.workspaceId, trigger: 'daily', asOf: tomorrow });
      const nextDayMs = performance.now() - nextDayStarted;
      // Back to today (not timed): nothing dated tomorrow stays behind.
      await services.db.asService((tx) =>
        tx.deleteFrom('health_scores').where('workspace_id', '=', large.workspaceId).where('computed_at', '>', new Date()).execute(),
      );
      await services.db.asService((tx) =>
        tx
          .updateTable('clients')
          .set({ health_factor_scores: null })
          .where('workspace_id', '=', large.workspaceId)
          .where('health_computed_at', '>', new Date())
          .execute(),
      );
      await recomputeHealth(services.db, { workspaceId: large.workspaceId, trigger: 'daily' });
      const events = await measureFromInteraction({
        databaseUrl,
        redisUrl,
        services,
        workspaceId: large.workspaceId,
        clientIds: clients.map((client) => client.id).slice(0, EVENTS),
        body: NEGATIVE,
        what: 'new score',
        latencyOf: async (tx, interactionId) => {
          const row = await sql<{ ms: number | null }>`
            select extract(epoch from c.health_computed_at - i.created_at) * 1000 as ms
              from public.interactions i join public.clients c on c.id = i.client_id
             where i.id = ${interactionId}::uuid and i.sentiment_status = 'done'
               and c.health_computed_at >= i.sentiment_analysed_at`.execute(tx);
          return row.rows[0]?.ms != null ? Number(row.rows[0].ms) : null;
        },
      });
      const [first, second] = runs;
      return {
        daily_first_ms: Math.round(first!.ms),
        daily_first_clients_per_s: Math.round(first!.scored / (first!.ms / 1000)),
        daily_first_history_rows: first!.history,
        daily_unchanged_ms: Math.round(second!.ms),
        daily_unchanged_clients_per_s: Math.round(second!.scored / (second!.ms / 1000)),
        daily_unchanged_history_rows: second!.history,
        daily_next_day_ms: Math.round(nextDayMs),
        daily_next_day_clients_per_s: Math.round(nextDay.scored / (nextDayMs / 1000)),
        daily_next_day_changed_clients: nextDay.changed,
        one_client_p50_ms: percentile(single, 50),
        one_client_p95_ms: percentile(single, 95),
        event_to_score_p50_ms: percentile(events, 50),
        event_to_score_p95_ms: percentile(events, 95),
        event_to_score_max_ms: percentile(events, 100),
      };
    } finally {
      await closeAppServices(services);
    }
  },
};
