import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Tx } from '../db';
import { AppError } from '../errors';
import { recordAudit, type RequestMeta } from './audit';
import type { Role } from './schemas';

export type WorkspaceSummary = { id: string; name: string; slug: string; role: Role };

/** "Acme Corp — EMEA" → "acme-corp-emea"; falls back to "workspace" when nothing is left. */
function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/g, '');
  return slug.length >= 2 ? slug : 'workspace';
}

/**
 * Creates a workspace owned by the transaction's user. The slug comes from the name; when taken,
 * a short random suffix is added (the insert skips a conflict instead of failing the transaction).
 */
const UNIQUE_VIOLATION = '23505';

export async function createWorkspace(tx: Tx, userId: string, name: string, meta: RequestMeta): Promise<WorkspaceSummary> {
  const base = slugify(name);
  for (let attempt = 0; attempt < 6; attempt += 1) {
    const slug = attempt === 0 ? base : `${base}-${randomUUID().slice(0, 4 + attempt)}`;
    // The id is made here: the creator cannot read the row back before their membership exists.
    const id = randomUUID();
    // Not ON CONFLICT DO NOTHING: under RLS that also checks the new row against the SELECT policy,
    // which the creator (not yet a member) fails. A taken slug rolls back to the savepoint instead.
    await sql`savepoint create_workspace`.execute(tx);
    try {
      await tx.insertInto('workspaces').values({ id, name, slug }).execute();
    } catch (error) {
      await sql`rollback to savepoint create_workspace`.execute(tx);
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) continue;
      throw error;
    }
    await sql`release savepoint create_workspace`.execute(tx);
    await tx.insertInto('workspace_members').values({ workspace_id: id, user_id: userId, role: 'owner' }).execute();
    await recordAudit(tx, { action: 'workspace.created', actorId: userId, workspaceId: id, after: { name, slug }, meta });
    return { id, name, slug, role: 'owner' };
  }
  throw new AppError('CONFLICT', 'Could not find a free address for this workspace; try another name.');
}

/** The workspaces the transaction's user belongs to, by name. */
export async function listMyWorkspaces(tx: Tx, userId: string): Promise<WorkspaceSummary[]> {
  return tx
    .selectFrom('workspaces as w')
    .innerJoin('workspace_members as m', 'm.workspace_id', 'w.id')
    .select(['w.id', 'w.name', 'w.slug', 'm.role'])
    .where('m.user_id', '=', userId)
    .orderBy('w.name')
    .execute();
}

/** The user's membership of the workspace at `slug`, or null (unknown and not-a-member look alike). */
export async function findMembership(tx: Tx, userId: string, slug: string): Promise<WorkspaceSummary | null> {
  const row = await tx
    .selectFrom('workspaces as w')
    .innerJoin('workspace_members as m', 'm.workspace_id', 'w.id')
    .select(['w.id', 'w.name', 'w.slug', 'm.role'])
    .where('w.slug', '=', slug)
    .where('m.user_id', '=', userId)
    .executeTakeFirst();
  return row ?? null;
}

export async function renameWorkspace(
  tx: Tx,
  input: { workspace: WorkspaceSummary; actorId: string; name: string; meta: RequestMeta },
): Promise<void> {
  if (input.name === input.workspace.name) return;
  await tx
    .updateTable('workspaces')
    .set({ name: input.name, updated_at: sql`now()` })
    .where('id', '=', input.workspace.id)
    .execute();
  await recordAudit(tx, {
    action: 'workspace.renamed',
    actorId: input.actorId,
    workspaceId: input.workspace.id,
    target: { type: 'workspace', id: input.workspace.id },
    before: { name: input.workspace.name },
    after: { name: input.name },
    meta: input.meta,
  });
}

/** Deletes the workspace and everything in it; the typed confirmation must be its exact name. */
export async function deleteWorkspace(
  tx: Tx,
  input: { workspace: WorkspaceSummary; actorId: string; confirmation: string; meta: RequestMeta },
): Promise<void> {
  if (input.confirmation.trim() !== input.workspace.name) {
    throw AppError.field('confirmation', `Type the workspace name, ${input.workspace.name}, to confirm`);
  }
  // Recorded first: the entry keeps the name once the workspace row (and its id link) is gone.
  await recordAudit(tx, {
    action: 'workspace.deleted',
    actorId: input.actorId,
    workspaceId: input.workspace.id,
    target: { type: 'workspace', id: input.workspace.id },
    before: { name: input.workspace.name, slug: input.workspace.slug },
    meta: input.meta,
  });
  await tx.deleteFrom('workspaces').where('id', '=', input.workspace.id).execute();
}
