import { afterAll, beforeAll, expect, it } from 'vitest';
import { closeAppServices, type AppServices } from '../services';
import {
  addMember,
  callerForToken,
  createClient,
  createInteraction,
  createInteractions,
  workspaceWithOwner,
  type TestAccount,
  type TestCaller,
} from '../testing/factories';
import { createTestServices } from '../testing/services';
import { recordDeadLetter } from '../queue/dead-letter';

let services: AppServices;
let owner: TestAccount;
let caller: TestCaller;
let workspaceId: string;
let clientId: string;

beforeAll(async () => {
  ({ services, owner, caller, workspaceId } = await workspaceWithOwner(createTestServices(), 'sentiment-admin'));
  ({ id: clientId } = await createClient(services.db, { workspace_id: workspaceId, name: 'Backfill Co' }));
});
afterAll(async () => {
  await closeAppServices(services);
});

const intentsFor = (interactionId: string) =>
  services.db.asService((tx) =>
    tx
      .selectFrom('outbox')
      .select('job_key')
      .where('queue', '=', 'sentiment')
      .where('job_key', 'like', `sentiment-${interactionId}-%`)
      .orderBy('id')
      .execute(),
  );

/** The sentiment job of interaction `interactionId` dead-lettered after its 5 attempts, with `error`. */
const deadLetter = (interactionId: string, error: string) =>
  recordDeadLetter(services.db, {
    queue: 'sentiment',
    name: 'analyse',
    id: `sentiment-${interactionId}-v1`,
    payload: { workspaceId, interactionId, version: 1 },
    attempts: 5,
    error,
  });

it('lists a dead-lettered job to admins only, retries it once through the outbox, and audits the retry', async () => {
  const { id } = await createInteraction(services.db, { workspace_id: workspaceId, client_id: clientId, body: 'Timeout victim' });
  await deadLetter(id, 'Request timed out.');
  // Failing again before a retry updates the same entry.
  await deadLetter(id, 'Request timed out again.');
  const jobs = await caller.jobs.failed({ workspaceSlug: owner.slug });
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
  await expect(manager.jobs.failed({ workspaceSlug: owner.slug })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  await expect(manager.sentiment.backfill({ workspaceSlug: owner.slug })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  const { owner: stranger, caller: strangerCaller } = await workspaceWithOwner(services, 'sentiment-stranger');
  await expect(strangerCaller.jobs.retry({ workspaceSlug: stranger.slug, failedJobId: jobs[0]!.id })).rejects.toMatchObject({
    code: 'NOT_FOUND',
  });

  await caller.jobs.retry({ workspaceSlug: owner.slug, failedJobId: jobs[0]!.id });
  expect((await intentsFor(id)).map((row) => row.job_key)).toEqual([`sentiment-${id}-v1`, `sentiment-${id}-v1-retry-${jobs[0]!.id}`]);
  expect(await caller.jobs.failed({ workspaceSlug: owner.slug })).toEqual([]);
  await expect(caller.jobs.retry({ workspaceSlug: owner.slug, failedJobId: jobs[0]!.id })).rejects.toMatchObject({
    code: 'NOT_FOUND',
  });
  const audit = await caller.audit.list({ workspaceSlug: owner.slug, action: 'job.retried' });
  expect(audit.entries).toHaveLength(1);
});

it('backfills every pending or failed interaction of the workspace in one go, and none of another workspace', async () => {
  const { workspaceId: otherWorkspaceId } = await workspaceWithOwner(services, 'sentiment-other');
  const { id: otherClient } = await createClient(services.db, { workspace_id: otherWorkspaceId, name: 'Elsewhere' });
  const note = { type: 'note', direction: 'internal' } as const;
  const foreign = await createInteraction(services.db, {
    workspace_id: otherWorkspaceId,
    client_id: otherClient,
    ...note,
    body: 'Not yours',
  });
  const logged = await createInteractions(
    services.db,
    ['One', 'Two', 'Three'].map((body) => ({ workspace_id: workspaceId, client_id: clientId, ...note, body })),
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
