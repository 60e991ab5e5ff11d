import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation, useParams } from '@remix-run/react';
import { useState } from 'react';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { FormError, errorsFor, formErrorOf } from '~/components/forms';
import { ImportStatusPill } from '~/components/import-status';
import { DataTable } from '~/components/table';
import { useRevalidateWhile } from '~/hooks/use-revalidate-while';
import { attemptProcedure, callProcedure } from '~/trpc.server';
import { formatBytes, formatDateTime } from '~/utils/format';
import { requireWorkspace } from '~/workspace.server';

export const meta: MetaFunction = () => [{ title: 'Import · ClientPulse' }];

const SHOWN_ERRORS = 100;

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { caller, workspace, workspaceSlug } = await requireWorkspace(request, context, params.slug);
  const importId = params.importId ?? '';
  const item = await callProcedure(() => caller.imports.get({ workspaceSlug, importId }));
  const errors =
    item.errorRows > 0 ? await callProcedure(() => caller.imports.errors({ workspaceSlug, importId, limit: SHOWN_ERRORS })) : [];
  return { item, errors, canEdit: workspace.canEdit };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { caller, workspaceSlug } = await requireWorkspace(request, context, params.slug);
  const importId = params.importId ?? '';
  const form = await request.formData();
  const mapping: Record<string, number> = {};
  for (const [key, value] of form.entries()) {
    if (key.startsWith('map.') && typeof value === 'string' && value !== '') mapping[key.slice(4)] = Number(value);
  }
  const result = await attemptProcedure(() => caller.imports.start({ workspaceSlug, importId, mapping }));
  if (!result.ok) return data(result, { status: result.status });
  return redirect(`/w/${workspaceSlug}/imports/${importId}`);
}

type Loaded = ReturnType<typeof useLoaderData<typeof loader>>;

function Mapping({ item }: { item: Loaded['item'] }) {
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === 'submitting';
  const [mapping, setMapping] = useState<Record<string, string>>(() =>
    Object.fromEntries(
      item.fields.map((field) => [field.key, item.suggested[field.key] === undefined ? '' : String(item.suggested[field.key])]),
    ),
  );
  const sample = (column: string) => (column === '' ? null : (item.preview[0]?.[Number(column)] ?? ''));
  return (
    <>
      <section className="card" aria-labelledby="preview-heading">
        <h2 id="preview-heading">First rows of {item.fileName}</h2>
        {item.preview.length === 0 ? <p className="empty-state">The file has a header row but no data rows.</p> : null}
        <DataTable scroll className="preview-table" columns={item.headers}>
          {item.preview.map((row, rowIndex) => (
            <tr key={rowIndex}>
              {item.headers.map((_, index) => (
                <td key={index}>{row[index] ?? ''}</td>
              ))}
            </tr>
          ))}
        </DataTable>
      </section>
      <section className="card" aria-labelledby="mapping-heading">
        <h2 id="mapping-heading">Match the columns</h2>
        <p className="muted">
          We matched what we recognised. A field set to “Don’t import” is left as it is on clients that already exist.
        </p>
        <Form method="post" noValidate className="wide-form">
          <FormError message={formErrorOf(result)} />
          <div className="form-grid">
            {item.fields.map((field) => {
              const errors = errorsFor(result, field.key);
              const id = `map-${field.key}`;
              const example = sample(mapping[field.key] ?? '');
              return (
                <div className="field" key={field.key}>
                  <label htmlFor={id}>{field.label}</label>
                  <select
                    id={id}
                    name={`map.${field.key}`}
                    value={mapping[field.key] ?? ''}
                    onChange={(event) => setMapping((current) => ({ ...current, [field.key]: event.target.value }))}
                    aria-invalid={errors?.length ? true : undefined}
                    aria-describedby={`${id}-hint${errors?.length ? ` ${id}-error` : ''}`}
                  >
                    <option value="">Don’t import</option>
                    {item.headers.map((header, index) => (
                      <option key={index} value={String(index)}>
                        {header}
                      </option>
                    ))}
                  </select>
                  <p id={`${id}-hint`} className="hint">
                    {field.hint ? `${field.hint}. ` : ''}
                    {example !== null ? (example ? `First row: “${example}”` : 'First row: empty') : null}
                  </p>
                  {errors?.length ? (
                    <p id={`${id}-error`} className="field-error" role="alert">
                      {errors.join(' ')}
                    </p>
                  ) : null}
                </div>
              );
            })}
          </div>
          <button type="submit" disabled={busy}>
            {busy ? 'Starting…' : 'Start import'}
          </button>
        </Form>
      </section>
    </>
  );
}

function Progress({ item }: { item: Loaded['item'] }) {
  // Live progress: reload the figures every second while the worker runs the import.
  useRevalidateWhile(true, 1_000);
  const percent = item.fileBytes > 0 ? Math.min(100, Math.floor((item.processedBytes / item.fileBytes) * 100)) : 0;
  return (
    <section className="card" aria-labelledby="progress-heading">
      <h2 id="progress-heading">{item.status === 'queued' ? 'Waiting for the worker…' : 'Importing…'}</h2>
      <progress
        className="import-progress"
        max={100}
        value={percent}
        aria-labelledby="progress-heading"
        aria-describedby="progress-detail"
      />
      <p id="progress-detail" aria-live="polite">
        {percent}% of {formatBytes(item.fileBytes)} · {Math.max(0, item.processedRows - 1).toLocaleString('en-US')} rows read ·{' '}
        {item.createdRows.toLocaleString('en-US')} added · {item.updatedRows.toLocaleString('en-US')} updated ·{' '}
        {item.errorRows.toLocaleString('en-US')} bad
      </p>
      <p className="muted">You can leave this page; the import goes on and its result stays here.</p>
    </section>
  );
}

function Outcome({ item, errors }: { item: Loaded['item']; errors: Loaded['errors'] }) {
  const { slug } = useParams();
  const figures = [
    ['Added', item.createdRows],
    ['Updated', item.updatedRows],
    ['Already up to date', item.unchangedRows],
    ['Bad rows', item.errorRows],
  ] as const;
  return (
    <>
      <section className="card" aria-labelledby="outcome-heading">
        <h2 id="outcome-heading">{item.status === 'done' ? 'Import finished' : 'Import stopped'}</h2>
        {item.failure ? (
          <p className="form-error" role="alert">
            {item.failure} Rows imported before it stopped stay imported.
          </p>
        ) : null}
        <dl className="facts">
          {figures.map(([label, value]) => (
            <div key={label}>
              <dt>{label}</dt>
              <dd>{value.toLocaleString('en-US')}</dd>
            </div>
          ))}
        </dl>
        <p className="actions">
          <Link className="button" to={`/w/${slug}/clients`}>
            See the clients
          </Link>
          <Link className="button button-secondary" to={`/w/${slug}/clients/import`}>
            Import another file
          </Link>
        </p>
      </section>
      {item.errorRows > 0 ? (
        <section className="card" aria-labelledby="bad-rows-heading">
          <div className="card-header">
            <h2 id="bad-rows-heading">Rows that were not imported</h2>
            <a className="button button-secondary" href={`/w/${slug}/imports/${item.id}/errors`} download>
              Download bad rows (CSV)
            </a>
          </div>
          <p className="muted">
            Row numbers count the header as row 1, as spreadsheets do. The download has each bad row’s cells and the reason: fix them and
            import that file.
            {item.errorRows > errors.length
              ? ` The first ${errors.length} of ${item.errorRows.toLocaleString('en-US')} are shown here.`
              : ''}
          </p>
          <DataTable scroll columns={['Row', 'Reason']}>
            {errors.map((error) => (
              <tr key={error.row}>
                <td>{error.row}</td>
                <td>{error.reason}</td>
              </tr>
            ))}
          </DataTable>
        </section>
      ) : null}
    </>
  );
}

export default function ImportPage() {
  const { item, errors, canEdit } = useLoaderData<typeof loader>();
  return (
    <>
      <section className="card" aria-labelledby="import-file-heading">
        <div className="card-header">
          <h2 id="import-file-heading">
            {item.fileName} <ImportStatusPill status={item.status} />
          </h2>
          <p className="muted">
            {item.kind === 'clients' ? 'Clients with contacts' : 'Interactions'} · {formatBytes(item.fileBytes)} · uploaded{' '}
            {formatDateTime(item.createdAt)} by {item.createdByName ?? 'a former member'}
          </p>
        </div>
      </section>
      {item.status === 'uploaded' ? (
        canEdit ? (
          <Mapping item={item} />
        ) : (
          <p className="empty-state">A manager has yet to match this file’s columns and start it.</p>
        )
      ) : null}
      {item.status === 'queued' || item.status === 'running' ? <Progress item={item} /> : null}
      {item.status === 'done' || item.status === 'failed' ? <Outcome item={item} errors={errors} /> : null}
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
