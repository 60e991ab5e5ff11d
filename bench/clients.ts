import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import type { ServerBuild } from '@remix-run/node';
import { createWebApp } from '../server/http/app';
import { ROOT_DIR } from '../server/local/stack';
import { closeAppServices } from '../server/services';
import type { Benchmark } from './registry';
import { explainClientList } from './client-plans';
import { runLoad } from './load';
import { benchServices } from './services';
import { VIEWS as ALL_VIEWS } from './client-views';
import { ensureScaleWorkspace, LARGE_WORKSPACE } from './scale-data';
import { percentile } from './stats';

const { clients: CLIENTS, interactions: INTERACTIONS } = LARGE_WORKSPACE;
const SMALL_WORKSPACES = Number(process.env.BENCH_SMALL_WORKSPACES ?? 50);
const CONCURRENCY = 20;
const REQUESTS = 2_000;
const PAGE_RUNS = 100;
const SEQUENTIAL_RUNS = 50;
const WARM_UP = 300;
/** Paced users: a pause of 0–2 s (1 s on average) between an answer and the user's next request. */
const THINK_MS: [number, number] = [0, 2_000];
const PACED_REQUESTS = 1_000;
/** `BENCH_VIEWS=search,tag_by_mrr` restricts the run to some views (to study one). */
const VIEWS = process.env.BENCH_VIEWS ? ALL_VIEWS.filter((view) => process.env.BENCH_VIEWS!.split(',').includes(view.name)) : ALL_VIEWS;

/**
 * The client list through the tRPC HTTP endpoint at 20 concurrent users on a 100,000-client
 * workspace (with many small workspaces beside it), and the server time of the client page of a
 * client with 5,000 interactions.
 */
export const clientsBenchmark: Benchmark = {
  description:
    `client list p50/p95 at ${CONCURRENCY} concurrent users — saturating (${REQUESTS} requests, no pause) ` +
    `and paced (${PACED_REQUESTS} requests, ${THINK_MS[0] / 1000}–${THINK_MS[1] / 1000} s pauses) ` +
    `— over ${VIEWS.length} views and client page server time, ` +
    `${CLIENTS.toLocaleString('en-US')} clients / ${INTERACTIONS.toLocaleString('en-US')} interactions (ms)`,
  async run(context) {
    const services = benchServices(context, { DATABASE_POOL_MAX: '20' });
    try {
      const loadStarted = performance.now();
      for (let index = 0; index < SMALL_WORKSPACES; index += 1) {
        await ensureScaleWorkspace(services, { label: `small-${index}`, clients: 50, interactions: 500, busiestClientInteractions: 20 });
      }
      const large = await ensureScaleWorkspace(services, LARGE_WORKSPACE);
      const loadSeconds = (performance.now() - loadStarted) / 1000;

      const build = (await import(pathToFileURL(path.join(ROOT_DIR, 'build/index.js')).href)) as ServerBuild;
      const server = createWebApp(services, build).listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const cookie = (await services.sessionCookie.serialize(large.sessionToken)).split(';')[0]!;
      const listRequest = (filters: object) => ({
        path: `/api/trpc/clients.list?input=${encodeURIComponent(JSON.stringify({ workspaceSlug: large.slug, filters }))}`,
        headers: { cookie },
      });
      try {
        let failures = 0;
        // Warm-up, not counted: opens the pool's connections and lets V8 and Postgres warm their caches.
        await runLoad({ url: base, connections: CONCURRENCY, amount: WARM_UP, requests: VIEWS.map((view) => listRequest(view.filters)) });
        // One user at a time: each view's own latency, without queueing behind other requests.
        const single: Record<string, number> = {};
        for (const view of VIEWS) {
          const run = await runLoad({ url: base, connections: 1, amount: SEQUENTIAL_RUNS, requests: [listRequest(view.filters)] });
          single[`one_user_${view.name}_p95_ms`] = percentile(run.latencies, 95);
          failures += run.failures;
        }
        // CONCURRENCY users, each sending its next request (the next view) as soon as the last one answers.
        const load = await runLoad({
          url: base,
          connections: CONCURRENCY,
          amount: REQUESTS,
          requests: VIEWS.map((view) => listRequest(view.filters)),
        });
        failures += load.failures;
        const latencies = load.latencies;
        const seconds = load.seconds;
        // CONCURRENCY users working at a person's pace: a pause after each answer, not in step.
        const paced = await runLoad({
          url: base,
          connections: CONCURRENCY,
          amount: PACED_REQUESTS,
          thinkMs: THINK_MS,
          requests: VIEWS.map((view) => listRequest(view.filters)),
        });
        failures += paced.failures;

        const page: number[] = [];
        for (let run = 0; run < PAGE_RUNS; run += 1) {
          const pageStarted = performance.now();
          const response = await fetch(`${base}/w/${large.slug}/clients/${large.busiestClientId}`, { headers: { cookie } });
          await response.arrayBuffer();
          if (!response.ok) failures += 1;
          page.push(performance.now() - pageStarted);
        }
        // Database time of each view's statement (EXPLAIN ANALYZE, best of three); the slowest plan goes to stderr.
        const plans = await explainClientList(services.db, { id: large.workspaceId, ownerId: large.ownerId }, VIEWS);
        const slowest = plans.reduce((worst, plan) => (plan.executionMs > worst.executionMs ? plan : worst));
        process.stderr.write(`\nslowest client-list statement: ${slowest.view}, ${slowest.executionMs} ms\n${slowest.plan}\n`);
        return {
          data_load_s: Number(loadSeconds.toFixed(1)),
          list_requests: latencies.length,
          list_failures: failures,
          list_rps: Number((latencies.length / seconds).toFixed(1)),
          list_p50_ms: percentile(latencies, 50),
          list_p95_ms: percentile(latencies, 95),
          list_p99_ms: percentile(latencies, 99),
          paced_rps: Number((paced.latencies.length / paced.seconds).toFixed(1)),
          paced_p50_ms: percentile(paced.latencies, 50),
          paced_p95_ms: percentile(paced.latencies, 95),
          paced_p99_ms: percentile(paced.latencies, 99),
          ...single,
          client_page_p50_ms: percentile(page, 50),
          client_page_p95_ms: percentile(page, 95),
          list_db_ms_per_request: Number((plans.reduce((sum, plan) => sum + plan.executionMs, 0) / VIEWS.length).toFixed(2)),
          slowest_view_db_ms: slowest.executionMs,
        };
      } finally {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    } finally {
      await closeAppServices(services);
    }
  },
};
