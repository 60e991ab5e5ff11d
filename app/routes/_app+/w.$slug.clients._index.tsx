import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useParams, useSearchParams } from '@remix-run/react';
import { clientFiltersFromUrl } from '~/clients.server';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { FormError, Notice, SelectField, formErrorOf } from '~/components/forms';
import { DataTable } from '~/components/table';
import { callProcedure, runIntent } from '~/trpc.server';
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
  return { page, members, canEdit: workspace.canEdit };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { caller, workspaceSlug } = await requireWorkspace(request, context, params.slug);
  const form = await request.formData();
  const text = (name: string) => String(form.get(name) ?? '');
  const clientIds = form.getAll('clientId').map(String);
  const type = text('bulkAction');
  const action =
    type === 'assign_owner'
      ? { type: 'assign_owner' as const, ownerId: text('ownerId') || null }
      : type === 'add_tag' || type === 'remove_tag'
        ? { type: type as 'add_tag' | 'remove_tag', tag: text('tag') }
        : { type: 'mark_churned' as const, churnedAt: text('churnedAt'), churnReason: text('churnReason') };
  return runIntent(
    'bulk',
    async () => {
      const { updated } = await caller.clients.bulkUpdate({ workspaceSlug, clientIds, action });
      return updated;
    },
    `Updated ${clientIds.length === 1 ? 'the selected client' : 'the selected clients'}.`,
  );
}

function BulkActions({ members }: { members: Array<{ userId: string; name: string }> }) {
  const result = useActionData<typeof action>();
  const errors = result && !result.ok ? [formErrorOf(result), ...Object.values(result.fieldErrors).flat()].filter(Boolean).join(' ') : null;
  return (
    <Form method="post" id="bulk" className="bulk-bar" aria-label="Change the selected clients">
      {result?.ok ? <Notice>{result.done}</Notice> : null}
      <FormError message={errors} />
      <SelectField label="With the selected clients" name="bulkAction" id="bulkAction" defaultValue="add_tag" options={BULK_OPTIONS} />
      <div className="field">
        <label htmlFor="bulk-tag">Tag to add or remove</label>
        <input id="bulk-tag" name="tag" size={10} />
      </div>
      <SelectField label="New owner" name="ownerId" id="bulk-owner" defaultValue="" options={[['', 'Nobody'], ...memberOptions(members)]} />
      <div className="field">
        <label htmlFor="bulk-churned">Churn date</label>
        <input id="bulk-churned" name="churnedAt" type="date" />
      </div>
      <div className="field">
        <label htmlFor="bulk-reason">Churn reason</label>
        <input id="bulk-reason" name="churnReason" size={14} />
      </div>
      <button type="submit">Apply to selected</button>
    </Form>
  );
}

const STATUS_OPTIONS = [
  ['', 'Any'],
  ['active', 'Active'],
  ['paused', 'Paused'],
  ['churned', 'Churned'],
] as const;
const RISK_OPTIONS = [
  ['', 'Any'],
  ['healthy', 'Healthy'],
  ['at_risk', 'At risk'],
  ['critical', 'Critical'],
  ['unscored', 'Not scored yet'],
] as const;
const ORDER_OPTIONS = [
  ['asc', 'Ascending'],
  ['desc', 'Descending'],
] as const;
const BULK_OPTIONS = [
  ['add_tag', 'Add tag'],
  ['remove_tag', 'Remove tag'],
  ['assign_owner', 'Assign owner'],
  ['mark_churned', 'Mark churned'],
] as const;
const memberOptions = (members: Array<{ userId: string; name: string }>) => members.map((member) => [member.userId, member.name] as const);

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
  const { slug } = useParams();
  const nextParams = new URLSearchParams(params);
  if (page.nextCursor) nextParams.set('cursor', page.nextCursor);
  const filtered = [...params.keys()].some((key) => key !== 'sort' && key !== 'dir' && key !== 'cursor');
  return (
    <section className="card" aria-labelledby="clients-heading">
      <div className="card-header">
        <h2 id="clients-heading">
          Clients{' '}
          <span className="muted">
            ({page.total.toLocaleString('en-US')}
            {page.totalIsAtLeast ? '+' : ''})
          </span>
        </h2>
        <div className="actions">
          <a
            className="button button-secondary"
            href={`/w/${slug}/clients/export${params.toString() ? `?${params.toString()}` : ''}`}
            download
          >
            Export CSV
          </a>
          {canEdit ? (
            <Link className="button button-secondary" to="import">
              Import CSV
            </Link>
          ) : null}
          {canEdit ? (
            <Link className="button" to="new">
              Add client
            </Link>
          ) : null}
        </div>
      </div>
      <Form method="get" className="filters" role="search">
        <div className="field">
          <label htmlFor="q">Search</label>
          <input id="q" name="q" type="search" defaultValue={params.get('q') ?? ''} placeholder="Name, domain or contact email" />
        </div>
        <SelectField label="Status" name="status" id="status" defaultValue={params.get('status') ?? ''} options={STATUS_OPTIONS} />
        <SelectField label="Risk" name="risk" id="risk" defaultValue={params.get('risk') ?? ''} options={RISK_OPTIONS} />
        <SelectField
          label="Owner"
          name="owner"
          id="owner"
          defaultValue={params.get('owner') ?? ''}
          options={[['', 'Anyone'], ...memberOptions(members)]}
        />
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
        <SelectField label="Sort by" name="sort" id="sort" defaultValue={params.get('sort') ?? 'name'} options={SORTS} />
        <SelectField label="Order" name="dir" id="dir" defaultValue={params.get('dir') ?? 'asc'} options={ORDER_OPTIONS} />
        <button type="submit">Apply filters</button>
        {filtered ? <Link to=".">Clear filters</Link> : null}
      </Form>
      {canEdit && page.clients.length > 0 ? <BulkActions members={members} /> : null}
      {page.clients.length === 0 ? (
        <div className="empty-state">
          {filtered ? (
            <p>No clients match these filters. Try fewer filters or another spelling.</p>
          ) : (
            <p>
              <strong>No clients yet.</strong>{' '}
              {canEdit ? <Link to="new">Add your first client</Link> : 'A manager of this workspace adds them.'}
            </p>
          )}
        </div>
      ) : (
        <DataTable
          columns={[
            canEdit ? <span className="visually-hidden">Select</span> : null,
            'Client',
            'Health',
            'MRR',
            'Renewal',
            'Owner',
            'Last contact',
          ]}
        >
          {page.clients.map((client) => (
            <tr key={client.id} data-testid="client-row">
              {canEdit ? (
                <td>
                  <input type="checkbox" name="clientId" value={client.id} form="bulk" aria-label={`Select ${client.name}`} />
                </td>
              ) : null}
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
              <td>
                {client.healthScore === null ? (
                  <span className="muted">Not scored yet</span>
                ) : (
                  `${client.healthScore} · ${client.riskLevel ? RISK_LABELS[client.riskLevel] : ''}`
                )}
              </td>
              <td>{formatMoney(client.mrrCents, client.currency)}</td>
              <td>{formatDate(client.renewalDate)}</td>
              <td>{client.ownerName ?? '—'}</td>
              <td>{formatDate(client.lastContactAt ? new Date(client.lastContactAt) : null)}</td>
            </tr>
          ))}
        </DataTable>
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
