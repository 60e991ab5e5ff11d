import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { useActionData, useLoaderData } from '@remix-run/react';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { Field, FormError, IntentForm, Notice, SubmitButton, errorsFor, formErrorOf } from '~/components/forms';
import { DataTable } from '~/components/table';
import { callProcedure, runIntent } from '~/trpc.server';
import { requireWorkspace, ROLES, roleAtLeast, type Role } from '~/workspace.server';
import { keepErrorHeaders } from '~/utils/headers';

export const headers = keepErrorHeaders;

export const meta: MetaFunction = () => [{ title: 'Members · ClientPulse' }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { caller, user, workspace, workspaceSlug } = await requireWorkspace(request, context, params.slug);
  const { isAdmin } = workspace;
  const [members, invitations] = await Promise.all([
    callProcedure(() => caller.members.list({ workspaceSlug })),
    isAdmin ? callProcedure(() => caller.invitations.list({ workspaceSlug })) : Promise.resolve([]),
  ]);
  // The roles this member may give (an invitation or a role change), as the procedures decide: never above their own.
  const roleOptions = ROLES.map((role) => ({ role, grantable: roleAtLeast(workspace.role, role) }));
  return { me: user.id, members, invitations, isAdmin, roleOptions };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { caller, workspaceSlug } = await requireWorkspace(request, context, params.slug);
  const form = await request.formData();
  const text = (name: string) => String(form.get(name) ?? '');
  const intent = text('intent');
  const run = (call: () => Promise<unknown>, done: string) => runIntent(intent, call, done);
  switch (intent) {
    case 'invite':
      return run(
        () => caller.invitations.create({ workspaceSlug, email: text('email'), role: text('role') as Role }),
        `Invitation sent to ${text('email').trim()}.`,
      );
    case 'change-role':
      return run(() => caller.members.changeRole({ workspaceSlug, userId: text('userId'), role: text('role') as Role }), 'Role changed.');
    case 'remove':
      return run(() => caller.members.remove({ workspaceSlug, userId: text('userId') }), 'Member removed.');
    case 'revoke-invitation':
      return run(() => caller.invitations.revoke({ workspaceSlug, invitationId: text('invitationId') }), 'Invitation revoked.');
    case 'leave': {
      await callProcedure(() => caller.members.leave({ workspaceSlug }));
      return redirect('/');
    }
    default:
      throw new Response('Unknown action', { status: 400 });
  }
}

/** The roles as options of a role select: the ones this member may not give are there but disabled. */
function RoleOptions({ options }: { options: Array<{ role: Role; grantable: boolean }> }) {
  return options.map(({ role, grantable }) => (
    <option key={role} value={role} disabled={!grantable}>
      {role}
    </option>
  ));
}

export default function Members() {
  const { me, members, invitations, isAdmin, roleOptions } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const inviteResult = result?.intent === 'invite' ? result : undefined;
  return (
    <>
      {result?.ok ? <Notice>{result.done}</Notice> : null}
      {result && !result.ok && result.intent !== 'invite' ? (
        <FormError message={formErrorOf(result) ?? Object.values(result.fieldErrors).flat().join(' ')} />
      ) : null}

      <section className="card" aria-labelledby="members-heading">
        <h2 id="members-heading">Members ({members.length})</h2>
        <DataTable columns={['Name', 'Email', 'Role', isAdmin ? 'Manage' : null]}>
          {members.map((member) => (
            <tr key={member.userId} data-testid={`member-${member.email}`}>
              <td>
                {member.name}
                {member.userId === me ? <span className="muted"> (you)</span> : null}
              </td>
              <td>{member.email}</td>
              <td>{member.role}</td>
              {isAdmin ? (
                <td>
                  <div className="row-actions">
                    <IntentForm intent="change-role" className="inline-form">
                      <input type="hidden" name="userId" value={member.userId} />
                      <label className="visually-hidden" htmlFor={`role-${member.userId}`}>
                        Role of {member.name}
                      </label>
                      <select id={`role-${member.userId}`} name="role" defaultValue={member.role}>
                        <RoleOptions options={roleOptions} />
                      </select>
                      <SubmitButton className="button-small" aria-label={`Change role of ${member.name}`}>
                        Change
                      </SubmitButton>
                    </IntentForm>
                    {member.userId !== me ? (
                      <IntentForm intent="remove" className="inline-form">
                        <input type="hidden" name="userId" value={member.userId} />
                        <SubmitButton className="button-small button-danger" aria-label={`Remove ${member.name}`}>
                          Remove
                        </SubmitButton>
                      </IntentForm>
                    ) : null}
                  </div>
                </td>
              ) : null}
            </tr>
          ))}
        </DataTable>
        <IntentForm intent="leave" className="leave-form">
          <button type="submit" className="button-secondary">
            Leave this workspace
          </button>
        </IntentForm>
      </section>

      {isAdmin ? (
        <section className="card" aria-labelledby="invite-heading">
          <h2 id="invite-heading">Invite a teammate</h2>
          <IntentForm intent="invite" result={inviteResult} noValidate className="invite-form">
            <Field label="Email" name="email" type="email" required errors={errorsFor(inviteResult, 'email')} />
            <div className="field">
              <label htmlFor="invite-role">Role</label>
              <select id="invite-role" name="role" defaultValue="manager">
                <RoleOptions options={roleOptions} />
              </select>
              {errorsFor(inviteResult, 'role') ? <p className="field-error">{errorsFor(inviteResult, 'role')?.join(' ')}</p> : null}
            </div>
            <SubmitButton>Send invitation</SubmitButton>
          </IntentForm>
          <h3>Pending invitations</h3>
          {invitations.length === 0 ? (
            <p className="muted">No pending invitations. Invite someone above; the link in their email works for 7 days.</p>
          ) : (
            <ul className="list">
              {invitations.map((invitation) => (
                <li key={invitation.id}>
                  {invitation.email} as {invitation.role} · expires {new Date(invitation.expiresAt).toLocaleDateString('en-GB')}
                  <IntentForm intent="revoke-invitation" className="inline-form">
                    <input type="hidden" name="invitationId" value={invitation.id} />
                    <button
                      type="submit"
                      className="button-small button-secondary"
                      aria-label={`Revoke invitation for ${invitation.email}`}
                    >
                      Revoke
                    </button>
                  </IntentForm>
                </li>
              ))}
            </ul>
          )}
        </section>
      ) : null}
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
