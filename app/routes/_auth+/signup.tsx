import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { Field, FormError, errorsFor, formErrorOf } from '~/components/forms';
import { redirectIfSignedIn, sessionCookieHeader } from '~/session.server';
import { attemptProcedure, serverCaller } from '~/trpc.server';
import { keepErrorHeaders } from '~/utils/headers';
import { GeneralErrorBoundary } from '~/components/error-boundary';

export const headers = keepErrorHeaders;

export const meta: MetaFunction = () => [{ title: 'Create your account · ClientPulse' }];

/** With `?invitation=<token>` the person joins that workspace, under the invited address. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  await redirectIfSignedIn(request, context);
  const token = new URL(request.url).searchParams.get('invitation');
  if (!token) return { invitation: null };
  const caller = await serverCaller(request, context);
  const invitation = await attemptProcedure(() => caller.auth.invitation({ token }));
  return {
    invitation: invitation.ok ? { token, email: invitation.value.email, workspaceName: invitation.value.workspaceName } : null,
    invitationError: invitation.ok ? null : invitation.formError,
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await request.formData();
  const field = (name: string) => {
    const value = form.get(name);
    return typeof value === 'string' && value.trim() !== '' ? value : undefined;
  };
  const caller = await serverCaller(request, context);
  const result = await attemptProcedure(() =>
    caller.auth.signUp({
      email: field('email') ?? '',
      name: field('name') ?? '',
      password: String(form.get('password') ?? ''),
      workspaceName: field('workspaceName'),
      invitationToken: field('invitationToken'),
    }),
  );
  if (!result.ok) return data(result, { status: result.status });
  return redirect(`/w/${result.value.workspaceSlug}`, {
    headers: { 'Set-Cookie': await sessionCookieHeader(context, result.value.token) },
  });
}

export default function SignUp() {
  const { invitation, invitationError } = useLoaderData<typeof loader>() as {
    invitation: { token: string; email: string; workspaceName: string } | null;
    invitationError?: string | null;
  };
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === 'submitting';
  return (
    <>
      <h1>{invitation ? `Join ${invitation.workspaceName}` : 'Create your account'}</h1>
      {invitationError ? <FormError message={invitationError} /> : null}
      <Form method="post" noValidate>
        <FormError message={formErrorOf(result)} />
        {invitation ? <input type="hidden" name="invitationToken" value={invitation.token} /> : null}
        <Field label="Your name" name="name" autoComplete="name" required autoFocus errors={errorsFor(result, 'name')} />
        {invitation ? (
          <>
            <input type="hidden" name="email" value={invitation.email} />
            <Field
              label="Email"
              name="email-shown"
              type="email"
              value={invitation.email}
              readOnly
              hint="The address you were invited at."
            />
          </>
        ) : (
          <Field label="Work email" name="email" type="email" autoComplete="email" required errors={errorsFor(result, 'email')} />
        )}
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          minLength={10}
          hint="At least 10 characters. A short sentence works well."
          errors={errorsFor(result, 'password')}
        />
        {invitation ? null : (
          <Field
            label="Workspace name"
            name="workspaceName"
            placeholder="e.g. Acme Customer Success"
            hint="Your team's space; you can rename it later."
            errors={errorsFor(result, 'workspaceName')}
          />
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Creating…' : invitation ? 'Create account and join' : 'Create account'}
        </button>
      </Form>
      <p className="muted">
        Already have an account? <Link to={invitation ? `/invitations/${invitation.token}` : '/login'}>Log in</Link>
      </p>
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
