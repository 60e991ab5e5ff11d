import { sql } from 'kysely';
import type { Tx } from '../db';

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
  const all = [...churned.map((score) => ({ score, churned: true })), ...retained.map((score) => ({ score, churned: false }))].sort((a, b) => a.score - b.score);
  // Rank from the lowest score; churners should rank low, so count pairs where a churner is below.
  let wins = 0;
  let retainedAbove = retained.length;
  for (let start = 0; start < all.length; ) {
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

/** Runs the backtest of a workspace; `tx` decides whose rights it runs with (a member's, or the service's for the CLI). */
export async function runBacktest(tx: Tx, workspaceId: string): Promise<BacktestResult> {
  const settings = await tx.selectFrom('workspace_health_settings').select('healthy_threshold').where('workspace_id', '=', workspaceId).executeTakeFirst();
  const threshold = settings?.healthy_threshold ?? 70;
  const horizons: HorizonResult[] = [];
  for (const days of BACKTEST_HORIZONS) {
    const rows = await sql<{ churned: boolean; score: number | null }>`
      with subjects as (
        select c.id, c.status = 'churned' as churned,
               case when c.status = 'churned' then c.churned_at::timestamptz else now() end - make_interval(days => ${days}) as as_of
          from public.clients c
         where c.workspace_id = ${workspaceId}::uuid and (c.status <> 'churned' or c.churned_at is not null)
      ),
      scored as (
        select h.client_id, h.score
          from public.compute_health_scores_at(${workspaceId}::uuid, (select array_agg(id) from subjects), (select array_agg(as_of) from subjects)) h
      )
      select s.churned, k.score from subjects s join scored k on k.client_id = s.id`.execute(tx);
    const churned = rows.rows.filter((row) => row.churned && row.score !== null).map((row) => row.score!);
    const retained = rows.rows.filter((row) => !row.churned && row.score !== null).map((row) => row.score!);
    const flaggedChurned = churned.filter((score) => score < threshold).length;
    const flagged = flaggedChurned + retained.filter((score) => score < threshold).length;
    horizons.push({
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
    });
  }
  const at30 = horizons[0]!;
  return {
    threshold,
    horizons,
    summary: {
      auc: { '30': horizons[0]!.auc, '60': horizons[1]!.auc, '90': horizons[2]!.auc },
      precision: at30.precision,
      recall: at30.recall,
      clients: at30.churned + at30.retained,
    },
  };
}
