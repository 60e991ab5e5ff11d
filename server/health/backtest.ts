import { sql } from 'kysely';
import type { Database, Tx } from '../db';
import { healthQueue } from '../queue/health';
import { requestJob } from '../queue/request';

/**
 * The backtest (decision 016): does the score see churn coming? Clients with a known churn date are
 * scored as of 30, 60 and 90 days before it, clients that stayed as of the same distance before now
 * (they did not churn in the days that followed), each with only the signals that existed then — the
 * engine's own function, as of a moment, so nothing from after it leaks in. AUC is the chance that a
 * churner scored lower than a client who stayed; precision and recall are those of the at-risk flag
 * (score below the healthy threshold) at each horizon.
 */

export const BACKTEST_HORIZONS = [30, 60, 90] as const;
export type Horizon = (typeof BACKTEST_HORIZONS)[number];

export type HorizonResult = {
  days: Horizon;
  churned: number;
  retained: number;
  /** Clients left out: no signal at all at that moment (not scored then). */
  unscored: number;
  auc: number | null;
  precision: number | null;
  recall: number | null;
  flagged: number;
  truePositives: number;
  /** Score distribution in bands of 10 (0–9, …, 90–100) for each group. */
  histogram: { churned: number[]; retained: number[] };
};

export type BacktestResult = {
  threshold: number;
  horizons: HorizonResult[];
  /** The summary: AUC per horizon; precision, recall and clients at 30 days. */
  summary: { auc: Record<'30' | '60' | '90', number | null>; precision: number | null; recall: number | null; clients: number };
};

/**
 * Area under the ROC curve for "lower score = churn": the Mann–Whitney statistic, ties counting half.
 * Null when either group is empty.
 */
export function areaUnderCurve(churned: number[], retained: number[]): number | null {
  if (!churned.length || !retained.length) return null;
  const all = [...churned.map((score) => ({ score, churned: true })), ...retained.map((score) => ({ score, churned: false }))].sort(
    (a, b) => a.score - b.score,
  );
  // Rank from the lowest score; churners should rank low, so count pairs where a churner is below.
  let wins = 0;
  let retainedAbove = retained.length;
  for (let start = 0; start < all.length;) {
    let end = start;
    while (end < all.length && all[end]!.score === all[start]!.score) end += 1;
    const tied = all.slice(start, end);
    const tiedChurned = tied.filter((item) => item.churned).length;
    const tiedRetained = tied.length - tiedChurned;
    retainedAbove -= tiedRetained;
    wins += tiedChurned * (retainedAbove + tiedRetained / 2);
    start = end;
  }
  return wins / (churned.length * retained.length);
}

const round3 = (value: number | null) => (value === null ? null : Math.round(value * 1000) / 1000);

function histogram(scores: number[]): number[] {
  const bands = Array.from({ length: 10 }, () => 0);
  for (const score of scores) bands[Math.min(9, Math.floor(score / 10))]! += 1;
  return bands;
}

async function backtestThreshold(tx: Tx, workspaceId: string): Promise<number> {
  const settings = await tx
    .selectFrom('workspace_health_settings')
    .select('healthy_threshold')
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirst();
  return settings?.healthy_threshold ?? 70;
}

/** One horizon: every churned client as of `days` before its churn date, every other as of `days` before now. */
async function backtestHorizon(tx: Tx, workspaceId: string, days: Horizon, threshold: number): Promise<HorizonResult> {
  const rows = await sql<{ churned: boolean; score: number | null }>`
    with subjects as (
      select c.id, c.status = 'churned' as churned,
             case when c.status = 'churned' then c.churned_at::timestamptz else now() end - make_interval(days => ${days}) as as_of
        from public.clients c
       where c.workspace_id = ${workspaceId}::uuid and (c.status <> 'churned' or c.churned_at is not null)
    ),
    scored as (
      select h.client_id, h.score
        from public.compute_health_scores_at(${workspaceId}::uuid,
                                             (select array_agg(id) from subjects),
                                             (select array_agg(as_of) from subjects)) h
    )
    select s.churned, k.score from subjects s join scored k on k.client_id = s.id`.execute(tx);
  const churned = rows.rows.filter((row) => row.churned && row.score !== null).map((row) => row.score!);
  const retained = rows.rows.filter((row) => !row.churned && row.score !== null).map((row) => row.score!);
  const flaggedChurned = churned.filter((score) => score < threshold).length;
  const flagged = flaggedChurned + retained.filter((score) => score < threshold).length;
  return {
    days,
    churned: churned.length,
    retained: retained.length,
    unscored: rows.rows.filter((row) => row.score === null).length,
    auc: round3(areaUnderCurve(churned, retained)),
    precision: round3(flagged ? flaggedChurned / flagged : null),
    recall: round3(churned.length ? flaggedChurned / churned.length : null),
    flagged,
    truePositives: flaggedChurned,
    histogram: { churned: histogram(churned), retained: histogram(retained) },
  };
}

function backtestResult(threshold: number, horizons: HorizonResult[]): BacktestResult {
  const [at30, at60, at90] = horizons as [HorizonResult, HorizonResult, HorizonResult];
  return {
    threshold,
    horizons,
    summary: {
      auc: { '30': at30.auc, '60': at60.auc, '90': at90.auc },
      precision: at30.precision,
      recall: at30.recall,
      clients: at30.churned + at30.retained,
    },
  };
}

/** Runs the backtest of a workspace in one transaction; `tx` decides whose rights it runs with (the CLI: the service's). */
export async function runBacktest(tx: Tx, workspaceId: string): Promise<BacktestResult> {
  const threshold = await backtestThreshold(tx, workspaceId);
  const horizons: HorizonResult[] = [];
  for (const days of BACKTEST_HORIZONS) horizons.push(await backtestHorizon(tx, workspaceId, days, threshold));
  return backtestResult(threshold, horizons);
}

export type BacktestRun = {
  id: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  horizonsDone: number;
  result: BacktestResult | null;
  failure: string | null;
  requestedBy: string | null;
  createdAt: Date;
  finishedAt: Date | null;
};

type BacktestRow = {
  id: string;
  status: BacktestRun['status'];
  horizons_done: number;
  result: unknown;
  failure: string | null;
  requested_by: string | null;
  created_at: Date;
  finished_at: Date | null;
};

const toRun = (row: BacktestRow): BacktestRun => ({
  id: row.id,
  status: row.status,
  horizonsDone: row.horizons_done,
  result: row.result as BacktestResult | null,
  failure: row.failure,
  requestedBy: row.requested_by,
  createdAt: row.created_at,
  finishedAt: row.finished_at,
});

/**
 * An admin's view (under RLS) of the workspace's backtests: the latest one asked for (queued,
 * running with its progress, done, or failed) and the latest that finished with a result, which
 * stays on the page while a new one runs. Null where there is none.
 */
export async function backtestState(tx: Tx, workspaceId: string): Promise<{ latest: BacktestRun | null; lastDone: BacktestRun | null }> {
  const recent = (status?: BacktestRun['status']) => {
    let query = tx
      .selectFrom('health_backtests as b')
      .leftJoin('users as u', 'u.id', 'b.requested_by')
      .select(['b.id', 'b.status', 'b.horizons_done', 'b.result', 'b.failure', 'u.name as requested_by', 'b.created_at', 'b.finished_at'])
      .where('b.workspace_id', '=', workspaceId);
    if (status) query = query.where('b.status', '=', status);
    return query.orderBy('b.created_at', 'desc').limit(1).executeTakeFirst();
  };
  const latest = await recent();
  const lastDone = latest?.status === 'done' ? latest : latest ? await recent('done') : undefined;
  return { latest: latest ? toRun(latest) : null, lastDone: lastDone ? toRun(lastDone) : null };
}

/**
 * Asks the worker for a backtest (an admin, under RLS): one row and its job request in the same
 * transaction. While one is queued or running (the partial unique index), asking again returns that one.
 */
export async function requestBacktest(tx: Tx, input: { workspaceId: string; userId: string }): Promise<{ id: string }> {
  const row = await tx
    .insertInto('health_backtests')
    .values({ workspace_id: input.workspaceId, requested_by: input.userId })
    // The index's predicate written out, so it matches however the statement is planned.
    .onConflict((conflict) =>
      conflict
        .column('workspace_id')
        .where(sql<boolean>`status in ('queued', 'running')`)
        .doNothing(),
    )
    .returning('id')
    .executeTakeFirst();
  if (!row) {
    return tx
      .selectFrom('health_backtests')
      .select('id')
      .where('workspace_id', '=', input.workspaceId)
      .where('status', 'in', ['queued', 'running'])
      .executeTakeFirstOrThrow();
  }
  await requestJob(tx, healthQueue.job('backtest', { workspaceId: input.workspaceId, backtestId: row.id }));
  return row;
}

/**
 * The worker's part: horizon by horizon, each in its own transaction so the page sees the progress;
 * the result stored at the end. A failure is thrown for the queue to retry (a retry starts the
 * horizons again); the last one marks the backtest failed (`markBacktestFailed`, its dead-letter
 * step). A backtest already done or failed (a repeated job) is left alone.
 */
export async function performBacktest(db: Database, backtestId: string): Promise<BacktestRun['status'] | 'skipped'> {
  const started = await db.asService((tx) =>
    tx
      .updateTable('health_backtests')
      .set({ status: 'running', started_at: sql<Date>`now()`, horizons_done: 0 })
      .where('id', '=', backtestId)
      // A job retried after its worker died finds its backtest running and starts it again.
      .where('status', 'in', ['queued', 'running'])
      .returning('workspace_id')
      .executeTakeFirst(),
  );
  if (!started) return 'skipped';
  const workspaceId = started.workspace_id;
  const threshold = await db.asService((tx) => backtestThreshold(tx, workspaceId));
  const horizons: HorizonResult[] = [];
  for (const days of BACKTEST_HORIZONS) {
    horizons.push(await db.asService((tx) => backtestHorizon(tx, workspaceId, days, threshold)));
    await db.asService((tx) =>
      tx.updateTable('health_backtests').set({ horizons_done: horizons.length }).where('id', '=', backtestId).execute(),
    );
  }
  const result = backtestResult(threshold, horizons);
  await db.asService((tx) =>
    tx
      .updateTable('health_backtests')
      .set({ status: 'done', result: JSON.stringify(result), finished_at: sql<Date>`now()` })
      .where('id', '=', backtestId)
      .execute(),
  );
  return 'done';
}

/** The backtest's last attempt failed (its job's dead-letter step). */
export async function markBacktestFailed(tx: Tx, backtestId: string, error: string): Promise<void> {
  await tx
    .updateTable('health_backtests')
    .set({ status: 'failed', failure: error.slice(0, 1000), finished_at: sql<Date>`now()` })
    .where('id', '=', backtestId)
    .where('status', 'in', ['queued', 'running'])
    .execute();
}

/** A failed backtest retried from the Background jobs page (as the admin; RLS lets admins queue a failed one again). */
export async function queueFailedBacktestAgain(tx: Tx, backtestId: string): Promise<void> {
  await tx
    .updateTable('health_backtests')
    .set({ status: 'queued', failure: null, finished_at: null, horizons_done: 0 })
    .where('id', '=', backtestId)
    .where('status', '=', 'failed')
    .execute();
}

/** What the sweep asks for again: backtests queued or running `olderThanMinutes` after they were asked for. */
export async function unfinishedBacktests(
  tx: Tx,
  options: { olderThanMinutes: number; limit: number },
): Promise<Array<{ workspaceId: string; backtestId: string }>> {
  return tx
    .selectFrom('health_backtests')
    .select(['workspace_id as workspaceId', 'id as backtestId'])
    .where('status', 'in', ['queued', 'running'])
    .where('created_at', '<', sql<Date>`now() - make_interval(mins => ${options.olderThanMinutes})`)
    .orderBy('created_at')
    .limit(options.limit)
    .execute();
}
