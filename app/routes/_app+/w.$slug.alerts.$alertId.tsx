import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useParams } from '@remix-run/react';
import { SIGNAL_NAMES } from '~/clients.server';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { Field, FieldErrors, FormError, IntentForm, Notice, SubmitButton, errorsFor, formErrorOf } from '~/components/forms';
import { DataTable } from '~/components/table';
import { callProcedure, runIntent } from '~/trpc.server';
import { ALERT_STATUS_LABELS as STATUS_LABELS, RISK_LABELS, formatDateTime } from '~/utils/format';
import { requireWorkspace, roleAtLeast } from '~/workspace.server';

export const meta: MetaFunction<typeof loader> = ({ data: page }) => [
  { title: `${page?.alert.client.name ?? 'Alert'}: ${page?.alert.title ?? ''} · ClientPulse` },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { caller, workspaceSlug, workspace } = await requireWorkspace(request, context, params.slug);
  const [alert, members] = await Promise.all([
    callProcedure(() => caller.alerts.get({ workspaceSlug, alertId: params.alertId ?? '' })),
    callProcedure(() => caller.members.list({ workspaceSlug })),
  ]);
  // The earliest snooze date the form offers: tomorrow.
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  return {
    alert,
    assignees: members.filter((member) => roleAtLeast(member.role, 'manager')),
    canWork: workspace.canEdit,
    tomorrow,
    signalNames: SIGNAL_NAMES as Record<string, string>,
  };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { caller, workspaceSlug } = await requireWorkspace(request, context, params.slug);
  const form = await request.formData();
  const intent = String(form.get('intent') ?? '');
  const alertId = params.alertId ?? '';
  const act = (action: Parameters<typeof caller.alerts.act>[0]['action'], done: string) =>
    runIntent(intent, () => caller.alerts.act({ workspaceSlug, alertId, action }), done);
  switch (intent) {
    case 'acknowledge':
      return act({ action: 'acknowledge' }, 'Acknowledged.');
    case 'assign':
      return act({ action: 'assign', assigneeId: String(form.get('assigneeId') ?? '') || null }, 'Assigned.');
    case 'snooze':
      return act({ action: 'snooze', until: String(form.get('until') ?? '') }, 'Snoozed.');
    case 'resolve':
      return act(
        {
          action: 'resolve',
          outcome: String(form.get('outcome') ?? '') as 'action_taken' | 'no_action',
          note: String(form.get('note') ?? ''),
        },
        'Resolved. Thanks for closing the loop.',
      );
    case 'reopen':
      return act({ action: 'reopen' }, 'Re-opened.');
    default:
      throw new Response('Unknown action', { status: 400 });
  }
}

function Context({ detail, kind, signalNames }: { detail: Record<string, unknown>; kind: string; signalNames: Record<string, string> }) {
  const score = detail.score as number | undefined;
  const before = detail.scoreBefore as number | undefined;
  if ((kind === 'score_drop' || kind.startsWith('entered_')) && score !== undefined) {
    return (
      <p data-testid="alert-score-change">
        Score {before !== undefined && before !== null ? `${before} → ` : ''}
        <strong>{score}</strong>
        {before !== undefined && before !== null ? <span className="change-down"> ({score - before} points)</span> : null}
        {detail.riskBefore ? ` · was ${RISK_LABELS[detail.riskBefore as keyof typeof RISK_LABELS] ?? String(detail.riskBefore)}` : ''}
      </p>
    );
  }
  if (kind === 'churn_signal' && Array.isArray(detail.signals)) {
    return <p>Signals: {(detail.signals as string[]).map((signal) => signalNames[signal] ?? signal).join(', ')}</p>;
  }
  if (kind === 'no_contact')
    return <p>Last two-way contact: {detail.lastContactAt ? formatDateTime(detail.lastContactAt as string) : 'never'}</p>;
  if (kind === 'renewal_risk') return <p>Renewal date: {String(detail.renewalDate)}</p>;
  return null;
}

export default function AlertPage() {
  const { alert, assignees, canWork, tomorrow, signalNames } = useLoaderData<typeof loader>();
  const { slug } = useParams();
  const result = useActionData<typeof action>();
  const resultFor = (intent: string) => (result && 'intent' in result && result.intent === intent ? result : undefined);
  const done = result && 'done' in result ? result.done : null;
  const resolved = alert.status === 'resolved';
  return (
    <div className="stack">
      <section className="card" aria-labelledby="alert-heading">
        <p>
          <Link to={`/w/${slug}/alerts`}>← Alerts</Link>
        </p>
        <h2 id="alert-heading">
          <Link to={`/w/${slug}/clients/${alert.client.id}`}>{alert.client.name}</Link>: {alert.title}
        </h2>
        <p>
          <span className={`pill severity-${alert.severity}`}>{alert.severity}</span>{' '}
          <span className="pill" data-testid="alert-status">
            {STATUS_LABELS[alert.status]}
          </span>{' '}
          <span className="muted">
            {alert.rule} · first {formatDateTime(alert.firstTriggeredAt)}
            {alert.triggerCount > 1 ? ` · triggered ${alert.triggerCount} times, last ${formatDateTime(alert.lastTriggeredAt)}` : ''}
          </span>
        </p>
        {done ? <Notice>{done}</Notice> : null}
        <dl className="facts">
          <dt>Health now</dt>
          <dd>
            {alert.client.healthScore ?? '—'}{' '}
            {alert.client.riskLevel ? RISK_LABELS[alert.client.riskLevel as keyof typeof RISK_LABELS] : ''}
          </dd>
          <dt>Account owner</dt>
          <dd>{alert.client.ownerName ?? 'Nobody (admins are told)'}</dd>
          <dt>Assignee</dt>
          <dd>{alert.assigneeName ?? 'The account owner'}</dd>
          {alert.status === 'snoozed' ? (
            <>
              <dt>Snoozed until</dt>
              <dd>{formatDateTime(alert.snoozedUntil)}</dd>
            </>
          ) : null}
        </dl>
        <Context detail={alert.detail} kind={alert.kind} signalNames={signalNames} />
        <p className="next-step" data-testid="next-step">
          <strong>Suggested next step:</strong> {alert.nextStep}
        </p>
        {resolved ? (
          <p data-testid="resolution">
            Resolved {formatDateTime(alert.resolvedAt)} by {alert.resolvedByName ?? 'someone'} —{' '}
            {alert.outcome === 'action_taken' ? 'action taken' : 'no action needed'}
            {alert.resolutionNote ? `: “${alert.resolutionNote}”` : '.'}
          </p>
        ) : null}
      </section>
      <section className="card" aria-labelledby="why-heading">
        <h2 id="why-heading">What caused it</h2>
        {alert.interactions.length === 0 ? (
          <p className="muted">
            No negative interaction behind this alert; it comes from the score, the silence or the renewal date above.
          </p>
        ) : (
          <ul className="timeline" data-testid="alert-interactions">
            {alert.interactions.map((interaction) => (
              <li key={interaction.id}>
                <div className="timeline-meta">
                  {formatDateTime(interaction.occurredAt)} · {interaction.type.replace('_', ' ')}{' '}
                  {interaction.label ? `· ${interaction.label}` : ''}
                </div>
                {interaction.subject ? <div className="timeline-subject">{interaction.subject}</div> : null}
                <div className="timeline-body">{interaction.summary}</div>
                {interaction.signals.length ? (
                  <div className="muted">{interaction.signals.map((signal) => signalNames[signal] ?? signal).join(' · ')}</div>
                ) : null}
              </li>
            ))}
          </ul>
        )}
      </section>
      {canWork ? (
        <section className="card" aria-labelledby="work-heading">
          <h2 id="work-heading">Work it</h2>
          {resolved ? (
            <Form method="post">
              <FormError message={formErrorOf(resultFor('reopen'))} />
              <SubmitButton name="intent" value="reopen">
                Re-open
              </SubmitButton>
            </Form>
          ) : (
            <div className="work-grid">
              <IntentForm intent="acknowledge" result={resultFor('acknowledge')}>
                <SubmitButton disabled={alert.status === 'acknowledged'}>Acknowledge</SubmitButton>
              </IntentForm>
              <IntentForm intent="assign" result={resultFor('assign')} noValidate>
                <div className="field">
                  <label htmlFor="assigneeId">Assign to</label>
                  <select
                    id="assigneeId"
                    name="assigneeId"
                    defaultValue={alert.assigneeId ?? ''}
                    aria-invalid={errorsFor(resultFor('assign'), 'assigneeId') ? true : undefined}
                  >
                    <option value="">The account owner</option>
                    {assignees.map((member) => (
                      <option key={member.userId} value={member.userId}>
                        {member.name}
                      </option>
                    ))}
                  </select>
                  <FieldErrors errors={errorsFor(resultFor('assign'), 'assigneeId')} />
                </div>
                <SubmitButton className="button-secondary">Assign</SubmitButton>
              </IntentForm>
              <IntentForm intent="snooze" result={resultFor('snooze')} noValidate>
                <Field
                  label="Snooze until"
                  name="until"
                  type="date"
                  min={tomorrow}
                  required
                  errors={errorsFor(resultFor('snooze'), 'until') ?? errorsFor(resultFor('snooze'), 'action.until')}
                />
                <SubmitButton className="button-secondary">Snooze</SubmitButton>
              </IntentForm>
              <IntentForm intent="resolve" result={resultFor('resolve')} noValidate className="resolve-form">
                <fieldset>
                  <legend>Outcome</legend>
                  <div className="choice">
                    <input type="radio" id="outcome-action" name="outcome" value="action_taken" defaultChecked />
                    <label htmlFor="outcome-action">We acted on it</label>
                  </div>
                  <div className="choice">
                    <input type="radio" id="outcome-none" name="outcome" value="no_action" />
                    <label htmlFor="outcome-none">No action was needed</label>
                  </div>
                </fieldset>
                <div className="field">
                  <label htmlFor="note">What you did</label>
                  <textarea
                    id="note"
                    name="note"
                    rows={3}
                    maxLength={2000}
                    aria-invalid={errorsFor(resultFor('resolve'), 'note') ? true : undefined}
                  />
                  <FieldErrors errors={errorsFor(resultFor('resolve'), 'note')} />
                </div>
                <SubmitButton>Resolve</SubmitButton>
              </IntentForm>
            </div>
          )}
        </section>
      ) : null}
      <section className="card" aria-labelledby="deliveries-heading">
        <h2 id="deliveries-heading">Who was told</h2>
        {alert.deliveries.length === 0 ? (
          <p className="muted">Nobody was notified (everyone concerned has notifications off); it is in the inbox.</p>
        ) : (
          <DataTable testId="deliveries" caption="Notifications sent about this alert" columns={['To', 'Channel', 'When', 'Status']}>
            {alert.deliveries.map((delivery, index) => (
              <tr key={index}>
                <td>{delivery.recipientName ?? '—'}</td>
                <td>
                  {delivery.channel === 'email' ? 'Email' : 'Slack'} {delivery.mode === 'digest' ? '(daily digest)' : ''}
                </td>
                <td>{delivery.sentAt ? formatDateTime(delivery.sentAt) : '—'}</td>
                <td>
                  {delivery.status === 'sent'
                    ? 'Sent'
                    : delivery.status === 'failed'
                      ? `Failed after ${delivery.attempts} attempts`
                      : delivery.attempts
                        ? `Retrying (${delivery.attempts} failed)`
                        : 'Waiting'}
                  {delivery.lastError ? <div className="muted">{delivery.lastError}</div> : null}
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </section>
    </div>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
