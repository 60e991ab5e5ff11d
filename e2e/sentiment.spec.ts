import { expect, test } from '@playwright/test';
import pg from 'pg';
import { PROFILES } from '../server/local/stack';
import { signUp } from './workspace';

test('a clearly negative interaction gets its negative badge and churn signals without a reload, and an edit is analysed again', async ({
  page,
}) => {
  const workspacePath = await signUp(page);
  await page.goto(`${workspacePath}/clients/new`);
  await page.getByLabel('Name', { exact: true }).fill('Globex Logistics');
  await page.getByRole('button', { name: 'Add client' }).click();
  await expect(page.getByRole('heading', { level: 2, name: 'Globex Logistics' })).toBeVisible();
  await expect(page.getByText('No analysed interactions in the last 90 days')).toBeVisible();

  // Mark the document: a full reload would lose the mark.
  await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
  await page.getByLabel('Subject').fill('Renewal');
  await page
    .getByLabel('What was said')
    .fill(
      'Thanks for everything, but we will not renew in March. The dashboard has been down three times this month ' +
        'and we are moving to a competitor that costs half as much.',
    );
  await page.getByRole('button', { name: 'Log interaction' }).click();
  const interaction = page.getByTestId('interaction').first();
  await expect(interaction.getByTestId('sentiment-label')).toContainText('Negative', { timeout: 15_000 });
  await expect(interaction.getByTestId('sentiment-signal')).toContainText(['Cancellation intent']);
  await expect(interaction.getByTestId('sentiment-signal').filter({ hasText: 'Product problem or outage' })).toBeVisible();
  await expect(interaction).toContainText('Analysed by local');
  expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
  await expect(page.getByTestId('sentiment-trend')).toBeVisible();

  // Editing what was said sends it for analysis again.
  await interaction.getByRole('link', { name: /Edit the email/ }).click();
  await expect(page.getByRole('heading', { name: 'Edit interaction with Globex Logistics' })).toBeVisible();
  await page.getByLabel('What was said').fill('Great quarter! The team loves the new dashboards and we would like to add 20 more seats.');
  await page.getByRole('button', { name: 'Save changes' }).click();
  const edited = page.getByTestId('interaction').first();
  await expect(edited.getByTestId('sentiment-label')).toContainText('Positive', { timeout: 15_000 });
  await expect(edited.getByTestId('sentiment-signal')).toContainText(['Expansion interest']);
});

test('an admin sees a dead-lettered sentiment job on Background jobs, retries it, and backfills failed interactions', async ({ page }) => {
  const workspacePath = await signUp(page, 'Ada Admin');
  await page.goto(`${workspacePath}/clients/new`);
  await page.getByLabel('Name', { exact: true }).fill('Initech');
  await page.getByRole('button', { name: 'Add client' }).click();
  for (const body of ['The reports are late again and nobody answers our tickets.', 'Lovely meeting, thank you!']) {
    await page.getByLabel('What was said').fill(body);
    await page.getByRole('button', { name: 'Log interaction' }).click();
    await expect(page.getByTestId('interaction').first().getByTestId('sentiment-label')).toBeVisible({ timeout: 15_000 });
  }
  await expect(page.getByTestId('interaction').getByTestId('sentiment-label')).toHaveCount(2);

  // What the worker leaves when the LLM failed every attempt (the failure itself is tested in
  // worker/processors/sentiment.test.ts): both interactions failed, one job dead-lettered.
  const db = new pg.Client({ connectionString: `postgres://postgres:postgres@127.0.0.1:${PROFILES.e2e.postgresPort}/clientpulse` });
  await db.connect();
  try {
    const slug = workspacePath.split('/')[2]!;
    const { rows } = await db.query<{ id: string; workspace_id: string }>(
      `update interactions i set sentiment_status = 'failed', sentiment_note = 'LLM timed out'
         from workspaces w where w.id = i.workspace_id and w.slug = $1 returning i.id, i.workspace_id`,
      [slug],
    );
    expect(rows).toHaveLength(2);
    await db.query(
      `insert into failed_jobs (workspace_id, queue, job_name, job_key, payload, error, attempts)
       values ($1, 'sentiment', 'analyse', $2, $3, 'Request timed out.', 5)`,
      [
        rows[0]!.workspace_id,
        `sentiment-${rows[0]!.id}-v1`,
        JSON.stringify({ workspaceId: rows[0]!.workspace_id, interactionId: rows[0]!.id, version: 1 }),
      ],
    );
  } finally {
    await db.end();
  }

  await page.reload();
  await expect(page.getByText('Analysis failed')).toHaveCount(2);
  await page.goto(`${workspacePath}/settings`);
  await expect(page.getByTestId('sentiment-progress')).toHaveText('0 waiting for analysis, 2 failed.');
  // Settings → Background jobs: every queue's counts and the dead-lettered jobs.
  await page.getByRole('link', { name: 'Background jobs' }).click();
  await expect(page.getByRole('heading', { name: 'Background jobs' })).toBeVisible();
  await expect(page.getByTestId('queue-sentiment').getByRole('cell').last()).toHaveText('1');
  const failed = page.getByTestId('failed-job');
  await expect(failed).toHaveCount(1);
  await expect(failed).toContainText('sentiment after 5 attempts');
  await expect(failed).toContainText('Request timed out.');
  await expect(failed.getByRole('link', { name: 'Initech' })).toBeVisible();
  await failed.getByRole('button', { name: 'Retry' }).click();
  await expect(page.getByText('Sent back to the queue.')).toBeVisible();
  await expect(page.getByTestId('failed-job')).toHaveCount(0);
  await expect(page.getByTestId('no-failed-jobs')).toBeVisible();
  await expect(page.getByTestId('queue-sentiment').getByRole('cell').last()).toHaveText('0');
  await page.getByRole('link', { name: '← Settings' }).click();
  await expect(page.getByTestId('sentiment-progress')).toHaveText('0 waiting for analysis, 1 failed.', { timeout: 15_000 });

  // The backfill takes the other one; the progress bar fills and the page says when all is done.
  await page.getByRole('button', { name: 'Analyse all pending and failed interactions' }).click();
  await expect(page.getByLabel(/Analysing 1 interaction:/)).toBeVisible();
  await expect(page.getByTestId('sentiment-progress')).toHaveText('Every interaction is analysed.', { timeout: 15_000 });
  await expect(page.getByLabel(/Analysing 1 interaction: 1 done/)).toHaveAttribute('value', '1');
});
