import { Link } from '@remix-run/react';
import { Bar, BarChart, CartesianGrid, Cell, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { RISK_LABELS, formatMoney } from '~/utils/format';
import type { Portfolio } from '../../server/health/portfolio';
import { DataTable } from './table';

/** The workspace home's portfolio, as the portfolio procedure returns it. */
export type PortfolioView = Portfolio;

const LEVEL_LABELS = { ...RISK_LABELS, unscored: 'Not scored yet' } as const;
const LEVEL_COLOURS = { healthy: '#2f855a', at_risk: '#b7791f', critical: '#c53030', unscored: '#718096' } as const;
const share = (part: number, whole: number) => (whole > 0 ? `${Math.round((100 * part) / whole)}%` : '—');

/** The workspace home's portfolio: clients and MRR by risk level, MRR at risk, the week's biggest drops. */
export function PortfolioOverview({ portfolio }: { portfolio: PortfolioView }) {
  const { currency } = portfolio;
  const money = (cents: number) => formatMoney(cents, currency);
  const data = portfolio.levels.map((level) => ({ ...level, label: LEVEL_LABELS[level.level], mrr: level.mrrCents / 100 }));
  const riskLink = (level: string) => `clients?risk=${level}`;
  return (
    <>
      <section className="card" aria-labelledby="portfolio-heading" data-testid="portfolio">
        <h2 id="portfolio-heading">Portfolio health</h2>
        <dl className="kpis">
          <div>
            <dt>Clients</dt>
            <dd>{portfolio.clients.toLocaleString('en-US')}</dd>
          </div>
          <div>
            <dt>MRR</dt>
            <dd>{money(portfolio.mrrCents)}</dd>
          </div>
          <div className="kpi-bad">
            <dt>MRR at risk</dt>
            <dd data-testid="mrr-at-risk">
              {money(portfolio.mrrAtRiskCents)} <span className="muted">({share(portfolio.mrrAtRiskCents, portfolio.mrrCents)})</span>
            </dd>
          </div>
        </dl>
        <div className="columns">
          <DataTable
            testId="risk-distribution"
            caption="Active and paused clients and their MRR by risk level"
            columns={['Risk level', 'Clients', 'MRR']}
          >
            {portfolio.levels.map((level) => (
              <tr key={level.level} data-testid={`level-${level.level}`}>
                <th scope="row">
                  <Link to={riskLink(level.level)}>
                    <span className={level.level === 'unscored' ? 'pill' : `pill risk-${level.level}`}>{LEVEL_LABELS[level.level]}</span>
                  </Link>
                </th>
                <td>
                  {level.clients.toLocaleString('en-US')} <span className="muted">({share(level.clients, portfolio.clients)})</span>
                </td>
                <td>
                  {money(level.mrrCents)} <span className="muted">({share(level.mrrCents, portfolio.mrrCents)})</span>
                </td>
              </tr>
            ))}
          </DataTable>
          <figure
            className="chart"
            aria-label={`MRR by risk level: ${data.map((item) => `${item.label} ${money(item.mrrCents)}`).join(', ')}`}
          >
            <ResponsiveContainer width="100%" height={200}>
              <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 8 }}>
                <CartesianGrid strokeDasharray="3 3" stroke="#e2e6ea" vertical={false} />
                <XAxis dataKey="label" fontSize={12} interval={0} />
                <YAxis fontSize={12} tickFormatter={(value: number) => formatMoney(value * 100, currency)} width={70} />
                <Tooltip formatter={(value: number) => formatMoney(value * 100, currency)} />
                <Bar dataKey="mrr" name="MRR" isAnimationActive={false}>
                  {data.map((item) => (
                    <Cell key={item.level} fill={LEVEL_COLOURS[item.level]} />
                  ))}
                </Bar>
              </BarChart>
            </ResponsiveContainer>
            <figcaption className="muted">MRR by risk level ({currency}).</figcaption>
          </figure>
        </div>
        {portfolio.otherCurrencies.length ? (
          <p className="muted">
            Also in the portfolio, not converted:{' '}
            {portfolio.otherCurrencies
              .map((other) => `${other.clients.toLocaleString('en-US')} clients with ${formatMoney(other.mrrCents, other.currency)} MRR`)
              .join('; ')}
            .
          </p>
        ) : null}
      </section>
      <section className="card" aria-labelledby="drops-heading">
        <h2 id="drops-heading">Dropped most in the last 7 days</h2>
        {portfolio.drops.length === 0 ? (
          <p className="muted" data-testid="no-drops">
            No client&apos;s score dropped in the last 7 days. Scores move as interactions are logged and analysed; drops show here.
          </p>
        ) : (
          <DataTable
            testId="drops"
            caption="Clients whose health score dropped most in the last 7 days"
            columns={['Client', 'Score', 'Change', 'MRR']}
          >
            {portfolio.drops.map((drop) => (
              <tr key={drop.id}>
                <th scope="row">
                  <Link to={`clients/${drop.id}`}>{drop.name}</Link>
                </th>
                <td>
                  {drop.scoreBefore} → {drop.score} <span className={`pill risk-${drop.riskLevel}`}>{RISK_LABELS[drop.riskLevel]}</span>
                </td>
                <td className="change-down">−{Math.abs(drop.change)} points</td>
                <td>{formatMoney(drop.mrrCents, drop.currency)}</td>
              </tr>
            ))}
          </DataTable>
        )}
      </section>
    </>
  );
}
