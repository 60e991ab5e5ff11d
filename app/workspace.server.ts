import type { AppLoadContext } from '@remix-run/node';
import { roleAtLeast, type Role } from '../server/identity/schemas';
import { requireUser } from './session.server';
import { callProcedure } from './trpc.server';

export { ROLES, roleAtLeast, type Role } from '../server/identity/schemas';

/**
 * What the member's role lets them do, worked out on the server: loaders refuse with these and pages
 * show only the controls that will work (the procedures check again).
 */
function permissionsOf(role: Role) {
  return { canEdit: roleAtLeast(role, 'manager'), isAdmin: roleAtLeast(role, 'admin'), isOwner: roleAtLeast(role, 'owner') };
}

/**
 * The guard of every `/w/:slug` page: the signed-in member's caller, workspace, role and what it
 * permits, or 401/403.
 */
export async function requireWorkspace(request: Request, context: AppLoadContext, slug: string | undefined) {
  const { caller, user } = await requireUser(request, context);
  const workspaceSlug = slug ?? '';
  const workspace = await callProcedure(() => caller.workspaces.get({ workspaceSlug }));
  return { caller, user, workspace: { ...workspace, ...permissionsOf(workspace.role) }, workspaceSlug };
}
