import { expect, test } from '@playwright/test';
import { logInAsDemo, signUp } from './workspace';

test(
  'the demo home page shows the portfolio by risk, the MRR at risk and the week’s biggest drops; ' + 'the backtest and the preview read it',
  async ({ page }) => {
    await logInAsDemo(page);
    const portfolio = page.getByTestId('portfolio');
    await expect(portfolio.getByRole('heading', { name: 'Portfolio health' })).toBeVisible();
    await expect(page.getByTestId('mrr-at-risk')).toContainText('$');
    for (const level of ['healthy', 'at_risk', 'critical']) await expect(page.getByTestId(`level-${level}`)).toBeVisible();
    // The demo's 90 days of replayed history leave clients whose score fell this week.
    const drops = page.getByTestId('drops');
    await expect(drops.getByRole('row')).not.toHaveCount(1);
    const first = drops.getByRole('row').nth(1);
    await expect(first).toContainText('points');
    const name = (await first.getByRole('link').textContent())!;
    await first.getByRole('link').click();
    await expect(page.getByRole('heading', { level: 2, name })).toBeVisible();
    await expect(page.getByTestId('health-score')).toBeVisible();

    await page.getByRole('link', { name: 'Health model' }).click();
    await page.getByRole('button', { name: 'Run backtest' }).click();
    const backtest = page.getByTestId('backtest');
    for (const days of [30, 60, 90]) await expect(backtest.getByTestId(`backtest-${days}`)).toContainText(/0\.\d\d/);
    await expect(backtest.getByRole('figure')).toBeVisible();
    // The worker ran it and kept it: it is still there after a reload, with who ran it.
    await page.reload();
    await expect(page.getByTestId('backtest-when')).toContainText('Run by Dana Demo');
    await expect(page.getByTestId('backtest').getByTestId('backtest-30')).toContainText(/0\.\d\d/);
    await expect(page.getByRole('button', { name: 'Run again' })).toBeEnabled();

    // Live preview, nothing saved: an overweight total is refused beside the weights, a valid one previewed.
    await page.getByLabel('Sentiment').fill('50');
    await expect(page.getByTestId('weight-total')).toContainText('Total: 120 — 20 too many');
    await expect(page.getByText('The weights add up to 120; they must add up to 100.')).toBeVisible();
    await page.getByLabel('Engagement').fill('0');
    await expect(page.getByTestId('weight-total')).toHaveText('Total: 100');
    await expect(page.getByTestId('settings-preview')).toContainText(/\d+ of \d+ scored clients would change risk level/);
    await page.reload();
    await expect(page.getByLabel('Sentiment')).toHaveValue('30');
  },
);

test('an admin raises the healthy threshold: the preview names the move, saving rescores the client, and it is audited', async ({
  page,
}) => {
  const workspacePath = await signUp(page, 'Theo Thresholds');
  await page.goto(`${workspacePath}/clients/new`);
  await page.getByLabel('Name', { exact: true }).fill('Initech Health');
  await page.getByRole('button', { name: 'Add client' }).click();
  await page.getByLabel('What was said').fill('Great quarter, the team loves the product and wants more seats.');
  await page.getByRole('button', { name: 'Log interaction' }).click();
  // Analysed, and the score that includes it shown (the page computes it live).
  await expect(page.getByTestId('health-reasons')).toContainText('1 positive interaction', { timeout: 20_000 });
  await expect(page.getByTestId('health')).toContainText('Healthy');
  const score = Number(await page.getByTestId('health-score').textContent());
  const clientUrl = page.url();

  // The preview reads the stored scores, which the worker writes a second or so after the analysis.
  await page.goto(`${workspacePath}/health`);
  const preview = page.getByTestId('settings-preview');
  await expect(async () => {
    await page.reload();
    await page.getByLabel('Healthy from').fill(String(score + 1));
    await expect(preview).toContainText('1 of 1 scored client would change risk level', { timeout: 2_000 });
  }).toPass({ timeout: 20_000 });
  await expect(preview).toContainText('1 Healthy → At risk');
  // A critical threshold above the healthy one is refused beside its field, and nothing is saved.
  await page.getByLabel('Critical below').fill('100');
  await page.getByRole('button', { name: 'Save and rescore' }).click();
  await expect(page.getByText(/The critical threshold must be below the healthy threshold|At most 99/).first()).toBeVisible();
  await page.getByLabel('Critical below').fill('40');
  await page.getByRole('button', { name: 'Save and rescore' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved. Every client is being rescored' })).toBeVisible();
  // The worker rescored the workspace; the page stops saying so by itself.
  await expect(page.getByTestId('recomputing')).toBeHidden({ timeout: 20_000 });
  await expect(page.getByLabel('Healthy from')).toHaveValue(String(score + 1));

  await page.goto(clientUrl);
  await expect(page.getByTestId('health')).toContainText('At risk');
  await page.goto(`${workspacePath}/audit`);
  await expect(page.locator('code', { hasText: 'health.settings_changed' })).toBeVisible();
});
