import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { Field, FormError, Notice, errorsFor, formErrorOf } from '~/components/forms';
import { attemptProcedure, runIntent } from '~/trpc.server';
import { requireWorkspace } from '~/workspace.server';

export const meta: MetaFunction = () => [{ title: 'Workspace settings · ClientPulse' }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { workspace } = await requireWorkspace(request, context, params.slug);
  if (workspace.role !== 'admin' && workspace.role !== 'owner') throw new Response('Only admins and owners can change workspace settings.', { status: 403 });
  return { workspace };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { caller, workspaceSlug } = await requireWorkspace(request, context, params.slug);
  const form = await request.formData();
  const intent = String(form.get('intent') ?? '');
  if (intent === 'rename') {
    return runIntent(intent, () => caller.workspaces.rename({ workspaceSlug, name: String(form.get('name') ?? '') }), 'Workspace renamed.');
  }
  if (intent === 'delete') {
    const result = await attemptProcedure(() => caller.workspaces.delete({ workspaceSlug, confirmation: String(form.get('confirmation') ?? '') }));
    return result.ok ? redirect('/') : data({ ...result, intent }, { status: result.status });
  }
  throw new Response('Unknown action', { status: 400 });
}

export default function WorkspaceSettings() {
  const { workspace } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === 'submitting';
  const renameResult = result?.intent === 'rename' ? result : undefined;
  const deleteResult = result?.intent === 'delete' ? result : undefined;
  return (
    <>
      <section className="card" aria-labelledby="rename-heading">
        <h2 id="rename-heading">Name</h2>
        {renameResult?.ok ? <Notice>{renameResult.done}</Notice> : null}
        <Form method="post" noValidate>
          <input type="hidden" name="intent" value="rename" />
          <FormError message={formErrorOf(renameResult)} />
          <Field label="Workspace name" name="name" defaultValue={workspace.name} required errors={errorsFor(renameResult, 'name')} hint={`Address: /w/${workspace.slug} (stays the same).`} />
          <button type="submit" disabled={busy}>
            Save name
          </button>
        </Form>
      </section>
      {workspace.role === 'owner' ? (
        <section className="card danger-zone" aria-labelledby="delete-heading">
          <h2 id="delete-heading">Delete this workspace</h2>
          <p>This deletes the workspace and everything in it for every member. It cannot be undone.</p>
          <Form method="post" noValidate>
            <input type="hidden" name="intent" value="delete" />
            <FormError message={formErrorOf(deleteResult)} />
            <Field label={`Type ${workspace.name} to confirm`} name="confirmation" autoComplete="off" required errors={errorsFor(deleteResult, 'confirmation')} />
            <button type="submit" className="button-danger" disabled={busy}>
              Delete workspace
            </button>
          </Form>
        </section>
      ) : null}
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
