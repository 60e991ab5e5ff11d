import { isRouteErrorResponse, useRouteError } from '@remix-run/react';

const MESSAGES: Record<number, string> = {
  400: 'The request was not valid.',
  401: 'Please sign in to continue.',
  403: 'You do not have access to this page.',
  404: 'We could not find that page.',
  429: 'Too many attempts. Please wait a moment and try again.',
};

/** The retry time in a 429's message, as server/security/rate-limit.ts words it. */
const RETRY_TIME = /try again in \d+ (second|minute|hour)s?/i;

/** The one error boundary every route exports: a clear message per status, never a stack trace. */
export function GeneralErrorBoundary() {
  const error = useRouteError();
  const status = isRouteErrorResponse(error) ? error.status : 500;
  const detail = isRouteErrorResponse(error) && typeof error.data === 'string' && error.data ? error.data : null;
  // A rate-limit refusal says when to come back ("… Try again in 14 minutes."); that beats the generic line.
  const retryMessage = status === 429 && detail && RETRY_TIME.test(detail) ? detail : null;
  return (
    <main className="page">
      <section className="card" role="alert">
        <h1>{status === 500 ? 'Something went wrong' : `Error ${status}`}</h1>
        <p>{retryMessage ?? MESSAGES[status] ?? 'Something went wrong on our side. Please try again.'}</p>
        {detail && status !== 500 && !retryMessage ? <p className="muted">{detail}</p> : null}
        <p>
          <a href="/">Back to the home page</a>
        </p>
      </section>
    </main>
  );
}
