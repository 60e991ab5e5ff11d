import { randomUUID } from 'node:crypto';
import { expect, type Page } from '@playwright/test';

/** Signs up a new owner with a new workspace; returns the workspace's path (`/w/<slug>`). */
export async function signUp(page: Page, name = 'Cora Clients') {
  return (await signUpWithEmail(page, name)).path;
}

/** Signs up a new owner with a new workspace; returns the workspace's path and the owner's email. */
export async function signUpWithEmail(page: Page, name = 'Cora Clients'): Promise<{ path: string; email: string }> {
  const run = randomUUID().slice(0, 8);
  const email = `cora-${run}@example.test`;
  await page.goto('/signup');
  await page.getByLabel('Your name').fill(name);
  await page.getByLabel('Work email').fill(email);
  await page.getByLabel('Password').fill('a long and private passphrase');
  await page.getByLabel('Workspace name').fill(`Portfolio ${run}`);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('heading', { level: 1, name: `Portfolio ${run}` })).toBeVisible();
  return { path: new URL(page.url()).pathname, email };
}

/** Logs in as the demo owner (seeded by `npm start`) and lands in the demo workspace. */
export async function logInAsDemo(page: Page) {
  await page.goto('/login');
  await page.getByLabel('Email').fill('demo@clientpulse.local');
  await page.getByLabel('Password').fill('pulse-demo-2026');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Demo Workspace' })).toBeVisible();
}
