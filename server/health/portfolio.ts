import { sql } from 'kysely';
import type { Tx } from '../db';
import type { RiskLevel } from '../clients/schemas';

/**
 * The workspace home's picture of the portfolio: clients and MRR by risk level, the MRR at risk, and
 * the clients whose score dropped most in the last 7 days. Active and paused clients only (churned
 * ones are gone). As the member, under RLS.
 */

export type PortfolioLevel = RiskLevel | 'unscored';
export type Portfolio = {
  levels: Array<{ level: PortfolioLevel; clients: number; mrrCents: number }>;
  /** The currency most of the portfolio's MRR is in; MRR figures above are in it. */
  currency: string;
  /** MRR in other currencies, left out of the figures above (not converted). */
  otherCurrencies: Array<{ currency: string; clients: number; mrrCents: number }>;
  clients: number;
  mrrCents: number;
  /** MRR of at-risk and critical clients. */
  mrrAtRiskCents: number;
  drops: Array<{
    id: string;
    name: string;
    scoreBefore: number;
    score: number;
    change: number;
    riskLevel: RiskLevel;
    mrrCents: number;
    currency: string;
  }>;
};

const PORTFOLIO_DROPS = 10;

export async function workspacePortfolio(tx: Tx, workspaceId: string): Promise<Portfolio> {
  const [levels, drops] = await Promise.all([
    sql<{ level: PortfolioLevel; currency: string; clients: number; mrr: string }>`
      select coalesce(c.risk_level, 'unscored') as level, c.currency, count(*)::int as clients, coalesce(sum(c.mrr_cents), 0)::text as mrr
        from public.clients c
       where c.workspace_id = ${workspaceId}::uuid and c.status <> 'churned'
       group by 1, 2`.execute(tx),
    // Clients whose score moved this week have history rows this week; the score before is the
    // last one from before the week began.
    sql<{ id: string; name: string; score_before: number; score: number; risk_level: RiskLevel; mrr_cents: string; currency: string }>`
      with moved as (
        select distinct h.client_id from public.health_scores h
         where h.workspace_id = ${workspaceId}::uuid and h.computed_at > now() - interval '7 days'
      )
      select c.id, c.name, b.score as score_before, c.health_score as score, c.risk_level, c.mrr_cents::text, c.currency
        from moved m
        join public.clients c on c.id = m.client_id
        cross join lateral (
          select h.score from public.health_scores h
           where h.client_id = c.id and h.computed_at <= now() - interval '7 days'
           order by h.computed_at desc limit 1
        ) b
       where c.status <> 'churned' and c.health_score is not null and c.health_score < b.score
       order by b.score - c.health_score desc, c.mrr_cents desc, c.id
       limit ${PORTFOLIO_DROPS}`.execute(tx),
  ]);
  const byCurrency = new Map<string, number>();
  for (const row of levels.rows) byCurrency.set(row.currency, (byCurrency.get(row.currency) ?? 0) + Number(row.mrr));
  const currency = [...byCurrency.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'USD';
  const order: PortfolioLevel[] = ['healthy', 'at_risk', 'critical', 'unscored'];
  const main = levels.rows.filter((row) => row.currency === currency);
  const perLevel = order.map((level) => ({
    level,
    // Clients count whatever their currency; MRR only in the main one.
    clients: levels.rows.filter((row) => row.level === level).reduce((sum, row) => sum + row.clients, 0),
    mrrCents: main.filter((row) => row.level === level).reduce((sum, row) => sum + Number(row.mrr), 0),
  }));
  const others = new Map<string, { clients: number; mrrCents: number }>();
  for (const row of levels.rows.filter((item) => item.currency !== currency)) {
    const entry = others.get(row.currency) ?? { clients: 0, mrrCents: 0 };
    entry.clients += row.clients;
    entry.mrrCents += Number(row.mrr);
    others.set(row.currency, entry);
  }
  const at = (level: PortfolioLevel) => perLevel.find((item) => item.level === level)!;
  return {
    levels: perLevel,
    currency,
    otherCurrencies: [...others.entries()].map(([code, entry]) => ({ currency: code, ...entry })).sort((a, b) => b.mrrCents - a.mrrCents),
    clients: perLevel.reduce((sum, item) => sum + item.clients, 0),
    mrrCents: perLevel.reduce((sum, item) => sum + item.mrrCents, 0),
    mrrAtRiskCents: at('at_risk').mrrCents + at('critical').mrrCents,
    drops: drops.rows.map((row) => ({
      id: row.id,
      name: row.name,
      scoreBefore: row.score_before,
      score: row.score,
      change: row.score - row.score_before,
      riskLevel: row.risk_level,
      mrrCents: Number(row.mrr_cents),
      currency: row.currency,
    })),
  };
}
