import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useLoaderData, useSearchParams } from '@remix-run/react';
import { clientFiltersFromUrl } from '~/clients.server';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { callProcedure } from '~/trpc.server';
import { formatDate, formatMoney, RISK_LABELS } from '~/utils/format';
import { requireWorkspace } from '~/workspace.server';

export const meta: MetaFunction = () => [{ title: 'Clients · ClientPulse' }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { caller, workspace, workspaceSlug } = await requireWorkspace(request, context, params.slug);
  const url = new URL(request.url);
  const filters = clientFiltersFromUrl(url.searchParams);
  const [page, members] = await Promise.all([
    callProcedure(() => caller.clients.list({ workspaceSlug, filters, cursor: url.searchParams.get('cursor') || undefined })),
    callProcedure(() => caller.members.list({ workspaceSlug })),
  ]);
  return { page, members, canEdit: workspace.role !== 'viewer' };
}

const SORTS = [
  ['name', 'Name'],
  ['health', 'Health'],
  ['mrr', 'MRR'],
  ['renewal', 'Renewal date'],
  ['last_contact', 'Last contact'],
] as const;

export default function Clients() {
  const { page, members, canEdit } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const nextParams = new URLSearchParams(params);
  if (page.nextCursor) nextParams.set('cursor', page.nextCursor);
  const filtered = [...params.keys()].some((key) => key !== 'sort' && key !== 'dir' && key !== 'cursor');
  return (
    <section className="card" aria-labelledby="clients-heading">
      <div className="card-header">
        <h2 id="clients-heading">
          Clients <span className="muted">({page.total.toLocaleString('en-US')})</span>
        </h2>
        {canEdit ? (
          <Link className="button" to="new">
            Add client
          </Link>
        ) : null}
      </div>
      <Form method="get" className="filters" role="search">
        <div className="field">
          <label htmlFor="q">Search</label>
          <input id="q" name="q" type="search" defaultValue={params.get('q') ?? ''} placeholder="Name, domain or contact email" />
        </div>
        <div className="field">
          <label htmlFor="status">Status</label>
          <select id="status" name="status" defaultValue={params.get('status') ?? ''}>
            <option value="">Any</option>
            <option value="active">Active</option>
            <option value="paused">Paused</option>
            <option value="churned">Churned</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="risk">Risk</label>
          <select id="risk" name="risk" defaultValue={params.get('risk') ?? ''}>
            <option value="">Any</option>
            <option value="healthy">Healthy</option>
            <option value="at_risk">At risk</option>
            <option value="critical">Critical</option>
            <option value="unscored">Not scored yet</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="owner">Owner</label>
          <select id="owner" name="owner" defaultValue={params.get('owner') ?? ''}>
            <option value="">Anyone</option>
            {members.map((member) => (
              <option key={member.userId} value={member.userId}>
                {member.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="tag">Tag</label>
          <input id="tag" name="tag" defaultValue={params.get('tag') ?? ''} size={10} />
        </div>
        <div className="field">
          <label htmlFor="renewal">Renews within (days)</label>
          <input id="renewal" name="renewal" inputMode="numeric" defaultValue={params.get('renewal') ?? ''} size={5} />
        </div>
        <div className="field">
          <label htmlFor="mrrMin">MRR from</label>
          <input id="mrrMin" name="mrrMin" inputMode="decimal" defaultValue={params.get('mrrMin') ?? ''} size={7} />
        </div>
        <div className="field">
          <label htmlFor="mrrMax">MRR to</label>
          <input id="mrrMax" name="mrrMax" inputMode="decimal" defaultValue={params.get('mrrMax') ?? ''} size={7} />
        </div>
        <div className="field">
          <label htmlFor="sort">Sort by</label>
          <select id="sort" name="sort" defaultValue={params.get('sort') ?? 'name'}>
            {SORTS.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="dir">Order</label>
          <select id="dir" name="dir" defaultValue={params.get('dir') ?? 'asc'}>
            <option value="asc">Ascending</option>
            <option value="desc">Descending</option>
          </select>
        </div>
        <button type="submit">Apply</button>
        {filtered ? <Link to=".">Clear filters</Link> : null}
      </Form>
      {page.clients.length === 0 ? (
        <div className="empty-state">
          {filtered ? (
            <p>No clients match these filters. Try fewer filters or another spelling.</p>
          ) : (
            <p>
              <strong>No clients yet.</strong> {canEdit ? <Link to="new">Add your first client</Link> : 'A manager of this workspace adds them.'}
            </p>
          )}
        </div>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Client</th>
              <th scope="col">Health</th>
              <th scope="col">MRR</th>
              <th scope="col">Renewal</th>
              <th scope="col">Owner</th>
              <th scope="col">Last contact</th>
            </tr>
          </thead>
          <tbody>
            {page.clients.map((client) => (
              <tr key={client.id} data-testid="client-row">
                <td>
                  <Link to={client.id}>{client.name}</Link>
                  {client.domain ? <span className="muted"> · {client.domain}</span> : null}
                  {client.status !== 'active' ? <span className="pill">{client.status}</span> : null}
                  {client.tags.map((tag) => (
                    <span key={tag} className="tag">
                      {tag}
                    </span>
                  ))}
                </td>
                <td>{client.healthScore === null ? <span className="muted">Not scored yet</span> : `${client.healthScore} · ${client.riskLevel ? RISK_LABELS[client.riskLevel] : ''}`}</td>
                <td>{formatMoney(client.mrrCents, client.currency)}</td>
                <td>{formatDate(client.renewalDate)}</td>
                <td>{client.ownerName ?? '—'}</td>
                <td>{formatDate(client.lastContactAt ? new Date(client.lastContactAt) : null)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {page.nextCursor ? (
        <p>
          <Link to={`?${nextParams.toString()}`}>Next page →</Link>
        </p>
      ) : null}
    </section>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
