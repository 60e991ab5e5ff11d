import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, Link, useLoaderData } from '@remix-run/react';
import { FormError } from '~/components/forms';
import { attemptProcedure, callProcedure, serverCaller } from '~/trpc.server';
import { GeneralErrorBoundary } from '~/components/error-boundary';

export const meta: MetaFunction = () => [{ title: 'Invitation · ClientPulse' }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const token = params.token ?? '';
  const caller = await serverCaller(request, context);
  const invitation = await attemptProcedure(() => caller.auth.invitation({ token }));
  if (!invitation.ok) return { valid: false as const, message: invitation.formError ?? 'This invitation is not valid.' };
  const me = await caller.account.me().catch(() => null);
  return { valid: true as const, token, invitation: invitation.value, signedInAs: me?.user.email ?? null };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const caller = await serverCaller(request, context);
  const { workspaceSlug } = await callProcedure(() => caller.auth.acceptInvitation({ token: params.token ?? '' }));
  return redirect(`/w/${workspaceSlug}`);
}

export default function Invitation() {
  const page = useLoaderData<typeof loader>();
  if (!page.valid) {
    return (
      <>
        <h1>Invitation not valid</h1>
        <FormError message={page.message} />
        <p>
          <Link to="/login">Go to log in</Link>
        </p>
      </>
    );
  }
  const { invitation, token, signedInAs } = page;
  const here = `/invitations/${token}`;
  return (
    <>
      <h1>Join {invitation.workspaceName}</h1>
      <p>
        {invitation.inviterName ?? 'A teammate'} invited <strong>{invitation.email}</strong> to join as <strong>{invitation.role}</strong>.
      </p>
      {signedInAs === invitation.email ? (
        <Form method="post">
          <button type="submit">Accept invitation</button>
        </Form>
      ) : signedInAs ? (
        <FormError message={`You are signed in as ${signedInAs}. Log out and sign in as ${invitation.email} to accept.`} />
      ) : (
        <div className="actions">
          <Link className="button" to={`/signup?invitation=${token}`}>
            Create an account
          </Link>
          <Link className="button button-secondary" to={`/login?redirectTo=${encodeURIComponent(here)}`}>
            I already have an account
          </Link>
        </div>
      )}
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
