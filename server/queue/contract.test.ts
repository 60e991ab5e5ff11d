import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateAlerts } from '../alerts/evaluate';
import { requestBacktest } from '../health/backtest';
import { requestWorkspaceRecompute } from '../health/engine';
import { closeAppServices, type AppServices } from '../services';
import { storeSentiment } from '../sentiment/pipeline';
import { createClient, createInteraction, createOwner, workspaceIdOf, type TestAccount } from '../testing/factories';
import { createTestServices } from '../testing/services';
import type { QueueContract } from './contract';
import { jobSpec, QUEUES, queueContract } from './registry';

let services: AppServices;
let owner: TestAccount;
let workspaceId: string;

beforeAll(async () => {
  services = createTestServices();
  owner = await createOwner(services, 'contracts');
  workspaceId = await workspaceIdOf(services.db, owner);
});
afterAll(async () => {
  await closeAppServices(services);
});

const outboxRows = () =>
  services.db.asService((tx) =>
    tx
      .selectFrom('outbox')
      .select(['workspace_id', 'queue', 'job_name', 'job_key', 'payload'])
      .where('workspace_id', '=', workspaceId)
      .orderBy('id')
      .execute(),
  );

describe('job contracts', () => {
  it('agree with what SQL writes: every request of the triggers and the domain code is one its contract parses and writes', async () => {
    // What the triggers ask for: a logged interaction (its analysis, its client's recompute), an
    // edit of what it says (a new version), a move in time, a client's status, a deletion.
    const client = await createClient(services.db, { workspace_id: workspaceId, name: 'Contract Co' });
    const interaction = await createInteraction(services.db, { workspace_id: workspaceId, client_id: client.id, body: 'Hello there' });
    await services.db.asService(async (tx) => {
      await tx.updateTable('interactions').set({ body: 'Hello again' }).where('id', '=', interaction.id).execute();
      await tx
        .updateTable('interactions')
        .set({ occurred_at: sql<Date>`now() - interval '1 day'` })
        .where('id', '=', interaction.id)
        .execute();
      await tx.updateTable('clients').set({ status: 'paused' }).where('id', '=', client.id).execute();
    });
    // What the domain code asks for: a sentiment result's recompute, a workspace recompute, a backtest, an alert delivery.
    expect(
      await storeSentiment(
        services.db,
        { interactionId: interaction.id, version: 2 },
        { label: 'neutral', score: 0, confidence: 0.5, signals: [], summary: 'Hello.' },
        { analysedBy: 'test' },
      ),
    ).toBe(true);
    await services.db.withUser({ sub: owner.userId }, async (tx) => {
      await requestWorkspaceRecompute(tx, workspaceId, 'settings');
      await requestBacktest(tx, { workspaceId, userId: owner.userId });
    });
    const quiet = await createClient(services.db, {
      workspace_id: workspaceId,
      name: 'Quiet Co',
      last_contact_at: new Date(Date.now() - 60 * 86_400_000),
    });
    await evaluateAlerts(services.db, { workspaceId, clientId: quiet.id });
    await services.db.asService((tx) => tx.deleteFrom('interactions').where('id', '=', interaction.id).execute());

    const rows = await outboxRows();
    const seen = new Set(rows.map((row) => `${row.queue}/${row.job_name}`));
    expect([...seen].sort()).toEqual([
      'alerts/deliver',
      'health/backtest',
      'health/recompute',
      'health/recompute-workspace',
      'sentiment/analyse',
    ]);
    const causes = rows.filter((row) => row.job_name === 'recompute').map((row) => (row.payload as { cause: { kind: string } }).cause.kind);
    expect(new Set(causes)).toEqual(
      new Set(['interaction.insert', 'interaction.update', 'interaction.delete', 'client.status', 'sentiment']),
    );
    for (const row of rows) {
      const spec = jobSpec(row.queue, row.job_name);
      expect(spec, `${row.queue}/${row.job_name}`).toBeDefined();
      const parsed = spec!.payload.safeParse(row.payload);
      expect(parsed.success, `${row.job_key}: ${parsed.error?.message}`).toBe(true);
      const rewritten = queueContract(row.queue)!.job(row.job_name, parsed.data as never);
      expect({ key: row.job_key, payload: row.payload, workspaceId: row.workspace_id }).toEqual({
        key: rewritten.key,
        payload: rewritten.payload,
        workspaceId: rewritten.workspaceId,
      });
    }
  });

  it('give every job name a schema and a key, and every scheduler a job of its own queue', () => {
    for (const contract of QUEUES as readonly QueueContract[]) {
      expect(Object.keys(contract.jobs).length).toBeGreaterThan(0);
      for (const scheduler of contract.schedulers ?? []) {
        const spec = contract.jobs[scheduler.job];
        expect(spec, `${contract.name}: scheduler ${scheduler.id}`).toBeDefined();
        expect(spec!.payload.safeParse(scheduler.data).success).toBe(true);
      }
    }
    expect(new Set(QUEUES.map((contract) => contract.name)).size).toBe(QUEUES.length);
  });
});
