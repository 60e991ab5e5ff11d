import { defineConfig } from '@playwright/test';
import { PROFILES } from './server/local/stack';

const { webPort, postgresPort, redisPort, smtpPort, mailWebPort, dataDir } = PROFILES.e2e;
const baseURL = `http://localhost:${webPort}`;

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
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
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
    env: {
      DATABASE_URL: '',
      REDIS_URL: '',
      SMTP_URL: '',
      NODE_ENV: 'development',
      LOG_PRETTY: 'false',
      LOG_LEVEL: 'warn',
      PORT: String(webPort),
      APP_URL: baseURL,
      CLIENTPULSE_DATA_DIR: dataDir,
      CLIENTPULSE_POSTGRES_PORT: String(postgresPort),
      CLIENTPULSE_REDIS_PORT: String(redisPort),
      CLIENTPULSE_SMTP_PORT: String(smtpPort),
      CLIENTPULSE_MAIL_WEB_PORT: String(mailWebPort),
      CLIENTPULSE_SKIP_BUILD: '1',
      // Every run starts from empty data, so rate limits and accounts of earlier runs cannot interfere.
      CLIENTPULSE_FRESH_DATA: '1',
    },
  },
});
