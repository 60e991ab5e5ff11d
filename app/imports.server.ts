import { unstable_parseMultipartFormData, type UploadHandler } from '@remix-run/node';
import type { serverCaller } from './trpc.server';
import { attemptProcedure } from './trpc.server';

type Caller = Awaited<ReturnType<typeof serverCaller>>;

const MAX_TEXT_FIELD = 100;

/**
 * Takes the upload form's multipart body as it streams in: the `kind` field (placed before the
 * file in the form), then the file's bytes straight into `imports.upload`, which stores them in
 * 1 MiB chunks. The file is never held in memory whole. Returns the new import's id, or the
 * form's failure (no file, not CSV, too large) with field messages.
 */
export async function uploadImport(request: Request, caller: Caller, workspaceSlug: string) {
  const fields = new Map<string, string>();
  let upload: { id: string } | null = null;
  const handler: UploadHandler = async ({ name, filename, data }) => {
    if (filename === undefined) {
      let text = '';
      for await (const part of data) {
        text += Buffer.from(part).toString('utf8');
        if (text.length > MAX_TEXT_FIELD) break;
      }
      fields.set(name, text.slice(0, MAX_TEXT_FIELD));
      return text;
    }
    if (name !== 'file' || filename === '') return undefined;
    upload = await caller.imports.upload({ workspaceSlug, kind: (fields.get('kind') ?? '') as 'clients', fileName: filename, file: data });
    return upload.id;
  };
  return attemptProcedure(async () => {
    await unstable_parseMultipartFormData(request, handler);
    if (!upload)
      return caller.imports.upload({ workspaceSlug, kind: (fields.get('kind') ?? '') as 'clients', fileName: '', file: null as never });
    return upload as { id: string };
  });
}
