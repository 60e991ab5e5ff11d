import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { Field, FormError, errorsFor, formErrorOf } from '~/components/forms';
import { attemptProcedure, serverCaller } from '~/trpc.server';
import { GeneralErrorBoundary } from '~/components/error-boundary';

export const meta: MetaFunction = () => [{ title: 'Choose a new password · ClientPulse' }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const caller = await serverCaller(request, context);
  const check = await attemptProcedure(() => caller.auth.checkPasswordReset({ token: params.token ?? '' }));
  return check.ok
    ? { valid: true as const, email: check.value.email }
    : { valid: false as const, message: check.formError ?? 'This link is not valid.' };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const form = await request.formData();
  const caller = await serverCaller(request, context);
  const result = await attemptProcedure(() =>
    caller.auth.resetPassword({ token: params.token ?? '', password: String(form.get('password') ?? '') }),
  );
  if (!result.ok) return data(result, { status: result.status });
  return redirect('/login?reset=1');
}

export default function ResetPassword() {
  const link = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === 'submitting';
  if (!link.valid) {
    return (
      <>
        <h1>Link not valid</h1>
        <FormError message={link.message} />
        <p>
          <Link to="/forgot-password">Ask for a new link</Link>
        </p>
      </>
    );
  }
  return (
    <>
      <h1>Choose a new password</h1>
      <p className="muted">For {link.email}. Every device signed in to this account will be signed out.</p>
      <Form method="post" noValidate>
        <FormError message={formErrorOf(result)} />
        <Field
          label="New password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          autoFocus
          minLength={10}
          hint="At least 10 characters."
          errors={errorsFor(result, 'password')}
        />
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : 'Set new password'}
        </button>
      </Form>
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
