import { sql } from 'kysely';
import type { Tx } from '../db';
import { AppError } from '../errors';

/** What the client page shows about a score: its parts, the reasons in words, what moved it, its course. */

export type HealthFactor = {
  factor: string;
  present: boolean;
  score: number | null;
  weight: number;
  effectiveWeight: number;
  contribution: number;
};
export type HealthInputs = {
  analysed90?: number;
  negative14?: number;
  positive14?: number;
  cancellation30?: number;
  interactions90?: number;
  engagementNorm?: number;
  daysSinceTwoWay?: number | null;
  averageSentiment?: number | null;
};
export type HealthReason = { text: string; tone: 'bad' | 'good' | 'info' };
export type HealthPoint = { at: string; score: number; riskLevel: string };
export type ClientHealth = {
  score: number | null;
  riskLevel: string | null;
  confidence: number | null;
  computedAt: Date | null;
  factors: HealthFactor[];
  reasons: HealthReason[];
  change: { days7: number | null; days30: number | null };
  history: HealthPoint[];
  thresholds: { healthy: number; critical: number };
};

export const FACTOR_NAMES: Record<string, string> = {
  sentiment: 'Sentiment',
  engagement: 'Engagement',
  survey: 'Surveys',
  payment: 'Payments',
  usage: 'Product usage',
};

const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

/** The top reasons, in plain words, most telling first. */
export function reasonsFor(inputs: HealthInputs, factors: HealthFactor[]): HealthReason[] {
  const reasons: Array<HealthReason & { weight: number }> = [];
  if (inputs.cancellation30)
    reasons.push({
      text: `Cancellation intent voiced in the last 30 days (${plural(inputs.cancellation30, 'interaction')})`,
      tone: 'bad',
      weight: 100,
    });
  if (inputs.negative14)
    reasons.push({
      text: `${plural(inputs.negative14, 'negative interaction')} in the last 14 days`,
      tone: 'bad',
      weight: 80 + inputs.negative14,
    });
  if (inputs.daysSinceTwoWay != null && inputs.daysSinceTwoWay >= 21)
    reasons.push({
      text: `No two-way contact for ${inputs.daysSinceTwoWay} days`,
      tone: 'bad',
      weight: 60 + Math.min(inputs.daysSinceTwoWay, 90) / 3,
    });
  if (inputs.interactions90 !== undefined && inputs.engagementNorm && inputs.interactions90 < inputs.engagementNorm / 2) {
    reasons.push({
      text: `Fewer interactions than usual: ${inputs.interactions90} in 90 days (typical: ${Math.round(inputs.engagementNorm)})`,
      tone: 'bad',
      weight: 40,
    });
  }
  if (inputs.positive14 && !inputs.negative14)
    reasons.push({
      text: `${plural(inputs.positive14, 'positive interaction')} in the last 14 days`,
      tone: 'good',
      weight: 50 + inputs.positive14,
    });
  if (inputs.averageSentiment != null && inputs.averageSentiment >= 0.3)
    reasons.push({ text: 'Conversations over the last 90 days are mostly positive', tone: 'good', weight: 30 });
  if (inputs.averageSentiment != null && inputs.averageSentiment <= -0.3)
    reasons.push({ text: 'Conversations over the last 90 days are mostly negative', tone: 'bad', weight: 70 });
  if (inputs.daysSinceTwoWay != null && inputs.daysSinceTwoWay <= 7)
    reasons.push({
      text: `In touch recently (${plural(inputs.daysSinceTwoWay, 'day')} since the last two-way contact)`,
      tone: 'good',
      weight: 20,
    });
  const missing = factors.filter((factor) => !factor.present).map((factor) => FACTOR_NAMES[factor.factor]?.toLowerCase() ?? factor.factor);
  if (missing.length)
    reasons.push({ text: `No ${missing.join(', ')} data yet: left out of the score, not counted against it`, tone: 'info', weight: 0 });
  return reasons
    .sort((a, b) => b.weight - a.weight)
    .slice(0, 5)
    .map(({ text, tone }) => ({ text, tone }));
}

type Current = {
  score: number | null;
  risk_level: string | null;
  confidence: number | null;
  factors: HealthFactor[] | null;
  inputs: HealthInputs;
  computed_at: Date;
};

/**
 * The client's score explained. Active and paused clients are computed live, as of now, with the
 * engine's own function (one client: a few milliseconds), so the page always shows the score its
 * reasons add up to; a churned client shows the last score it had (the engine stops scoring it).
 */
export async function clientHealth(tx: Tx, input: { workspaceId: string; clientId: string; days?: number }): Promise<ClientHealth> {
  const client = await tx
    .selectFrom('clients')
    .select(['status'])
    .where('id', '=', input.clientId)
    .where('workspace_id', '=', input.workspaceId)
    .executeTakeFirst();
  if (!client) throw new AppError('NOT_FOUND', 'That client does not exist in this workspace.');
  const current =
    client.status === 'churned'
      ? (
          await sql<Current>`
            select h.score, h.risk_level, h.confidence, public.health_factor_breakdown(h.factor_scores, h.factor_weights) as factors,
                   h.inputs, h.computed_at
              from public.health_scores h
             where h.client_id = ${input.clientId}::uuid and h.workspace_id = ${input.workspaceId}::uuid
             order by h.computed_at desc limit 1`.execute(tx)
        ).rows[0]
      : (
          await sql<Current>`
            select h.score, h.risk_level, h.confidence, public.health_factor_breakdown(h.factor_scores, h.factor_weights) as factors,
                   jsonb_build_object('analysed90', h.analysed_90, 'negative14', h.negative_14, 'positive14', h.positive_14,
                                      'cancellation30', h.cancellation_30, 'interactions90', h.interactions_90,
                                      'engagementNorm', h.engagement_norm, 'daysSinceTwoWay', h.days_since_two_way,
                                      'averageSentiment', h.average_sentiment) as inputs,
                   h.as_of as computed_at
              from public.compute_health_scores(${input.workspaceId}::uuid, ${input.clientId}::uuid) h`.execute(tx)
        ).rows[0];
  const score = current?.score ?? null;
  const days = input.days ?? 90;
  const [history, past, settings] = await Promise.all([
    tx
      .selectFrom('health_scores')
      .select(['computed_at', 'score', 'risk_level'])
      .where('client_id', '=', input.clientId)
      .where('workspace_id', '=', input.workspaceId)
      .where('computed_at', '>', sql<Date>`now() - make_interval(days => ${days})`)
      .orderBy('computed_at')
      .limit(1_000)
      .execute(),
    sql<{ days: number; score: number | null }>`
      select d.days, (select h.score from public.health_scores h
                       where h.client_id = ${input.clientId}::uuid and h.workspace_id = ${input.workspaceId}::uuid
                         and h.computed_at <= now() - make_interval(days => d.days)
                       order by h.computed_at desc limit 1) as score
        from (values (7), (30)) as d(days)`.execute(tx),
    tx
      .selectFrom('workspace_health_settings')
      .select(['healthy_threshold', 'critical_threshold'])
      .where('workspace_id', '=', input.workspaceId)
      .executeTakeFirst(),
  ]);
  const factors = score === null ? [] : (current?.factors ?? []);
  const scoreThen = (n: number) => past.rows.find((row) => row.days === n)?.score ?? null;
  const change = (n: number) => (score !== null && scoreThen(n) !== null ? score - scoreThen(n)! : null);
  return {
    score,
    riskLevel: score === null ? null : (current?.risk_level ?? null),
    confidence: score === null ? null : (current?.confidence ?? null),
    computedAt: score === null ? null : (current?.computed_at ?? null),
    factors,
    reasons: score === null ? [] : reasonsFor(current?.inputs ?? {}, factors),
    change: { days7: change(7), days30: change(30) },
    history: history.map((row) => ({ at: row.computed_at.toISOString(), score: row.score, riskLevel: row.risk_level })),
    thresholds: { healthy: settings?.healthy_threshold ?? 70, critical: settings?.critical_threshold ?? 40 },
  };
}
