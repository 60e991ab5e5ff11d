import type { LoaderFunctionArgs } from '@remix-run/node';
import { callProcedure } from '~/trpc.server';
import { csvResponse } from '~/utils/csv-response.server';
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
  async function* pages() {
    let afterRow = 0;
    for (;;) {
      const page = await caller.imports.errors({ workspaceSlug, importId, afterRow, limit: PAGE });
      yield page.map((error) => [error.row, error.reason, ...error.raw]);
      if (page.length < PAGE) return;
      afterRow = page.at(-1)!.row;
    }
  }
  const base = item.fileName.replace(/\.[^.]+$/, '').replace(/[^\w.-]+/g, '-') || 'import';
  return csvResponse({ fileName: `${base}-bad-rows.csv`, header: ['row', 'reason', ...item.headers], pages: pages() });
}
