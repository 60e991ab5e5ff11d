/**
 * EXPLAIN (ANALYZE, BUFFERS) of the client list's statement for each benchmark view, run as the
 * workspace owner with RLS in force — the statement `clients.list` executes, from
 * `clientListQuery`. `npx tsx bench/client-plans.ts` prints every plan against the bench profile's
 * data (after `npm run bench -- clients` has loaded it).
 */
import { sql } from 'kysely';
import { clientListQuery } from '../server/clients/clients';
import { clientListFiltersSchema } from '../server/clients/schemas';
import type { Database } from '../server/db';
import { PROFILES, startLocalStack } from '../server/local/stack';
import { closeAppServices } from '../server/services';
import { VIEWS } from './client-views';
import { benchServices } from './services';

export type ViewPlan = { view: string; executionMs: number; plan: string };

export async function explainClientList(
  db: Database,
  workspace: { id: string; ownerId: string },
  views: ReadonlyArray<{ name: string; filters: Record<string, unknown> }>,
): Promise<ViewPlan[]> {
  const plans: ViewPlan[] = [];
  for (const view of views) {
    const filters = clientListFiltersSchema.parse(view.filters);
    let best: ViewPlan | null = null;
    // Best of three: the first run may read pages from disk that later runs find in memory.
    for (let run = 0; run < 3; run += 1) {
      const lines = await db.withUser({ sub: workspace.ownerId }, async (tx) => {
        const { query } = clientListQuery(tx, { workspaceId: workspace.id, filters });
        return (await sql<{ 'QUERY PLAN': string }>`explain (analyze, buffers) ${query}`.execute(tx)).rows;
      });
      const plan = lines.map((line) => line['QUERY PLAN']).join('\n');
      const executionMs = Number(/Execution Time: ([\d.]+) ms/.exec(plan)?.[1] ?? NaN);
      if (!best || executionMs < best.executionMs) best = { view: view.name, executionMs, plan };
    }
    plans.push(best!);
  }
  return plans;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const stack = await startLocalStack({ profile: PROFILES.bench, fastAndLoose: false, takeOverStale: true });
  const services = benchServices(stack);
  try {
    const workspace = await services.db.asService((tx) =>
      tx
        .selectFrom('workspaces as w')
        .innerJoin('workspace_members as m', 'm.workspace_id', 'w.id')
        .select(['w.id', 'm.user_id as ownerId'])
        .where('w.name', '=', 'scale-large')
        .where('m.role', '=', 'owner')
        .executeTakeFirstOrThrow(),
    );
    for (const plan of await explainClientList(services.db, workspace, VIEWS)) {
      process.stdout.write(`\n=== ${plan.view}: ${plan.executionMs} ms\n${plan.plan}\n`);
    }
  } finally {
    await closeAppServices(services);
    await stack.stop();
  }
}
