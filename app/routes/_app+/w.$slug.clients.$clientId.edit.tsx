import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { clientFieldsFromForm } from '~/clients.server';
import { ClientFields } from '~/components/client-form';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { FormError, formErrorOf } from '~/components/forms';
import { attemptProcedure, callProcedure } from '~/trpc.server';
import { requireWorkspace } from '~/workspace.server';

export const meta: MetaFunction = () => [{ title: 'Edit client · ClientPulse' }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { caller, workspace, workspaceSlug } = await requireWorkspace(request, context, params.slug);
  if (!workspace.canEdit) throw new Response('Viewers can look but not edit clients.', { status: 403 });
  const [{ client }, members] = await Promise.all([
    callProcedure(() => caller.clients.get({ workspaceSlug, clientId: params.clientId ?? '' })),
    callProcedure(() => caller.members.list({ workspaceSlug })),
  ]);
  return { client, members };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { caller, workspaceSlug } = await requireWorkspace(request, context, params.slug);
  const form = await request.formData();
  const clientId = params.clientId ?? '';
  if (form.get('intent') === 'delete') {
    await callProcedure(() => caller.clients.delete({ workspaceSlug, clientId }));
    return redirect(`/w/${workspaceSlug}/clients`);
  }
  const result = await attemptProcedure(() => caller.clients.update({ workspaceSlug, clientId, fields: clientFieldsFromForm(form) }));
  if (!result.ok) return data(result, { status: result.status });
  return redirect(`/w/${workspaceSlug}/clients/${clientId}`);
}

export default function EditClient() {
  const { client, members } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === 'submitting';
  return (
    <>
      <section className="card" aria-labelledby="edit-heading">
        <h2 id="edit-heading">Edit {client.name}</h2>
        <Form method="post" noValidate className="wide-form">
          <FormError message={formErrorOf(result)} />
          <ClientFields values={client} members={members} result={result} />
          <div className="actions">
            <button type="submit" disabled={busy}>
              Save changes
            </button>
            <Link to="..">Cancel</Link>
          </div>
        </Form>
      </section>
      <section className="card danger-zone" aria-labelledby="delete-client-heading">
        <h2 id="delete-client-heading">Delete this client</h2>
        <p>Deletes the client with its contacts and interactions. It cannot be undone.</p>
        <Form method="post">
          <input type="hidden" name="intent" value="delete" />
          <button type="submit" className="button-danger">
            Delete client
          </button>
        </Form>
      </section>
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
