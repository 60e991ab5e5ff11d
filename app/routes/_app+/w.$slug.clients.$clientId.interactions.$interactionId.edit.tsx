import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation, useParams } from '@remix-run/react';
import { interactionFieldsFromForm } from '~/clients.server';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { FormError, formErrorOf } from '~/components/forms';
import { InteractionFields } from '~/components/interaction-form';
import { attemptProcedure, callProcedure } from '~/trpc.server';
import { requireWorkspace } from '~/workspace.server';

export const meta: MetaFunction = () => [{ title: 'Edit interaction · ClientPulse' }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { caller, workspace, workspaceSlug } = await requireWorkspace(request, context, params.slug);
  if (!workspace.canEdit) throw new Response('Viewers can look but not edit interactions.', { status: 403 });
  const clientId = params.clientId ?? '';
  const [interaction, { client, contacts }] = await Promise.all([
    callProcedure(() => caller.interactions.get({ workspaceSlug, clientId, interactionId: params.interactionId ?? '' })),
    callProcedure(() => caller.clients.get({ workspaceSlug, clientId })),
  ]);
  return { interaction, client, contacts };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { caller, workspaceSlug } = await requireWorkspace(request, context, params.slug);
  const clientId = params.clientId ?? '';
  const form = await request.formData();
  const result = await attemptProcedure(() =>
    caller.interactions.update({
      workspaceSlug,
      clientId,
      interactionId: params.interactionId ?? '',
      fields: interactionFieldsFromForm(form),
    }),
  );
  if (!result.ok) return data(result, { status: result.status });
  return redirect(`/w/${workspaceSlug}/clients/${clientId}`);
}

export default function EditInteraction() {
  const { interaction, client, contacts } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === 'submitting';
  const { slug } = useParams();
  return (
    <section className="card" aria-labelledby="edit-interaction-heading">
      <h2 id="edit-interaction-heading">Edit interaction with {client.name}</h2>
      <p className="muted">Changing what was said, its type or its direction sends it for sentiment analysis again.</p>
      <Form method="post" noValidate className="wide-form">
        <FormError message={formErrorOf(result)} />
        <InteractionFields idPrefix="edit" contacts={contacts} result={result} values={interaction} />
        <div className="actions">
          <button type="submit" disabled={busy}>
            {busy ? 'Saving…' : 'Save changes'}
          </button>
          <Link to={`/w/${slug}/clients/${client.id}`}>Cancel</Link>
        </div>
      </Form>
    </section>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
