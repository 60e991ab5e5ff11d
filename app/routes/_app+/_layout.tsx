import type { LoaderFunctionArgs } from '@remix-run/node';
import { Form, Link, NavLink, Outlet, useLoaderData, useParams } from '@remix-run/react';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { requireUser } from '~/session.server';

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user, workspaces } = await requireUser(request, context);
  return { user, workspaces };
}

export default function AppLayout() {
  const { user, workspaces } = useLoaderData<typeof loader>();
  const { slug } = useParams();
  return (
    <>
      <header className="topbar">
        <Link to={slug ? `/w/${slug}` : '/'} className="brand">
          ClientPulse
        </Link>
        <nav aria-label="Workspaces" className="switcher">
          <details>
            <summary>{workspaces.find((workspace) => workspace.slug === slug)?.name ?? 'Workspaces'}</summary>
            <ul>
              {workspaces.map((workspace) => (
                <li key={workspace.id}>
                  <NavLink to={`/w/${workspace.slug}`}>
                    {workspace.name} <span className="muted">({workspace.role})</span>
                  </NavLink>
                </li>
              ))}
              <li>
                <Link to="/workspaces/new">+ New workspace</Link>
              </li>
            </ul>
          </details>
        </nav>
        <nav aria-label="Account" className="account-nav">
          <NavLink to="/account">{user.name}</NavLink>
          <Form method="post" action="/logout">
            <button type="submit" className="button-link">
              Log out
            </button>
          </Form>
        </nav>
      </header>
      <Outlet />
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
