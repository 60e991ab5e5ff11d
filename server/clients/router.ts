import { recordAudit } from '../identity/audit';
import { router, workspaceProcedure } from '../trpc';
import { addContact, bulkUpdateClients, createClient, deleteClient, getClient, listClients, listContacts, updateClient } from './clients';
import { getInteraction, listInteractions, logInteraction, sentimentTrend, updateInteraction } from './interactions';
import {
  addContactInput,
  bulkUpdateInput,
  clientInput,
  clientListInput,
  createClientInput,
  interactionInput,
  interactionListInput,
  logInteractionInput,
  recordExportInput,
  sentimentTrendInput,
  updateClientInput,
  updateInteractionInput,
} from './schemas';

const clientsRouter = router({
  list: workspaceProcedure('viewer')
    .input(clientListInput)
    .query(({ ctx, input }) =>
      listClients(ctx.tx, { workspaceId: ctx.workspace.id, filters: input.filters, cursor: input.cursor, limit: input.limit }),
    ),
  /** Records that someone exported the list (with which filters); the export itself pages through `list`. */
  recordExport: workspaceProcedure('viewer')
    .input(recordExportInput)
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
    .input(clientInput)
    .query(async ({ ctx, input }) => ({
      client: await getClient(ctx.tx, ctx.workspace.id, input.clientId),
      contacts: await listContacts(ctx.tx, input.clientId),
    })),
  create: workspaceProcedure('manager')
    .input(createClientInput)
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
    .input(updateClientInput)
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
    .input(clientInput)
    .mutation(({ ctx, input }) =>
      deleteClient(ctx.tx, { workspace: ctx.workspace, actorId: ctx.session.user.id, clientId: input.clientId, meta: ctx.meta }),
    ),
  bulkUpdate: workspaceProcedure('manager')
    .input(bulkUpdateInput)
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
    .input(addContactInput)
    .mutation(async ({ ctx, input }) => {
      await getClient(ctx.tx, ctx.workspace.id, input.clientId);
      return addContact(ctx.tx, { workspaceId: ctx.workspace.id, clientId: input.clientId, fields: input.fields });
    }),
});

const interactionsRouter = router({
  list: workspaceProcedure('viewer')
    .input(interactionListInput)
    .query(({ ctx, input }) => listInteractions(ctx.tx, { workspaceId: ctx.workspace.id, ...input })),
  log: workspaceProcedure('manager')
    .input(logInteractionInput)
    .mutation(({ ctx, input }) =>
      logInteraction(ctx.tx, {
        workspaceId: ctx.workspace.id,
        clientId: input.clientId,
        authorId: ctx.session.user.id,
        fields: input.fields,
      }),
    ),
  get: workspaceProcedure('viewer')
    .input(interactionInput)
    .query(({ ctx, input }) =>
      getInteraction(ctx.tx, { workspaceId: ctx.workspace.id, clientId: input.clientId, interactionId: input.interactionId }),
    ),
  update: workspaceProcedure('manager')
    .input(updateInteractionInput)
    .mutation(({ ctx, input }) =>
      updateInteraction(ctx.tx, {
        workspaceId: ctx.workspace.id,
        clientId: input.clientId,
        interactionId: input.interactionId,
        fields: input.fields,
      }),
    ),
  sentimentTrend: workspaceProcedure('viewer')
    .input(sentimentTrendInput)
    .query(({ ctx, input }) => sentimentTrend(ctx.tx, { workspaceId: ctx.workspace.id, clientId: input.clientId, days: input.days })),
});

export const clientRouters = { clients: clientsRouter, interactions: interactionsRouter };
