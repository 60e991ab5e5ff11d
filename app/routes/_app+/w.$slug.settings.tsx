import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Link, useActionData, useLoaderData } from '@remix-run/react';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { Field, IntentForm, Notice, SubmitButton, errorsFor } from '~/components/forms';
import { useRevalidateWhile } from '~/hooks/use-revalidate-while';
import { attemptProcedure, callProcedure, runIntent } from '~/trpc.server';
import { requireWorkspace } from '~/workspace.server';

export const meta: MetaFunction = () => [{ title: 'Workspace settings · ClientPulse' }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { workspace, caller, workspaceSlug } = await requireWorkspace(request, context, params.slug);
  if (!workspace.isAdmin) throw new Response('Only admins and owners can change workspace settings.', { status: 403 });
  const progress = await callProcedure(() => caller.sentiment.progress({ workspaceSlug }));
  // A backfill's size rides in the URL (?backfill=N) so the progress bar survives reloads.
  const backfill = Number(new URL(request.url).searchParams.get('backfill')) || null;
  return { workspace, progress, backfill };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { caller, workspaceSlug } = await requireWorkspace(request, context, params.slug);
  const form = await request.formData();
  const intent = String(form.get('intent') ?? '');
  if (intent === 'rename') {
    return runIntent(intent, () => caller.workspaces.rename({ workspaceSlug, name: String(form.get('name') ?? '') }), 'Workspace renamed.');
  }
  if (intent === 'backfill') {
    const result = await attemptProcedure(() => caller.sentiment.backfill({ workspaceSlug }));
    return result.ok
      ? redirect(`?backfill=${result.value.queued}#sentiment-heading`)
      : data({ ...result, intent }, { status: result.status });
  }
  if (intent === 'delete') {
    const result = await attemptProcedure(() =>
      caller.workspaces.delete({ workspaceSlug, confirmation: String(form.get('confirmation') ?? '') }),
    );
    return result.ok ? redirect('/') : data({ ...result, intent }, { status: result.status });
  }
  throw new Response('Unknown action', { status: 400 });
}

export default function WorkspaceSettings() {
  const { workspace, progress, backfill } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const remaining = progress.pending + progress.failed;
  // Fresh counts while anything is left (the worker takes retried and backfilled ones within seconds).
  useRevalidateWhile(remaining > 0, 2_000);
  const renameResult = result?.intent === 'rename' ? result : undefined;
  const deleteResult = result?.intent === 'delete' ? result : undefined;
  return (
    <>
      <section className="card" aria-labelledby="rename-heading">
        <h2 id="rename-heading">Name</h2>
        {renameResult?.ok ? <Notice>{renameResult.done}</Notice> : null}
        <IntentForm intent="rename" result={renameResult} noValidate>
          <Field
            label="Workspace name"
            name="name"
            defaultValue={workspace.name}
            required
            errors={errorsFor(renameResult, 'name')}
            hint={`Address: /w/${workspace.slug} (stays the same).`}
          />
          <SubmitButton>Save name</SubmitButton>
        </IntentForm>
      </section>
      <section className="card" aria-labelledby="sentiment-heading">
        <h2 id="sentiment-heading">Sentiment analysis</h2>
        {backfill ? (
          <div className="field">
            <label htmlFor="backfill-progress">
              Analysing {backfill.toLocaleString('en-US')} {backfill === 1 ? 'interaction' : 'interactions'}:{' '}
              {Math.max(0, backfill - remaining).toLocaleString('en-US')} done
            </label>
            <progress id="backfill-progress" className="progress" max={backfill} value={Math.max(0, backfill - remaining)} />
          </div>
        ) : null}
        <p data-testid="sentiment-progress">
          {remaining === 0
            ? 'Every interaction is analysed.'
            : `${progress.pending.toLocaleString('en-US')} waiting for analysis, ${progress.failed.toLocaleString('en-US')} failed.`}
        </p>
        <IntentForm intent="backfill">
          <SubmitButton disabled={remaining === 0}>Analyse all pending and failed interactions</SubmitButton>
        </IntentForm>
        <p>
          {progress.openFailedJobs === 0
            ? 'No sentiment job is waiting for a retry.'
            : `${progress.openFailedJobs.toLocaleString('en-US')} sentiment ` +
              `${progress.openFailedJobs === 1 ? 'job' : 'jobs'} failed every attempt.`}{' '}
          <Link to="jobs">Background jobs</Link> shows every queue and retries what failed.
        </p>
      </section>
      {workspace.isOwner ? (
        <section className="card danger-zone" aria-labelledby="delete-heading">
          <h2 id="delete-heading">Delete this workspace</h2>
          <p>This deletes the workspace and everything in it for every member. It cannot be undone.</p>
          <IntentForm intent="delete" result={deleteResult} noValidate>
            <Field
              label={`Type ${workspace.name} to confirm`}
              name="confirmation"
              autoComplete="off"
              required
              errors={errorsFor(deleteResult, 'confirmation')}
            />
            <SubmitButton className="button-danger">Delete workspace</SubmitButton>
          </IntentForm>
        </section>
      ) : null}
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
