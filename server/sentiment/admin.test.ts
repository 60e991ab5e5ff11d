import { afterAll, beforeAll, expect, it } from 'vitest';
import { closeAppServices, type AppServices } from '../services';
import { addMember, callerForToken, createOwner, type TestAccount } from '../testing/factories';
import { createTestServices } from '../testing/services';
import { recordSentimentFailure } from './pipeline';

let services: AppServices;
let owner: TestAccount;
let caller: Awaited<ReturnType<typeof callerForToken>>;
let workspaceId: string;
let clientId: string;

beforeAll(async () => {
  services = createTestServices();
  owner = await createOwner(services, 'sentiment-admin');
  caller = await callerForToken(services, owner.token);
  ({ id: clientId } = await caller.clients.create({ workspaceSlug: owner.slug, fields: { name: 'Backfill Co' } }));
  workspaceId = (
    await services.db.asService((tx) => tx.selectFrom('workspaces').select('id').where('slug', '=', owner.slug).executeTakeFirstOrThrow())
  ).id;
});
afterAll(async () => {
  await closeAppServices(services);
});

const intentsFor = (interactionId: string) =>
  services.db.asService((tx) =>
    tx
      .selectFrom('outbox')
      .select('job_key')
      .where('topic', '=', 'sentiment')
      .where('job_key', 'like', `sentiment-${interactionId}-%`)
      .orderBy('id')
      .execute(),
  );

it('lists a dead-lettered job to admins only, retries it once through the outbox, and audits the retry', async () => {
  const { id } = await caller.interactions.log({
    workspaceSlug: owner.slug,
    clientId,
    fields: { type: 'email', direction: 'inbound', body: 'Timeout victim' },
  });
  await recordSentimentFailure(
    services.db,
    { id: `sentiment-${id}-v1`, name: 'analyse', queue: 'sentiment', data: { workspaceId, interactionId: id, version: 1 }, attempts: 5 },
    'Request timed out.',
  );
  // Failing again before a retry updates the same entry.
  await recordSentimentFailure(
    services.db,
    { id: `sentiment-${id}-v1`, name: 'analyse', queue: 'sentiment', data: { workspaceId, interactionId: id, version: 1 }, attempts: 5 },
    'Request timed out again.',
  );
  const jobs = await caller.sentiment.failedJobs({ workspaceSlug: owner.slug });
  expect(jobs).toHaveLength(1);
  expect(jobs[0]).toMatchObject({
    queue: 'sentiment',
    attempts: 5,
    error: 'Request timed out again.',
    interactionId: id,
    clientId,
    clientName: 'Backfill Co',
  });
  expect(await caller.sentiment.progress({ workspaceSlug: owner.slug })).toEqual({ pending: 0, failed: 1, openFailedJobs: 1 });

  const manager = await callerForToken(services, (await addMember(services, owner, 'manager', 'sentiment-manager')).token);
  await expect(manager.sentiment.failedJobs({ workspaceSlug: owner.slug })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  await expect(manager.sentiment.backfill({ workspaceSlug: owner.slug })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  const stranger = await createOwner(services, 'sentiment-stranger');
  const strangerCaller = await callerForToken(services, stranger.token);
  await expect(strangerCaller.sentiment.retryFailedJob({ workspaceSlug: stranger.slug, failedJobId: jobs[0]!.id })).rejects.toMatchObject({
    code: 'NOT_FOUND',
  });

  await caller.sentiment.retryFailedJob({ workspaceSlug: owner.slug, failedJobId: jobs[0]!.id });
  expect((await intentsFor(id)).map((row) => row.job_key)).toEqual([`sentiment-${id}-v1`, `sentiment-${id}-v1-retry-${jobs[0]!.id}`]);
  expect(await caller.sentiment.failedJobs({ workspaceSlug: owner.slug })).toEqual([]);
  await expect(caller.sentiment.retryFailedJob({ workspaceSlug: owner.slug, failedJobId: jobs[0]!.id })).rejects.toMatchObject({
    code: 'NOT_FOUND',
  });
  const audit = await caller.audit.list({ workspaceSlug: owner.slug, action: 'job.retried' });
  expect(audit.entries).toHaveLength(1);
});

it('backfills every pending or failed interaction of the workspace in one go, and none of another workspace', async () => {
  const other = await createOwner(services, 'sentiment-other');
  const otherCaller = await callerForToken(services, other.token);
  const { id: otherClient } = await otherCaller.clients.create({ workspaceSlug: other.slug, fields: { name: 'Elsewhere' } });
  const foreign = await otherCaller.interactions.log({
    workspaceSlug: other.slug,
    clientId: otherClient,
    fields: { type: 'note', direction: 'internal', body: 'Not yours' },
  });
  const logged: Array<{ id: string }> = [];
  for (const body of ['One', 'Two', 'Three'])
    logged.push(
      await caller.interactions.log({ workspaceSlug: owner.slug, clientId, fields: { type: 'note', direction: 'internal', body } }),
    );
  await services.db.asService((tx) =>
    tx.updateTable('interactions').set({ sentiment_status: 'done' }).where('id', '=', logged[0]!.id).execute(),
  );
  const before = await caller.sentiment.progress({ workspaceSlug: owner.slug });
  const { queued } = await caller.sentiment.backfill({ workspaceSlug: owner.slug });
  expect(queued).toBe(before.pending + before.failed);
  expect(await intentsFor(logged[0]!.id)).toHaveLength(1);
  expect(await intentsFor(logged[1]!.id)).toHaveLength(2);
  expect(await intentsFor(foreign.id)).toHaveLength(1);
});
