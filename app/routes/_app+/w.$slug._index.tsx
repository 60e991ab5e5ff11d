import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { callProcedure } from '~/trpc.server';
import { requireWorkspace } from '~/workspace.server';

export const meta: MetaFunction = () => [{ title: 'Overview · ClientPulse' }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { caller, workspace, workspaceSlug } = await requireWorkspace(request, context, params.slug);
  const members = await callProcedure(() => caller.members.list({ workspaceSlug }));
  return { workspace, memberCount: members.length };
}

export default function WorkspaceOverview() {
  const { workspace, memberCount } = useLoaderData<typeof loader>();
  const isAdmin = workspace.role === 'admin' || workspace.role === 'owner';
  return (
    <section className="card">
      <h2>Welcome to {workspace.name}</h2>
      <p>
        {memberCount} {memberCount === 1 ? 'member' : 'members'} · you are {workspace.role === 'admin' || workspace.role === 'owner' ? 'an' : 'a'} {workspace.role}.
      </p>
      <div className="empty-state">
        <p>
          <strong>No clients yet.</strong> Your portfolio — every client with its health score and the reasons behind it — will appear here.
        </p>
        {isAdmin ? (
          <p>
            Meanwhile, <Link to="members">invite your teammates</Link> so they are ready when it does.
          </p>
        ) : (
          <p>An admin of this workspace adds clients and teammates.</p>
        )}
      </div>
    </section>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
