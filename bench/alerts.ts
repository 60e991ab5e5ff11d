import { sql } from 'kysely';
import { closeAppServices } from '../server/services';
import { measureFromInteraction } from './pipeline';
import type { Benchmark } from './registry';
import { benchServices } from './services';
import { ensureScaleWorkspace, LARGE_WORKSPACE } from './scale-data';
import { percentile } from './stats';

const EVENTS = 40;
const NEGATIVE = 'We are cancelling at the end of the month: the platform was down again and we have signed with a competitor.';

/**
 * Interaction saved → alert visible in the inbox, end to end through a real worker process, on the
 * scale data's large workspace: each of 40 clients without an open churn-signal alert gets a
 * cancellation message; the clock stops when its alert row exists (what the inbox and the unread
 * count read). Postgres clocks on both ends.
 */
export const alertsBenchmark: Benchmark = {
  description:
    `interaction saved → alert visible, ${EVENTS} clients of the ` +
    `${LARGE_WORKSPACE.clients.toLocaleString('en-US')}-client workspace, real worker (ms)`,
  async run({ databaseUrl, redisUrl }) {
    const services = benchServices({ databaseUrl, redisUrl });
    try {
      const large = await ensureScaleWorkspace(services, LARGE_WORKSPACE);
      const clients = await services.db.asService((tx) =>
        sql<{ id: string }>`
          select c.id from public.clients c
           where c.workspace_id = ${large.workspaceId}::uuid and c.status = 'active'
             and not exists (select 1 from public.alerts a where a.client_id = c.id and a.kind = 'churn_signal')
           order by c.id desc limit ${EVENTS}`.execute(tx),
      );
      const latencies = await measureFromInteraction({
        databaseUrl,
        redisUrl,
        services,
        workspaceId: large.workspaceId,
        clientIds: clients.rows.map((row) => row.id),
        body: NEGATIVE,
        what: 'alert',
        latencyOf: async (tx, interactionId) => {
          const row = await sql<{ ms: number | null }>`
            select extract(epoch from a.first_triggered_at - i.created_at) * 1000 as ms
              from public.interactions i
              join public.alerts a on a.client_id = i.client_id and a.kind = 'churn_signal' and a.first_triggered_at >= i.created_at
             where i.id = ${interactionId}::uuid`.execute(tx);
          return row.rows[0]?.ms != null ? Number(row.rows[0].ms) : null;
        },
      });
      return {
        interaction_to_alert_p50_ms: percentile(latencies, 50),
        interaction_to_alert_p95_ms: percentile(latencies, 95),
        interaction_to_alert_max_ms: percentile(latencies, 100),
      };
    } finally {
      await closeAppServices(services);
    }
  },
};
