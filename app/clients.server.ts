import type { ClientListFilters, InteractionFieldsInput } from '../server/clients/schemas';

const list = (params: URLSearchParams, name: string) =>
  params
    .getAll(name)
    .flatMap((value) => value.split(','))
    .filter(Boolean);
const integer = (value: string | null, scale = 1) => (value && /^\d+(\.\d+)?$/.test(value) ? Math.round(Number(value) * scale) : undefined);

/**
 * The client list's filters as they live in the URL (shareable, bookmarkable): `q`, `status`, `risk`,
 * `owner`, `tag`, `renewal` (days), `mrrMin`/`mrrMax` (whole currency units), `sort`, `dir`. Values
 * are checked by the procedure's schema; unusable ones come back as a 400 with the reason.
 */
export function clientFiltersFromUrl(params: URLSearchParams): ClientListFilters {
  return {
    q: params.get('q')?.trim() || undefined,
    status: list(params, 'status') as ClientListFilters['status'],
    risk: list(params, 'risk') as ClientListFilters['risk'],
    owner: params.get('owner') || undefined,
    tag: params.get('tag') || undefined,
    renewalWithinDays: integer(params.get('renewal')),
    mrrMin: integer(params.get('mrrMin'), 100),
    mrrMax: integer(params.get('mrrMax'), 100),
    sort: (params.get('sort') || 'name') as ClientListFilters['sort'],
    direction: (params.get('dir') === 'desc' ? 'desc' : 'asc') as ClientListFilters['direction'],
  };
}

const text = (form: FormData, name: string) => {
  const value = form.get(name);
  return typeof value === 'string' ? value : undefined;
};

/** The client form's fields as the procedure expects them; the procedure validates them. */
export function clientFieldsFromForm(form: FormData) {
  const mrr = text(form, 'mrr')?.trim().replace(/[, ]/g, '');
  return {
    name: text(form, 'name') ?? '',
    domain: text(form, 'domain'),
    externalId: text(form, 'externalId'),
    status: (text(form, 'status') ?? 'active') as 'active' | 'paused' | 'churned',
    churnedAt: text(form, 'churnedAt'),
    churnReason: text(form, 'churnReason'),
    // A non-number reaches the schema as NaN and comes back as "Enter MRR as a number".
    mrrCents: mrr ? Math.round(Number(mrr) * 100) : 0,
    currency: text(form, 'currency'),
    planName: text(form, 'planName'),
    renewalDate: text(form, 'renewalDate'),
    ownerId: text(form, 'ownerId') || null,
    tags: (text(form, 'tags') ?? '')
      .split(',')
      .map((tag) => tag.trim())
      .filter(Boolean),
    stripeCustomerId: text(form, 'stripeCustomerId'),
    notes: text(form, 'notes'),
  };
}

export { SIGNAL_NAMES } from '../server/sentiment/types';

/**
 * An interaction form's fields for `interactions.log` / `interactions.update`. "When" is the
 * browser's local time with the offset the form sends; empty means now (log) or unchanged (edit).
 */
export function interactionFieldsFromForm(form: FormData): InteractionFieldsInput {
  const value = (name: string) => text(form, name) ?? '';
  const occurredAt = value('occurredAt');
  return {
    type: value('type') as InteractionFieldsInput['type'],
    direction: value('direction') as InteractionFieldsInput['direction'],
    occurredAt: occurredAt ? `${occurredAt}:00${value('timezoneOffset') || 'Z'}` : undefined,
    subject: value('subject'),
    body: value('body'),
    contactId: value('contactId') || null,
  };
}
