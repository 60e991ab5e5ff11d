import { createHash } from 'node:crypto';
import { z } from 'zod';
import { text } from '../text';
import {
  clientFieldsSchema,
  CLIENT_STATUSES,
  contactFieldsSchema,
  domainSchema,
  INTERACTION_DIRECTIONS,
  type INTERACTION_TYPES,
  type ClientFields,
  type ContactFields,
} from '../clients/schemas';

export const IMPORT_KINDS = ['clients', 'interactions'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

/** A column of ours that a CSV column can be mapped to; `aliases` are header names we recognise. */
export type ImportField = { key: string; label: string; hint?: string; aliases: string[] };

export const CLIENT_IMPORT_FIELDS = [
  {
    key: 'name',
    label: 'Name',
    hint: 'required',
    aliases: [
      'name',
      'client',
      'clientname',
      'company',
      'companyname',
      'account',
      'accountname',
      'customer',
      'organisation',
      'organization',
    ],
  },
  {
    key: 'externalId',
    label: 'External id',
    hint: 'matches clients on re-import',
    aliases: ['externalid', 'id', 'clientid', 'accountid', 'customerid', 'crmid'],
  },
  {
    key: 'domain',
    label: 'Domain',
    hint: 'matches clients when there is no external id',
    aliases: ['domain', 'website', 'url', 'web', 'companydomain'],
  },
  { key: 'status', label: 'Status', hint: 'active, paused or churned', aliases: ['status', 'state', 'accountstatus'] },
  { key: 'churnedAt', label: 'Churn date', hint: 'YYYY-MM-DD', aliases: ['churnedat', 'churndate', 'churned'] },
  { key: 'churnReason', label: 'Churn reason', aliases: ['churnreason', 'reason'] },
  {
    key: 'mrr',
    label: 'MRR',
    hint: 'in currency units, e.g. 1250.00',
    aliases: ['mrr', 'monthlyrevenue', 'revenue', 'monthlyrecurringrevenue', 'arrmonthly'],
  },
  { key: 'currency', label: 'Currency', hint: '3 letters, e.g. USD', aliases: ['currency', 'curr'] },
  { key: 'planName', label: 'Plan', aliases: ['plan', 'planname', 'tier', 'subscription'] },
  {
    key: 'renewalDate',
    label: 'Renewal date',
    hint: 'YYYY-MM-DD',
    aliases: ['renewaldate', 'renewal', 'renewson', 'contractend', 'enddate'],
  },
  {
    key: 'ownerEmail',
    label: 'Account owner email',
    hint: 'a member of this workspace',
    aliases: ['owner', 'owneremail', 'accountowner', 'accountmanager', 'csm', 'am'],
  },
  { key: 'tags', label: 'Tags', hint: 'separated by ; or |', aliases: ['tags', 'tag', 'labels', 'segment'] },
  { key: 'stripeCustomerId', label: 'Stripe customer id', aliases: ['stripecustomerid', 'stripeid', 'stripecustomer'] },
  { key: 'notes', label: 'Notes', aliases: ['notes', 'note', 'comments', 'description'] },
  { key: 'contactName', label: 'Contact name', aliases: ['contactname', 'contact', 'primarycontact', 'primarycontactname'] },
  { key: 'contactEmail', label: 'Contact email', aliases: ['contactemail', 'email', 'primarycontactemail', 'emailaddress'] },
  { key: 'contactTitle', label: 'Contact title', aliases: ['contacttitle', 'title', 'jobtitle', 'role'] },
] as const satisfies readonly ImportField[];

export const INTERACTION_IMPORT_FIELDS = [
  {
    key: 'clientExternalId',
    label: 'Client external id',
    hint: 'finds the client',
    aliases: ['clientexternalid', 'externalid', 'clientid', 'accountid', 'customerid'],
  },
  {
    key: 'clientDomain',
    label: 'Client domain',
    hint: 'finds the client when there is no external id',
    aliases: ['clientdomain', 'domain', 'website'],
  },
  {
    key: 'type',
    label: 'Type',
    hint: 'email, call, meeting, support ticket, chat or note',
    aliases: ['type', 'interactiontype', 'kind', 'channel', 'activitytype'],
  },
  { key: 'direction', label: 'Direction', hint: 'inbound, outbound or internal', aliases: ['direction'] },
  {
    key: 'occurredAt',
    label: 'Date',
    hint: 'YYYY-MM-DD or YYYY-MM-DD HH:MM (UTC)',
    aliases: ['occurredat', 'date', 'datetime', 'timestamp', 'when', 'createdat', 'time'],
  },
  { key: 'subject', label: 'Subject', aliases: ['subject', 'title', 'summary'] },
  { key: 'body', label: 'Text', aliases: ['body', 'text', 'content', 'message', 'notes', 'description', 'transcript'] },
  {
    key: 'contactEmail',
    label: 'Contact email',
    hint: 'links a contact of the client',
    aliases: ['contactemail', 'email', 'from', 'contact'],
  },
  {
    key: 'authorEmail',
    label: 'Author email',
    hint: 'a member of this workspace',
    aliases: ['authoremail', 'author', 'user', 'owner', 'by'],
  },
] as const satisfies readonly ImportField[];

export type ClientImportField = (typeof CLIENT_IMPORT_FIELDS)[number]['key'];
export type InteractionImportField = (typeof INTERACTION_IMPORT_FIELDS)[number]['key'];

export function importFieldsOf(kind: ImportKind): readonly ImportField[] {
  return kind === 'clients' ? CLIENT_IMPORT_FIELDS : INTERACTION_IMPORT_FIELDS;
}

/** Column index per field; a field left out is not imported (and, on update, left as it is). */
export type ImportMapping = Record<string, number>;

const normaliseHeader = (header: string) => header.toLowerCase().replace(/[^a-z0-9]/g, '');

/** The mapping we propose from the file's headers: exact alias matches, each column used once. */
export function guessMapping(kind: ImportKind, headers: string[]): ImportMapping {
  const normalised = headers.map(normaliseHeader);
  const used = new Set<number>();
  const mapping: ImportMapping = {};
  for (const field of importFieldsOf(kind)) {
    for (const alias of field.aliases) {
      const index = normalised.findIndex((header, i) => header === alias && !used.has(i));
      if (index >= 0) {
        mapping[field.key] = index;
        used.add(index);
        break;
      }
    }
  }
  return mapping;
}

/** Checks a mapping against the file's columns; returns field-level messages, empty when usable. */
export function mappingProblems(kind: ImportKind, mapping: ImportMapping, columnCount: number): Record<string, string[]> {
  const problems: Record<string, string[]> = {};
  const add = (key: string, message: string) => (problems[key] ??= []).push(message);
  const known = new Set(importFieldsOf(kind).map((field) => field.key));
  const seen = new Map<number, string>();
  for (const [key, index] of Object.entries(mapping)) {
    if (!known.has(key)) add(key, 'Not a field of this import');
    else if (!Number.isInteger(index) || index < 0 || index >= columnCount) add(key, 'Choose a column of the file');
    else if (seen.has(index))
      add(
        key,
        `This column is already mapped to ${importFieldsOf(kind).find((field) => field.key === seen.get(index))?.label ?? 'another field'}`,
      );
    else seen.set(index, key);
  }
  if (kind === 'clients') {
    if (mapping.name === undefined) add('name', 'Map the column with the client name');
    if (mapping.externalId === undefined && mapping.domain === undefined) {
      add(
        'externalId',
        'Map the external id or the domain column, so that importing again updates these clients instead of adding them twice',
      );
    }
  } else {
    if (mapping.clientExternalId === undefined && mapping.clientDomain === undefined)
      add('clientExternalId', 'Map the client external id or the client domain column');
    if (mapping.type === undefined) add('type', 'Map the column with the interaction type');
    if (mapping.occurredAt === undefined) add('occurredAt', 'Map the column with the date');
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Cell values: what spreadsheets export, read into our types, with a reason when they can't be.
// ---------------------------------------------------------------------------------------------

export class RowError extends Error {
  override name = 'RowError';
}

/** "$1,234.50", "1234.5", "1.234,50", "1 234,50" → cents. */
export function parseMoneyToCents(raw: string): number {
  // A currency code stands apart from the number ("EUR 12", "12 USD"); symbols may touch it.
  let value = raw
    .trim()
    .replace(/^[A-Z]{3}\s+|\s+[A-Z]{3}$/g, '')
    .replace(/[\s\u00a0'$€£¥]/g, '');
  if (/^\d{1,3}(,\d{3})+(\.\d+)?$/.test(value)) value = value.replace(/,/g, '');
  else if (/^\d{1,3}(\.\d{3})+(,\d+)?$/.test(value)) value = value.replace(/\./g, '').replace(',', '.');
  else if (/^\d+,\d{1,2}$/.test(value)) value = value.replace(',', '.');
  if (!/^\d+(\.\d+)?$/.test(value)) throw new RowError(`MRR "${raw}" is not an amount like 1250.00`);
  return Math.round(Number(value) * 100);
}

/** YYYY-MM-DD (or YYYY/MM/DD, or an ISO timestamp) → YYYY-MM-DD; ambiguous forms like 03/04/2026 are refused. */
export function parseDate(raw: string, label: string): string {
  const match = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ].*)?$/.exec(raw.trim());
  const iso = match ? `${match[1]}-${match[2]!.padStart(2, '0')}-${match[3]!.padStart(2, '0')}` : null;
  if (!iso || !z.iso.date().safeParse(iso).success) throw new RowError(`${label} "${raw}" is not a date like 2026-03-31`);
  return iso;
}

/** A moment: ISO 8601 with or without offset, or "YYYY-MM-DD[ HH:MM[:SS]]" read as UTC. */
export function parseMoment(raw: string, label: string): Date {
  const value = raw.trim();
  const local = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?$/.exec(value);
  const date = local
    ? new Date(`${local[1]}T${local[2] ?? '00:00'}Z`)
    : /^\d{4}-\d{2}-\d{2}T.+([+-]\d{2}:?\d{2}|Z)$/.test(value)
      ? new Date(value)
      : null;
  if (!date || Number.isNaN(date.getTime())) throw new RowError(`${label} "${raw}" is not a date like 2026-03-31 or 2026-03-31 14:30`);
  if (date.getTime() > Date.now() + 24 * 3600_000) throw new RowError(`${label} "${raw}" is in the future`);
  return date;
}

const TYPE_ALIASES: Record<string, (typeof INTERACTION_TYPES)[number]> = {
  email: 'email',
  mail: 'email',
  emailsent: 'email',
  emailreceived: 'email',
  call: 'call',
  phone: 'call',
  phonecall: 'call',
  videocall: 'call',
  meeting: 'meeting',
  meet: 'meeting',
  qbr: 'meeting',
  demo: 'meeting',
  supportticket: 'support_ticket',
  ticket: 'support_ticket',
  support: 'support_ticket',
  case: 'support_ticket',
  chat: 'chat',
  slack: 'chat',
  message: 'chat',
  intercom: 'chat',
  note: 'note',
  internalnote: 'note',
  comment: 'note',
};

function parseInteractionType(raw: string): (typeof INTERACTION_TYPES)[number] {
  const type = TYPE_ALIASES[normaliseHeader(raw)];
  if (!type) throw new RowError(`Type "${raw}" is not one of email, call, meeting, support ticket, chat, note`);
  return type;
}

function parseDirection(raw: string): (typeof INTERACTION_DIRECTIONS)[number] {
  const value = normaliseHeader(raw);
  const direction =
    value === 'in' || value === 'incoming' || value === 'received'
      ? 'inbound'
      : value === 'out' || value === 'outgoing' || value === 'sent'
        ? 'outbound'
        : value;
  if (!(INTERACTION_DIRECTIONS as readonly string[]).includes(direction))
    throw new RowError(`Direction "${raw}" is not inbound, outbound or internal`);
  return direction as (typeof INTERACTION_DIRECTIONS)[number];
}

/** The first message of a zod error, prefixed with the field's label. */
function firstIssue(error: z.ZodError, labels: Record<string, string>): string {
  const issue = error.issues[0];
  const key = String(issue?.path[0] ?? '');
  return `${labels[key] ?? key}: ${issue?.message ?? 'invalid value'}`;
}

const CLIENT_LABELS: Record<string, string> = Object.fromEntries(CLIENT_IMPORT_FIELDS.map((field) => [field.key, field.label]));
CLIENT_LABELS.mrrCents = 'MRR';
CLIENT_LABELS.ownerId = 'Account owner';

function cellReader(mapping: ImportMapping, record: string[]) {
  return (key: string): string | undefined => {
    const index = mapping[key];
    if (index === undefined) return undefined;
    return (record[index] ?? '').trim();
  };
}

/** One client row of a file: the client's columns that the file sets, and its contact if any. */
export type ClientImportRow = {
  externalId: string | null;
  domain: string | null;
  /** Only the fields the mapping includes: an unmapped column is never overwritten. */
  fields: Partial<ClientFields>;
  ownerEmail: string | null;
  contact: ContactFields | null;
};

const CLIENT_FIELD_OF: Partial<Record<ClientImportField, keyof ClientFields>> = {
  name: 'name',
  externalId: 'externalId',
  domain: 'domain',
  status: 'status',
  churnedAt: 'churnedAt',
  churnReason: 'churnReason',
  mrr: 'mrrCents',
  currency: 'currency',
  planName: 'planName',
  renewalDate: 'renewalDate',
  tags: 'tags',
  stripeCustomerId: 'stripeCustomerId',
  notes: 'notes',
};

/** Reads and validates one client row with the same rules as the client form; throws RowError. */
export function readClientRow(mapping: ImportMapping, record: string[]): ClientImportRow {
  const cell = cellReader(mapping, record);
  const status = cell('status')?.toLowerCase();
  if (status && !(CLIENT_STATUSES as readonly string[]).includes(status))
    throw new RowError(`Status "${cell('status')}" is not active, paused or churned`);
  const mrr = cell('mrr');
  const tags = cell('tags');
  const churnedAt = cell('churnedAt');
  const renewalDate = cell('renewalDate');
  const candidate = {
    name: cell('name') ?? '',
    domain: cell('domain'),
    externalId: cell('externalId'),
    status: status || undefined,
    churnedAt: churnedAt ? parseDate(churnedAt, 'Churn date') : undefined,
    churnReason: cell('churnReason'),
    mrrCents: mrr ? parseMoneyToCents(mrr) : undefined,
    currency: cell('currency') || undefined,
    planName: cell('planName'),
    renewalDate: renewalDate ? parseDate(renewalDate, 'Renewal date') : undefined,
    tags: tags
      ? tags
          .split(/[;|,]/)
          .map((tag) => tag.trim())
          .filter(Boolean)
      : [],
    stripeCustomerId: cell('stripeCustomerId'),
    notes: cell('notes'),
  };
  const parsed = clientFieldsSchema.safeParse(candidate);
  if (!parsed.success) throw new RowError(firstIssue(parsed.error, CLIENT_LABELS));
  const fields: Partial<ClientFields> = {};
  for (const [column, key] of Object.entries(CLIENT_FIELD_OF)) {
    if (mapping[column] !== undefined) (fields as Record<string, unknown>)[key] = parsed.data[key];
  }
  // A churned status brings its date and reason along even if only the status column is mapped.
  if (fields.status !== undefined) {
    fields.churnedAt = parsed.data.churnedAt;
    fields.churnReason = parsed.data.churnReason;
  }
  if (!parsed.data.externalId && !parsed.data.domain)
    throw new RowError('Needs an external id or a domain, so that it can be matched on the next import');

  let contact: ContactFields | null = null;
  const contactName = cell('contactName');
  const contactEmail = cell('contactEmail');
  if (contactName || contactEmail) {
    const parsedContact = contactFieldsSchema.safeParse({
      name: contactName || contactEmail,
      email: contactEmail,
      title: cell('contactTitle'),
    });
    if (!parsedContact.success)
      throw new RowError(firstIssue(parsedContact.error, { name: 'Contact name', email: 'Contact email', title: 'Contact title' }));
    contact = parsedContact.data;
  }
  const ownerEmail = cell('ownerEmail')?.toLowerCase() || null;
  return { externalId: parsed.data.externalId, domain: parsed.data.domain, fields, ownerEmail, contact };
}

export type InteractionImportRow = {
  clientExternalId: string | null;
  clientDomain: string | null;
  type: (typeof INTERACTION_TYPES)[number];
  direction: (typeof INTERACTION_DIRECTIONS)[number];
  occurredAt: Date;
  subject: string | null;
  body: string;
  contactEmail: string | null;
  authorEmail: string | null;
  /** Same file row → same key: importing the file again adds nothing. */
  importKey: string;
};

const interactionTextSchema = z.object({
  subject: text().max(500, { error: 'Subject is too long (at most 500 characters)' }),
  body: text().max(100_000, { error: 'Text is too long (at most 100,000 characters)' }),
});

/** Reads and validates one interaction row; throws RowError. */
export function readInteractionRow(mapping: ImportMapping, record: string[]): InteractionImportRow {
  const cell = cellReader(mapping, record);
  const clientExternalId = cell('clientExternalId') || null;
  const rawDomain = cell('clientDomain');
  const domain = rawDomain ? domainSchema.safeParse(rawDomain) : null;
  if (domain && !domain.success) throw new RowError(`Client domain "${rawDomain}" is not a domain like acme.com`);
  const clientDomain = domain?.success ? domain.data : null;
  if (!clientExternalId && !clientDomain) throw new RowError('Needs the client external id or domain');
  const rawType = cell('type');
  if (!rawType) throw new RowError('Type is missing');
  const type = parseInteractionType(rawType);
  const rawDirection = cell('direction');
  const direction = rawDirection ? parseDirection(rawDirection) : type === 'note' ? 'internal' : 'inbound';
  const rawDate = cell('occurredAt');
  if (!rawDate) throw new RowError('Date is missing');
  const occurredAt = parseMoment(rawDate, 'Date');
  const text = interactionTextSchema.safeParse({ subject: cell('subject') ?? '', body: cell('body') ?? '' });
  if (!text.success) throw new RowError(text.error.issues[0]?.message ?? 'Text is invalid');
  const contactEmail = cell('contactEmail')?.toLowerCase() || null;
  const authorEmail = cell('authorEmail')?.toLowerCase() || null;
  const importKey = createHash('sha256')
    .update(JSON.stringify([clientExternalId, clientDomain, type, direction, occurredAt.toISOString(), text.data.subject, text.data.body]))
    .digest('hex')
    .slice(0, 40);
  return {
    clientExternalId,
    clientDomain,
    type,
    direction,
    occurredAt,
    subject: text.data.subject || null,
    body: text.data.body,
    contactEmail,
    authorEmail,
    importKey,
  };
}
