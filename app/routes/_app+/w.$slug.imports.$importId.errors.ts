import type { LoaderFunctionArgs } from '@remix-run/node';
import { stringify } from 'csv-stringify/sync';
import { callProcedure } from '~/trpc.server';
import { requireWorkspace } from '~/workspace.server';

const PAGE = 1000;

/**
 * The rows an import could not take, as CSV: row number, reason, then the row's own cells under the
 * file's headers, so the person can fix them and import this file. Streamed 1,000 rows a page.
 */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { caller, workspaceSlug } = await requireWorkspace(request, context, params.slug);
  const importId = params.importId ?? '';
  const item = await callProcedure(() => caller.imports.get({ workspaceSlug, importId }));
  const encoder = new TextEncoder();
  let afterRow = 0;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(stringify([['row', 'reason', ...item.headers]])));
    },
    // Every pull either enqueues a page or closes: a pull that does neither would stall the download.
    async pull(controller) {
      const page = await caller.imports.errors({ workspaceSlug, importId, afterRow, limit: PAGE });
      if (page.length) controller.enqueue(encoder.encode(stringify(page.map((error) => [error.row, error.reason, ...error.raw]))));
      if (page.length < PAGE) controller.close();
      else afterRow = page.at(-1)!.row;
    },
  });
  const base = item.fileName.replace(/\.[^.]+$/, '').replace(/[^\w.-]+/g, '-') || 'import';
  return new Response(body, {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${base}-bad-rows.csv"`,
      'Cache-Control': 'no-store',
    },
  });
}
