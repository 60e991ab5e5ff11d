import { afterAll, beforeAll, expect, it } from 'vitest';
import { closeAppServices, type AppServices } from '../services';
import { callerForToken, createOwner } from '../testing/factories';
import { createTestServices } from '../testing/services';
import { seedFailedAnalysis, seedPortfolio } from './seed';

let services: AppServices;
beforeAll(() => {
  services = createTestServices();
});
afterAll(async () => {
  await closeAppServices(services);
});

it('seeds a realistic, searchable portfolio with contacts and interactions', async () => {
  const owner = await createOwner(services, 'seeded');
  const { id: workspaceId } = await services.db.asService((tx) =>
    tx.selectFrom('workspaces').select('id').where('slug', '=', owner.slug).executeTakeFirstOrThrow(),
  );
  await seedPortfolio(services.db, { workspaceId, ownerId: owner.userId, count: 200 });
  const caller = await callerForToken(services, owner.token);
  const all = await caller.clients.list({ workspaceSlug: owner.slug, filters: { sort: 'mrr', direction: 'desc' } });
  expect(all.total).toBe(200);
  expect(
    (await caller.clients.list({ workspaceSlug: owner.slug, filters: { sort: 'name', direction: 'asc', status: ['churned'] } })).total,
  ).toBeGreaterThan(5);
  const top = all.clients[0]!;
  const { contacts } = await caller.clients.get({ workspaceSlug: owner.slug, clientId: top.id });
  expect(contacts.length).toBeGreaterThanOrEqual(1);
  const timeline = await caller.interactions.list({ workspaceSlug: owner.slug, clientId: top.id });
  expect(timeline.interactions.length).toBeGreaterThanOrEqual(2);
  expect(top.lastContactAt).not.toBeNull();
});

it('seeds one dead-lettered analysis for Background jobs, which an admin can retry', async () => {
  const owner = await createOwner(services, 'seeded-failure');
  const { id: workspaceId } = await services.db.asService((tx) =>
    tx.selectFrom('workspaces').select('id').where('slug', '=', owner.slug).executeTakeFirstOrThrow(),
  );
  await seedPortfolio(services.db, { workspaceId, ownerId: owner.userId, count: 5 });
  await seedFailedAnalysis(services.db, { workspaceId, ownerId: owner.userId });
  const caller = await callerForToken(services, owner.token);
  const [failed, ...more] = await caller.jobs.failed({ workspaceSlug: owner.slug });
  expect(more).toEqual([]);
  expect(failed).toMatchObject({ queue: 'sentiment', jobName: 'analyse', attempts: 5 });
  expect(failed!.clientName).toBeTruthy();
  const timeline = await caller.interactions.list({ workspaceSlug: owner.slug, clientId: failed!.clientId! });
  expect(timeline.interactions.find((interaction) => interaction.id === failed!.interactionId)).toMatchObject({
    sentimentStatus: 'failed',
  });
  await caller.jobs.retry({ workspaceSlug: owner.slug, failedJobId: failed!.id });
  expect(await caller.jobs.failed({ workspaceSlug: owner.slug })).toEqual([]);
});
