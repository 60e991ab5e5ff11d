import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { signUp } from './workspace';

const CLIENTS_CSV = [
  'Company,External ID,Website,Monthly revenue,Tags,Contact email',
  'Alpha Analytics,A-1,alpha.example,"1,250.00",enterprise,ana@alpha.example',
  'Beta Bakeries,A-2,beta.example,300,smb,',
  ',A-3,gamma.example,100,,',
  'Delta Dynamics,A-4,delta.example,lots,,',
  'Epsilon Energy,A-5,https://www.epsilon.example/,990,enterprise,',
].join('\n');

test(
  'import clients from a CSV with column mapping, see the bad rows and download them, ' + 'import their interactions, and export the list',
  async ({ page }) => {
    const workspacePath = await signUp(page, 'Ivy Importer');
    await page.goto(`${workspacePath}/clients`);
    await page.getByRole('link', { name: 'Import CSV' }).click();
    await expect(page.getByText('No imports yet.')).toBeVisible();

    // Submitting without a file says so beside the file field.
    await page.getByRole('button', { name: 'Upload and map columns' }).click();
    await expect(page.getByText('Choose a CSV file')).toBeVisible();

    await page.getByLabel('CSV file').setInputFiles({ name: 'crm-export.csv', mimeType: 'text/csv', buffer: Buffer.from(CLIENTS_CSV) });
    await page.getByRole('button', { name: 'Upload and map columns' }).click();

    // Mapping: the file's first rows, our guesses, and the first row's value under each choice.
    await expect(page.getByRole('heading', { name: 'First rows of crm-export.csv' })).toBeVisible();
    await expect(page.getByRole('cell', { name: 'Alpha Analytics' })).toBeVisible();
    await expect(page.getByLabel('Name', { exact: true })).toHaveValue('0');
    await expect(page.getByText('First row: “A-1”')).toBeVisible();
    await expect(page.getByLabel('MRR')).toHaveValue('3');
    await page.getByLabel('Tags').selectOption({ label: 'Don’t import' });
    await page.getByLabel('Name', { exact: true }).selectOption({ label: 'Don’t import' });
    await page.getByRole('button', { name: 'Start import' }).click();
    await expect(page.getByText('Map the column with the client name')).toBeVisible();
    await page.getByLabel('Name', { exact: true }).selectOption({ label: 'Company' });
    await page.getByRole('button', { name: 'Start import' }).click();

    // The worker runs it; the page follows it live until it is done.
    await expect(page.getByRole('heading', { name: 'Import finished' })).toBeVisible({ timeout: 20_000 });
    const figures = page.locator('.facts');
    await expect(figures.getByText('Added')).toBeVisible();
    await expect(figures.locator('div', { hasText: 'Added' }).locator('dd')).toHaveText('3');
    await expect(figures.locator('div', { hasText: 'Bad rows' }).locator('dd')).toHaveText('2');
    const badRows = page.getByRole('table');
    await expect(badRows.getByRole('row', { name: /^4 Name: Enter the client name/ })).toBeVisible();
    await expect(badRows.getByRole('row', { name: /^5 MRR "lots" is not an amount/ })).toBeVisible();

    const downloadPromise = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Download bad rows (CSV)' }).click();
    const download = await downloadPromise;
    expect(download.suggestedFilename()).toBe('crm-export-bad-rows.csv');
    const report = await readFile((await download.path())!, 'utf8');
    expect(report.trim().split('\n')).toEqual([
      'row,reason,Company,External ID,Website,Monthly revenue,Tags,Contact email',
      '4,Name: Enter the client name,,A-3,gamma.example,100,,',
      '5,"MRR ""lots"" is not an amount like 1250.00",Delta Dynamics,A-4,delta.example,lots,,',
    ]);

    // Imported clients are in the list; tags were not mapped, so none were set.
    await page.getByRole('link', { name: 'See the clients' }).click();
    await expect(page.getByRole('link', { name: 'Alpha Analytics' })).toBeVisible();
    await expect(page.getByRole('link', { name: 'Epsilon Energy' })).toBeVisible();
    await expect(page.getByText('$1,250')).toBeVisible();
    await expect(page.locator('.tag')).toHaveCount(0);

    // Interactions of those clients, from a second file.
    await page.getByRole('link', { name: 'Import CSV' }).click();
    await page.getByLabel('Interactions (emails, calls, meetings, tickets, chats, notes) of existing clients').check();
    await page.getByLabel('CSV file').setInputFiles({
      name: 'activities.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(
        'Account ID,Type,Date,Subject,Body\n' +
          'A-1,Call,2026-05-04 10:00,Renewal chat,They plan to expand next quarter.\n' +
          'Z-9,Email,2026-05-05,Hi,Unknown client\n',
      ),
    });
    await page.getByRole('button', { name: 'Upload and map columns' }).click();
    await expect(page.getByLabel('Client external id')).toHaveValue('0');
    await page.getByRole('button', { name: 'Start import' }).click();
    await expect(page.getByRole('heading', { name: 'Import finished' })).toBeVisible({ timeout: 20_000 });
    await expect(page.getByRole('row', { name: /^3 No client with external id "Z-9"/ })).toBeVisible();
    await page.getByRole('link', { name: 'See the clients' }).click();
    await page.getByRole('link', { name: 'Alpha Analytics' }).click();
    await expect(page.getByTestId('interaction').first()).toContainText('Renewal chat');

    // Both imports are listed with their outcome.
    await page.goto(`${workspacePath}/clients/import`);
    await expect(page.getByRole('row', { name: /crm-export\.csv .* clients Done 3 0 2/ })).toBeVisible();
    await expect(page.getByRole('row', { name: /activities\.csv .* interactions Done 1 0 1/ })).toBeVisible();

    // And the list goes out again as CSV.
    await page.goto(`${workspacePath}/clients`);
    const exportPromise = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Export CSV' }).click();
    const exported = await readFile((await (await exportPromise).path())!, 'utf8');
    expect(exported).toContain('Alpha Analytics,alpha.example,A-1,active,,,1250.00,USD');
    expect(exported.trim().split('\n')).toHaveLength(4);
    // An export that matches nothing is the header alone (and ends, rather than hanging).
    const empty = await page.request.get(`${workspacePath}/clients/export?q=${encodeURIComponent('qqqqqqqqqqqq')}`);
    expect((await empty.text()).trim().split('\n')).toEqual([exported.split('\n')[0]]);
  },
);
