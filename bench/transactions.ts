import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { createDatabase } from '../server/db';
import type { Benchmark } from './registry';
import { percentile, timeRuns } from './stats';

const RUNS = 2_000;

/**
 * The fixed cost every user-facing query pays for RLS: a `withUser` transaction (role switch and
 * claims) next to the same one-query transaction on the service path.
 */
export const transactionsBenchmark: Benchmark = {
  description: `one-query transaction, withUser vs asService (${RUNS} sequential runs each, ms)`,
  async run({ databaseUrl }) {
    const db = createDatabase({ url: databaseUrl, poolMax: 1 });
    try {
      const user = randomUUID();
      const service = await timeRuns(() => db.asService((tx) => sql`select 1`.execute(tx)), RUNS);
      const withUser = await timeRuns(() => db.withUser({ sub: user }, (tx) => sql`select auth.uid()`.execute(tx)), RUNS);
      return {
        as_service_p50_ms: percentile(service, 50),
        as_service_p95_ms: percentile(service, 95),
        with_user_p50_ms: percentile(withUser, 50),
        with_user_p95_ms: percentile(withUser, 95),
        with_user_p99_ms: percentile(withUser, 99),
      };
    } finally {
      await db.close();
    }
  },
};
