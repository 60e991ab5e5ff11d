import { expect, test, type Page } from '@playwright/test';
import { signUp } from './workspace';

async function addClient(
  page: Page,
  workspacePath: string,
  fields: { name: string; domain?: string; mrr?: string; tags?: string; status?: string },
) {
  await page.goto(`${workspacePath}/clients/new`);
  await page.getByLabel('Name', { exact: true }).fill(fields.name);
  if (fields.domain) await page.getByLabel('Domain').fill(fields.domain);
  if (fields.mrr) await page.getByLabel('MRR').fill(fields.mrr);
  if (fields.tags) await page.getByLabel('Tags').fill(fields.tags);
  await page.getByRole('button', { name: 'Add client' }).click();
  await expect(page.getByRole('heading', { level: 2, name: fields.name })).toBeVisible();
}

test('create clients, log interactions, search a misspelt name, filter and sort, and open a shared filtered URL', async ({
  page,
  browser,
}) => {
  const workspacePath = await signUp(page);

  // A bad form submission keeps what was typed and says what is wrong.
  await page.goto(`${workspacePath}/clients/new`);
  await page.getByLabel('Name', { exact: true }).fill('Broken Co');
  await page.getByLabel('Domain').fill('not a domain');
  await page.getByLabel('MRR').fill('lots');
  await page.getByRole('button', { name: 'Add client' }).click();
  await expect(page.getByText('Enter a domain like acme.com')).toBeVisible();
  await expect(page.getByText('Enter MRR as a number')).toBeVisible();

  await addClient(page, workspacePath, {
    name: 'Northwind Traders',
    domain: 'https://www.northwind.example/',
    mrr: '4200',
    tags: 'enterprise, emea',
  });
  await expect(page.getByText('Not scored yet').first()).toBeVisible();
  await expect(page.getByText('$4,200')).toBeVisible();
  await expect(page.getByText('northwind.example')).toBeVisible();

  // Log interactions from the keyboard-friendly form; newest appears first.
  for (const [subject, body] of [
    ['Kick-off', 'Great call, the team is excited.'],
    ['Pricing question', 'They asked about the renewal price.'],
  ] as const) {
    await page.getByLabel('Subject').fill(subject);
    await page.getByLabel('What was said').fill(body);
    await page.getByRole('button', { name: 'Log interaction' }).click();
    await expect(page.getByText('Logged. Its sentiment appears below in a few seconds.')).toBeVisible();
  }
  await expect(page.getByTestId('interaction').first()).toContainText('Pricing question');
  await expect(page.getByTestId('interaction')).toHaveCount(2);

  await addClient(page, workspacePath, { name: 'Contoso Pharma', mrr: '900', tags: 'smb' });
  await addClient(page, workspacePath, { name: 'Fabrikam', mrr: '12000', tags: 'enterprise' });

  // Typo-tolerant search.
  await page.goto(`${workspacePath}/clients`);
  await expect(page.getByTestId('client-row')).toHaveCount(3);
  await page.getByLabel('Search').fill('Northwnd Tradrs');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page.getByTestId('client-row')).toHaveCount(1);
  await expect(page.getByTestId('client-row')).toContainText('Northwind Traders');

  // Filter by tag and sort by MRR, descending; the filters live in the URL.
  await page.getByLabel('Search').fill('');
  await page.getByLabel('Tag', { exact: true }).fill('enterprise');
  await page.getByLabel('Sort by').selectOption('mrr');
  await page.getByLabel('Order').selectOption('desc');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page.getByTestId('client-row')).toHaveCount(2);
  await expect(page.getByTestId('client-row').first()).toContainText('Fabrikam');
  const shared = page.url();
  expect(new URL(shared).searchParams.get('tag')).toBe('enterprise');

  // A teammate's browser (same account, new session) opening the shared URL sees the same view.
  const other = await browser.newPage({ storageState: await page.context().storageState() });
  await other.goto(shared);
  await expect(other.getByTestId('client-row')).toHaveCount(2);
  await expect(other.getByTestId('client-row').first()).toContainText('Fabrikam');
  await expect(other.getByLabel('Tag', { exact: true })).toHaveValue('enterprise');
  await expect(other.getByLabel('Sort by')).toHaveValue('mrr');

  // Export the filtered list as CSV.
  const [download] = await Promise.all([other.waitForEvent('download'), other.getByRole('link', { name: 'Export CSV' }).click()]);
  const csv = await (await import('node:fs/promises')).readFile((await download.path())!, 'utf8');
  const lines = csv.trim().split('\n');
  expect(lines[0]).toBe(
    'name,domain,external_id,status,churned_at,churn_reason,mrr,currency,plan,renewal_date,' +
      'owner,tags,health_score,risk_level,last_contact_at,stripe_customer_id',
  );
  expect(lines).toHaveLength(3);
  expect(lines[1]).toMatch(/^Fabrikam,,,active,,,12000\.00,USD,/);
  expect(lines[2]).toMatch(/^Northwind Traders,northwind\.example,/);

  // Bulk action: tag both enterprise clients, then find them by the new tag.
  await other.getByLabel('Select Fabrikam').check();
  await other.getByLabel('Select Northwind Traders').check();
  await other.getByLabel('With the selected clients').selectOption('add_tag');
  await other.getByLabel('Tag to add or remove').fill('q4-renewal');
  await other.getByRole('button', { name: 'Apply to selected' }).click();
  await expect(other.getByText('Updated the selected clients.')).toBeVisible();
  await other.goto(`${workspacePath}/clients?tag=q4-renewal`);
  await expect(other.getByTestId('client-row')).toHaveCount(2);
});
