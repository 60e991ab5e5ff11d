import { expect, test } from '@playwright/test';

test('the home page runs under its Content-Security-Policy without a single violation', async ({ page }) => {
  // Chromium logs "Refused to …" to the console for a blocked script or style; the event catches the
  // rest. The init script runs through DevTools, outside the page's CSP.
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || 'inline'}`);
    });
  });
  const consoleMessages: string[] = [];
  page.on('console', (message) => consoleMessages.push(`${message.type()}: ${message.text()}`));

  const response = await page.goto('/');
  expect(response?.status()).toBe(200);
  const csp = (await response?.headerValue('content-security-policy')) ?? '';
  const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
  expect(nonce, `CSP header: ${csp}`).toBeTruthy();

  // Every script in the served HTML carries this response's nonce (Remix's, React's, single fetch's).
  const html = (await response?.text()) ?? '';
  const scriptTags = html.match(/<script\b[^>]*>/g) ?? [];
  expect(scriptTags.length).toBeGreaterThan(0);
  for (const tag of scriptTags) expect(tag).toContain(`nonce="${nonce}"`);
  // Browsers hide the attribute from the DOM once the policy applies; the property keeps it.
  const domNonces = await page.locator('script').evaluateAll((scripts) => scripts.map((script) => (script as HTMLScriptElement).nonce));
  expect(new Set(domNonces)).toEqual(new Set([nonce]));

  // Hydration worked under the policy: "Check again" calls the tRPC client over fetch.
  const call = page.waitForResponse((reply) => reply.url().includes('/api/trpc/system.status') && reply.status() === 200);
  await page.getByRole('button', { name: 'Check again' }).click();
  await call;
  await expect(page.getByTestId('overall-status')).toHaveText('All systems ready');
  await expect(page.getByRole('button', { name: 'Check again' })).toBeEnabled();

  expect(consoleMessages.filter((message) => /CSP violation|Content Security Policy|Refused to/i.test(message))).toEqual([]);
});

test('a cross-site POST is refused with 403', async ({ request }) => {
  const response = await request.post('/api/trpc/system.status', { headers: { Origin: 'https://evil.example' }, data: {} });
  expect(response.status()).toBe(403);
  expect(await response.json()).toEqual({ error: 'Cross-site request refused' });
});
