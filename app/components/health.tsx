import { CartesianGrid, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { RISK_LABELS } from '~/utils/format';
import { DataTable } from './table';

export type HealthView = {
  score: number | null;
  riskLevel: string | null;
  confidence: number | null;
  factors: Array<{ factor: string; present: boolean; score: number | null; weight: number; effectiveWeight: number; contribution: number }>;
  reasons: Array<{ text: string; tone: 'bad' | 'good' | 'info' }>;
  change: { days7: number | null; days30: number | null };
  history: Array<{ at: string; score: number; riskLevel: string }>;
};

const FACTOR_LABELS: Record<string, string> = {
  sentiment: 'Sentiment',
  engagement: 'Engagement',
  survey: 'Surveys',
  payment: 'Payments',
  usage: 'Product usage',
};

function Change({ label, value }: { label: string; value: number | null }) {
  if (value === null) return <span className="muted">{label}: no score then</span>;
  const text = value === 0 ? 'no change' : `${value > 0 ? '+' : '−'}${Math.abs(value)} points`;
  return (
    <span className={value < 0 ? 'change-down' : value > 0 ? 'change-up' : 'muted'}>
      {label}: {text}
    </span>
  );
}

/** The score, why it is what it is, what moved it, and its course over 90 days. */
export function HealthExplanation({ health, thresholds }: { health: HealthView; thresholds: { healthy: number; critical: number } }) {
  if (health.score === null) {
    return (
      <section className="card" aria-labelledby="health-heading" data-testid="health">
        <h2 id="health-heading">Health</h2>
        <p className="muted">
          Not scored yet: the score appears once this client has interactions (and, later, survey answers, payments or usage).
        </p>
      </section>
    );
  }
  const risk = health.riskLevel as keyof typeof RISK_LABELS;
  return (
    <section className="card" aria-labelledby="health-heading" data-testid="health">
      <div className="health-summary">
        <h2 id="health-heading">
          Health <span data-testid="health-score">{health.score}</span>
          <span className={`pill risk-${risk}`}>{RISK_LABELS[risk] ?? risk}</span>
        </h2>
        <p className="muted">
          Confidence {Math.round((health.confidence ?? 0) * 100)}% · <Change label="7 days" value={health.change.days7} /> ·{' '}
          <Change label="30 days" value={health.change.days30} />
        </p>
      </div>
      <div className="health-grid">
        <div>
          <h3>Why</h3>
          <ul className="reasons" data-testid="health-reasons">
            {health.reasons.map((reason) => (
              <li key={reason.text} className={`reason-${reason.tone}`}>
                {reason.text}
              </li>
            ))}
          </ul>
          <DataTable
            className="factors"
            caption="What each factor contributes to the score"
            columns={['Factor', 'Score', 'Weight', 'Contributes']}
          >
            {health.factors.map((factor) => (
              <tr key={factor.factor} className={factor.present ? undefined : 'muted'} data-testid={`factor-${factor.factor}`}>
                <th scope="row">{FACTOR_LABELS[factor.factor] ?? factor.factor}</th>
                <td>{factor.present ? factor.score : 'no data'}</td>
                <td>{factor.present ? `${factor.effectiveWeight}% (set ${factor.weight})` : `— (set ${factor.weight})`}</td>
                <td>
                  {factor.present ? (
                    <span className="bar" aria-label={`${factor.contribution} points`}>
                      <span className="bar-fill" style={{ width: `${Math.min(100, factor.contribution)}%` }} />
                      <span className="bar-text">{factor.contribution}</span>
                    </span>
                  ) : (
                    '—'
                  )}
                </td>
              </tr>
            ))}
          </DataTable>
        </div>
        <figure
          className="chart"
          aria-label={
            'Health score over the last 90 days: ' + health.history.map((point) => `${point.at.slice(0, 10)} ${point.score}`).join(', ')
          }
        >
          {health.history.length > 1 ? (
            <ResponsiveContainer width="100%" height={200}>
              <LineChart
                data={health.history.map((point) => ({ ...point, day: point.at.slice(5, 10) }))}
                margin={{ top: 8, right: 8, bottom: 0, left: -20 }}
              >
                <CartesianGrid strokeDasharray="3 3" stroke="#e2e6ea" />
                <XAxis dataKey="day" fontSize={12} />
                <YAxis domain={[0, 100]} fontSize={12} />
                <ReferenceLine y={thresholds.healthy} stroke="#2f855a" strokeDasharray="4 4" />
                <ReferenceLine y={thresholds.critical} stroke="#c53030" strokeDasharray="4 4" />
                <Tooltip />
                <Line type="stepAfter" dataKey="score" stroke="#1d4a94" strokeWidth={2} dot={false} name="Score" />
              </LineChart>
            </ResponsiveContainer>
          ) : (
            <p className="muted">The course of the score appears here as it changes (90 days).</p>
          )}
          <figcaption className="muted">
            Score over 90 days; dashed lines: healthy ({thresholds.healthy}) and critical ({thresholds.critical}) thresholds.
          </figcaption>
        </figure>
      </div>
    </section>
  );
}
