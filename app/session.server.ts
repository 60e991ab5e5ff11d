import { redirect, type AppLoadContext } from '@remix-run/node';
import { callProcedure, serverCaller } from './trpc.server';

/** Set-Cookie value that signs the browser in with a fresh session token. */
export function sessionCookieHeader(context: AppLoadContext, token: string): Promise<string> {
  return context.services.sessionCookie.serialize(token);
}

/** Set-Cookie value that removes the session cookie. */
export function clearedSessionCookieHeader(context: AppLoadContext): Promise<string> {
  return context.services.sessionCookie.serialize('', { maxAge: 0 });
}

/** Only same-origin paths are followed after sign-in (or any redirect a request chose), never another origin. */
export { safeRedirectTarget } from '../server/http/redirect';

/** The guard of every signed-in page: the caller and session, or a redirect to the login page. */
export async function requireUser(request: Request, context: AppLoadContext) {
  const caller = await serverCaller(request, context);
  const me = await callProcedure(() => caller.account.me()).catch((error: unknown) => {
    if (error instanceof Response && error.status === 401) {
      const url = new URL(request.url);
      throw redirect(`/login?redirectTo=${encodeURIComponent(url.pathname + url.search)}`);
    }
    throw error;
  });
  return { caller, ...me };
}

/** The guard of the sign-in pages: signed-in people go to their workspace instead. */
export async function redirectIfSignedIn(request: Request, context: AppLoadContext): Promise<void> {
  const caller = await serverCaller(request, context);
  const me = await caller.account.me().catch(() => null);
  if (me) throw redirect(me.workspaces[0] ? `/w/${me.workspaces[0].slug}` : '/workspaces/new');
}
