/**
 * `npm start`: the whole product on this machine. Starts embedded Postgres, Redis and the mail
 * catcher (unless DATABASE_URL / REDIS_URL / SMTP_URL point elsewhere), applies migrations, builds
 * the app, runs the web and the worker, and on Ctrl-C stops everything it started.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pino } from 'pino';
import { DEMO_LOGIN, seedDemo } from './seed';
import { PROFILES, ROOT_DIR, startLocalStack, type LocalStack } from './stack';

if (existsSync(path.join(ROOT_DIR, '.env'))) process.loadEnvFile(path.join(ROOT_DIR, '.env'));

const profile = { ...PROFILES.dev, webPort: Number(process.env.PORT ?? PROFILES.dev.webPort) };
const ports = {
  postgresPort: Number(process.env.CLIENTPULSE_POSTGRES_PORT ?? profile.postgresPort),
  redisPort: Number(process.env.CLIENTPULSE_REDIS_PORT ?? profile.redisPort),
  smtpPort: Number(process.env.CLIENTPULSE_SMTP_PORT ?? profile.smtpPort),
  mailWebPort: Number(process.env.CLIENTPULSE_MAIL_WEB_PORT ?? profile.mailWebPort),
};
const appUrl = process.env.APP_URL ?? `http://localhost:${profile.webPort}`;
const say = (line: string) => process.stdout.write(`[clientpulse] ${line}\n`);

const children: ChildProcess[] = [];
let stack: LocalStack | undefined;
let stopping = false;

function exitOf(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

async function stopAll(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    say('stopping…');
    for (const child of children) child.kill('SIGTERM');
    const forced = setTimeout(() => children.forEach((child) => child.kill('SIGKILL')), 15_000);
    await Promise.all(children.map(exitOf));
    clearTimeout(forced);
    await stack?.stop();
    say('stopped: web, worker, Redis and Postgres are down.');
  }
  process.exit(code);
}
process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));
// If whatever started us (npm, a shell) is killed without passing the signal on, we are re-parented:
// shut down rather than leave Postgres, Redis, the web and the worker running with no one to stop them.
const startedBy = process.ppid;
setInterval(() => {
  if (process.ppid !== startedBy) void stopAll(0);
}, 1_000).unref();

function run(command: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(command, args, { cwd: ROOT_DIR, env, stdio: 'inherit' });
  children.push(child);
  child.on('exit', (code, signal) => {
    if (stopping) return;
    say(`${path.basename(args.at(-1) ?? command)} exited unexpectedly (${signal ?? `code ${code}`}); stopping everything.`);
    void stopAll(1);
  });
  return child;
}

/** A random session secret made once per checkout and kept in `.data/`, so sessions survive restarts. */
async function localSessionSecret(): Promise<string> {
  const file = path.join(ROOT_DIR, '.data/session-secret');
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const secret = randomBytes(32).toString('hex');
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

async function waitUntilReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline && !stopping) {
    try {
      const response = await fetch(url);
      if (response.ok) return;
      last = await response.text();
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`not ready after ${timeoutMs / 1000} s: ${last}`);
}

try {
  say('starting services…');
  stack = await startLocalStack({ profile: { ...profile, ...ports }, log: say, fresh: process.env.CLIENTPULSE_FRESH_DATA === '1' });
  const seeded = await seedDemo({ databaseUrl: stack.databaseUrl, smtpUrl: stack.smtpUrl, appUrl, log: pino({ level: 'warn' }) });
  if (seeded.created) say(`seeded the demo workspace`);
  if (!process.env.CLIENTPULSE_SKIP_BUILD) {
    say('building the app…');
    const build = spawn('npm', ['run', 'build'], { cwd: ROOT_DIR, stdio: 'inherit' });
    const code = await new Promise<number | null>((resolve) => build.on('exit', resolve));
    if (code !== 0) throw new Error('the app did not build (see above)');
  }
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: process.env.NODE_ENV ?? 'development',
    PORT: String(profile.webPort),
    APP_URL: appUrl,
    DATABASE_URL: stack.databaseUrl,
    REDIS_URL: stack.redisUrl,
    SESSION_SECRET: process.env.SESSION_SECRET ?? (await localSessionSecret()),
    SMTP_URL: stack.smtpUrl,
    // A Slack-compatible chat server on this machine may take the alerts (never in production: server/http/outbound.ts).
    OUTBOUND_ALLOW_LOOPBACK: process.env.OUTBOUND_ALLOW_LOOPBACK ?? 'true',
  };
  run(process.execPath, ['--import', 'tsx', 'server/web.ts'], env);
  run(process.execPath, ['--import', 'tsx', 'worker/index.ts'], env);
  await waitUntilReady(`http://127.0.0.1:${profile.webPort}/health/ready`, 60_000);
  say('');
  say(`ClientPulse is running: ${appUrl}`);
  say(`Health: ${appUrl}/health/ready · Press Ctrl-C to stop.`);
  say(`Demo login: ${DEMO_LOGIN.email} / ${DEMO_LOGIN.password}`);
  if (stack.mailCatcherUrl) say(`Mail sent locally: ${stack.mailCatcherUrl}`);
  say(
    `ready (start pid ${process.pid}, web pid ${children[0]?.pid}, worker pid ${children[1]?.pid}, ` +
      `postgres pid ${stack.started[0]?.pid ?? 'external'}, redis pid ${stack.started[1]?.pid ?? 'external'})`,
  );
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`[clientpulse] start-up failed: ${message}\n`);
  await stopAll(1);
}
