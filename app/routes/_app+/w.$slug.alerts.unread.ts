import type { LoaderFunctionArgs } from '@remix-run/node';
import { callProcedure } from '~/trpc.server';
import { requireWorkspace } from '~/workspace.server';

/** The navigation's unread-alert count, polled by the workspace layout. */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { caller, workspaceSlug } = await requireWorkspace(request, context, params.slug);
  const count = await callProcedure(() => caller.alerts.unreadCount({ workspaceSlug }));
  return Response.json({ count }, { headers: { 'Cache-Control': 'no-store' } });
}
