import type { LoaderFunctionArgs } from '@remix-run/node';
import { clientFiltersFromUrl } from '~/clients.server';
import { callProcedure } from '~/trpc.server';
import { csvResponse } from '~/utils/csv-response.server';
import { requireWorkspace } from '~/workspace.server';

const PAGE = 1000;
const HEADER = [
  'name',
  'domain',
  'external_id',
  'status',
  'churned_at',
  'churn_reason',
  'mrr',
  'currency',
  'plan',
  'renewal_date',
  'owner',
  'tags',
  'health_score',
  'risk_level',
  'last_contact_at',
  'stripe_customer_id',
];

/**
 * CSV of the client list with the filters in the URL, streamed page by page (keyset, 1,000 rows a
 * page), so a large portfolio never sits in memory at once. The export is recorded in the audit log.
 */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { caller, workspaceSlug } = await requireWorkspace(request, context, params.slug);
  const filters = clientFiltersFromUrl(new URL(request.url).searchParams);
  const first = await callProcedure(() => caller.clients.list({ workspaceSlug, filters, limit: PAGE }));
  await callProcedure(() => caller.clients.recordExport({ workspaceSlug, filters, total: first.total }));
  async function* pages() {
    let page: typeof first | null = first;
    while (page) {
      yield page.clients.map((client) => [
        client.name,
        client.domain ?? '',
        client.externalId ?? '',
        client.status,
        client.churnedAt ?? '',
        client.churnReason ?? '',
        (client.mrrCents / 100).toFixed(2),
        client.currency,
        client.planName ?? '',
        client.renewalDate ?? '',
        client.ownerName ?? '',
        client.tags.join(';'),
        client.healthScore ?? '',
        client.riskLevel ?? '',
        client.lastContactAt ? new Date(client.lastContactAt).toISOString() : '',
        client.stripeCustomerId ?? '',
      ]);
      // Typed: in a loop, TypeScript cannot infer a variable the next iteration's `page` depends on.
      const cursor: string | null = page.nextCursor;
      page = cursor ? await caller.clients.list({ workspaceSlug, filters, cursor, limit: PAGE }) : null;
    }
  }
  const date = new Date().toISOString().slice(0, 10);
  return csvResponse({ fileName: `clients-${workspaceSlug}-${date}.csv`, header: HEADER, pages: pages() });
}
