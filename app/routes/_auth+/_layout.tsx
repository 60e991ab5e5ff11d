import { Link, Outlet } from '@remix-run/react';
import { GeneralErrorBoundary } from '~/components/error-boundary';

export default function AuthLayout() {
  return (
    <main className="auth-page">
      <Link to="/" className="brand">
        ClientPulse
      </Link>
      <section className="card auth-card">
        <Outlet />
      </section>
    </main>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
