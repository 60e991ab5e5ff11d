import { z } from 'zod';
import { recordAudit } from '../identity/audit';
import { router, workspaceProcedure } from '../trpc';
import {
  addContact,
  bulkUpdateClients,
  createClient,
  decodeClientCursor,
  deleteClient,
  getClient,
  listClients,
  listContacts,
  updateClient,
} from './clients';
import { getInteraction, listInteractions, logInteraction, sentimentTrend, updateInteraction } from './interactions';
import {
  bulkActionSchema,
  clientFieldsSchema,
  clientListFiltersSchema,
  contactFieldsSchema,
  INTERACTION_TYPES,
  interactionFieldsSchema,
} from './schemas';

const cursorSchema = z
  .string()
  .max(500)
  .refine(
    (cursor) => {
      try {
        decodeClientCursor(cursor);
        return true;
      } catch {
        return false;
      }
    },
    { error: 'Not a page of this list' },
  );

const clientsRouter = router({
  list: workspaceProcedure('viewer')
    .input(
      z.object({
        filters: clientListFiltersSchema.default({ sort: 'name', direction: 'asc' }),
        cursor: cursorSchema.optional(),
        limit: z.number().int().min(1).max(1000).optional(),
      }),
    )
    .query(({ ctx, input }) =>
      listClients(ctx.tx, { workspaceId: ctx.workspace.id, filters: input.filters, cursor: input.cursor, limit: input.limit }),
    ),
  /** Records that someone exported the list (with which filters); the export itself pages through `list`. */
  recordExport: workspaceProcedure('viewer')
    .input(z.object({ filters: clientListFiltersSchema, total: z.number().int().min(0) }))
    .mutation(({ ctx, input }) =>
      recordAudit(ctx.tx, {
        action: 'client.exported',
        actorId: ctx.session.user.id,
        workspaceId: ctx.workspace.id,
        after: { filters: input.filters, clients: input.total },
        meta: ctx.meta,
      }),
    ),
  get: workspaceProcedure('viewer')
    .input(z.object({ clientId: z.uuid() }))
    .query(async ({ ctx, input }) => ({
      client: await getClient(ctx.tx, ctx.workspace.id, input.clientId),
      contacts: await listContacts(ctx.tx, input.clientId),
    })),
  create: workspaceProcedure('manager')
    .input(z.object({ fields: clientFieldsSchema, contacts: z.array(contactFieldsSchema).max(50).default([]) }))
    .mutation(({ ctx, input }) =>
      createClient(ctx.tx, {
        workspace: ctx.workspace,
        actorId: ctx.session.user.id,
        fields: input.fields,
        contacts: input.contacts,
        meta: ctx.meta,
      }),
    ),
  update: workspaceProcedure('manager')
    .input(z.object({ clientId: z.uuid(), fields: clientFieldsSchema }))
    .mutation(({ ctx, input }) =>
      updateClient(ctx.tx, {
        workspace: ctx.workspace,
        actorId: ctx.session.user.id,
        clientId: input.clientId,
        fields: input.fields,
        meta: ctx.meta,
      }),
    ),
  delete: workspaceProcedure('manager')
    .input(z.object({ clientId: z.uuid() }))
    .mutation(({ ctx, input }) =>
      deleteClient(ctx.tx, { workspace: ctx.workspace, actorId: ctx.session.user.id, clientId: input.clientId, meta: ctx.meta }),
    ),
  bulkUpdate: workspaceProcedure('manager')
    .input(
      z.object({
        clientIds: z
          .array(z.uuid())
          .min(1, { error: 'Select at least one client' })
          .max(1000, { error: 'Select at most 1,000 clients at a time' }),
        action: bulkActionSchema,
      }),
    )
    .mutation(({ ctx, input }) =>
      bulkUpdateClients(ctx.tx, {
        workspace: ctx.workspace,
        actorId: ctx.session.user.id,
        clientIds: input.clientIds,
        action: input.action,
        meta: ctx.meta,
      }),
    ),
  addContact: workspaceProcedure('manager')
    .input(z.object({ clientId: z.uuid(), fields: contactFieldsSchema }))
    .mutation(async ({ ctx, input }) => {
      await getClient(ctx.tx, ctx.workspace.id, input.clientId);
      return addContact(ctx.tx, { workspaceId: ctx.workspace.id, clientId: input.clientId, fields: input.fields });
    }),
});

const interactionsRouter = router({
  list: workspaceProcedure('viewer')
    .input(z.object({ clientId: z.uuid(), type: z.enum(INTERACTION_TYPES).optional(), cursor: z.string().max(200).optional() }))
    .query(({ ctx, input }) => listInteractions(ctx.tx, { workspaceId: ctx.workspace.id, ...input })),
  log: workspaceProcedure('manager')
    .input(z.object({ clientId: z.uuid(), fields: interactionFieldsSchema }))
    .mutation(({ ctx, input }) =>
      logInteraction(ctx.tx, {
        workspaceId: ctx.workspace.id,
        clientId: input.clientId,
        authorId: ctx.session.user.id,
        fields: input.fields,
      }),
    ),
  get: workspaceProcedure('viewer')
    .input(z.object({ clientId: z.uuid(), interactionId: z.uuid() }))
    .query(({ ctx, input }) =>
      getInteraction(ctx.tx, { workspaceId: ctx.workspace.id, clientId: input.clientId, interactionId: input.interactionId }),
    ),
  update: workspaceProcedure('manager')
    .input(z.object({ clientId: z.uuid(), interactionId: z.uuid(), fields: interactionFieldsSchema }))
    .mutation(({ ctx, input }) =>
      updateInteraction(ctx.tx, {
        workspaceId: ctx.workspace.id,
        clientId: input.clientId,
        interactionId: input.interactionId,
        fields: input.fields,
      }),
    ),
  sentimentTrend: workspaceProcedure('viewer')
    .input(z.object({ clientId: z.uuid(), days: z.number().int().min(7).max(365).default(90) }))
    .query(({ ctx, input }) => sentimentTrend(ctx.tx, { workspaceId: ctx.workspace.id, clientId: input.clientId, days: input.days })),
});

export const clientRouters = { clients: clientsRouter, interactions: interactionsRouter };
