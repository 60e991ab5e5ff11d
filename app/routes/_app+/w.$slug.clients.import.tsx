import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation, useParams } from '@remix-run/react';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { FormError, formErrorOf, errorsFor } from '~/components/forms';
import { ImportStatusPill } from '~/components/import-status';
import { DataTable } from '~/components/table';
import { uploadImport } from '~/imports.server';
import { callProcedure } from '~/trpc.server';
import { formatBytes, formatDateTime } from '~/utils/format';
import { requireWorkspace } from '~/workspace.server';

export const meta: MetaFunction = () => [{ title: 'Import clients · ClientPulse' }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { caller, workspace, workspaceSlug } = await requireWorkspace(request, context, params.slug);
  return { imports: await callProcedure(() => caller.imports.list({ workspaceSlug })), canEdit: workspace.canEdit };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { caller, workspaceSlug } = await requireWorkspace(request, context, params.slug);
  const result = await uploadImport(request, caller, workspaceSlug);
  if (!result.ok) return data(result, { status: result.status });
  return redirect(`/w/${workspaceSlug}/imports/${result.value.id}`);
}

export default function ImportClients() {
  const { imports, canEdit } = useLoaderData<typeof loader>();
  const { slug } = useParams();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === 'submitting';
  const fileErrors = [...new Set([...(errorsFor(result, 'file') ?? []), ...(errorsFor(result, 'fileName') ?? [])])];
  const kindErrors = errorsFor(result, 'kind');
  return (
    <>
      {canEdit ? (
        <section className="card" aria-labelledby="import-heading">
          <h2 id="import-heading">Import from CSV</h2>
          <p className="muted">
            Export from your CRM or spreadsheet as CSV (UTF-8, up to 100 MB). Next you match its columns to ours and see the first rows
            before anything is saved. Clients are matched on external id, else domain: importing the same file again updates them instead of
            adding them twice.
          </p>
          <Form method="post" encType="multipart/form-data" noValidate>
            <FormError message={formErrorOf(result)} />
            <fieldset className="field">
              <legend>The file holds</legend>
              <label className="choice">
                <input type="radio" name="kind" value="clients" defaultChecked /> Clients, with a contact per row
              </label>
              <label className="choice">
                <input type="radio" name="kind" value="interactions" /> Interactions (emails, calls, meetings, tickets, chats, notes) of
                existing clients
              </label>
              {kindErrors?.length ? (
                <p className="field-error" role="alert">
                  {kindErrors.join(' ')}
                </p>
              ) : null}
            </fieldset>
            <div className="field">
              <label htmlFor="file">CSV file</label>
              <input
                id="file"
                name="file"
                type="file"
                accept=".csv,.tsv,.txt,text/csv"
                required
                aria-invalid={fileErrors.length ? true : undefined}
                aria-describedby={fileErrors.length ? 'file-error' : undefined}
              />
              {fileErrors.length ? (
                <p id="file-error" className="field-error" role="alert">
                  {fileErrors.join(' ')}
                </p>
              ) : null}
            </div>
            <button type="submit" disabled={busy}>
              {busy ? 'Uploading…' : 'Upload and map columns'}
            </button>
          </Form>
        </section>
      ) : null}
      <section className="card" aria-labelledby="recent-imports-heading">
        <h2 id="recent-imports-heading">Recent imports</h2>
        {imports.length === 0 ? (
          <p className="empty-state">
            No imports yet. {canEdit ? 'Upload a CSV above to bring in your portfolio.' : 'A manager can import clients from a CSV file.'}
          </p>
        ) : (
          <DataTable scroll columns={['File', 'Holds', 'Status', 'Added', 'Updated', 'Bad rows', 'Started']}>
            {imports.map((item) => (
              <tr key={item.id}>
                <td>
                  <Link to={`/w/${slug}/imports/${item.id}`}>{item.fileName}</Link>{' '}
                  <span className="muted">{formatBytes(item.fileBytes)}</span>
                </td>
                <td>{item.kind}</td>
                <td>
                  <ImportStatusPill status={item.status} />
                </td>
                <td>{item.createdRows.toLocaleString('en-US')}</td>
                <td>{item.updatedRows.toLocaleString('en-US')}</td>
                <td>{item.errorRows.toLocaleString('en-US')}</td>
                <td>
                  {formatDateTime(item.createdAt)} <span className="muted">by {item.createdByName ?? 'a former member'}</span>
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </section>
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
