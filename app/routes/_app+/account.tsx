import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { Field, FormError, Notice, errorsFor, formErrorOf } from '~/components/forms';
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

export default function Account() {
  const { user, sessions } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === 'submitting';
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
        <Form method="post" noValidate>
          <input type="hidden" name="intent" value="name" />
          <Field label="Name" name="name" defaultValue={user.name} required errors={errorsFor(resultFor('name'), 'name')} />
          <button type="submit" disabled={busy}>
            Save name
          </button>
        </Form>
      </section>

      <section className="card" aria-labelledby="email-heading">
        <h2 id="email-heading">Email</h2>
        <p className="muted">You sign in with {user.email}.</p>
        {doneFor('email')}
        <Form method="post" noValidate>
          <input type="hidden" name="intent" value="email" />
          <FormError message={formErrorOf(resultFor('email'))} />
          <Field
            label="New email"
            name="newEmail"
            type="email"
            autoComplete="email"
            required
            errors={errorsFor(resultFor('email'), 'newEmail')}
          />
          <Field
            label="Current password"
            name="currentPassword"
            type="password"
            autoComplete="current-password"
            required
            errors={errorsFor(resultFor('email'), 'currentPassword')}
          />
          <button type="submit" disabled={busy}>
            Change email
          </button>
        </Form>
      </section>

      <section className="card" aria-labelledby="password-heading">
        <h2 id="password-heading">Password</h2>
        {doneFor('password')}
        <Form method="post" noValidate>
          <input type="hidden" name="intent" value="password" />
          <FormError message={formErrorOf(resultFor('password'))} />
          <Field
            label="Current password"
            name="currentPassword"
            type="password"
            autoComplete="current-password"
            required
            errors={errorsFor(resultFor('password'), 'currentPassword')}
          />
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
          <button type="submit" disabled={busy}>
            Change password
          </button>
        </Form>
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
                <Form method="post" className="inline-form">
                  <input type="hidden" name="intent" value="revoke-session" />
                  <input type="hidden" name="sessionId" value={session.id} />
                  <button type="submit" className="button-small button-secondary">
                    Sign out
                  </button>
                </Form>
              )}
            </li>
          ))}
        </ul>
      </section>
    </main>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
