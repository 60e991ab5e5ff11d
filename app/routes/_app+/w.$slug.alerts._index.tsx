import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useLoaderData, useParams, useSearchParams } from '@remix-run/react';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { SelectField } from '~/components/forms';
import { DataTable } from '~/components/table';
import { useRevalidateWhile } from '~/hooks/use-revalidate-while';
import { callProcedure } from '~/trpc.server';
import { ALERT_STATUS_LABELS as STATUS_LABELS, formatDateTime } from '~/utils/format';
import { requireWorkspace } from '~/workspace.server';

export const meta: MetaFunction = () => [{ title: 'Alerts · ClientPulse' }];

const STATUS_OPTIONS = [
  ['unresolved', 'Not resolved'],
  ['open', 'Open'],
  ['acknowledged', 'Acknowledged'],
  ['snoozed', 'Snoozed'],
  ['resolved', 'Resolved'],
  ['all', 'All'],
] as const;
const SEVERITY_OPTIONS = [
  ['', 'Any'],
  ['high', 'High'],
  ['medium', 'Medium'],
  ['low', 'Low'],
] as const;

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { caller, workspaceSlug, workspace } = await requireWorkspace(request, context, params.slug);
  const url = new URL(request.url);
  const pick = <T extends string>(name: string, allowed: readonly T[]) => {
    const value = url.searchParams.get(name);
    return value && (allowed as readonly string[]).includes(value) ? (value as T) : undefined;
  };
  const rules = await callProcedure(() => caller.alerts.rules({ workspaceSlug }));
  const filters = {
    mine: url.searchParams.get('mine') === '1',
    status:
      pick(
        'status',
        STATUS_OPTIONS.map(([value]) => value),
      ) ?? 'unresolved',
    severity: pick('severity', ['high', 'medium', 'low'] as const),
    kind: pick(
      'rule',
      rules.map((rule) => rule.kind),
    ),
    cursor: url.searchParams.get('cursor') || undefined,
  };
  const [page, quality] = await Promise.all([
    callProcedure(() => caller.alerts.list({ workspaceSlug, filters })),
    callProcedure(() => caller.alerts.ruleQuality({ workspaceSlug })),
  ]);
  return { page, quality, rules, filters, isAdmin: workspace.isAdmin };
}

export default function AlertsInbox() {
  const { page, quality, rules, filters, isAdmin } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const { slug } = useParams();
  // New alerts appear without a reload while the inbox is open.
  useRevalidateWhile(true, 5_000);
  const nextParams = new URLSearchParams(params);
  if (page.nextCursor) nextParams.set('cursor', page.nextCursor);
  const filtered = [...params.keys()].some((key) => key !== 'cursor');
  return (
    <div className="stack">
      <section className="card" aria-labelledby="alerts-heading">
        <div className="card-header">
          <h2 id="alerts-heading">Alerts</h2>
          <div className="actions">
            <Link className="button button-secondary" to={`/w/${slug}/alerts/settings`}>
              {isAdmin ? 'Rules and notifications' : 'My notifications'}
            </Link>
          </div>
        </div>
        <Form method="get" className="filters" role="search">
          <div className="field choice">
            <input id="mine" name="mine" type="checkbox" value="1" defaultChecked={filters.mine} />
            <label htmlFor="mine">Only mine</label>
          </div>
          <SelectField label="Status" name="status" id="status" defaultValue={filters.status} options={STATUS_OPTIONS} />
          <SelectField label="Severity" name="severity" id="severity" defaultValue={filters.severity ?? ''} options={SEVERITY_OPTIONS} />
          <SelectField
            label="Rule"
            name="rule"
            id="rule"
            defaultValue={filters.kind ?? ''}
            options={[['', 'Any rule'], ...rules.map((rule) => [rule.kind, rule.label] as const)]}
          />
          <button type="submit">Apply filters</button>
          {filtered ? <Link to={`/w/${slug}/alerts`}>Clear filters</Link> : null}
        </Form>
        {page.alerts.length === 0 ? (
          <div className="empty-state" data-testid="alerts-empty">
            <p>
              <strong>{filtered ? 'No alert matches these filters.' : 'No alerts to work on.'}</strong> Alerts open here when a
              client&apos;s score drops, it becomes at risk or critical, says something that signals churn, goes quiet, or nears renewal
              while not healthy.
            </p>
          </div>
        ) : (
          <DataTable
            scroll
            testId="alerts"
            caption="Alerts, most recently triggered first"
            columns={['Client', 'Alert', 'Severity', 'Status', 'Assignee', 'Last triggered']}
          >
            {page.alerts.map((alert) => (
              <tr key={alert.id} data-testid="alert-row" className={alert.unread ? 'unread' : undefined}>
                <td>
                  <Link to={`/w/${slug}/clients/${alert.clientId}`}>{alert.clientName}</Link>
                </td>
                <td>
                  <Link to={`/w/${slug}/alerts/${alert.id}`}>
                    {alert.unread ? <span className="visually-hidden">Unread: </span> : null}
                    {alert.title}
                  </Link>
                  <div className="muted">
                    {alert.rule}
                    {alert.triggerCount > 1 ? ` · triggered ${alert.triggerCount} times` : ''}
                  </div>
                </td>
                <td>
                  <span className={`pill severity-${alert.severity}`}>{alert.severity}</span>
                </td>
                <td>
                  {STATUS_LABELS[alert.status]}
                  {alert.status === 'snoozed' && alert.snoozedUntil ? (
                    <div className="muted">until {formatDateTime(alert.snoozedUntil)}</div>
                  ) : null}
                </td>
                <td>{alert.assigneeName ?? <span className="muted">Account owner</span>}</td>
                <td>{formatDateTime(alert.lastTriggeredAt)}</td>
              </tr>
            ))}
          </DataTable>
        )}
        {page.nextCursor ? (
          <p>
            <Link to={`?${nextParams.toString()}`}>Older alerts →</Link>
          </p>
        ) : null}
      </section>
      <section className="card" aria-labelledby="quality-heading">
        <h2 id="quality-heading">Which rules are worth it</h2>
        <p className="muted">
          Over the last 90 days: alerts each rule opened, and how many were resolved without anyone needing to act. A rule that is mostly
          noise wants a higher threshold.
        </p>
        <DataTable
          testId="rule-quality"
          caption="Alerts per rule and how many were resolved without action"
          columns={['Rule', 'Opened', 'Resolved', 'Resolved without action']}
        >
          {quality.map((rule) => (
            <tr key={rule.kind} data-testid={`quality-${rule.kind}`}>
              <th scope="row">{rule.rule}</th>
              <td>{rule.opened}</td>
              <td>{rule.resolved}</td>
              <td>{rule.resolved ? `${rule.withoutAction} (${Math.round((100 * rule.withoutAction) / rule.resolved)}%)` : '—'}</td>
            </tr>
          ))}
        </DataTable>
      </section>
    </div>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
