import type { AppLoadContext } from '@remix-run/node';
import { requireUser } from './session.server';
import { callProcedure } from './trpc.server';

/** The guard of every `/w/:slug` page: the signed-in member's caller, workspace and role, or 401/403. */
export async function requireWorkspace(request: Request, context: AppLoadContext, slug: string | undefined) {
  const { caller, user } = await requireUser(request, context);
  const workspaceSlug = slug ?? '';
  const workspace = await callProcedure(() => caller.workspaces.get({ workspaceSlug }));
  return { caller, user, workspace, workspaceSlug };
}
