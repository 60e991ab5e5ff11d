import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { PortfolioOverview } from '~/components/portfolio';
import { callProcedure } from '~/trpc.server';
import { requireWorkspace } from '~/workspace.server';

export const meta: MetaFunction = () => [{ title: 'Overview · ClientPulse' }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { caller, workspace, workspaceSlug } = await requireWorkspace(request, context, params.slug);
  const [members, portfolio] = await Promise.all([
    callProcedure(() => caller.members.list({ workspaceSlug })),
    callProcedure(() => caller.health.portfolio({ workspaceSlug })),
  ]);
  return { workspace, memberCount: members.length, portfolio };
}

export default function WorkspaceOverview() {
  const { workspace, memberCount, portfolio } = useLoaderData<typeof loader>();
  const clientCount = portfolio.clients;
  const article = /^[aeiou]/.test(workspace.role) ? 'an' : 'a';
  return (
    <div className="stack">
      <section className="card">
        <h2>Welcome to {workspace.name}</h2>
        <p>
          {memberCount} {memberCount === 1 ? 'member' : 'members'} · you are {article} {workspace.role}.
        </p>
        {clientCount > 0 ? (
          <p>
            <Link to="clients">{clientCount.toLocaleString('en-US')} active and paused clients</Link> in the portfolio.
          </p>
        ) : null}
        <div className="empty-state" hidden={clientCount > 0}>
          <p>
            <strong>No clients yet.</strong> <Link to="clients/new">Add your first client</Link>; each will get a health score and the
            reasons behind it.
          </p>
          {workspace.isAdmin ? (
            <p>
              Meanwhile, <Link to="members">invite your teammates</Link> so they are ready when it does.
            </p>
          ) : (
            <p>An admin of this workspace adds clients and teammates.</p>
          )}
        </div>
      </section>
      {clientCount > 0 ? <PortfolioOverview portfolio={portfolio} /> : null}
    </div>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
