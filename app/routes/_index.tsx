import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { useState } from 'react';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { redirectIfSignedIn } from '~/session.server';
import { callProcedure, serverCaller } from '~/trpc.server';
import { trpc } from '~/utils/trpc';

export const meta: MetaFunction = () => [{ title: 'ClientPulse — client health for account managers' }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await redirectIfSignedIn(request, context);
  const caller = await serverCaller(request, context);
  const status = await callProcedure(() => caller.system.status());
  return { status, checkedAt: new Date().toISOString() };
}

type Status = Awaited<ReturnType<typeof loader>>['status'];

const CHECK_LABELS: Record<keyof Status['checks'], string> = {
  postgres: 'Database (Postgres)',
  migrations: 'Database schema',
  redis: 'Queue store (Redis)',
  worker: 'Background worker',
};

export default function Index() {
  const initial = useLoaderData<typeof loader>();
  const [status, setStatus] = useState(initial.status);
  const [checkedAt, setCheckedAt] = useState(initial.checkedAt);
  const [checking, setChecking] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function checkAgain() {
    setChecking(true);
    setError(null);
    try {
      setStatus(await trpc.system.status.query());
      setCheckedAt(new Date().toISOString());
    } catch {
      setError('Could not reach the server. Is it still running?');
    } finally {
      setChecking(false);
    }
  }

  return (
    <main className="page">
      <header className="hero">
        <h1>ClientPulse</h1>
        <p className="lead">Every client's health, the reasons behind it, and an alert before they churn.</p>
        <p className="actions">
          <Link className="button" to="/signup">
            Create an account
          </Link>
          <Link className="button button-secondary" to="/login">
            Log in
          </Link>
        </p>
      </header>

      <section className="card" aria-labelledby="status-heading">
        <div className="card-header">
          <h2 id="status-heading">System status</h2>
          <span className={status.ok ? 'pill pill-ok' : 'pill pill-bad'} data-testid="overall-status">
            {status.ok ? 'All systems ready' : 'Not ready'}
          </span>
        </div>
        <ul className="checks">
          {(Object.keys(CHECK_LABELS) as Array<keyof Status['checks']>).map((name) => {
            const check = status.checks[name];
            return (
              <li key={name} className="check" data-testid={`check-${name}`}>
                <span aria-hidden="true" className={check.ok ? 'dot dot-ok' : 'dot dot-bad'} />
                <span className="check-name">{CHECK_LABELS[name]}</span>
                <span className="check-state">{check.ok ? 'OK' : 'Failing'}</span>
                <span className="muted check-detail">
                  {check.detail ? `${check.detail} · ` : ''}
                  {check.latencyMs} ms
                </span>
              </li>
            );
          })}
        </ul>
        <div className="card-footer">
          <button type="button" onClick={checkAgain} disabled={checking}>
            {checking ? 'Checking…' : 'Check again'}
          </button>
          <span className="muted" aria-live="polite">
            {error ?? (
              <>
                Checked at <time dateTime={checkedAt}>{new Date(checkedAt).toLocaleTimeString('en-GB', { timeZone: 'UTC' })} UTC</time>
              </>
            )}
          </span>
        </div>
      </section>
    </main>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
