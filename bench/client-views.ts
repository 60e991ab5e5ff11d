import type { ClientListFilters } from '../server/clients/schemas';

/** The list views account managers use most, as `clients.list` filters, each with a short name for the figures. */
export const VIEWS = [
  { name: 'all_by_name', filters: { sort: 'name', direction: 'asc' } },
  { name: 'search', filters: { q: 'northwind', sort: 'name', direction: 'asc' } },
  { name: 'search_misspelt', filters: { q: 'Silverbrige Logistcs', sort: 'name', direction: 'asc' } },
  { name: 'search_email', filters: { q: 'contact4242@', sort: 'name', direction: 'asc' } },
  { name: 'churned_by_mrr', filters: { status: ['churned'], sort: 'mrr', direction: 'desc' } },
  { name: 'tag_by_mrr', filters: { tag: 'enterprise', sort: 'mrr', direction: 'desc' } },
  { name: 'renewing_30d', filters: { renewalWithinDays: 30, sort: 'renewal', direction: 'asc' } },
  { name: 'at_risk_by_health', filters: { risk: ['at_risk', 'critical'], sort: 'health', direction: 'asc' } },
  { name: 'mrr_range_by_last_contact', filters: { mrrMin: 500_000, mrrMax: 1_500_000, sort: 'last_contact', direction: 'desc' } },
] as const satisfies ReadonlyArray<{ name: string; filters: Partial<ClientListFilters> }>;
