import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useNavigation, useSearchParams } from '@remix-run/react';
import { Field, FormError, errorsFor, formErrorOf } from '~/components/forms';
import { redirectIfSignedIn, safeRedirectTarget, sessionCookieHeader } from '~/session.server';
import { attemptProcedure, serverCaller } from '~/trpc.server';
import { keepErrorHeaders } from '~/utils/headers';
import { GeneralErrorBoundary } from '~/components/error-boundary';

export const headers = keepErrorHeaders;

export const meta: MetaFunction = () => [{ title: 'Log in · ClientPulse' }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await redirectIfSignedIn(request, context);
  return null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await request.formData();
  const caller = await serverCaller(request, context);
  const result = await attemptProcedure(() =>
    caller.auth.logIn({ email: String(form.get('email') ?? ''), password: String(form.get('password') ?? '') }),
  );
  if (!result.ok) return data(result, { status: result.status });
  const fallback = result.value.workspaceSlug ? `/w/${result.value.workspaceSlug}` : '/workspaces/new';
  return redirect(safeRedirectTarget(form.get('redirectTo'), context.services.env.APP_URL, fallback), {
    headers: { 'Set-Cookie': await sessionCookieHeader(context, result.value.token) },
  });
}

export default function Login() {
  const result = useActionData<typeof action>();
  const [params] = useSearchParams();
  const busy = useNavigation().state === 'submitting';
  return (
    <>
      <h1>Log in</h1>
      <Form method="post" noValidate>
        <input type="hidden" name="redirectTo" value={params.get('redirectTo') ?? ''} />
        <FormError message={formErrorOf(result)} />
        <Field label="Email" name="email" type="email" autoComplete="email" required autoFocus errors={errorsFor(result, 'email')} />
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          errors={errorsFor(result, 'password')}
        />
        <button type="submit" disabled={busy}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
      </Form>
      <p className="muted">
        <Link to="/forgot-password">Forgot your password?</Link> · New here? <Link to="/signup">Create an account</Link>
      </p>
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
