import { redirect, type ActionFunctionArgs } from '@remix-run/node';
import { clearedSessionCookieHeader } from '~/session.server';
import { serverCaller } from '~/trpc.server';

export async function loader() {
  return redirect('/');
}

export async function action({ request, context }: ActionFunctionArgs) {
  const caller = await serverCaller(request, context);
  await caller.auth.logOut().catch(() => undefined);
  return redirect('/login', { headers: { 'Set-Cookie': await clearedSessionCookieHeader(context) } });
}
