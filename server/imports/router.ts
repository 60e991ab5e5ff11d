import { z } from 'zod';
import { router, workspaceProcedure } from '../trpc';
import { IMPORT_KINDS } from './fields';
import { createImport, getImport, listImportErrors, listImports, startImport } from './imports';

const isByteStream = (value: unknown): value is AsyncIterable<Uint8Array> =>
  typeof value === 'object' && value !== null && Symbol.asyncIterator in value;

export const importsRouter = router({
  /**
   * Stores an uploaded CSV. The file arrives as a byte stream, so this procedure is called from the
   * upload route on the server (which streams the multipart body into it), not over tRPC's JSON.
   */
  upload: workspaceProcedure('manager')
    .input(
      z.object({
        kind: z.enum(IMPORT_KINDS, { error: 'Choose what the file holds: clients or interactions' }),
        fileName: z
          .string()
          .trim()
          .min(1, { error: 'Choose a CSV file' })
          .max(255)
          .refine((name) => !/[\\/]/.test(name), { error: 'Not a file name' }),
        file: z.custom<AsyncIterable<Uint8Array>>(isByteStream, { error: 'Choose a CSV file' }),
      }),
    )
    .mutation(({ ctx, input }) =>
      createImport(ctx.tx, {
        workspaceId: ctx.workspace.id,
        actorId: ctx.session.user.id,
        kind: input.kind,
        fileName: input.fileName,
        data: input.file,
      }),
    ),
  list: workspaceProcedure('viewer').query(({ ctx }) => listImports(ctx.tx, ctx.workspace.id)),
  get: workspaceProcedure('viewer')
    .input(z.object({ importId: z.uuid() }))
    .query(({ ctx, input }) => getImport(ctx.tx, ctx.workspace.id, input.importId)),
  start: workspaceProcedure('manager')
    .input(z.object({ importId: z.uuid(), mapping: z.record(z.string().max(40), z.number().int().min(0).max(10_000)) }))
    .mutation(({ ctx, input }) => startImport(ctx.tx, { workspaceId: ctx.workspace.id, importId: input.importId, mapping: input.mapping })),
  errors: workspaceProcedure('viewer')
    .input(
      z.object({ importId: z.uuid(), afterRow: z.number().int().min(0).optional(), limit: z.number().int().min(1).max(1000).optional() }),
    )
    .query(({ ctx, input }) => listImportErrors(ctx.tx, { workspaceId: ctx.workspace.id, ...input })),
});
