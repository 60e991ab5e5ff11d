/**
 * The demo seed run by `npm start`: a demo owner in a demo workspace with a realistic portfolio of
 * 200 clients, their contacts and interactions. Idempotent: an existing demo account is left as it
 * is (including a password its user changed), and the portfolio is only added to an empty workspace.
 */
import type { Database } from '../db';
import { createDatabase } from '../db';
import { createMailer } from '../email';
import { createRandom, sampleClient, sampleClientColumns } from '../clients/sample-data';
import { backfillHealthHistory } from '../health/engine';
import { recordDeadLetter } from '../queue/dead-letter';
import { signUp } from '../identity/accounts';
import { analyseLocally } from '../sentiment/local';
import type { Logger } from '../log';

export const DEMO_LOGIN = {
  email: 'demo@clientpulse.local',
  password: 'pulse-demo-2026',
  name: 'Dana Demo',
  workspaceName: 'Demo Workspace',
};
const DEMO_CLIENTS = 200;

/**
 * Adds `count` sample clients to the workspace in a few multi-row statements (service path: a seed).
 * Their interactions arrive analysed by the local provider (what the worker would store, dated when
 * they happened) and the daily recompute is replayed over the last 90 days, so the demo opens with
 * scores, their history and a portfolio that moved — not a blank page waiting for the worker.
 */
export async function seedPortfolio(
  db: Database,
  input: { workspaceId: string; ownerId: string; count: number; seed?: number },
): Promise<void> {
  const random = createRandom(input.seed ?? 20261121);
  const samples = Array.from({ length: input.count }, (_, index) => sampleClient(random, index, { maxInteractions: 60 }));
  await db.asService(async (tx) => {
    const clients = await tx
      .insertInto('clients')
      .values(
        samples.map((sample) => ({
          workspace_id: input.workspaceId,
          ...sampleClientColumns(sample),
          owner_id: random.chance(0.6) ? input.ownerId : null,
          tags: sample.tags,
        })),
      )
      .returning('id')
      .execute();
    const contacts = clients.flatMap((client, index) =>
      samples[index]!.contacts.map((contact) => ({
        workspace_id: input.workspaceId,
        client_id: client.id,
        name: contact.name,
        email: contact.email,
        title: contact.title,
        is_primary: contact.isPrimary,
      })),
    );
    await tx.insertInto('contacts').values(contacts).execute();
    const interactions = clients.flatMap((client, index) =>
      samples[index]!.interactions.map((interaction) => ({
        workspace_id: input.workspaceId,
        client_id: client.id,
        author_id: interaction.direction === 'inbound' ? null : input.ownerId,
        type: interaction.type,
        direction: interaction.direction,
        occurred_at: interaction.occurredAt,
        subject: interaction.subject,
        body: interaction.body,
        ...analysed(interaction),
      })),
    );
    for (let start = 0; start < interactions.length; start += 1000) {
      await tx
        .insertInto('interactions')
        .values(interactions.slice(start, start + 1000))
        .execute();
    }
  });
  await backfillHealthHistory(db, input.workspaceId, 90);
}

function analysed(interaction: { type: string; direction: string; subject: string; body: string; occurredAt: Date }) {
  const result = analyseLocally(interaction);
  return {
    sentiment_status: 'done' as const,
    sentiment_label: result.label,
    sentiment_score: result.score,
    sentiment_confidence: result.confidence,
    sentiment_signals: result.signals,
    sentiment_summary: result.summary,
    sentiment_analysed_by: 'local',
    sentiment_analysed_at: interaction.occurredAt,
  };
}

/**
 * One interaction whose analysis failed every attempt, dead-lettered as the worker would (the real
 * dead-letter path), so Settings → Background jobs opens with something to look at and retry.
 */
export async function seedFailedAnalysis(db: Database, input: { workspaceId: string; ownerId: string }): Promise<void> {
  // Owner connection: a seed.
  const interaction = await db.asService(async (tx) => {
    const client = await tx
      .selectFrom('clients')
      .select('id')
      .where('workspace_id', '=', input.workspaceId)
      .where('status', '=', 'active')
      .orderBy('mrr_cents', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
    const row = await tx
      .insertInto('interactions')
      .values({
        workspace_id: input.workspaceId,
        client_id: client.id,
        author_id: input.ownerId,
        type: 'email',
        direction: 'inbound',
        occurred_at: new Date(),
        subject: 'Renewal paperwork',
        body: 'Could you send over the renewal paperwork? Legal wants to review it before Friday.',
      })
      .returning(['id', 'content_version'])
      .executeTakeFirstOrThrow();
    // Its request was relayed, and its job then failed: nothing is left to relay.
    await tx
      .updateTable('outbox')
      .set({ relayed_at: new Date(), relay_attempts: 1 })
      .where('job_key', '=', `sentiment-${row.id}-v1`)
      .execute();
    return row;
  });
  await recordDeadLetter(db, {
    queue: 'sentiment',
    name: 'analyse',
    id: `sentiment-${interaction.id}-v${interaction.content_version}`,
    payload: { workspaceId: input.workspaceId, interactionId: interaction.id, version: interaction.content_version },
    attempts: 5,
    error: 'Request timed out after 15000 ms (the LLM provider did not answer; demo data: retry it from Background jobs).',
  });
}

export async function seedDemo(options: {
  databaseUrl: string;
  smtpUrl: string;
  appUrl: string;
  log: Logger;
}): Promise<{ created: boolean }> {
  const db = createDatabase({ url: options.databaseUrl, poolMax: 2, log: options.log, applicationName: 'clientpulse-seed' });
  const mailer = createMailer({ smtpUrl: options.smtpUrl, from: 'ClientPulse <no-reply@clientpulse.local>', log: options.log });
  try {
    let created = false;
    const existing = await db.asService((tx) =>
      tx.selectFrom('users').select('id').where('email', '=', DEMO_LOGIN.email).executeTakeFirst(),
    );
    if (!existing) {
      await signUp({ db, mailer, appUrl: options.appUrl }, { ...DEMO_LOGIN, meta: { ip: null, userAgent: 'clientpulse-seed' } });
      created = true;
    }
    const workspace = await db.asService((tx) =>
      tx
        .selectFrom('workspaces as w')
        .innerJoin('workspace_members as m', 'm.workspace_id', 'w.id')
        .innerJoin('users as u', 'u.id', 'm.user_id')
        .select(['w.id', 'u.id as userId'])
        .where('u.email', '=', DEMO_LOGIN.email)
        .where('w.name', '=', DEMO_LOGIN.workspaceName)
        .executeTakeFirst(),
    );
    if (workspace) {
      const { count } = await db.asService((tx) =>
        tx
          .selectFrom('clients')
          .select((eb) => eb.fn.countAll<string>().as('count'))
          .where('workspace_id', '=', workspace.id)
          .executeTakeFirstOrThrow(),
      );
      if (Number(count) === 0) {
        await seedPortfolio(db, { workspaceId: workspace.id, ownerId: workspace.userId, count: DEMO_CLIENTS });
        await seedFailedAnalysis(db, { workspaceId: workspace.id, ownerId: workspace.userId });
        created = true;
      }
    }
    return { created };
  } finally {
    mailer.close();
    await db.close();
  }
}
