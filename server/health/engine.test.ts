import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAppServices, type AppServices } from '../services';
import { analysedSentiment, createClient, createInteractions, createOwner, workspaceIdOf } from '../testing/factories';
import { createTestServices } from '../testing/services';
import { clientIdRanges, recomputeHealth, refreshEngagementNorm } from './engine';

let services: AppServices;
let workspaceId: string;
const DAY = 86_400_000;
const now = Date.now();

type Factor = { factor: string; present: boolean; score: number | null; weight: number; effectiveWeight: number; contribution: number };
type Row = {
  client_id: string;
  score: number | null;
  risk_level: string | null;
  confidence: number | null;
  factor_scores: Array<number | null>;
  factors: Factor[] | null;
  inputs: Record<string, unknown>;
};

async function addClient(name: string): Promise<string> {
  return (await createClient(services.db, { workspace_id: workspaceId, name })).id;
}

/** Interactions as the worker leaves them: analysed, with the given score, `daysAgo` days ago; one statement. */
async function addInteractions(
  clientId: string,
  items: Array<{ daysAgo: number; score?: number; direction?: 'inbound' | 'outbound' | 'internal'; signals?: string[] }>,
) {
  await createInteractions(
    services.db,
    items.map((item) => ({
      workspace_id: workspaceId,
      client_id: clientId,
      direction: item.direction,
      occurred_at: new Date(now - item.daysAgo * DAY),
      sentiment_signals: item.signals ?? [],
      ...(item.score === undefined ? {} : analysedSentiment(item.score)),
    })),
  );
}

/** The model's output, with the breakdown and inputs as the history stores them. */
const compute = async (clientId?: string, asOf = new Date(now)) =>
  (
    await services.db.asService((tx) =>
      sql<Row>`
        select h.client_id, h.score, h.risk_level, h.confidence, h.factor_scores,
               case when h.score is not null then public.health_factor_breakdown(h.factor_scores, h.factor_weights) end as factors,
               jsonb_build_object('analysed90', h.analysed_90, 'interactions90', h.interactions_90,
                                  'daysSinceTwoWay', h.days_since_two_way, 'negative14', h.negative_14) as inputs
          from public.compute_health_scores(${workspaceId}::uuid, ${clientId ?? null}::uuid, ${asOf}) h`.execute(tx),
    )
  ).rows;
const one = async (clientId: string, asOf?: Date) => (await compute(clientId, asOf))[0]!;
const factor = (row: Row, name: string) => row.factors!.find((item) => item.factor === name)!;

beforeAll(async () => {
  services = createTestServices();
  const owner = await createOwner(services, 'health');
  workspaceId = await workspaceIdOf(services.db, owner);
});
afterAll(async () => {
  await closeAppServices(services);
});

describe('health model v1', () => {
  it('decays sentiment with a 30-day half-life: what was said lately weighs most', async () => {
    const improving = await addClient('Improving');
    await addInteractions(improving, [
      { daysAgo: 60, score: -0.8 },
      { daysAgo: 1, score: 0.8 },
    ]);
    const worsening = await addClient('Worsening');
    await addInteractions(worsening, [
      { daysAgo: 60, score: 0.8 },
      { daysAgo: 1, score: -0.8 },
    ]);
    // weights 0.5^(60/30)=0.25 and ≈0.977: average ≈ (0.977·0.8 − 0.25·0.8)/1.227 ≈ 0.474 → 50 + 23.7 ≈ 74
    expect(factor(await one(improving), 'sentiment').score).toBe(74);
    expect(factor(await one(worsening), 'sentiment').score).toBe(26);
    // Older than 90 days does not count at all.
    const stale = await addClient('Stale');
    await addInteractions(stale, [
      { daysAgo: 100, score: -1 },
      { daysAgo: 5, score: 0 },
    ]);
    expect(factor(await one(stale), 'sentiment').score).toBe(50);
  });

  it('leaves missing factors out and renormalises the weights, never scoring missing data as bad', async () => {
    const silent = await addClient('No data');
    const row = await one(silent);
    expect(row).toMatchObject({ score: null, risk_level: null, factors: null });

    const unanalysed = await addClient('Contact, no sentiment yet');
    await addInteractions(unanalysed, [{ daysAgo: 2 }, { daysAgo: 3 }, { daysAgo: 4 }, { daysAgo: 5 }]);
    const engagementOnly = await one(unanalysed);
    expect(factor(engagementOnly, 'sentiment')).toMatchObject({ present: false, effectiveWeight: 0, contribution: 0 });
    expect(factor(engagementOnly, 'engagement')).toMatchObject({ present: true, score: 100, effectiveWeight: 100 });
    expect(factor(engagementOnly, 'survey')).toMatchObject({ present: false, weight: 20 });
    expect(engagementOnly.score).toBe(100);

    const both = await addClient('Both factors');
    await addInteractions(both, [
      { daysAgo: 1, score: -1 },
      { daysAgo: 2, score: -1 },
      { daysAgo: 3, score: -1 },
      { daysAgo: 4, score: -1 },
    ]);
    const row2 = await one(both);
    // sentiment 0 (weight 30 → 60%), engagement 100 (weight 20 → 40%): 40.
    expect(factor(row2, 'sentiment')).toMatchObject({ score: 0, effectiveWeight: 60 });
    expect(factor(row2, 'engagement')).toMatchObject({ score: 100, effectiveWeight: 40, contribution: 40 });
    expect(row2.score).toBe(40);
    expect(row2.factors!.reduce((sum, item) => sum + item.contribution, 0)).toBeCloseTo(row2.score!, 0);
    // Only part of the model has data: confidence says so.
    expect(row2.confidence).toBeLessThan(0.5);
  });

  it('scores engagement from the last two-way contact and the frequency against the workspace norm', async () => {
    const quiet = await addClient('Quiet');
    await addInteractions(quiet, [{ daysAgo: 41 }, { daysAgo: 2, direction: 'internal' }]);
    const row = await one(quiet);
    expect(row.inputs).toMatchObject({ daysSinceTwoWay: 41, interactions90: 2 });
    // recency 100·(60−41)/53 ≈ 35.85 → 0.6·35.85 + 0.4·(100·2/4) ≈ 41.5 → 42
    expect(factor(row, 'engagement').score).toBe(42);
  });

  it('maps scores to risk levels with the workspace thresholds', async () => {
    const client = await addClient('Threshold');
    await addInteractions(client, [
      { daysAgo: 1, score: 0.1 },
      { daysAgo: 2, score: 0.1 },
      { daysAgo: 3, score: 0.1 },
      { daysAgo: 4, score: 0.1 },
    ]);
    const before = await one(client);
    expect(before.score).toBe(73); // sentiment 55 · 0.6 + engagement 100 · 0.4
    expect(before.risk_level).toBe('healthy');
    await services.db.asService((tx) =>
      tx
        .insertInto('workspace_health_settings')
        .values({ workspace_id: workspaceId, healthy_threshold: 80, critical_threshold: 73 })
        .execute(),
    );
    expect((await one(client)).risk_level).toBe('at_risk');
    await services.db.asService((tx) =>
      tx.updateTable('workspace_health_settings').set({ critical_threshold: 74 }).where('workspace_id', '=', workspaceId).execute(),
    );
    expect((await one(client)).risk_level).toBe('critical');
    await services.db.asService((tx) => tx.deleteFrom('workspace_health_settings').where('workspace_id', '=', workspaceId).execute());
  });

  it('scores as of a past moment with only the signals that existed then', async () => {
    const client = await addClient('Backtest');
    await addInteractions(client, [
      { daysAgo: 40, score: 0.9 },
      { daysAgo: 35, score: 0.9 },
      { daysAgo: 3, score: -0.9 },
    ]);
    const past = await one(client, new Date(now - 30 * DAY));
    expect(factor(past, 'sentiment').score).toBe(95);
    expect(past.inputs).toMatchObject({ analysed90: 2 });
    expect(factor(await one(client), 'sentiment').score).toBeLessThan(50);
  });
});

describe('backtest scoring', () => {
  it('scores given clients each as of its own moment exactly as one client as of that moment', async () => {
    const all = await compute();
    const ids = all.map((row) => row.client_id);
    const moments = ids.map((_, index) => new Date(now - (index % 3) * 20 * DAY));
    const rows = (
      await services.db.asService((tx) =>
        sql<{ client_id: string; as_of: Date; score: number | null; factor_scores: Array<number | null> }>`
          select client_id, as_of, score, factor_scores
            from public.compute_health_scores_at(${workspaceId}::uuid, ${ids}::uuid[],
                                                 ${moments.map((moment) => moment.toISOString())}::timestamptz[])`.execute(tx),
      )
    ).rows;
    expect(rows).toHaveLength(ids.length);
    for (const [index, id] of ids.entries()) {
      const single = await one(id, moments[index]);
      const row = rows.find((item) => item.client_id === id)!;
      expect(row.as_of.getTime()).toBe(moments[index]!.getTime());
      expect({ score: row.score, factors: row.factor_scores }).toEqual({ score: single.score, factors: single.factor_scores });
    }
  });
});

describe('recompute requests', () => {
  const requests = (clientId: string) =>
    services.db.asService((tx) =>
      tx
        .selectFrom('outbox')
        .select(['job_key', 'payload'])
        .where('queue', '=', 'health')
        .where('job_key', '=', `health-${clientId}`)
        .where('relayed_at', 'is', null)
        .execute(),
    );

  it(
    'asks for a recompute when an interaction is logged, moved or deleted, or the client status changes — ' +
      'once per client per statement',
    async () => {
      const client = await addClient('Requests');
      await addInteractions(client, [{ daysAgo: 1 }, { daysAgo: 2 }, { daysAgo: 3 }]);
      expect((await requests(client)).map((row) => (row.payload as { cause: { kind: string } }).cause.kind)).toEqual([
        'interaction.insert',
      ]);
      await services.db.asService((tx) => tx.deleteFrom('outbox').where('job_key', '=', `health-${client}`).execute());
      // A sentiment result is not such a change (the worker asks itself).
      await services.db.asService((tx) =>
        tx.updateTable('interactions').set({ sentiment_summary: 'x' }).where('client_id', '=', client).execute(),
      );
      expect(await requests(client)).toEqual([]);
      await services.db.asService((tx) =>
        tx
          .updateTable('interactions')
          .set({ occurred_at: new Date(now - 40 * DAY) })
          .where('client_id', '=', client)
          .execute(),
      );
      expect(await requests(client)).toHaveLength(1);
      await services.db.asService((tx) => tx.deleteFrom('interactions').where('client_id', '=', client).execute());
      expect(await requests(client)).toHaveLength(2);
      await services.db.asService((tx) => tx.updateTable('clients').set({ status: 'paused' }).where('id', '=', client).execute());
      expect((await requests(client)).map((row) => (row.payload as { cause: { kind: string } }).cause.kind)).toEqual([
        'interaction.update',
        'interaction.delete',
        'client.status',
      ]);
      // Deleting the client takes its interactions along without asking for anything.
      await services.db.asService((tx) => tx.deleteFrom('outbox').where('job_key', '=', `health-${client}`).execute());
      await addInteractions(client, [{ daysAgo: 1 }]);
      await services.db.asService((tx) => tx.deleteFrom('outbox').where('job_key', '=', `health-${client}`).execute());
      await services.db.asService((tx) => tx.deleteFrom('clients').where('id', '=', client).execute());
      expect(await requests(client)).toEqual([]);
    },
  );
});

describe('recompute', () => {
  it('gives exactly the same scores set-based for the workspace as one client at a time, and writes history only on change', async () => {
    await refreshEngagementNorm(services.db, workspaceId);
    const all = await compute();
    const ids = all.map((row) => row.client_id);
    expect(ids.length).toBeGreaterThan(8);
    for (const id of ids) expect(await one(id)).toEqual(all.find((row) => row.client_id === id));

    const first = await recomputeHealth(services.db, { workspaceId, trigger: 'daily' });
    const scored = all.filter((row) => row.score !== null).length;
    expect(first).toEqual({ scored, changed: scored, history: scored });
    const clients = await services.db.asService((tx) =>
      tx
        .selectFrom('clients')
        .select(['id', 'health_score', 'risk_level', 'health_factor_scores'])
        .where('workspace_id', '=', workspaceId)
        .execute(),
    );
    for (const client of clients) {
      const expected = all.find((row) => row.client_id === client.id)!;
      expect({ score: client.health_score, risk: client.risk_level, factors: client.health_factor_scores }).toEqual({
        score: expected.score,
        risk: expected.risk_level,
        factors: expected.score === null ? null : expected.factor_scores,
      });
    }
    // Nothing moved: no history, no updates — by workspace or by client.
    expect(await recomputeHealth(services.db, { workspaceId, trigger: 'daily' })).toEqual({ scored, changed: 0, history: 0 });
    expect(await recomputeHealth(services.db, { workspaceId, clientId: ids[0]!, trigger: 'event' })).toMatchObject({
      changed: 0,
      history: 0,
    });

    // A strongly negative interaction moves one client: one history row, that client only. The
    // best-scored client is taken (the rows come in no order, and a client whose sentiment is
    // already at the floor would not move).
    const best = clients.filter((client) => client.health_score !== null).sort((a, b) => b.health_score! - a.health_score!)[0]!;
    await addInteractions(best.id, [{ daysAgo: 0, score: -1, signals: ['cancellation_intent'] }]);
    expect(await recomputeHealth(services.db, { workspaceId, clientId: best.id, trigger: 'event' })).toEqual({
      scored: 1,
      changed: 1,
      history: 1,
    });
    const history = await services.db.asService((tx) =>
      tx
        .selectFrom('health_scores')
        .select(['score', 'trigger', 'model_version', 'inputs'])
        .where('client_id', '=', best.id)
        .orderBy('id')
        .execute(),
    );
    expect(history.map((row) => row.trigger)).toEqual(['daily', 'event']);
    expect(history[1]!.score).toBeLessThan(history[0]!.score);
    expect(history[1]).toMatchObject({
      model_version: 'v1',
      inputs: expect.objectContaining({ cancellation30: 1, negative14: expect.any(Number) }),
    });
  });

  it('keeps churned clients out of the recompute', async () => {
    const gone = await addClient('Gone');
    await addInteractions(gone, [{ daysAgo: 1, score: -1 }]);
    await services.db.asService((tx) =>
      tx.updateTable('clients').set({ status: 'churned', churned_at: new Date() }).where('id', '=', gone).execute(),
    );
    expect(await recomputeHealth(services.db, { workspaceId, clientId: gone, trigger: 'event' })).toEqual({
      scored: 0,
      changed: 0,
      history: 0,
    });
  });
});

describe('client-id ranges of a workspace recompute', () => {
  it('cover every uuid once, in order, without overlap', () => {
    expect(clientIdRanges(1)).toEqual([{ from: null, to: null }]);
    expect(clientIdRanges(2)).toEqual([
      { from: null, to: '80000000-0000-0000-0000-000000000000' },
      { from: '80000000-0000-0000-0000-000000000000', to: null },
    ]);
    const four = clientIdRanges(4);
    expect(four.map((range) => range.from)).toEqual([
      null,
      '40000000-0000-0000-0000-000000000000',
      '80000000-0000-0000-0000-000000000000',
      'c0000000-0000-0000-0000-000000000000',
    ]);
    for (let index = 1; index < four.length; index += 1) expect(four[index]!.from).toBe(four[index - 1]!.to);
  });
});
