import { sql } from 'kysely';
import type { Database } from '../db';

/**
 * The health engine's writes (decision 016). Scores come from `public.compute_health_scores`, one
 * SQL function for a whole workspace or one client, as of any moment; this module stores them:
 * the current score on the client row, and a history row when something changed meaningfully.
 */

export const HEALTH_MODEL_VERSION = 'v1';
export type HealthTrigger = 'event' | 'daily' | 'settings' | 'manual';

/** A change of at least this many points in the score or any factor is worth a history row. */
export const MEANINGFUL_CHANGE = 1;

export type RecomputeResult = { scored: number; changed: number; history: number };

/**
 * Recomputes the active clients of a workspace (or one client) in one statement: computes, writes a
 * history row where the score, the risk level or a factor moved, and updates the client rows whose
 * current score differs. Churned clients keep their last score.
 */
export async function recomputeHealth(db: Database, input: { workspaceId: string; clientId?: string; trigger: HealthTrigger }): Promise<RecomputeResult> {
  const client = input.clientId ?? null;
  const result = await db.asService((tx) =>
    sql<{ scored: number; changed: number; history: number }>`
      with computed as materialized (
        select h.* from public.compute_health_scores(${input.workspaceId}::uuid, ${client}::uuid, now()) h
          join public.clients c on c.id = h.client_id
         where c.status <> 'churned' and h.score is not null
      ),
      current as (
        select c.id, c.health_score, c.risk_level, c.health_factors from public.clients c
         where c.workspace_id = ${input.workspaceId}::uuid and (${client}::uuid is null or c.id = ${client}::uuid)
      ),
      moved as (
        select k.* from computed k join current c on c.id = k.client_id
         where c.health_score is null
            or abs(c.health_score - k.score) >= ${MEANINGFUL_CHANGE}
            or c.risk_level is distinct from k.risk_level
            or exists (
              select 1 from jsonb_array_elements(k.factors) f
                left join jsonb_array_elements(c.health_factors) o on o->>'factor' = f->>'factor'
               where (f->>'score') is distinct from (o->>'score')
                 and coalesce(abs((f->>'score')::numeric - (o->>'score')::numeric), ${MEANINGFUL_CHANGE}) >= ${MEANINGFUL_CHANGE})
      ),
      history as (
        insert into public.health_scores (workspace_id, client_id, score, risk_level, confidence, factors, inputs, model_version, trigger)
        select ${input.workspaceId}::uuid, m.client_id, m.score, m.risk_level, m.confidence, m.factors, m.inputs, ${HEALTH_MODEL_VERSION}, ${input.trigger}
          from moved m
        returning 1
      ),
      updated as (
        update public.clients c
           set health_score = k.score, risk_level = k.risk_level, health_confidence = k.confidence, health_factors = k.factors, health_computed_at = now()
          from computed k
         where c.id = k.client_id
           and (c.health_score is distinct from k.score or c.risk_level is distinct from k.risk_level
                or c.health_confidence is distinct from k.confidence or c.health_factors is distinct from k.factors)
        returning 1
      )
      select (select count(*)::int from computed) as scored, (select count(*)::int from updated) as changed, (select count(*)::int from history) as history`.execute(tx),
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
export async function recomputeAllWorkspaces(db: Database, onWorkspace?: (workspaceId: string, result: RecomputeResult) => void): Promise<RecomputeResult> {
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
