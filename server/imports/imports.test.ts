import { Readable } from 'node:stream';
import type { Worker } from 'bullmq';
import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImportHandlers } from '../../worker/processors/imports';
import { startQueueWorker } from '../../worker/run-job';
import { createWorkerConnection } from '../queue/connection';
import { importsQueue } from '../queue/imports';
import { relayOutboxBatch, type RelayQueues } from '../queue/outbox';
import { openQueues } from '../queue/registry';
import { closeAppServices, type AppServices } from '../services';
import {
  addMember,
  callerForToken,
  createClient,
  createContact,
  testLog,
  workspaceWithOwner,
  type TestAccount,
  type TestCaller,
} from '../testing/factories';
import { createTestServices } from '../testing/services';
import { detectDelimiter, previewOf } from './files';
import { parseMoment, parseMoneyToCents } from './fields';

let services: AppServices;
let owner: TestAccount;
let caller: TestCaller;
let worker: Worker;
let workerConnection: ReturnType<typeof createWorkerConnection>;
let relayQueues: RelayQueues;
let workspaceId: string;

beforeAll(async () => {
  ({ services, owner, caller, workspaceId } = await workspaceWithOwner(createTestServices(), 'imports'));
  // The real worker processor on the real queue (this file's own prefix), as the worker runs it.
  workerConnection = createWorkerConnection(services.env.REDIS_URL);
  worker = startQueueWorker({ db: services.db, log: testLog }, importsQueue, createImportHandlers({ db: services.db }), {
    connection: workerConnection,
    prefix: services.env.QUEUE_PREFIX,
    concurrency: 1,
  });
  relayQueues = openQueues(workerConnection, services.env.QUEUE_PREFIX);
});

afterAll(async () => {
  await worker.close();
  await Promise.all([...relayQueues.values()].map((queue) => queue.close()));
  await workerConnection.quit();
  await closeAppServices(services);
});

/** The file as a browser upload arrives: a stream of 64 KiB parts. */
function streamOf(text: string): Readable {
  const bytes = Buffer.from(text);
  const parts: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += 64 * 1024) parts.push(bytes.subarray(offset, offset + 64 * 1024));
  return Readable.from(parts);
}

async function upload(text: string, kind: 'clients' | 'interactions' = 'clients', fileName = 'clients.csv') {
  return caller.imports.upload({ workspaceSlug: owner.slug, kind, fileName, file: streamOf(text) });
}

/** Starts the import with the mapping proposed from the headers and waits for the worker to finish it. */
async function importFile(text: string, kind: 'clients' | 'interactions' = 'clients') {
  const { id } = await upload(text, kind);
  const uploaded = await caller.imports.get({ workspaceSlug: owner.slug, importId: id });
  await caller.imports.start({ workspaceSlug: owner.slug, importId: id, mapping: uploaded.suggested });
  // The worker's relay, for this workspace's requests (other files share the database).
  await relayOutboxBatch(services.db, relayQueues, { workspaceId });
  const deadline = Date.now() + 120_000;
  for (;;) {
    const current = await caller.imports.get({ workspaceSlug: owner.slug, importId: id });
    if (current.status === 'done' || current.status === 'failed') return current;
    if (Date.now() > deadline) throw new Error(`import ${id} still ${current.status} after 2 minutes`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function allErrors(importId: string) {
  const errors: Array<{ row: number; reason: string; raw: string[] }> = [];
  for (;;) {
    const page = await caller.imports.errors({ workspaceSlug: owner.slug, importId, afterRow: errors.at(-1)?.row });
    if (page.length === 0) return errors;
    errors.push(...page);
  }
}

const countOf = (table: 'clients' | 'contacts' | 'interactions') =>
  services.db.asService((tx) =>
    tx
      .selectFrom(table)
      .innerJoin('workspaces as w', 'w.id', `${table}.workspace_id`)
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('w.slug', '=', owner.slug)
      .executeTakeFirstOrThrow()
      .then((row) => Number(row.n)),
  );

const HEADER = [
  'Company name',
  'External ID',
  'Website',
  'Status',
  'Churn date',
  'MRR',
  'Currency',
  'Plan',
  'Renewal date',
  'Account owner',
  'Tags',
  'Contact name',
  'Contact email',
  'Contact title',
];

/**
 * 10,000 client rows; 3 of every 100 are bad in one of nine ways, each with the reason the import
 * must give. Returns the file and the expected reason per bad row number (header = row 1).
 */
function portfolioCsv(ownerEmail: string) {
  const rows: string[][] = [];
  const expected = new Map<number, string>();
  const badKinds = [
    (row: string[]) => ((row[0] = ''), 'Name: Enter the client name'),
    (row: string[]) => ((row[2] = 'not a domain'), 'Domain: Enter a domain like acme.com'),
    (row: string[]) => ((row[5] = '12abc'), 'MRR "12abc" is not an amount like 1250.00'),
    (row: string[]) => ((row[8] = '31/12/2026'), 'Renewal date "31/12/2026" is not a date like 2026-03-31'),
    (row: string[]) => ((row[3] = 'lost'), 'Status "lost" is not active, paused or churned'),
    (row: string[]) => ((row[9] = 'stranger@example.com'), 'No member of this workspace has the email stranger@example.com'),
    (row: string[]) => ((row[12] = 'bob@'), 'Contact email: Enter a valid email address'),
    (row: string[]) => ((row[3] = 'churned'), 'Churn date: A churned client needs its churn date'),
    (row: string[], index: number) => ((row[1] = `EXT-${index - 13}`), `Same external id as row ${index - 13 + 2}`),
  ];
  let bad = 0;
  for (let index = 0; index < 10_000; index += 1) {
    const row = [
      `Client ${index} ${index % 7 === 0 ? 'Holdings' : 'Labs'}`,
      `EXT-${index}`,
      `client-${index}.example`,
      index % 10 === 0 ? 'paused' : 'active',
      '',
      `$${(index % 500) * 10 + 99},${String(index % 100).padStart(2, '0')}`.replace(/,(\d{2})$/, '.$1'),
      'usd',
      index % 3 === 0 ? 'Enterprise' : 'Growth',
      `2027-${String((index % 12) + 1).padStart(2, '0')}-15`,
      index % 2 === 0 ? ownerEmail : '',
      index % 5 === 0 ? 'imported; enterprise' : 'imported',
      `Contact ${index}`,
      `contact-${index}@client-${index}.example`,
      index % 4 === 0 ? 'CFO' : '',
    ];
    if ([13, 47, 81].includes(index % 100)) {
      expected.set(index + 2, badKinds[bad % badKinds.length]!(row, index));
      bad += 1;
    }
    rows.push(row);
  }
  return { csv: stringify([HEADER, ...rows]), expected };
}

describe('CSV import of clients', () => {
  it('imports every valid row of 10,000, reports every invalid one with its reason, and a re-import changes nothing', async () => {
    const { csv, expected } = portfolioCsv(owner.email);
    expect(expected.size).toBe(300);

    const first = await importFile(csv);
    expect(first.status).toBe('done');
    expect({ created: first.createdRows, updated: first.updatedRows, unchanged: first.unchangedRows, errors: first.errorRows }).toEqual({
      created: 9_700,
      updated: 0,
      unchanged: 0,
      errors: 300,
    });
    expect(first.processedBytes).toBe(first.fileBytes);
    const errors = await allErrors(first.id);
    expect(new Map(errors.map((error) => [error.row, error.reason]))).toEqual(expected);
    // Each bad row keeps its cells, for the downloadable report.
    expect(errors.find((error) => error.row === 15)?.raw).toEqual(expect.arrayContaining(['EXT-13', 'client-13.example']));
    expect(await countOf('clients')).toBe(9_700);
    expect(await countOf('contacts')).toBe(9_700);

    const byExternalId = async (externalId: string) => {
      const { clients } = await caller.clients.list({
        workspaceSlug: owner.slug,
        filters: { q: `client-${externalId.slice(4)}.example`, sort: 'name', direction: 'asc' },
      });
      return clients.find((client) => client.externalId === externalId);
    };
    expect(await byExternalId('EXT-1')).toMatchObject({
      name: 'Client 1 Labs',
      domain: 'client-1.example',
      mrrCents: 10_901,
      currency: 'USD',
      planName: 'Growth',
      renewalDate: '2027-02-15',
      tags: ['imported'],
      ownerId: null,
    });
    expect(await byExternalId('EXT-10')).toMatchObject({
      name: 'Client 10 Labs',
      status: 'paused',
      ownerId: owner.userId,
      tags: ['imported', 'enterprise'],
    });

    const audit = await caller.audit.list({ workspaceSlug: owner.slug, action: 'client.imported' });
    expect(audit.entries[0]?.after).toMatchObject({ kind: 'clients', created: 9_700, errors: 300 });

    const lastChange = () =>
      services.db.asService((tx) =>
        tx
          .selectFrom('clients')
          .select((eb) => eb.fn.max('updated_at').as('at'))
          .where('workspace_id', '=', (qb) => qb.selectFrom('workspaces').select('id').where('slug', '=', owner.slug))
          .executeTakeFirstOrThrow(),
      );
    const before = await lastChange();
    const again = await importFile(csv);
    expect({ created: again.createdRows, updated: again.updatedRows, unchanged: again.unchangedRows, errors: again.errorRows }).toEqual({
      created: 0,
      updated: 0,
      unchanged: 9_700,
      errors: 300,
    });
    expect(await countOf('clients')).toBe(9_700);
    expect(await countOf('contacts')).toBe(9_700);
    expect(await lastChange()).toEqual(before);
  }, 300_000);

  it('updates only what changed and only the columns the file maps, matching on domain when there is no external id', async () => {
    const created = await createClient(services.db, {
      workspace_id: workspaceId,
      name: 'Domain Only Ltd',
      domain: 'domain-only.example',
      mrr_cents: 100_00,
      notes: 'Keep this note',
      tags: ['vip'],
    });
    const result = await importFile('name,website,mrr\nDomain Only Limited,https://www.domain-only.example/about,250\n');
    expect({ created: result.createdRows, updated: result.updatedRows, errors: result.errorRows }).toEqual({
      created: 0,
      updated: 1,
      errors: 0,
    });
    const { client } = await caller.clients.get({ workspaceSlug: owner.slug, clientId: created.id });
    expect(client).toMatchObject({ name: 'Domain Only Limited', mrrCents: 250_00, notes: 'Keep this note', tags: ['vip'] });
  });

  it('refuses a mapping that cannot work, per field', async () => {
    const { id } = await upload('company,revenue\nAcme,10\n');
    const attempt = caller.imports.start({ workspaceSlug: owner.slug, importId: id, mapping: { mrr: 1, planName: 1 } });
    await expect(attempt).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    const error = await attempt.catch((failure: { cause?: { fieldErrors?: Record<string, string[]> } }) => failure.cause?.fieldErrors);
    expect(error).toMatchObject({
      name: ['Map the column with the client name'],
      externalId: [expect.stringContaining('Map the external id or the domain column')],
      planName: ['This column is already mapped to MRR'],
    });
    expect((await caller.imports.get({ workspaceSlug: owner.slug, importId: id })).status).toBe('uploaded');
  });

  it('reports rows that are not valid CSV and goes on after them', async () => {
    const result = await importFile('name,external id\nGood One,Q-1\n"Broken "quote, Q-2\nGood Two,Q-3\n"Never closed,Q-4\n');
    expect(result.createdRows).toBe(3);
    const errors = await allErrors(result.id);
    expect(errors).toEqual([{ row: 5, reason: expect.stringMatching(/^Not valid CSV: Quote Not Closed/), raw: [] }]);
  });

  it('reads the header and first rows on upload, and refuses what is not CSV', async () => {
    const { id } = await upload('\uFEFFName;Website;MRR\nAcme;acme.example;"1.250,00"\n\nGlobex;globex.example;90\n');
    const uploaded = await caller.imports.get({ workspaceSlug: owner.slug, importId: id });
    expect(uploaded).toMatchObject({
      status: 'uploaded',
      headers: ['Name', 'Website', 'MRR'],
      preview: [
        ['Acme', 'acme.example', '1.250,00'],
        ['Globex', 'globex.example', '90'],
      ],
    });
    expect(uploaded.suggested).toEqual({ name: 0, domain: 1, mrr: 2 });
    await expect(upload('')).rejects.toMatchObject({ code: 'BAD_REQUEST', message: 'The file is empty.' });
    await expect(upload('PK\u0003\u0004\u0000\u0000binary')).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('Save it as CSV'),
    });
    expect(detectDelimiter('a\tb\tc')).toBe('\t');
    expect(detectDelimiter('"a,b";c;d')).toBe(';');
    expect(previewOf(Buffer.from('x|y\n1|2')).headers).toEqual(['x', 'y']);
  });

  it('lets viewers see imports but not upload or start them', async () => {
    const viewer = await addMember(services, owner, 'viewer', 'import-viewer');
    const viewerCaller = await callerForToken(services, viewer.token);
    await expect(
      viewerCaller.imports.upload({ workspaceSlug: owner.slug, kind: 'clients', fileName: 'x.csv', file: streamOf('name\nx\n') }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect((await viewerCaller.imports.list({ workspaceSlug: owner.slug })).length).toBeGreaterThan(0);
  });
});

describe('CSV import of interactions', () => {
  it('adds interactions to the clients they name, reports unknown clients, and adds nothing the second time', async () => {
    const timelineCo = await createClient(services.db, {
      workspace_id: workspaceId,
      name: 'Timeline Co',
      external_id: 'TL-1',
      domain: 'timeline.example',
    });
    await createContact(services.db, {
      workspace_id: timelineCo.workspace_id,
      client_id: timelineCo.id,
      name: 'Tina',
      email: 'tina@timeline.example',
      is_primary: true,
    });
    const member = await addMember(services, owner, 'manager', 'import-author');
    const csv = stringify([
      ['client id', 'domain', 'type', 'direction', 'date', 'subject', 'body', 'contact email', 'author'],
      ['TL-1', '', 'Email', 'in', '2026-03-01 09:30', 'Renewal', 'We are happy with the product.', 'tina@timeline.example', ''],
      ['', 'timeline.example', 'Support ticket', '', '2026-03-02', 'Outage', 'The dashboard was down again.', '', member.email],
      ['TL-404', '', 'call', 'outbound', '2026-03-03', '', 'Check-in', '', ''],
      ['TL-1', '', 'fax', 'inbound', '2026-03-03', '', '', '', ''],
      ['TL-1', '', 'note', '', 'yesterday', '', '', '', ''],
      ['TL-1', '', 'meeting', '', '2026-03-04T15:00:00+02:00', 'QBR', 'Quarterly review', '', ''],
    ]);
    const first = await importFile(csv, 'interactions');
    expect({ created: first.createdRows, unchanged: first.unchangedRows, errors: first.errorRows }).toEqual({
      created: 3,
      unchanged: 0,
      errors: 3,
    });
    expect((await allErrors(first.id)).map(({ row, reason }) => [row, reason])).toEqual([
      [4, 'No client with external id "TL-404". Import the clients first.'],
      [5, 'Type "fax" is not one of email, call, meeting, support ticket, chat, note'],
      [6, 'Date "yesterday" is not a date like 2026-03-31 or 2026-03-31 14:30'],
    ]);
    const client = (
      await caller.clients.list({ workspaceSlug: owner.slug, filters: { q: 'timeline.example', sort: 'name', direction: 'asc' } })
    ).clients[0]!;
    const timeline = await caller.interactions.list({ workspaceSlug: owner.slug, clientId: client.id });
    expect(
      timeline.interactions.map((item) => [
        item.type,
        item.direction,
        new Date(item.occurredAt).toISOString(),
        item.contactName ?? null,
        item.authorName ?? null,
      ]),
    ).toEqual([
      ['meeting', 'inbound', '2026-03-04T13:00:00.000Z', null, null],
      ['support_ticket', 'inbound', '2026-03-02T00:00:00.000Z', null, member.name],
      ['email', 'inbound', '2026-03-01T09:30:00.000Z', 'Tina', null],
    ]);
    expect(client.lastContactAt).toEqual(new Date('2026-03-04T13:00:00.000Z'));

    const again = await importFile(csv, 'interactions');
    expect({ created: again.createdRows, unchanged: again.unchangedRows, errors: again.errorRows }).toEqual({
      created: 0,
      unchanged: 3,
      errors: 3,
    });
    expect((await caller.interactions.list({ workspaceSlug: owner.slug, clientId: client.id })).interactions).toHaveLength(3);
  });
});

describe('cell values', () => {
  it('reads amounts the way spreadsheets write them', () => {
    expect(['1250', '1,250.50', '$1,250.5', '1.250,50', '1 250,50', '99,9', 'EUR 12'].map(parseMoneyToCents)).toEqual([
      125_000, 125_050, 125_050, 125_050, 125_050, 9_990, 1_200,
    ]);
    expect(() => parseMoneyToCents('12,5,0')).toThrow('is not an amount');
    expect(() => parseMoneyToCents('-5')).toThrow('is not an amount');
    expect(() => parseMoneyToCents('12abc')).toThrow('is not an amount');
  });

  it('reads moments as UTC unless they say otherwise, and refuses the future', () => {
    expect(parseMoment('2026-01-02', 'Date').toISOString()).toBe('2026-01-02T00:00:00.000Z');
    expect(parseMoment('2026-01-02T10:00:00-05:00', 'Date').toISOString()).toBe('2026-01-02T15:00:00.000Z');
    expect(() => parseMoment('02/01/2026', 'Date')).toThrow('is not a date');
    expect(() => parseMoment('2999-01-01', 'Date')).toThrow('is in the future');
  });
});
