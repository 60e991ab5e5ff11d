import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

/** `supabase/migrations`, where the Supabase CLI looks too. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../supabase/migrations', import.meta.url));
const BOOTSTRAP_FILE = fileURLToPath(new URL('./local-supabase-bootstrap.sql', import.meta.url));
/** Supabase CLI convention: `<14-digit timestamp>_<verb_noun>.sql`. */
const MIGRATION_NAME = /^(\d{14})_([a-z0-9_]+)\.sql$/;
const LOCK_KEY = 'clientpulse:migrations';

export type MigrationFile = { version: string; name: string; fileName: string; filePath: string };

export class MigrationError extends Error {
  override name = 'MigrationError';
  constructor(
    message: string,
    readonly fileName: string,
  ) {
    super(message);
  }
}

export async function listMigrationFiles(dir = MIGRATIONS_DIR): Promise<MigrationFile[]> {
  const entries = (await readdir(dir)).filter((entry) => entry.endsWith('.sql')).sort();
  return entries.map((fileName) => {
    const match = MIGRATION_NAME.exec(fileName);
    if (!match) {
      throw new MigrationError(`Migration file ${fileName} is not named <14-digit timestamp>_<verb_noun>.sql`, fileName);
    }
    return { version: match[1]!, name: match[2]!, fileName, filePath: path.join(dir, fileName) };
  });
}

async function ensureHistoryTable(client: pg.ClientBase): Promise<void> {
  // The same table, columns and shape the Supabase CLI creates, so `supabase db push` and this
  // migrator agree on what has been applied.
  await client.query(`
    create schema if not exists supabase_migrations;
    create table if not exists supabase_migrations.schema_migrations (version text not null primary key);
    alter table supabase_migrations.schema_migrations add column if not exists statements text[];
    alter table supabase_migrations.schema_migrations add column if not exists name text;
  `);
}

async function appliedVersions(client: pg.ClientBase): Promise<Set<string>> {
  const { rows } = await client.query<{ version: string }>('select version from supabase_migrations.schema_migrations');
  return new Set(rows.map((row) => row.version));
}

/** Line number of a Postgres error position inside `text`, for messages a person can act on. */
function lineOf(text: string, position: string | undefined): number | undefined {
  const offset = Number(position);
  if (!Number.isInteger(offset) || offset < 1) return undefined;
  return text.slice(0, offset - 1).split('\n').length;
}

async function runInTransaction(client: pg.ClientBase, text: string, fileName: string, after?: () => Promise<void>): Promise<void> {
  await client.query('begin');
  try {
    await client.query(text);
    await after?.();
    await client.query('commit');
  } catch (error) {
    await client.query('rollback');
    const pgError = error as pg.DatabaseError;
    const line = lineOf(text, pgError.position);
    throw new MigrationError(`Migration ${fileName} failed${line ? ` at line ${line}` : ''}: ${pgError.message}`, fileName);
  }
}

/**
 * Creates what Supabase provides and plain Postgres lacks (API roles, `auth.uid()` and friends).
 * Skipped when schema `auth` exists, which is always the case on a real Supabase project.
 */
async function bootstrapLocalSupabase(client: pg.ClientBase): Promise<boolean> {
  const { rows } = await client.query<{ exists: boolean }>("select exists (select 1 from pg_namespace where nspname = 'auth') as exists");
  if (rows[0]?.exists) return false;
  await runInTransaction(client, await readFile(BOOTSTRAP_FILE, 'utf8'), path.basename(BOOTSTRAP_FILE));
  return true;
}

export type MigrateResult = { bootstrapped: boolean; applied: string[] };

/**
 * Applies pending migrations in file-name order, each in its own transaction, and records each in
 * `supabase_migrations.schema_migrations`. A failing file is rolled back and stops the run with an
 * error naming it; files before it stay applied. An advisory lock makes concurrent runs queue.
 */
export async function migrate(options: {
  databaseUrl: string;
  dir?: string;
  onApplied?: (fileName: string) => void;
}): Promise<MigrateResult> {
  const files = await listMigrationFiles(options.dir);
  const client = new pg.Client({ connectionString: options.databaseUrl, application_name: 'clientpulse-migrate' });
  await client.connect();
  try {
    await client.query('select pg_advisory_lock(hashtext($1))', [LOCK_KEY]);
    const bootstrapped = await bootstrapLocalSupabase(client);
    await ensureHistoryTable(client);
    const done = await appliedVersions(client);
    const applied: string[] = [];
    for (const file of files) {
      if (done.has(file.version)) continue;
      const text = await readFile(file.filePath, 'utf8');
      await runInTransaction(client, text, file.fileName, async () => {
        await client.query('insert into supabase_migrations.schema_migrations (version, name, statements) values ($1, $2, $3)', [
          file.version,
          file.name,
          [text],
        ]);
      });
      applied.push(file.fileName);
      options.onApplied?.(file.fileName);
    }
    return { bootstrapped, applied };
  } finally {
    await client.end();
  }
}

/** Migration file names in `dir` whose version is not among `appliedVersions`; empty when the schema is current. */
export async function pendingMigrations(appliedVersions: Iterable<string>, dir?: string): Promise<string[]> {
  const done = new Set(appliedVersions);
  return (await listMigrationFiles(dir)).filter((file) => !done.has(file.version)).map((file) => file.fileName);
}
