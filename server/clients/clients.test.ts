import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAppServices, type AppServices } from '../services';
import { listClients } from './clients';
import { addMember, callerForToken, createClient, createClients, createOwner, workspaceIdOf, type TestAccount } from '../testing/factories';
import { createTestServices } from '../testing/services';

let services: AppServices;
let owner: TestAccount;
let caller: Awaited<ReturnType<typeof callerForToken>>;
const today = new Date();
const inDays = (days: number) => new Date(today.getTime() + days * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  services = createTestServices();
  owner = await createOwner(services, 'clients');
  caller = await callerForToken(services, owner.token);
  const portfolio = [
    {
      name: 'Acme Corporation',
      domain: 'acme.example',
      mrrCents: 500_000,
      tags: ['enterprise'],
      renewalDate: inDays(20),
      ownerId: owner.userId,
    },
    { name: 'Globex', domain: 'globex.example', mrrCents: 90_000, tags: ['smb'], renewalDate: inDays(200) },
    { name: 'Initech', domain: 'initech.example', mrrCents: 250_000, tags: ['enterprise', 'beta'], status: 'paused' as const },
    { name: 'Umbrella Health', mrrCents: 0, status: 'churned' as const, churnedAt: inDays(-30), churnReason: 'Budget cut' },
    { name: 'Hooli', domain: 'hooli.example', mrrCents: 250_000, renewalDate: inDays(5) },
  ];
  for (const fields of portfolio) {
    await caller.clients.create({
      workspaceSlug: owner.slug,
      fields,
      contacts: fields.name === 'Globex' ? [{ name: 'Hank Scorpio', email: 'hank@globex.example', isPrimary: true }] : [],
    });
  }
  const workspaceId = await workspaceIdOf(services.db, owner);
  await createClients(
    services.db,
    Array.from({ length: 55 }, (_, index) => ({
      workspace_id: workspaceId,
      name: `Filler ${String(index).padStart(2, '0')}`,
      mrr_cents: index * 1000,
    })),
  );
});
afterAll(async () => {
  await closeAppServices(services);
});

const list = (filters: Record<string, unknown>, cursor?: string) =>
  caller.clients.list({ workspaceSlug: owner.slug, filters: { sort: 'name', direction: 'asc', ...filters } as never, cursor });

describe('clients', () => {
  it('finds clients by a misspelt name, a domain fragment and a contact email', async () => {
    expect((await list({ q: 'Acme Corporaton' })).clients.map((client) => client.name)).toEqual(['Acme Corporation']);
    expect((await list({ q: 'Umbrela Helth' })).clients.map((client) => client.name)).toEqual(['Umbrella Health']);
    expect((await list({ q: 'Umbrella Wealth Partners' })).clients).toEqual([]);
    expect((await list({ q: 'inite' })).clients.map((client) => client.name)).toEqual(['Initech']);
    expect((await list({ q: 'hank@globex' })).clients.map((client) => client.name)).toEqual(['Globex']);
  });

  it('lists exact matches when there are any, close ones only when there are none', async () => {
    const other = await createOwner(services, 'search');
    const otherCaller = await callerForToken(services, other.token);
    const otherWorkspaceId = await workspaceIdOf(services.db, other);
    await createClients(
      services.db,
      ['Northwind Traders', 'Northwood Labs', 'Nortwind Supply'].map((name) => ({ workspace_id: otherWorkspaceId, name })),
    );
    const names = async (q: string) =>
      (await otherCaller.clients.list({ workspaceSlug: other.slug, filters: { q, sort: 'name', direction: 'asc' } })).clients.map(
        (client) => client.name,
      );
    expect(await names('northwind')).toEqual(['Northwind Traders']);
    expect(await names('Northwnd')).toEqual(['Northwind Traders', 'Northwood Labs']);
  });

  it('filters by status, tag, owner, renewal window and MRR range, with a count', async () => {
    expect((await list({ status: ['churned'] })).clients.map((client) => client.name)).toEqual(['Umbrella Health']);
    expect((await list({ tag: 'enterprise' })).clients.map((client) => client.name)).toEqual(['Acme Corporation', 'Initech']);
    expect((await list({ owner: owner.userId })).clients.map((client) => client.name)).toEqual(['Acme Corporation']);
    expect((await list({ renewalWithinDays: 30 })).clients.map((client) => client.name)).toEqual(['Acme Corporation', 'Hooli']);
    const range = await list({ mrrMin: 200_000, mrrMax: 300_000 });
    expect(range.clients.map((client) => client.name)).toEqual(['Hooli', 'Initech']);
    expect(range.total).toBe(2);
    expect((await list({ risk: ['unscored'] })).total).toBe(60);
    expect((await list({})).totalIsAtLeast).toBe(false);
  });

  it('counts exactly up to the cap and says "at least" beyond it', async () => {
    const count = (countCap: number) =>
      services.db.withUser({ sub: owner.userId }, async (tx) => {
        const workspace = await tx.selectFrom('workspaces').select('id').where('slug', '=', owner.slug).executeTakeFirstOrThrow();
        const { total, totalIsAtLeast } = await listClients(tx, {
          workspaceId: workspace.id,
          filters: { sort: 'name', direction: 'asc' },
          countCap,
        });
        return { total, totalIsAtLeast };
      });
    expect(await count(60)).toEqual({ total: 60, totalIsAtLeast: false });
    expect(await count(59)).toEqual({ total: 59, totalIsAtLeast: true });
  });

  it('pages through every sort order without gaps or repeats, empty values last', async () => {
    for (const sort of ['name', 'mrr', 'renewal', 'health', 'last_contact'] as const) {
      for (const direction of ['asc', 'desc'] as const) {
        const seen: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await list({ sort, direction }, cursor);
          seen.push(...page.clients.map((client) => client.id));
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
        expect(seen, `${sort} ${direction}`).toHaveLength(60);
        expect(new Set(seen).size, `${sort} ${direction}`).toBe(60);
      }
    }
    const byMrr = (await list({ sort: 'mrr', direction: 'desc' })).clients.map((client) => client.mrrCents);
    expect(byMrr.slice(0, 3)).toEqual([500_000, 250_000, 250_000]);
    const byRenewal = (await list({ sort: 'renewal', direction: 'asc' })).clients.map((client) => client.renewalDate);
    expect(byRenewal.slice(0, 3)).toEqual([inDays(5), inDays(20), inDays(200)]);
  });

  it('refuses a duplicate external id or domain with a field message and a churned client without a date', async () => {
    const duplicate = await caller.clients
      .create({ workspaceSlug: owner.slug, fields: { name: 'Acme again', domain: 'https://www.ACME.example/about' } })
      .catch((error: unknown) => error);
    expect(duplicate).toMatchObject({ code: 'CONFLICT', message: 'Another client already has this domain.' });
    const churned = await caller.clients
      .create({ workspaceSlug: owner.slug, fields: { name: 'Gone', status: 'churned' } })
      .catch((error: { code: string; message: string }) => error);
    expect(churned).toMatchObject({ code: 'BAD_REQUEST' });
    expect((churned as { message: string }).message).toContain('A churned client needs its churn date');
  });

  it('logs interactions newest first, pages the timeline and keeps the last contact current', async () => {
    const { clients } = await list({ q: 'Globex' });
    const clientId = clients[0]!.id;
    const { contacts } = await caller.clients.get({ workspaceSlug: owner.slug, clientId });
    for (let day = 1; day <= 30; day += 1) {
      await caller.interactions.log({
        workspaceSlug: owner.slug,
        clientId,
        fields: {
          type: day % 2 ? 'email' : 'call',
          direction: day === 30 ? 'internal' : 'inbound',
          occurredAt: new Date(Date.UTC(2026, 9, day, 12)).toISOString(),
          body: `Day ${day}`,
          contactId: contacts[0]!.id,
        },
      });
    }
    const first = await caller.interactions.list({ workspaceSlug: owner.slug, clientId });
    expect(first.interactions.map((interaction) => interaction.body).slice(0, 2)).toEqual(['Day 30', 'Day 29']);
    expect(first.interactions[0]).toMatchObject({ contactName: 'Hank Scorpio', authorName: owner.name, sentimentStatus: 'pending' });
    const second = await caller.interactions.list({ workspaceSlug: owner.slug, clientId, cursor: first.nextCursor! });
    expect(second.interactions.map((interaction) => interaction.body)).toEqual(['Day 5', 'Day 4', 'Day 3', 'Day 2', 'Day 1']);
    const calls = await caller.interactions.list({ workspaceSlug: owner.slug, clientId, type: 'call' });
    expect(calls.interactions.every((interaction) => interaction.type === 'call')).toBe(true);
    // The internal note of day 30 is not contact with the client.
    const { client } = await caller.clients.get({ workspaceSlug: owner.slug, clientId });
    expect(client.lastContactAt?.toISOString()).toBe(new Date(Date.UTC(2026, 9, 29, 12)).toISOString());
  });

  it('writes a sentiment job intent with each new interaction and each edit of what was said, and none for other edits', async () => {
    const globex = (await list({ q: 'Globex' })).clients[0]!;
    const { id } = await caller.interactions.log({
      workspaceSlug: owner.slug,
      clientId: globex.id,
      fields: { type: 'email', direction: 'inbound', body: 'We are unhappy.' },
    });
    const intents = () =>
      services.db.asService((tx) =>
        tx
          .selectFrom('outbox')
          .select(['queue', 'job_key', 'payload'])
          .where(sql<boolean>`payload->>'interactionId' = ${id}`)
          .orderBy('id')
          .execute(),
      );
    expect(await intents()).toEqual([
      { queue: 'sentiment', job_key: `sentiment-${id}-v1`, payload: { workspaceId: expect.any(String), interactionId: id, version: 1 } },
    ]);
    // Pretend the worker analysed it, then edit the text: a new version, pending again, a second intent.
    await services.db.asService((tx) =>
      tx.updateTable('interactions').set({ sentiment_status: 'done', sentiment_label: 'negative' }).where('id', '=', id).execute(),
    );
    const edited = await caller.interactions.update({
      workspaceSlug: owner.slug,
      clientId: globex.id,
      interactionId: id,
      fields: { type: 'email', direction: 'inbound', body: 'We are delighted.' },
    });
    expect(edited.contentVersion).toBe(2);
    expect(await caller.interactions.get({ workspaceSlug: owner.slug, clientId: globex.id, interactionId: id })).toMatchObject({
      body: 'We are delighted.',
      contentVersion: 2,
    });
    const row = await services.db.asService((tx) =>
      tx.selectFrom('interactions').select(['sentiment_status']).where('id', '=', id).executeTakeFirstOrThrow(),
    );
    expect(row.sentiment_status).toBe('pending');
    expect((await intents()).map((intent) => intent.job_key)).toEqual([`sentiment-${id}-v1`, `sentiment-${id}-v2`]);
    // Changing only when it happened is not a new version.
    await caller.interactions.update({
      workspaceSlug: owner.slug,
      clientId: globex.id,
      interactionId: id,
      fields: { type: 'email', direction: 'inbound', body: 'We are delighted.', occurredAt: '2026-10-01T10:00:00Z' },
    });
    expect(await intents()).toHaveLength(2);
    // Users edit content, never the analysis.
    const forged = await services.db
      .withUser({ sub: owner.userId, email: owner.email }, (tx) =>
        tx.updateTable('interactions').set({ sentiment_label: 'positive' }).where('id', '=', id).execute(),
      )
      .catch((error: { code?: string }) => error.code);
    expect(forged).toBe('42501');
  });

  it('refuses a contact of another client and lets a viewer read but not write', async () => {
    const { clients } = await list({ q: 'Hooli' });
    const globex = (await list({ q: 'Globex' })).clients[0]!;
    const { contacts } = await caller.clients.get({ workspaceSlug: owner.slug, clientId: globex.id });
    const wrongContact = await caller.interactions
      .log({
        workspaceSlug: owner.slug,
        clientId: clients[0]!.id,
        fields: { type: 'note', direction: 'internal', contactId: contacts[0]!.id },
      })
      .catch((error: { code: string }) => error);
    expect(wrongContact).toMatchObject({ code: 'BAD_REQUEST' });
    const viewer = await callerForToken(services, (await addMember(services, owner, 'viewer', 'clients-viewer')).token);
    expect((await viewer.clients.list({ workspaceSlug: owner.slug, filters: { sort: 'name', direction: 'asc' } })).total).toBe(60);
    const write = await viewer.clients
      .create({ workspaceSlug: owner.slug, fields: { name: 'Nope' } })
      .catch((error: { code: string }) => error);
    expect(write).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('applies bulk changes in one go, only to this workspace’s clients, and audits them once', async () => {
    const stranger = await createOwner(services, 'bulk-stranger');
    const strangerCaller = await callerForToken(services, stranger.token);
    const { id: foreignId } = await createClient(services.db, {
      workspace_id: await workspaceIdOf(services.db, stranger),
      name: 'Not yours',
    });
    const fillers = (await list({ q: 'Filler 0' })).clients.slice(0, 3).map((client) => client.id);
    expect(fillers).toHaveLength(3);
    const ids = [...fillers, foreignId];
    await expect(
      caller.clients.bulkUpdate({ workspaceSlug: owner.slug, clientIds: ids, action: { type: 'add_tag', tag: 'Renewal-Q4' } }),
    ).resolves.toEqual({ updated: 3 });
    expect((await list({ tag: 'renewal-q4' })).total).toBe(3);
    await caller.clients.bulkUpdate({
      workspaceSlug: owner.slug,
      clientIds: fillers.slice(0, 1),
      action: { type: 'remove_tag', tag: 'renewal-q4' },
    });
    expect((await list({ tag: 'renewal-q4' })).total).toBe(2);
    await caller.clients.bulkUpdate({
      workspaceSlug: owner.slug,
      clientIds: fillers,
      action: { type: 'assign_owner', ownerId: owner.userId },
    });
    expect((await list({ owner: owner.userId })).total).toBe(4);
    await caller.clients.bulkUpdate({
      workspaceSlug: owner.slug,
      clientIds: fillers,
      action: { type: 'mark_churned', churnedAt: inDays(-1), churnReason: 'Consolidated' },
    });
    expect((await list({ status: ['churned'] })).total).toBe(4);
    const notMember = await caller.clients
      .bulkUpdate({ workspaceSlug: owner.slug, clientIds: fillers, action: { type: 'assign_owner', ownerId: stranger.userId } })
      .catch((error: { code: string }) => error);
    expect(notMember).toMatchObject({ code: 'BAD_REQUEST' });
    const { client: foreign } = await strangerCaller.clients.get({ workspaceSlug: stranger.slug, clientId: foreignId });
    expect(foreign.tags).toEqual([]);
    const audit = await caller.audit.list({ workspaceSlug: owner.slug, action: 'client.bulk_updated' });
    expect(audit.entries).toHaveLength(4);
    expect(audit.entries.at(-1)?.after).toMatchObject({ type: 'add_tag', tag: 'renewal-q4', clients: 3 });
  });
});
