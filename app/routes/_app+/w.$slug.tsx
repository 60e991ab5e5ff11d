import type { LoaderFunctionArgs } from '@remix-run/node';
import { NavLink, Outlet, useFetcher, useLoaderData } from '@remix-run/react';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { usePolling } from '~/hooks/use-polling';
import { callProcedure } from '~/trpc.server';
import { requireWorkspace } from '~/workspace.server';

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { workspace, caller, workspaceSlug } = await requireWorkspace(request, context, params.slug);
  const unread = await callProcedure(() => caller.alerts.unreadCount({ workspaceSlug }));
  return { workspace, unread };
}

/** "Alerts" with the unread count, kept current every 5 s while the page is visible. */
function AlertsLink({ slug, initial }: { slug: string; initial: number }) {
  const fetcher = useFetcher<{ count: number }>();
  usePolling(() => fetcher.load(`/w/${slug}/alerts/unread`), { intervalMs: 5_000, busy: fetcher.state !== 'idle' });
  const count = fetcher.data?.count ?? initial;
  return (
    <NavLink to="alerts">
      Alerts
      {count > 0 ? (
        <span className="badge" data-testid="unread-alerts" aria-label={`${count} unread`}>
          {count}
        </span>
      ) : null}
    </NavLink>
  );
}

export default function WorkspaceLayout() {
  const { workspace, unread } = useLoaderData<typeof loader>();
  return (
    <main className="page wide">
      <header className="workspace-header">
        <h1>{workspace.name}</h1>
        <span className="pill">{workspace.role}</span>
      </header>
      <nav aria-label="Workspace" className="tabs">
        <NavLink to="." end>
          Overview
        </NavLink>
        <NavLink to="clients">Clients</NavLink>
        <AlertsLink slug={workspace.slug} initial={unread} />
        <NavLink to="members">Members</NavLink>
        {workspace.isAdmin ? <NavLink to="health">Health model</NavLink> : null}
        {workspace.isAdmin ? <NavLink to="audit">Audit log</NavLink> : null}
        {workspace.isAdmin ? <NavLink to="settings">Settings</NavLink> : null}
      </nav>
      <Outlet />
    </main>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
