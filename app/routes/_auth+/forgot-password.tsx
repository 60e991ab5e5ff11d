import { data, type ActionFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useNavigation } from '@remix-run/react';
import { Field, FormError, Notice, errorsFor, formErrorOf } from '~/components/forms';
import { attemptProcedure, serverCaller } from '~/trpc.server';
import { keepErrorHeaders } from '~/utils/headers';
import { GeneralErrorBoundary } from '~/components/error-boundary';

export const headers = keepErrorHeaders;

export const meta: MetaFunction = () => [{ title: 'Reset your password · ClientPulse' }];

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await request.formData();
  const caller = await serverCaller(request, context);
  const email = String(form.get('email') ?? '');
  const result = await attemptProcedure(() => caller.auth.requestPasswordReset({ email }));
  if (!result.ok) return data(result, { status: result.status });
  return { ok: true as const, email };
}

export default function ForgotPassword() {
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === 'submitting';
  if (result?.ok) {
    return (
      <>
        <h1>Check your email</h1>
        <Notice>
          If an account exists for {result.email}, we have sent it a link to choose a new password. The link works once, for 60 minutes.
        </Notice>
        <p>
          <Link to="/login">Back to log in</Link>
        </p>
      </>
    );
  }
  return (
    <>
      <h1>Reset your password</h1>
      <p className="muted">Enter your account's email and we will send you a link to choose a new password.</p>
      <Form method="post" noValidate>
        <FormError message={formErrorOf(result)} />
        <Field label="Email" name="email" type="email" autoComplete="email" required autoFocus errors={errorsFor(result, 'email')} />
        <button type="submit" disabled={busy}>
          {busy ? 'Sending…' : 'Send reset link'}
        </button>
      </Form>
      <p className="muted">
        <Link to="/login">Back to log in</Link>
      </p>
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
