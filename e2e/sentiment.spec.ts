import { expect, test } from '@playwright/test';
import { signUp } from './workspace';

test('a clearly negative interaction gets its negative badge and churn signals without a reload, and an edit is analysed again', async ({ page }) => {
  const workspacePath = await signUp(page);
  await page.goto(`${workspacePath}/clients/new`);
  await page.getByLabel('Name', { exact: true }).fill('Globex Logistics');
  await page.getByRole('button', { name: 'Add client' }).click();
  await expect(page.getByRole('heading', { level: 2, name: 'Globex Logistics' })).toBeVisible();
  await expect(page.getByText('No analysed interactions in the last 90 days')).toBeVisible();

  // Mark the document: a full reload would lose the mark.
  await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
  await page.getByLabel('Subject').fill('Renewal');
  await page.getByLabel('What was said').fill(
    'Thanks for everything, but we will not renew in March. The dashboard has been down three times this month and we are moving to a competitor that costs half as much.',
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
