import { expect, test } from '@playwright/test';
import { signUp } from './workspace';

test('a client page explains its score, and a strongly negative interaction lowers it and is named, without a reload', async ({ page }) => {
  const workspacePath = await signUp(page, 'Hana Health');
  await page.goto(`${workspacePath}/clients/new`);
  await page.getByLabel('Name', { exact: true }).fill('Umbrella Health');
  await page.getByRole('button', { name: 'Add client' }).click();
  await expect(page.getByTestId('health')).toContainText('Not scored yet');

  await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
  await page.getByLabel('What was said').fill('The rollout went really well, the team loves the new dashboards. Great work!');
  await page.getByRole('button', { name: 'Log interaction' }).click();
  const score = page.getByTestId('health-score');
  await expect(score).toBeVisible({ timeout: 20_000 });
  const before = Number(await score.textContent());
  expect(before).toBeGreaterThanOrEqual(70);
  await expect(page.getByTestId('health')).toContainText('Healthy');
  await expect(page.getByTestId('health-reasons')).toContainText('1 positive interaction in the last 14 days');
  await expect(page.getByTestId('health-reasons')).toContainText('No surveys, payments, product usage data yet');
  await expect(page.getByTestId('factor-sentiment')).toContainText('60%');
  await expect(page.getByTestId('factor-engagement')).toContainText('40%');

  await page
    .getByLabel('What was said')
    .fill('We are cancelling. The platform has been down all week, support ignored three tickets, and we will not renew.');
  await page.getByRole('button', { name: 'Log interaction' }).click();
  await expect(page.getByTestId('health-reasons')).toContainText('Cancellation intent voiced in the last 30 days', { timeout: 20_000 });
  await expect(page.getByTestId('health-reasons')).toContainText('1 negative interaction in the last 14 days');
  const after = Number(await score.textContent());
  expect(after).toBeLessThan(before);
  expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
});
