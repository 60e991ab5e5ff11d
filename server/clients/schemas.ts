import { z } from 'zod';
import { text } from '../text';
import { cursorSchema, cursorTimestamp, INVALID_CURSOR_MESSAGE } from '../db/cursor';

export const CLIENT_STATUSES = ['active', 'paused', 'churned'] as const;
export const RISK_LEVELS = ['healthy', 'at_risk', 'critical'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];
export const INTERACTION_TYPES = ['email', 'call', 'meeting', 'support_ticket', 'chat', 'note'] as const;
export const INTERACTION_DIRECTIONS = ['inbound', 'outbound', 'internal'] as const;
export const CLIENT_SORTS = ['name', 'health', 'mrr', 'renewal', 'last_contact'] as const;
export type ClientSort = (typeof CLIENT_SORTS)[number];

const optionalText = (max: number, label: string) =>
  text()
    .trim()
    .max(max, { error: `${label} is too long (at most ${max} characters)` })
    .optional()
    .transform((value) => (value ? value : null));

/** "https://www.Acme.com/pricing" → "acme.com": what people paste, stored the one way we compare. */
export const domainSchema = text()
  .trim()
  .toLowerCase()
  .transform((value) =>
    value
      .replace(/^[a-z]+:\/\//, '')
      .replace(/^www\./, '')
      .replace(/[/?#].*$/, ''),
  )
  .pipe(text().regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/, { error: 'Enter a domain like acme.com' }));

const tagSchema = text()
  .trim()
  .toLowerCase()
  .min(1)
  .max(40, { error: 'Tags are at most 40 characters' })
  .regex(/^[\p{L}\p{N} _-]+$/u, { error: 'Tags use letters, digits, spaces, - and _' });

export const clientFieldsSchema = z
  .object({
    name: text({ error: 'Enter the client name' })
      .trim()
      .min(1, { error: 'Enter the client name' })
      .max(200, { error: 'Keep the name under 200 characters' }),
    domain: z
      .union([z.literal('').transform(() => null), domainSchema])
      .optional()
      .transform((value) => value ?? null),
    externalId: optionalText(200, 'External id'),
    status: z.enum(CLIENT_STATUSES, { error: 'Choose active, paused or churned' }).default('active'),
    churnedAt: z.iso
      .date({ error: 'Enter the churn date as YYYY-MM-DD' })
      .optional()
      .or(z.literal('').transform(() => undefined)),
    churnReason: optionalText(1000, 'Churn reason'),
    mrrCents: z
      .number({ error: 'Enter MRR as a number' })
      .int()
      .min(0, { error: 'MRR cannot be negative' })
      .max(10_000_000_000, { error: 'MRR is implausibly large' })
      .default(0),
    currency: text()
      .trim()
      .toUpperCase()
      .regex(/^[A-Z]{3}$/, { error: 'Use a 3-letter currency code like USD' })
      .default('USD'),
    planName: optionalText(100, 'Plan name'),
    renewalDate: z.iso
      .date({ error: 'Enter the renewal date as YYYY-MM-DD' })
      .optional()
      .or(z.literal('').transform(() => undefined)),
    ownerId: z.uuid({ error: 'Choose an owner from the members' }).nullable().optional(),
    tags: z.array(tagSchema).max(50, { error: 'At most 50 tags' }).default([]),
    stripeCustomerId: z
      .union([
        z.literal('').transform(() => null),
        text()
          .trim()
          .regex(/^cus_[A-Za-z0-9]+$/, { error: 'Stripe customer ids look like cus_…' }),
      ])
      .optional()
      .transform((value) => value ?? null),
    notes: optionalText(20000, 'Notes'),
  })
  .superRefine((value, refinement) => {
    if (value.status === 'churned' && !value.churnedAt) {
      refinement.addIssue({ code: 'custom', path: ['churnedAt'], message: 'A churned client needs its churn date' });
    }
  });
export type ClientFields = z.output<typeof clientFieldsSchema>;

export const contactFieldsSchema = z.object({
  name: text().trim().min(1, { error: 'Enter the contact name' }).max(200),
  email: z
    .union([
      z.literal('').transform(() => null),
      text()
        .trim()
        .toLowerCase()
        .pipe(z.email({ error: 'Enter a valid email address' })),
    ])
    .optional()
    .transform((value) => value ?? null),
  title: optionalText(200, 'Title'),
  isPrimary: z.boolean().default(false),
  unsubscribed: z.boolean().default(false),
});
export type ContactFields = z.output<typeof contactFieldsSchema>;

const interactionFieldsSchema = z.object({
  type: z.enum(INTERACTION_TYPES, { error: 'Choose the kind of interaction' }),
  direction: z.enum(INTERACTION_DIRECTIONS, { error: 'Choose inbound, outbound or internal' }),
  occurredAt: z.iso.datetime({ offset: true, local: true, error: 'Enter when it happened' }).optional(),
  subject: optionalText(500, 'Subject'),
  body: text().trim().max(100_000, { error: 'The text is too long (at most 100,000 characters)' }).default(''),
  contactId: z.uuid().nullable().optional(),
});
export type InteractionFields = z.output<typeof interactionFieldsSchema>;
export type InteractionFieldsInput = z.input<typeof interactionFieldsSchema>;

export const clientListFiltersSchema = z.object({
  q: text().trim().max(200).optional(),
  risk: z.array(z.enum([...RISK_LEVELS, 'unscored'])).optional(),
  status: z.array(z.enum(CLIENT_STATUSES)).optional(),
  owner: z.uuid().optional(),
  tag: tagSchema.optional(),
  renewalWithinDays: z.number().int().min(0).max(3650).optional(),
  mrrMin: z.number().int().min(0).optional(),
  mrrMax: z.number().int().min(0).optional(),
  sort: z.enum(CLIENT_SORTS).default('name'),
  direction: z.enum(['asc', 'desc']).default('asc'),
});
export type ClientListFilters = z.output<typeof clientListFiltersSchema>;

const bulkActionSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('assign_owner'), ownerId: z.uuid({ error: 'Choose the new owner' }).nullable() }),
  z.object({ type: z.literal('add_tag'), tag: tagSchema }),
  z.object({ type: z.literal('remove_tag'), tag: tagSchema }),
  z.object({
    type: z.literal('mark_churned'),
    churnedAt: z.iso.date({ error: 'Enter the churn date as YYYY-MM-DD' }),
    churnReason: text()
      .trim()
      .max(1000)
      .optional()
      .transform((value) => (value ? value : null)),
  }),
]);
export type BulkAction = z.output<typeof bulkActionSchema>;

// ---------------------------------------------------------------------------------------------
// Procedure inputs (server/clients/router.ts)
// ---------------------------------------------------------------------------------------------

const clientId = z.uuid();
export const clientInput = z.object({ clientId });

/** A timestamptz as Postgres writes it as text (`2026-10-05 12:00:00.123456+00`): the ISO timestamp it stands for. */
const postgresTimestampText = text().refine((text) => {
  const parts = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d(?:\.\d+)?)([+-]\d\d)(:\d\d)?$/.exec(text);
  return !!parts && cursorTimestamp.safeParse(`${parts[1]}T${parts[2]}Z`).success && Math.abs(Number(parts[3])) <= 15;
});

/** Each sort key as the list's statement reads it (`key::text`), so that a cursor's value casts back without failing. */
const SORT_KEY_TEXT = {
  name: text(),
  health: text().regex(/^\d{1,3}$/),
  mrr: text().regex(/^\d{1,18}$/),
  renewal: z.iso.date().refine((date) => !date.startsWith('0000')),
  last_contact: postgresTimestampText,
} satisfies Record<ClientSort, z.ZodType<string>>;

/** A client page ends at a client's (sort key as text, id); an empty sort key is null. */
const clientCursorSchema = cursorSchema(z.tuple([text().nullable(), z.uuid()]));
export type ClientCursor = z.output<typeof clientCursorSchema>;

export const clientListInput = z
  .object({
    filters: clientListFiltersSchema.default({ sort: 'name', direction: 'asc' }),
    cursor: clientCursorSchema.optional(),
    limit: z.number().int().min(1).max(1000).optional(),
  })
  .superRefine((input, refinement) => {
    const sortKey = input.cursor?.[0];
    // The cursor belongs to the sort it was made for: another sort's key would not cast back.
    if (sortKey != null && !SORT_KEY_TEXT[input.filters.sort].safeParse(sortKey).success) {
      refinement.addIssue({ code: 'custom', path: ['cursor'], message: INVALID_CURSOR_MESSAGE });
    }
  });

export const recordExportInput = z.object({ filters: clientListFiltersSchema, total: z.number().int().min(0) });
export const createClientInput = z.object({ fields: clientFieldsSchema, contacts: z.array(contactFieldsSchema).max(50).default([]) });
export const updateClientInput = z.object({ clientId, fields: clientFieldsSchema });
export const bulkUpdateInput = z.object({
  clientIds: z
    .array(z.uuid())
    .min(1, { error: 'Select at least one client' })
    .max(1000, { error: 'Select at most 1,000 clients at a time' }),
  action: bulkActionSchema,
});
export const addContactInput = z.object({ clientId, fields: contactFieldsSchema });

/** A timeline page ends at an interaction's (occurred_at, id). */
const interactionCursorSchema = cursorSchema(z.tuple([cursorTimestamp, z.uuid()]));
export type InteractionCursor = z.output<typeof interactionCursorSchema>;

export const interactionListInput = z.object({
  clientId,
  type: z.enum(INTERACTION_TYPES).optional(),
  cursor: interactionCursorSchema.optional(),
});
export const logInteractionInput = z.object({ clientId, fields: interactionFieldsSchema });
export const interactionInput = z.object({ clientId, interactionId: z.uuid() });
export const updateInteractionInput = z.object({ clientId, interactionId: z.uuid(), fields: interactionFieldsSchema });
/** A weekly sentiment chart over the last `days`. */
export const sentimentTrendInput = z.object({ clientId, days: z.number().int().min(7).max(365).default(90) });
