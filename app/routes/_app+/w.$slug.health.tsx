import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, useActionData, useFetcher, useLoaderData, useNavigation } from '@remix-run/react';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { Field, FieldErrors, FormError, Notice, errorsFor, formErrorOf } from '~/components/forms';
import { DataTable } from '~/components/table';
import { useRevalidateWhile } from '~/hooks/use-revalidate-while';
import { attemptProcedure, callProcedure } from '~/trpc.server';
import { numberField } from '~/utils/form-data';
import { RISK_LABELS, formatDateTime } from '~/utils/format';
import { requireWorkspace } from '~/workspace.server';

export const meta: MetaFunction = () => [{ title: 'Health model · ClientPulse' }];

const WEIGHTS = [
  ['weightSentiment', 'Sentiment', 'What clients say in interactions, 90 days, recent weighs most'],
  ['weightEngagement', 'Engagement', 'Days since the last two-way contact, and how often you talk'],
  ['weightSurvey', 'Surveys', 'NPS / CSAT answers (left out until surveys arrive)'],
  ['weightPayment', 'Payments', 'Failed or late payments (left out until payments arrive)'],
  ['weightUsage', 'Product usage', 'Usage trend (left out until usage arrives)'],
] as const;
const FIELDS = [...WEIGHTS.map(([name]) => name), 'healthyThreshold', 'criticalThreshold'] as const;
type SettingsFields = Record<(typeof FIELDS)[number], number>;

function settingsFromForm(form: FormData): SettingsFields {
  return Object.fromEntries(FIELDS.map((name) => [name, numberField(form, name)])) as SettingsFields;
}

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { workspace, caller, workspaceSlug } = await requireWorkspace(request, context, params.slug);
  if (!workspace.isAdmin) throw new Response('Only admins and owners can change the health model.', { status: 403 });
  const [settings, backtest] = await Promise.all([
    callProcedure(() => caller.health.settings({ workspaceSlug })),
    callProcedure(() => caller.health.backtest({ workspaceSlug })),
  ]);
  return { workspace, settings, backtest };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { caller, workspaceSlug } = await requireWorkspace(request, context, params.slug);
  const form = await request.formData();
  const intent = String(form.get('intent') ?? '');
  if (intent === 'backtest') {
    await callProcedure(() => caller.health.runBacktest({ workspaceSlug }));
    return { ok: true as const, intent };
  }
  const settings = settingsFromForm(form);
  if (intent === 'preview') {
    const result = await attemptProcedure(() => caller.health.previewSettings({ workspaceSlug, ...settings }));
    return result.ok ? { ok: true as const, intent, preview: result.value } : data({ ...result, intent }, { status: result.status });
  }
  if (intent === 'save') {
    const result = await attemptProcedure(() => caller.health.updateSettings({ workspaceSlug, ...settings }));
    return result.ok
      ? {
          ok: true as const,
          intent,
          done: result.value.changed
            ? 'Saved. Every client is being rescored with the new settings.'
            : 'Nothing changed: these are the current settings.',
        }
      : data({ ...result, intent }, { status: result.status });
  }
  throw new Response('Unknown action', { status: 400 });
}

type Preview = {
  clients: number;
  changed: number;
  moves: Array<{ from: keyof typeof RISK_LABELS; to: keyof typeof RISK_LABELS | null; clients: number }>;
  after: Record<keyof typeof RISK_LABELS | 'unscored', number>;
};
const levelName = (level: keyof typeof RISK_LABELS | null) => (level ? RISK_LABELS[level] : 'not scored');

function PreviewSummary({ preview }: { preview: Preview }) {
  return (
    <div className="preview" role="status" data-testid="settings-preview">
      <p>
        <strong>
          {preview.changed.toLocaleString('en-US')} of {preview.clients.toLocaleString('en-US')} scored{' '}
          {preview.clients === 1 ? 'client' : 'clients'} would change risk level
        </strong>
        {preview.changed ? ':' : '.'}
      </p>
      {preview.moves.length ? (
        <ul>
          {preview.moves.map((move) => (
            <li key={`${move.from}-${move.to}`}>
              {move.clients.toLocaleString('en-US')} {levelName(move.from)} → {levelName(move.to)}
            </li>
          ))}
        </ul>
      ) : null}
      <p className="muted">
        After: {preview.after.healthy.toLocaleString('en-US')} healthy, {preview.after.at_risk.toLocaleString('en-US')} at risk,{' '}
        {preview.after.critical.toLocaleString('en-US')} critical
        {preview.after.unscored ? `, ${preview.after.unscored.toLocaleString('en-US')} not scored (every factor they have weighs 0)` : ''}.
        From the current scores; the recompute after saving uses today&apos;s signals.
      </p>
    </div>
  );
}

export default function HealthModel() {
  const { settings, backtest: backtests } = useLoaderData<typeof loader>();
  const backtest = backtests.latest;
  const done = backtests.lastDone;
  const result = useActionData<typeof action>();
  const previewer = useFetcher<typeof action>();
  const navigation = useNavigation();
  const busy = navigation.state === 'submitting';
  const backtesting = backtest?.status === 'queued' || backtest?.status === 'running';
  useRevalidateWhile(settings.recomputing || backtesting, 1_500);
  const formRef = useRef<HTMLFormElement>(null);
  const [total, setTotal] = useState(WEIGHTS.reduce((sum, [name]) => sum + settings[name], 0));
  const timer = useRef<ReturnType<typeof setTimeout>>();
  useEffect(() => () => clearTimeout(timer.current), []);

  // Every edit previews itself (debounced); the Preview button does the same for keyboard users.
  const onChange = (event: FormEvent<HTMLFormElement>) => {
    const form = new FormData(event.currentTarget);
    setTotal(WEIGHTS.reduce((sum, [name]) => sum + (Number(form.get(name)) || 0), 0));
    clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      form.set('intent', 'preview');
      previewer.submit(form, { method: 'post' });
    }, 300);
  };
  const saveResult = result?.intent === 'save' ? result : undefined;
  const previewResult = (previewer.data ?? (result?.intent === 'preview' ? result : undefined)) as
    { ok: true; preview: Preview } | { ok: false; formError: string | null; fieldErrors: Record<string, string[]> } | undefined;
  // Field errors from the last save, else from the live preview.
  const shown = saveResult && !saveResult.ok ? saveResult : previewResult && !previewResult.ok ? previewResult : undefined;
  const outcome = done?.result ?? null;
  const h = outcome?.horizons[0];
  return (
    <>
      <section className="card" aria-labelledby="model-heading">
        <h2 id="model-heading">Health model</h2>
        <p className="muted">
          Each factor scores 0–100; the health score is their weighted average. A factor a client has no data for is left out and the
          others&apos; weights are scaled up, so missing data never counts as bad.
        </p>
        {saveResult?.ok ? <Notice>{saveResult.done}</Notice> : null}
        {settings.recomputing ? (
          <div className="field" data-testid="recomputing">
            <label htmlFor="recompute-progress">Rescoring every client with the new settings…</label>
            <progress id="recompute-progress" className="progress" />
          </div>
        ) : null}
        <Form method="post" noValidate ref={formRef} onChange={onChange}>
          <FormError message={formErrorOf(shown)} />
          <fieldset className="form-grid">
            <legend>Weights (must add up to 100)</legend>
            {WEIGHTS.map(([name, label, hint]) => (
              <Field
                key={name}
                label={label}
                name={name}
                type="number"
                inputMode="numeric"
                min={0}
                max={100}
                step={1}
                required
                defaultValue={settings[name]}
                hint={hint}
                errors={errorsFor(shown, name)}
              />
            ))}
          </fieldset>
          <p className={total === 100 ? 'muted' : 'field-error'} data-testid="weight-total" aria-live="polite">
            Total: {total}
            {total === 100 ? '' : ` — ${total < 100 ? `${100 - total} to add` : `${total - 100} too many`}`}
          </p>
          <FieldErrors errors={errorsFor(shown, 'weightTotal')} />
          <fieldset className="form-grid">
            <legend>Risk levels</legend>
            <Field
              label="Healthy from"
              name="healthyThreshold"
              type="number"
              inputMode="numeric"
              min={1}
              max={100}
              required
              defaultValue={settings.healthyThreshold}
              hint="Scores at or above this are healthy."
              errors={errorsFor(shown, 'healthyThreshold')}
            />
            <Field
              label="Critical below"
              name="criticalThreshold"
              type="number"
              inputMode="numeric"
              min={0}
              max={99}
              required
              defaultValue={settings.criticalThreshold}
              hint="Scores below this are critical; between the two, at risk."
              errors={errorsFor(shown, 'criticalThreshold')}
            />
          </fieldset>
          {previewResult?.ok ? <PreviewSummary preview={previewResult.preview} /> : null}
          <div className="actions">
            <button type="submit" name="intent" value="preview" className="button-secondary" disabled={busy}>
              Preview
            </button>
            <button type="submit" name="intent" value="save" disabled={busy}>
              Save and rescore
            </button>
          </div>
        </Form>
      </section>
      <section className="card" aria-labelledby="backtest-heading">
        <h2 id="backtest-heading">Backtest: does the score see churn coming?</h2>
        <p className="muted">
          Clients marked churned with a date are scored as of 30, 60 and 90 days before it, using only what was known then; clients that
          stayed are scored as of the same distance before today. AUC is the chance that a churner scored below a client who stayed (0.5 is
          a coin toss, 1 is perfect).
        </p>
        <Form method="post">
          <button
            type="submit"
            name="intent"
            value="backtest"
            disabled={backtesting || (busy && navigation.formData?.get('intent') === 'backtest')}
          >
            {backtesting ? 'Running the backtest…' : backtest ? 'Run again' : 'Run backtest'}
          </button>
        </Form>
        {backtesting ? (
          <div data-testid="backtest-progress">
            <progress className="progress" aria-label="Backtest progress" max={3} value={backtest.horizonsDone} />
            <p className="muted" role="status">
              {backtest.status === 'queued'
                ? 'Waiting for the worker…'
                : `Scored ${backtest.horizonsDone} of 3 horizons (30, 60, 90 days before churn).`}{' '}
              You can leave this page; the result will be here.
            </p>
          </div>
        ) : null}
        {backtest?.status === 'failed' ? (
          <p className="error" role="alert" data-testid="backtest-failed">
            The backtest of {formatDateTime(backtest.createdAt)} failed: {backtest.failure}. Run it again; if it keeps failing, the
            worker&apos;s log has the details.
          </p>
        ) : null}
        {outcome && done ? (
          <p className="muted" data-testid="backtest-when">
            {backtesting ? 'Until it finishes, the last result: r' : 'R'}un {done.requestedBy ? `by ${done.requestedBy} ` : ''}on{' '}
            {formatDateTime(done.finishedAt ?? done.createdAt)}. Run it again after marking more churned clients or changing the model.
          </p>
        ) : null}
        {outcome ? (
          h && h.churned === 0 ? (
            <p data-testid="backtest-empty">
              No churned client with a churn date had signals before churning: mark churned clients with their churn date to backtest the
              score.
            </p>
          ) : (
            <div data-testid="backtest">
              <DataTable
                caption="Backtest results per horizon"
                columns={['Before churn', 'Churned', 'Stayed', 'AUC', `Precision (score < ${outcome.threshold})`, 'Recall']}
              >
                {outcome.horizons.map((horizon) => (
                  <tr key={horizon.days} data-testid={`backtest-${horizon.days}`}>
                    <th scope="row">{horizon.days} days</th>
                    <td>{horizon.churned.toLocaleString('en-US')}</td>
                    <td>{horizon.retained.toLocaleString('en-US')}</td>
                    <td>{horizon.auc?.toFixed(2) ?? '—'}</td>
                    <td>
                      {horizon.precision === null
                        ? '—'
                        : `${Math.round(horizon.precision * 100)}% (${horizon.truePositives} of ${horizon.flagged} flagged)`}
                    </td>
                    <td>{horizon.recall === null ? '—' : `${Math.round(horizon.recall * 100)}%`}</td>
                  </tr>
                ))}
              </DataTable>
              {h ? (
                <figure
                  className="chart"
                  aria-label={
                    `Scores 30 days before: churned ${h.histogram.churned.join(', ')}; ` +
                    `stayed ${h.histogram.retained.join(', ')} (per band of 10 points, 0 to 100)`
                  }
                >
                  <ResponsiveContainer width="100%" height={220}>
                    <BarChart
                      data={h.histogram.churned.map((churned, band) => ({
                        band: `${band * 10}–${band === 9 ? 100 : band * 10 + 9}`,
                        churned: h.churned ? Math.round((1000 * churned) / h.churned) / 10 : 0,
                        stayed: h.retained ? Math.round((1000 * h.histogram.retained[band]!) / h.retained) / 10 : 0,
                      }))}
                      margin={{ top: 8, right: 8, bottom: 0, left: -10 }}
                    >
                      <CartesianGrid strokeDasharray="3 3" stroke="#e2e6ea" vertical={false} />
                      <XAxis dataKey="band" fontSize={12} />
                      <YAxis fontSize={12} unit="%" />
                      <Tooltip />
                      <Legend />
                      <Bar dataKey="churned" name="Churned" fill="#c53030" />
                      <Bar dataKey="stayed" name="Stayed" fill="#2f855a" />
                    </BarChart>
                  </ResponsiveContainer>
                  <figcaption className="muted">
                    Share of each group by score, 30 days before churn (or before today for clients that stayed).
                  </figcaption>
                </figure>
              ) : null}
            </div>
          )
        ) : null}
      </section>
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
