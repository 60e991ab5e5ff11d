import { data, redirect, type ActionFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, useActionData, useNavigation } from '@remix-run/react';
import { Field, FormError, errorsFor, formErrorOf } from '~/components/forms';
import { attemptProcedure, serverCaller } from '~/trpc.server';
import { GeneralErrorBoundary } from '~/components/error-boundary';

export const meta: MetaFunction = () => [{ title: 'New workspace · ClientPulse' }];

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await request.formData();
  const caller = await serverCaller(request, context);
  const result = await attemptProcedure(() => caller.workspaces.create({ name: String(form.get('name') ?? '') }));
  if (!result.ok) return data(result, { status: result.status });
  return redirect(`/w/${result.value.slug}`);
}

export default function NewWorkspace() {
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === 'submitting';
  return (
    <main className="page">
      <section className="card narrow">
        <h1>New workspace</h1>
        <p className="muted">A workspace holds one team's clients. You will be its owner.</p>
        <Form method="post" noValidate>
          <FormError message={formErrorOf(result)} />
          <Field label="Workspace name" name="name" required autoFocus errors={errorsFor(result, 'name')} />
          <button type="submit" disabled={busy}>
            {busy ? 'Creating…' : 'Create workspace'}
          </button>
        </Form>
      </section>
    </main>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
