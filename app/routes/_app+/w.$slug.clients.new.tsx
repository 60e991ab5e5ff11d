import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { clientFieldsFromForm } from '~/clients.server';
import { ClientFields } from '~/components/client-form';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { Field, FormError, errorsFor, formErrorOf } from '~/components/forms';
import { attemptProcedure, callProcedure } from '~/trpc.server';
import { requireWorkspace } from '~/workspace.server';

export const meta: MetaFunction = () => [{ title: 'Add client · ClientPulse' }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { caller, workspace, workspaceSlug } = await requireWorkspace(request, context, params.slug);
  if (!workspace.canEdit) throw new Response('Viewers can look but not add clients.', { status: 403 });
  return { members: await callProcedure(() => caller.members.list({ workspaceSlug })) };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { caller, workspaceSlug } = await requireWorkspace(request, context, params.slug);
  const form = await request.formData();
  const contactName = String(form.get('contactName') ?? '').trim();
  const result = await attemptProcedure(() =>
    caller.clients.create({
      workspaceSlug,
      fields: clientFieldsFromForm(form),
      contacts: contactName
        ? [
            {
              name: contactName,
              email: String(form.get('contactEmail') ?? ''),
              title: String(form.get('contactTitle') ?? ''),
              isPrimary: true,
            },
          ]
        : [],
    }),
  );
  if (!result.ok) return data(result, { status: result.status });
  return redirect(`/w/${workspaceSlug}/clients/${result.value.id}`);
}

export default function NewClient() {
  const { members } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === 'submitting';
  return (
    <section className="card" aria-labelledby="new-client-heading">
      <h2 id="new-client-heading">Add a client</h2>
      <Form method="post" noValidate className="wide-form">
        <FormError message={formErrorOf(result)} />
        <ClientFields members={members} result={result} />
        <h3>Primary contact (optional)</h3>
        <div className="form-grid">
          <Field label="Contact name" name="contactName" errors={errorsFor(result, 'contacts.0.name')} />
          <Field label="Contact email" name="contactEmail" type="email" errors={errorsFor(result, 'contacts.0.email')} />
          <Field label="Contact title" name="contactTitle" errors={errorsFor(result, 'contacts.0.title')} />
        </div>
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : 'Add client'}
        </button>
      </Form>
    </section>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
