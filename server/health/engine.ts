import { sql } from 'kysely';
import type { Database, Tx } from '../db';
import { healthQueue } from '../queue/health';
import { requestJob } from '../queue/request';

/**
 * The health engine's writes (decision 016). Scores come from `public.compute_health_scores`, one
 * SQL function for a whole workspace or one client, as of any moment; this module stores them:
 * the current score on the client row, and a history row when something changed meaningfully.
 */

export const HEALTH_MODEL_VERSION = 'v1';
export type HealthTrigger = 'event' | 'daily' | 'settings' | 'manual';

export type RecomputeResult = { scored: number; changed: number; history: number };

/**
 * A factor's sub-score must move by this many points to be news (history, a changed client row): a
 * client's engagement drifts by about a point a day as its last contact ages, and a day of drift is
 * not a change anyone needs to read about. The score itself moving by one point, the risk level
 * changing, or a factor appearing or disappearing always is.
 */
export const FACTOR_CHANGE_POINTS = 3;

/**
 * Recomputes one client in one statement, or the active clients of a workspace in RECOMPUTE_PARTS
 * statements over disjoint client ranges: each computes, and for the clients whose score, risk level
 * or a factor moved, writes a history row and the client row's
 * current score (so the client row is always its latest history row). Churned clients keep their
 * last score. `asOf` defaults to now (the benchmark simulates tomorrow's run with it).
 */
export async function recomputeHealth(
  db: Database,
  input: { workspaceId: string; clientId?: string; trigger: HealthTrigger; asOf?: Date },
): Promise<RecomputeResult> {
  if (input.clientId) return recomputeRange(db, input, null);
  // A whole workspace: a few statements over disjoint client-id ranges, side by side (one statement
  // runs on one core), then the "recomputed" stamp once they all committed.
  const parts = await Promise.all(clientIdRanges(RECOMPUTE_PARTS).map((range) => recomputeRange(db, input, range)));
  await db.asService((tx) =>
    sql`update public.workspace_health_settings set scores_recomputed_at = now() where workspace_id = ${input.workspaceId}::uuid`.execute(
      tx,
    ),
  );
  return parts.reduce(
    (total, part) => ({ scored: total.scored + part.scored, changed: total.changed + part.changed, history: total.history + part.history }),
    { scored: 0, changed: 0, history: 0 },
  );
}

/** How many statements a workspace-wide recompute runs at once: the database's cores here (two). */
export const RECOMPUTE_PARTS = 2;

/** `parts` disjoint client-id ranges [from, to) covering every uuid (null: open end). */
export function clientIdRanges(parts: number): Array<{ from: string | null; to: string | null }> {
  const bound = (index: number) =>
    `${Math.floor((index * 2 ** 32) / parts)
      .toString(16)
      .padStart(8, '0')}-0000-0000-0000-000000000000`;
  return Array.from({ length: parts }, (_, index) => ({
    from: index === 0 ? null : bound(index),
    to: index === parts - 1 ? null : bound(index + 1),
  }));
}

/** One statement: one client, or the workspace's clients in a client-id range. */
async function recomputeRange(
  db: Database,
  input: { workspaceId: string; clientId?: string; trigger: HealthTrigger; asOf?: Date },
  range: { from: string | null; to: string | null } | null,
): Promise<RecomputeResult> {
  const client = input.clientId ?? null;
  const asOf = input.asOf ?? null;
  const result = await db.asService((tx) =>
    sql<RecomputeResult>`
      with computed as materialized (
        select h.*, c.health_score as old_score, c.risk_level as old_risk, c.health_factor_scores as old_factors
          from public.compute_health_scores(${input.workspaceId}::uuid, ${client}::uuid, coalesce(${asOf}::timestamptz, now()),
                                            ${range?.from ?? null}::uuid, ${range?.to ?? null}::uuid) h
          join public.clients c on c.id = h.client_id
         -- a client that had a score and has no data left (its interactions deleted) loses it
         where c.status <> 'churned' and (h.score is not null or c.health_score is not null)
      ),
      moved as materialized (
        select k.* from computed k
         where k.old_score is distinct from k.score
            or k.old_risk is distinct from k.risk_level
            or k.old_factors is null
            or exists (select 1 from unnest(k.old_factors, k.factor_scores) as f(old, new)
                        where (f.old is null) <> (f.new is null) or abs(f.old - f.new) >= ${FACTOR_CHANGE_POINTS})
      ),
      history as (
        insert into public.health_scores (workspace_id, client_id, score, risk_level, confidence, factor_scores, factor_weights, inputs,
                                          model_version, trigger, computed_at)
        select ${input.workspaceId}::uuid, m.client_id, m.score, m.risk_level, m.confidence, m.factor_scores, m.factor_weights,
               jsonb_build_object('analysed90', m.analysed_90, 'negative14', m.negative_14, 'positive14', m.positive_14,
                                  'cancellation30', m.cancellation_30, 'interactions90', m.interactions_90,
                                  'engagementNorm', m.engagement_norm, 'lastTwoWayAt', m.last_two_way_at,
                                  'daysSinceTwoWay', m.days_since_two_way, 'averageSentiment', m.average_sentiment),
               ${HEALTH_MODEL_VERSION}, ${input.trigger}, m.as_of
          from moved m
         where m.score is not null
        returning 1
      ),
      updated as (
        update public.clients c
           set health_score = m.score, risk_level = m.risk_level, health_confidence = m.confidence,
               health_factor_scores = case when m.score is not null then m.factor_scores end, health_computed_at = m.as_of
          from moved m
         where c.id = m.client_id
        returning 1
      )
      select (select count(*)::int from computed where score is not null) as scored,
             (select count(*)::int from updated) as changed,
             (select count(*)::int from history) as history`.execute(tx),
  );
  return result.rows[0]!;
}

/** Refreshes the workspace's engagement norm: the median number of interactions per engaged client in 90 days. */
export async function refreshEngagementNorm(db: Database, workspaceId: string): Promise<number> {
  const result = await db.asService((tx) =>
    sql<{ norm: number }>`
      with per_client as (
        select count(*) as n from public.interactions
         where workspace_id = ${workspaceId}::uuid and occurred_at > now() - interval '90 days'
         group by client_id
      ),
      norm as (select greatest(1, coalesce(percentile_cont(0.5) within group (order by n), 4)) as norm from per_client)
      insert into public.workspace_health_settings (workspace_id, engagement_norm)
      select ${workspaceId}::uuid, norm from norm
      on conflict (workspace_id) do update set engagement_norm = excluded.engagement_norm
      returning engagement_norm as norm`.execute(tx),
  );
  return Number(result.rows[0]!.norm);
}

/** The daily run: every workspace's norm, then its scores (set-based, a few statements per workspace). */
export async function recomputeAllWorkspaces(
  db: Database,
  onWorkspace?: (workspaceId: string, result: RecomputeResult) => void,
): Promise<RecomputeResult> {
  const workspaces = await db.readAsService((kysely) => kysely.selectFrom('workspaces').select('id').execute());
  const total: RecomputeResult = { scored: 0, changed: 0, history: 0 };
  for (const { id } of workspaces) {
    await refreshEngagementNorm(db, id);
    const result = await recomputeHealth(db, { workspaceId: id, trigger: 'daily' });
    total.scored += result.scored;
    total.changed += result.changed;
    total.history += result.history;
    onWorkspace?.(id, result);
  }
  return total;
}

/**
 * Replays the daily recompute over the last `days` days (oldest first), then now: history as if the
 * engine had run every day. For a portfolio loaded in one go (the demo seed); only signals that
 * existed on each day count.
 */
export async function backfillHealthHistory(db: Database, workspaceId: string, days: number): Promise<void> {
  await refreshEngagementNorm(db, workspaceId);
  const now = Date.now();
  for (let day = days; day >= 1; day -= 1) {
    await recomputeHealth(db, { workspaceId, trigger: 'daily', asOf: new Date(now - day * 86_400_000) });
  }
  await recomputeHealth(db, { workspaceId, trigger: 'daily' });
}

/** Asks the worker to recompute every client of a workspace (after its model settings changed). */
export async function requestWorkspaceRecompute(tx: Tx, workspaceId: string, cause: string): Promise<void> {
  await requestJob(tx, healthQueue.job('recompute-workspace', { workspaceId, cause: { kind: cause } }));
}
