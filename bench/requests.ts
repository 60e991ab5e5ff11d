import { randomUUID } from 'node:crypto';
import { findSession } from '../server/identity/sessions';
import { createCaller } from '../server/root';
import { closeAppServices } from '../server/services';
import { createOwner } from '../server/testing/factories';
import { createContextInner } from '../server/trpc';
import type { Benchmark } from './registry';
import { benchServices } from './services';
import { percentile, timeRuns } from './stats';

const RUNS = 1_000;

/**
 * What a signed-in request costs before and around its own work: resolving the session cookie's
 * token, and a workspace procedure end to end (session → membership and role check → RLS query).
 */
export const requestsBenchmark: Benchmark = {
  description: `per-request identity work (${RUNS} sequential runs each, ms)`,
  async run(context) {
    const services = benchServices(context, { NODE_ENV: 'test' });
    const { log } = services;
    try {
      const owner = await createOwner(services, `bench-${randomUUID().slice(0, 6)}`);
      const lookup = await timeRuns(() => findSession(services.db, owner.token), RUNS);
      const procedure = await timeRuns(async () => {
        const session = await findSession(services.db, owner.token);
        const caller = createCaller(
          createContextInner({ services, log, requestId: 'bench', meta: { ip: null, userAgent: null }, session }),
        );
        await caller.members.list({ workspaceSlug: owner.slug });
      }, RUNS);
      return {
        session_lookup_p50_ms: percentile(lookup, 50),
        session_lookup_p95_ms: percentile(lookup, 95),
        workspace_procedure_p50_ms: percentile(procedure, 50),
        workspace_procedure_p95_ms: percentile(procedure, 95),
        workspace_procedure_p99_ms: percentile(procedure, 99),
      };
    } finally {
      await closeAppServices(services);
    }
  },
};
