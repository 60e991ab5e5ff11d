import { z } from 'zod';

export const CLIENT_STATUSES = ['active', 'paused', 'churned'] as const;
export const RISK_LEVELS = ['healthy', 'at_risk', 'critical'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];
export const INTERACTION_TYPES = ['email', 'call', 'meeting', 'support_ticket', 'chat', 'note'] as const;
export const INTERACTION_DIRECTIONS = ['inbound', 'outbound', 'internal'] as const;
export const CLIENT_SORTS = ['name', 'health', 'mrr', 'renewal', 'last_contact'] as const;

const optionalText = (max: number, label: string) =>
  z
    .string()
    .trim()
    .max(max, { error: `${label} is too long (at most ${max} characters)` })
    .optional()
    .transform((value) => (value ? value : null));

/** "https://www.Acme.com/pricing" → "acme.com": what people paste, stored the one way we compare. */
export const domainSchema = z
  .string()
  .trim()
  .toLowerCase()
  .transform((value) =>
    value
      .replace(/^[a-z]+:\/\//, '')
      .replace(/^www\./, '')
      .replace(/[/?#].*$/, ''),
  )
  .pipe(z.string().regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/, { error: 'Enter a domain like acme.com' }));

export const tagSchema = z
  .string()
  .trim()
  .toLowerCase()
  .min(1)
  .max(40, { error: 'Tags are at most 40 characters' })
  .regex(/^[\p{L}\p{N} _-]+$/u, { error: 'Tags use letters, digits, spaces, - and _' });

export const clientFieldsSchema = z
  .object({
    name: z
      .string({ error: 'Enter the client name' })
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
    currency: z
      .string()
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
        z
          .string()
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
  name: z.string().trim().min(1, { error: 'Enter the contact name' }).max(200),
  email: z
    .union([
      z.literal('').transform(() => null),
      z
        .string()
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

export const interactionFieldsSchema = z.object({
  type: z.enum(INTERACTION_TYPES, { error: 'Choose the kind of interaction' }),
  direction: z.enum(INTERACTION_DIRECTIONS, { error: 'Choose inbound, outbound or internal' }),
  occurredAt: z.iso.datetime({ offset: true, local: true, error: 'Enter when it happened' }).optional(),
  subject: optionalText(500, 'Subject'),
  body: z.string().trim().max(100_000, { error: 'The text is too long (at most 100,000 characters)' }).default(''),
  contactId: z.uuid().nullable().optional(),
});
export type InteractionFields = z.output<typeof interactionFieldsSchema>;
export type InteractionFieldsInput = z.input<typeof interactionFieldsSchema>;

export const clientListFiltersSchema = z.object({
  q: z.string().trim().max(200).optional(),
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

export const bulkActionSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('assign_owner'), ownerId: z.uuid({ error: 'Choose the new owner' }).nullable() }),
  z.object({ type: z.literal('add_tag'), tag: tagSchema }),
  z.object({ type: z.literal('remove_tag'), tag: tagSchema }),
  z.object({
    type: z.literal('mark_churned'),
    churnedAt: z.iso.date({ error: 'Enter the churn date as YYYY-MM-DD' }),
    churnReason: z
      .string()
      .trim()
      .max(1000)
      .optional()
      .transform((value) => (value ? value : null)),
  }),
]);
export type BulkAction = z.output<typeof bulkActionSchema>;
