import { isRouteErrorResponse, useRouteError } from '@remix-run/react';

const MESSAGES: Record<number, string> = {
  400: 'The request was not valid.',
  401: 'Please sign in to continue.',
  403: 'You do not have access to this page.',
  404: 'We could not find that page.',
  429: 'Too many attempts. Please wait a moment and try again.',
};

/** The one error boundary every route exports: a clear message per status, never a stack trace. */
export function GeneralErrorBoundary() {
  const error = useRouteError();
  const status = isRouteErrorResponse(error) ? error.status : 500;
  const detail = isRouteErrorResponse(error) && typeof error.data === 'string' && error.data ? error.data : null;
  return (
    <main className="page">
      <section className="card" role="alert">
        <h1>{status === 500 ? 'Something went wrong' : `Error ${status}`}</h1>
        <p>{MESSAGES[status] ?? 'Something went wrong on our side. Please try again.'}</p>
        {detail && status !== 500 ? <p className="muted">{detail}</p> : null}
        <p>
          <a href="/">Back to the home page</a>
        </p>
      </section>
    </main>
  );
}
