import { expect, test } from '@playwright/test';
import { extractLink, waitForEmail } from './mail';
import { signUpWithEmail } from './workspace';

test(
  'a negative interaction on a healthy client drops its score, ' +
    'the owner gets an alert in the inbox and by email, snoozes it and resolves it',
  async ({ page }) => {
    const { path: workspacePath, email } = await signUpWithEmail(page, 'Avery Alerts');
    await page.goto(`${workspacePath}/clients/new`);
    await page.getByLabel('Name', { exact: true }).fill('Vandelay Industries');
    await page.getByLabel('Account owner').selectOption({ label: 'Avery Alerts' });
    await page.getByRole('button', { name: 'Add client' }).click();
    await page.getByLabel('What was said').fill('Great quarter, the team loves the dashboards and wants more seats.');
    await page.getByRole('button', { name: 'Log interaction' }).click();
    await expect(page.getByTestId('health-reasons')).toContainText('1 positive interaction', { timeout: 20_000 });
    await expect(page.getByTestId('health')).toContainText('Healthy');
    const before = Number(await page.getByTestId('health-score').textContent());
    await expect(page.getByTestId('unread-alerts')).toBeHidden();

    await page
      .getByLabel('What was said')
      .fill('We are cancelling at the end of the month. The platform was down all week and we are moving to a competitor.');
    await page.getByRole('button', { name: 'Log interaction' }).click();
    await expect(page.getByTestId('health-reasons')).toContainText('Cancellation intent voiced', { timeout: 20_000 });
    expect(Number(await page.getByTestId('health-score').textContent())).toBeLessThan(before);
    // The navigation's count updates by itself.
    await expect(page.getByTestId('unread-alerts')).toBeVisible({ timeout: 20_000 });

    await page.getByRole('link', { name: /^Alerts/ }).click();
    const row = page.getByTestId('alert-row').filter({ hasText: 'Negative interaction with a churn signal' });
    await expect(row).toBeVisible();
    await expect(row).toContainText('Vandelay Industries');

    // The email, with a link that opens the alert.
    const message = await waitForEmail(email, {
      subject: /^Vandelay Industries: Negative interaction with a churn signal$/,
      timeoutMs: 20_000,
    });
    await page.goto(extractLink(message, '/w/'));
    await expect(
      page.getByRole('heading', { level: 2, name: /Vandelay Industries: Negative interaction with a churn signal/ }),
    ).toBeVisible();
    await expect(page.getByTestId('alert-interactions')).toContainText('Cancellation intent');
    await expect(page.getByTestId('next-step')).toContainText('Answer the message today');
    await expect(page.getByTestId('deliveries')).toContainText('Sent');

    // Snooze: a date in the past is refused beside the field; a later one snoozes it.
    await page.getByLabel('Snooze until').fill('2020-01-01');
    await page.getByRole('button', { name: 'Snooze' }).click();
    await expect(page.getByText('Choose a date after today.')).toBeVisible();
    const inThreeDays = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
    await page.getByLabel('Snooze until').fill(inThreeDays);
    await page.getByRole('button', { name: 'Snooze' }).click();
    await expect(page.getByTestId('alert-status')).toHaveText('Snoozed');

    // Resolve: acting on it needs a note.
    await page.getByRole('button', { name: 'Resolve' }).click();
    await expect(page.getByText('Say what you did, so the team can learn from it.')).toBeVisible();
    await page.getByLabel('What you did').fill('Called their COO, credited the outage week; they are staying.');
    await page.getByRole('button', { name: 'Resolve' }).click();
    await expect(page.getByTestId('alert-status')).toHaveText('Resolved');
    await expect(page.getByTestId('resolution')).toContainText(
      'action taken: “Called their COO, credited the outage week; they are staying.”',
    );

    await page.getByRole('link', { name: '← Alerts' }).click();
    await expect(page.getByTestId('quality-churn_signal')).toContainText('1');
    await page.getByRole('link', { name: 'Rules and notifications' }).click();
    await expect(page.getByTestId('rule-score_drop')).toBeVisible();
    await page.getByTestId('rule-no_contact').getByLabel('Silent for at least (days)').fill('0');
    await page.getByTestId('rule-no_contact').getByRole('button', { name: /Save/ }).click();
    await expect(page.getByTestId('rule-no_contact').getByText('At least 1 day.')).toBeVisible();
  },
);
