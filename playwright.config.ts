import { defineConfig } from '@playwright/test';
import { isolatedStartEnv, PROFILES } from './server/local/stack';

const baseURL = `http://localhost:${PROFILES.e2e.webPort}`;

/**
 * End-to-end tests drive Debian's Chromium (/usr/bin/chromium, installed by `npm test` when missing);
 * Playwright never downloads a browser. The product runs through `npm start`'s own script on the
 * e2e profile's ports and data directory, so a running `npm start` is never touched.
 */
export default defineConfig({
  testDir: 'e2e',
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: [['list']],
  timeout: 30_000,
  use: {
    baseURL,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  webServer: {
    command: 'node --import tsx server/local/start.ts',
    url: `${baseURL}/health/ready`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'ignore',
    stderr: 'pipe',
    gracefulShutdown: { signal: 'SIGINT', timeout: 30_000 },
    // Every run starts from empty data, so rate limits and accounts of earlier runs cannot interfere.
    env: isolatedStartEnv(PROFILES.e2e, { freshData: true }),
  },
});
