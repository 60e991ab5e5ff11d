import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useLoaderData, useSearchParams } from '@remix-run/react';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { SelectField } from '~/components/forms';
import { DataTable } from '~/components/table';
import { callProcedure } from '~/trpc.server';
import { requireWorkspace } from '~/workspace.server';

export const meta: MetaFunction = () => [{ title: 'Audit log · ClientPulse' }];

const ACTION_FILTERS = [
  ['', 'All events'],
  ['workspace', 'Workspace'],
  ['invitation', 'Invitations'],
  ['member', 'Members'],
  ['client', 'Clients'],
  ['health', 'Health model'],
  ['alert', 'Alerts'],
  ['sentiment', 'Sentiment'],
  ['job', 'Jobs'],
] as const;

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { caller, workspaceSlug } = await requireWorkspace(request, context, params.slug);
  const url = new URL(request.url);
  const filters = {
    action: url.searchParams.get('action') || undefined,
    actorId: url.searchParams.get('actor') || undefined,
    cursor: url.searchParams.get('cursor') || undefined,
  };
  const [page, members] = await Promise.all([
    callProcedure(() => caller.audit.list({ workspaceSlug, ...filters } as Parameters<typeof caller.audit.list>[0])),
    callProcedure(() => caller.members.list({ workspaceSlug })),
  ]);
  return { page, members, filters };
}

function describe(value: unknown): string {
  if (!value || typeof value !== 'object') return '';
  return Object.entries(value as Record<string, unknown>)
    .map(([key, item]) => `${key}: ${String(item)}`)
    .join(', ');
}

export default function AuditLog() {
  const { page, members, filters } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const next = new URLSearchParams(params);
  if (page.nextCursor) next.set('cursor', page.nextCursor);
  return (
    <section className="card" aria-labelledby="audit-heading">
      <h2 id="audit-heading">Audit log</h2>
      <Form method="get" className="filters">
        <SelectField label="Event" name="action" id="audit-action" defaultValue={filters.action ?? ''} options={ACTION_FILTERS} />
        <SelectField
          label="By"
          name="actor"
          id="audit-actor"
          defaultValue={filters.actorId ?? ''}
          options={[['', 'Anyone'], ...members.map((member) => [member.userId, member.name] as const)]}
        />
        <button type="submit">Filter</button>
      </Form>
      {page.entries.length === 0 ? (
        <p className="muted">No events match these filters yet.</p>
      ) : (
        <DataTable columns={['When (UTC)', 'Who', 'What', 'Change', 'From']}>
          {page.entries.map((entry) => (
            <tr key={entry.id}>
              <td>{new Date(entry.createdAt).toISOString().replace('T', ' ').slice(0, 19)}</td>
              <td>{entry.actorName ?? entry.actorEmail ?? 'someone'}</td>
              <td>
                <code>{entry.action}</code>
              </td>
              <td>
                {entry.before ? <span className="muted">{describe(entry.before)}</span> : null}
                {entry.before && entry.after ? ' → ' : null}
                {entry.after ? describe(entry.after) : null}
              </td>
              <td className="muted" title={entry.userAgent ?? undefined}>
                {entry.ip ?? '—'}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      {page.nextCursor ? (
        <p>
          <Link to={`?${next.toString()}`}>Older events →</Link>
        </p>
      ) : null}
    </section>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
