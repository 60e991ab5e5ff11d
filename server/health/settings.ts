import { sql } from 'kysely';
import type { RiskLevel } from '../clients/schemas';
import type { Tx } from '../db';
import { recordAudit, type RequestMeta } from '../identity/audit';
import { requestWorkspaceRecompute } from './engine';
import type { HealthSettingsInput } from './schemas';

/**
 * The workspace's health model settings (admins): factor weights that sum to 100 and the risk
 * thresholds. A preview tells how many clients would change risk level before anything is saved;
 * saving asks the worker to recompute every client (in the same transaction as the change).
 */

export const FACTORS = ['sentiment', 'engagement', 'survey', 'payment', 'usage'] as const;
export type Factor = (typeof FACTORS)[number];

const DEFAULT_WEIGHTS: Record<Factor, number> = { sentiment: 30, engagement: 20, survey: 20, payment: 15, usage: 15 };
const DEFAULT_THRESHOLDS = { healthy: 70, critical: 40 };

export type HealthSettings = HealthSettingsInput & {
  engagementNorm: number;
  updatedAt: Date | null;
  /** True while the worker has not yet recomputed the workspace since the settings last changed. */
  recomputing: boolean;
};

export async function healthSettings(tx: Tx, workspaceId: string): Promise<HealthSettings> {
  const row = await tx.selectFrom('workspace_health_settings').selectAll().where('workspace_id', '=', workspaceId).executeTakeFirst();
  return {
    weightSentiment: row?.weight_sentiment ?? DEFAULT_WEIGHTS.sentiment,
    weightEngagement: row?.weight_engagement ?? DEFAULT_WEIGHTS.engagement,
    weightSurvey: row?.weight_survey ?? DEFAULT_WEIGHTS.survey,
    weightPayment: row?.weight_payment ?? DEFAULT_WEIGHTS.payment,
    weightUsage: row?.weight_usage ?? DEFAULT_WEIGHTS.usage,
    healthyThreshold: row?.healthy_threshold ?? DEFAULT_THRESHOLDS.healthy,
    criticalThreshold: row?.critical_threshold ?? DEFAULT_THRESHOLDS.critical,
    engagementNorm: row?.engagement_norm ?? 4,
    updatedAt: row?.updated_at ?? null,
    recomputing:
      row?.settings_changed_at != null && (row.scores_recomputed_at === null || row.scores_recomputed_at < row.settings_changed_at),
  };
}

export type HealthSettingsPreview = {
  /** Scored clients (active and paused) the preview looked at. */
  clients: number;
  /** How many would change risk level, and between which levels (with their MRR in cents by currency). */
  changed: number;
  moves: Array<{ from: RiskLevel; to: RiskLevel | null; clients: number }>;
  /** Clients per risk level now and with the new settings. */
  before: Record<RiskLevel, number>;
  after: Record<RiskLevel | 'unscored', number>;
};

/**
 * What the new settings would do to the current scores: each scored client's stored factor
 * sub-scores re-weighted (missing factors left out, the rest renormalised, exactly as the engine
 * does: its own `health_weighted_score` and `health_risk_level`) and mapped to the new thresholds.
 * Scores drift a little between recomputes; this is the picture as of the last one.
 */
export async function previewHealthSettings(tx: Tx, workspaceId: string, input: HealthSettingsInput): Promise<HealthSettingsPreview> {
  // The score in a materialised step, so that the risk level's argument is a plain column and the planner inlines it.
  const rows = await sql<{ from_level: RiskLevel; to_level: RiskLevel | null; clients: number }>`
    with rescored as materialized (
      select c.risk_level,
             public.health_weighted_score(c.health_factor_scores[1], c.health_factor_scores[2], c.health_factor_scores[3],
                                          c.health_factor_scores[4], c.health_factor_scores[5],
                                          ${input.weightSentiment}::int, ${input.weightEngagement}::int, ${input.weightSurvey}::int,
                                          ${input.weightPayment}::int, ${input.weightUsage}::int) as score
        from public.clients c
       where c.workspace_id = ${workspaceId}::uuid and c.status <> 'churned'
         and c.health_score is not null and c.health_factor_scores is not null
    )
    select risk_level as from_level,
           public.health_risk_level(score, ${input.healthyThreshold}::int, ${input.criticalThreshold}::int) as to_level,
           count(*)::int as clients
      from rescored
     group by 1, 2`.execute(tx);
  const before: Record<RiskLevel, number> = { healthy: 0, at_risk: 0, critical: 0 };
  const after: Record<RiskLevel | 'unscored', number> = { healthy: 0, at_risk: 0, critical: 0, unscored: 0 };
  const order: Array<RiskLevel | null> = ['healthy', 'at_risk', 'critical', null];
  const moves: HealthSettingsPreview['moves'] = [];
  for (const row of rows.rows) {
    before[row.from_level] += row.clients;
    after[row.to_level ?? 'unscored'] += row.clients;
    if (row.from_level !== row.to_level) moves.push({ from: row.from_level, to: row.to_level, clients: row.clients });
  }
  moves.sort((a, b) => order.indexOf(a.from) - order.indexOf(b.from) || order.indexOf(a.to) - order.indexOf(b.to));
  return {
    clients: Object.values(before).reduce((sum, n) => sum + n, 0),
    changed: moves.reduce((sum, move) => sum + move.clients, 0),
    moves,
    before,
    after,
  };
}

/** Saves the settings (audited) and asks for every client's score to be recomputed with them. */
export async function updateHealthSettings(
  tx: Tx,
  input: { workspaceId: string; actorId: string; meta: RequestMeta; settings: HealthSettingsInput },
): Promise<{ changed: boolean }> {
  const before = await healthSettings(tx, input.workspaceId);
  const { settings } = input;
  const changed = (Object.keys(settings) as Array<keyof HealthSettingsInput>).some((key) => settings[key] !== before[key]);
  if (!changed) return { changed: false };
  const values = {
    weight_sentiment: settings.weightSentiment,
    weight_engagement: settings.weightEngagement,
    weight_survey: settings.weightSurvey,
    weight_payment: settings.weightPayment,
    weight_usage: settings.weightUsage,
    healthy_threshold: settings.healthyThreshold,
    critical_threshold: settings.criticalThreshold,
    updated_at: sql<Date>`now()`,
    settings_changed_at: sql<Date>`now()`,
  };
  await tx
    .insertInto('workspace_health_settings')
    .values({ workspace_id: input.workspaceId, ...values })
    .onConflict((conflict) => conflict.column('workspace_id').doUpdateSet(values))
    .execute();
  const pick = (value: HealthSettingsInput) =>
    Object.fromEntries((Object.keys(settings) as Array<keyof HealthSettingsInput>).map((key) => [key, value[key]]));
  await recordAudit(tx, {
    action: 'health.settings_changed',
    actorId: input.actorId,
    workspaceId: input.workspaceId,
    target: { type: 'workspace', id: input.workspaceId },
    before: pick(before),
    after: pick(settings),
    meta: input.meta,
  });
  await requestWorkspaceRecompute(tx, input.workspaceId, 'settings');
  return { changed: true };
}
