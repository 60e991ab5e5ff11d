import { Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { SentimentTrendPoint } from '../../server/clients/interactions';

export type InteractionSentiment = {
  sentimentStatus: string;
  sentimentLabel: string | null;
  sentimentScore: number | null;
  sentimentSignals: string[];
  sentimentSummary: string | null;
  sentimentAnalysedBy: string | null;
  sentimentNote: string | null;
};

const LABEL_TEXT: Record<string, string> = { positive: 'Positive', neutral: 'Neutral', negative: 'Negative' };

/** The sentiment of one interaction: badge, score, signals and summary (or that it is pending/failed). */
export function SentimentDetails({ sentiment, signalNames }: { sentiment: InteractionSentiment; signalNames: Record<string, string> }) {
  if (sentiment.sentimentStatus === 'pending') {
    return (
      <p className="sentiment" data-testid="sentiment">
        <span className="pill sentiment-pending">Analysing sentiment…</span>
      </p>
    );
  }
  if (sentiment.sentimentStatus === 'failed') {
    return (
      <p className="sentiment" data-testid="sentiment">
        <span className="pill sentiment-failed">Analysis failed</span> <span className="muted">{sentiment.sentimentNote}</span>
      </p>
    );
  }
  const label = sentiment.sentimentLabel ?? 'neutral';
  return (
    <div className="sentiment" data-testid="sentiment">
      <p>
        <span className={`pill sentiment-${label}`} data-testid="sentiment-label">
          {LABEL_TEXT[label] ?? label}
          {sentiment.sentimentScore !== null ? ` ${sentiment.sentimentScore > 0 ? '+' : ''}${sentiment.sentimentScore.toFixed(2)}` : ''}
        </span>
        {sentiment.sentimentSignals.map((signal) => (
          <span
            key={signal}
            className={`pill signal ${signal === 'expansion_interest' ? 'signal-good' : 'signal-bad'}`}
            data-testid="sentiment-signal"
          >
            {signalNames[signal] ?? signal}
          </span>
        ))}
      </p>
      {sentiment.sentimentSummary ? <p className="muted sentiment-summary">{sentiment.sentimentSummary}</p> : null}
      <p className="muted sentiment-source">
        Analysed by {sentiment.sentimentAnalysedBy ?? 'unknown'}
        {sentiment.sentimentNote ? ` · ${sentiment.sentimentNote}` : ''}
      </p>
    </div>
  );
}

/** A week of the trend, as the sentiment-trend procedure returns it. */
export type TrendPoint = SentimentTrendPoint;

/** Weekly sentiment of a client: interactions by label (bars) and the average score (line). */
export function SentimentTrendChart({ points }: { points: TrendPoint[] }) {
  if (points.length === 0) {
    return <p className="muted">No analysed interactions in the last 90 days: the trend appears once some are logged and analysed.</p>;
  }
  const summary = points
    .map((point) => `week of ${point.week}: ${point.interactions} interactions, average ${point.averageScore ?? 'n/a'}`)
    .join('; ');
  return (
    <figure className="chart" aria-label={`Sentiment by week. ${summary}`} data-testid="sentiment-trend">
      <ResponsiveContainer width="100%" height={220}>
        <ComposedChart data={points} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e2e6ea" />
          <XAxis dataKey="week" tickFormatter={(week: string) => week.slice(5)} fontSize={12} />
          <YAxis yAxisId="count" allowDecimals={false} fontSize={12} />
          <YAxis yAxisId="score" orientation="right" domain={[-1, 1]} fontSize={12} />
          <Tooltip />
          <Legend />
          <Bar yAxisId="count" dataKey="positive" stackId="labels" fill="#2f855a" name="Positive" />
          <Bar yAxisId="count" dataKey="neutral" stackId="labels" fill="#a0aec0" name="Neutral" />
          <Bar yAxisId="count" dataKey="negative" stackId="labels" fill="#c53030" name="Negative" />
          <Line yAxisId="score" type="monotone" dataKey="averageScore" stroke="#1d4a94" strokeWidth={2} name="Average score" connectNulls />
        </ComposedChart>
      </ResponsiveContainer>
      <figcaption className="muted">Interactions per week by sentiment, and their average score (−1 to 1), last 90 days.</figcaption>
    </figure>
  );
}
