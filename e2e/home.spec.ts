import { expect, test } from '@playwright/test';

test('the home page shows the product and live system status', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'ClientPulse' })).toBeVisible();
  await expect(page.getByTestId('overall-status')).toHaveText('All systems ready');
  for (const name of ['postgres', 'migrations', 'redis', 'worker']) {
    await expect(page.getByTestId(`check-${name}`)).toContainText('OK');
  }
  await expect(page.getByTestId('check-worker')).toContainText('last beat');

  // "Check again" goes through the browser's tRPC client to /api/trpc, not a page reload.
  const call = page.waitForResponse((response) => response.url().includes('/api/trpc/system.status') && response.status() === 200);
  await page.getByRole('button', { name: 'Check again' }).click();
  await call;
  await expect(page.getByTestId('overall-status')).toHaveText('All systems ready');
  await expect(page.getByRole('button', { name: 'Check again' })).toBeEnabled();
});

test('GET /health/ready reports Postgres, Redis, migrations and the worker', async ({ request }) => {
  const response = await request.get('/health/ready');
  expect(response.status()).toBe(200);
  expect(await response.json()).toMatchObject({
    ok: true,
    checks: { postgres: { ok: true }, migrations: { ok: true }, redis: { ok: true }, worker: { ok: true } },
  });
});

test('an unknown page answers 404 with the error page', async ({ page }) => {
  const response = await page.goto('/no-such-page');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Error 404' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Back to the home page' })).toBeVisible();
});
