import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { useActionData, useLoaderData } from '@remix-run/react';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { Field, IntentForm, Notice, SubmitButton, errorsFor } from '~/components/forms';
import { requireUser } from '~/session.server';
import { callProcedure, runIntent } from '~/trpc.server';

export const meta: MetaFunction = () => [{ title: 'Your account · ClientPulse' }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { caller, user } = await requireUser(request, context);
  const sessions = await callProcedure(() => caller.account.sessions());
  return { user, sessions };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { caller } = await requireUser(request, context);
  const form = await request.formData();
  const text = (name: string) => String(form.get(name) ?? '');
  const intent = text('intent');
  const run = (call: () => Promise<unknown>, done: string) => runIntent(intent, call, done);
  switch (intent) {
    case 'name':
      return run(() => caller.account.updateName({ name: text('name') }), 'Name saved.');
    case 'email':
      return run(
        () => caller.account.changeEmail({ currentPassword: text('currentPassword'), newEmail: text('newEmail') }),
        'Email changed. We told your previous address.',
      );
    case 'password':
      return run(
        () => caller.account.changePassword({ currentPassword: text('currentPassword'), newPassword: text('newPassword') }),
        'Password changed. Your other sessions were signed out.',
      );
    case 'revoke-session':
      return run(() => caller.account.revokeSession({ sessionId: text('sessionId') }), 'Session signed out.');
    default:
      throw new Response('Unknown action', { status: 400 });
  }
}

/** The current password, which changing the email and changing the password both ask for. */
function CurrentPasswordField({ result }: { result: unknown }) {
  return (
    <Field
      label="Current password"
      name="currentPassword"
      type="password"
      autoComplete="current-password"
      required
      errors={errorsFor(result, 'currentPassword')}
    />
  );
}

export default function Account() {
  const { user, sessions } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const resultFor = (intent: string) => (result?.intent === intent ? result : undefined);
  const doneFor = (intent: string) => {
    const item = resultFor(intent);
    return item?.ok ? <Notice>{item.done}</Notice> : null;
  };
  return (
    <main className="page">
      <h1>Your account</h1>
      <section className="card" aria-labelledby="profile-heading">
        <h2 id="profile-heading">Profile</h2>
        {doneFor('name')}
        <IntentForm intent="name" noValidate>
          <Field label="Name" name="name" defaultValue={user.name} required errors={errorsFor(resultFor('name'), 'name')} />
          <SubmitButton>Save name</SubmitButton>
        </IntentForm>
      </section>

      <section className="card" aria-labelledby="email-heading">
        <h2 id="email-heading">Email</h2>
        <p className="muted">You sign in with {user.email}.</p>
        {doneFor('email')}
        <IntentForm intent="email" result={resultFor('email')} noValidate>
          <Field
            label="New email"
            name="newEmail"
            type="email"
            autoComplete="email"
            required
            errors={errorsFor(resultFor('email'), 'newEmail')}
          />
          <CurrentPasswordField result={resultFor('email')} />
          <SubmitButton>Change email</SubmitButton>
        </IntentForm>
      </section>

      <section className="card" aria-labelledby="password-heading">
        <h2 id="password-heading">Password</h2>
        {doneFor('password')}
        <IntentForm intent="password" result={resultFor('password')} noValidate>
          <CurrentPasswordField result={resultFor('password')} />
          <Field
            label="New password"
            name="newPassword"
            type="password"
            autoComplete="new-password"
            required
            minLength={10}
            hint="At least 10 characters. Your other sessions will be signed out."
            errors={errorsFor(resultFor('password'), 'newPassword')}
          />
          <SubmitButton>Change password</SubmitButton>
        </IntentForm>
      </section>

      <section className="card" aria-labelledby="sessions-heading">
        <h2 id="sessions-heading">Where you are signed in</h2>
        {doneFor('revoke-session')}
        <ul className="list">
          {sessions.map((session) => (
            <li key={session.id} data-testid="session">
              <span>
                <strong>{session.current ? 'This browser' : (session.userAgent ?? 'Unknown browser').slice(0, 80)}</strong>
                <span className="muted">
                  {' '}
                  · {session.ip ?? 'unknown address'} · last active{' '}
                  {new Date(session.lastSeenAt).toISOString().slice(0, 16).replace('T', ' ')} UTC
                </span>
              </span>
              {session.current ? null : (
                <IntentForm intent="revoke-session" className="inline-form">
                  <input type="hidden" name="sessionId" value={session.id} />
                  <button type="submit" className="button-small button-secondary">
                    Sign out
                  </button>
                </IntentForm>
              )}
            </li>
          ))}
        </ul>
      </section>
    </main>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
