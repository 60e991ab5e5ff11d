import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { waitForExit } from './processes';
import { isolatedStartEnv, ROOT_DIR, type Profile } from './stack';

// `npm start` as a user runs it, on ports and a data directory of this test's own.
const dataDir = path.join(ROOT_DIR, '.data/test-start');
const profile: Profile = { dataDir, webPort: 3012, postgresPort: 15435, redisPort: 6392, smtpPort: 1035, mailWebPort: 1090 };

async function portAnswers(port: number): Promise<boolean> {
  return fetch(`http://127.0.0.1:${port}/health/live`).then(
    () => true,
    () => false,
  );
}

type Exit = { code: number | null; signal: NodeJS.Signals | null };
type Run = {
  pids: Record<string, number>;
  /** Ctrl-C in a terminal: SIGINT to every process in the foreground group. */
  pressCtrlC(): Promise<Exit>;
  /** Only npm itself is told to stop, as a process manager or `kill <pid>` would. */
  terminateNpm(): Promise<Exit>;
  output(): string;
};

/** Starts `npm start` in its own process group and resolves once it prints that it is ready. */
function startProduct(): Promise<Run> {
  const child = spawn('npm', ['start'], {
    cwd: ROOT_DIR,
    detached: true, // its own process group, so the test can send Ctrl-C to the whole group as a terminal does
    env: {
      ...process.env,
      ...isolatedStartEnv(profile),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exit = new Promise<Exit>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  let output = '';
  return new Promise<Run>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start was not ready within 90 s:\n${output}`)), 90_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const ready = /ready \(start pid (\d+), web pid (\d+), worker pid (\d+), postgres pid (\d+), redis pid (\d+)\)/.exec(output);
      if (!ready) return;
      clearTimeout(timer);
      const [, start, web, worker, postgres, redis] = ready.map(Number);
      resolve({
        pids: { start: start!, web: web!, worker: worker!, postgres: postgres!, redis: redis! },
        async pressCtrlC() {
          process.kill(-child.pid!, 'SIGINT');
          return exit;
        },
        async terminateNpm() {
          child.kill('SIGTERM');
          return exit;
        },
        output: () => output,
      });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exit.then(({ code, signal }) => reject(new Error(`npm start exited early (${signal ?? code}):\n${output}`)));
  });
}

afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('npm start', () => {
  it('serves a ready product, stops everything it started on Ctrl-C, and reuses its data next time', { timeout: 240_000 }, async () => {
    const first = await startProduct();
    const ready = await fetch(`http://127.0.0.1:${profile.webPort}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ok: true, checks: { postgres: { ok: true }, redis: { ok: true }, worker: { ok: true } } });
    const dbUrl = `postgres://postgres:postgres@127.0.0.1:${profile.postgresPort}/clientpulse`;
    const client = new pg.Client({ connectionString: dbUrl });
    await client.connect();
    await client.query('create table public.survives_restart (note text); insert into public.survives_restart values ($$kept$$)');
    await client.end();

    // npm re-raises the Ctrl-C it was sent once its script has exited, as a shell expects.
    expect(await first.pressCtrlC()).toEqual({ code: null, signal: 'SIGINT' });

    expect(await waitForExit(first.pids, 30_000)).toEqual([]);
    expect(first.output()).toContain('stopped: web, worker, Redis and Postgres are down.');
    expect(await portAnswers(profile.webPort)).toBe(false);
    expect(existsSync(path.join(dataDir, 'postgres/postmaster.pid'))).toBe(false);
    expect(execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })).not.toContain(dataDir);

    const second = await startProduct();
    const again = new pg.Client({ connectionString: dbUrl });
    await again.connect();
    const { rows } = await again.query('select note from public.survives_restart');
    await again.end();
    expect(rows).toEqual([{ note: 'kept' }]);
    expect(await second.pressCtrlC()).toEqual({ code: null, signal: 'SIGINT' });
    expect(await waitForExit(second.pids, 30_000)).toEqual([]);
  });

  it('stops everything it started when only npm is terminated', { timeout: 120_000 }, async () => {
    const run = await startProduct();
    await run.terminateNpm();
    expect(await waitForExit(run.pids, 30_000)).toEqual([]);
    expect(run.output()).toContain('stopped: web, worker, Redis and Postgres are down.');
    expect(await portAnswers(profile.webPort)).toBe(false);
  });
});
