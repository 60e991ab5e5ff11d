import type { LoaderFunctionArgs } from '@remix-run/node';
import { NavLink, Outlet, useLoaderData } from '@remix-run/react';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { requireWorkspace } from '~/workspace.server';

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { workspace } = await requireWorkspace(request, context, params.slug);
  return { workspace };
}

export default function WorkspaceLayout() {
  const { workspace } = useLoaderData<typeof loader>();
  const isAdmin = workspace.role === 'admin' || workspace.role === 'owner';
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
        <NavLink to="members">Members</NavLink>
        {isAdmin ? <NavLink to="health">Health model</NavLink> : null}
        {isAdmin ? <NavLink to="audit">Audit log</NavLink> : null}
        {isAdmin ? <NavLink to="settings">Settings</NavLink> : null}
      </nav>
      <Outlet />
    </main>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
