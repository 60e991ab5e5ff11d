import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createScratchDatabase } from '../testing/services';
import { listMigrationFiles, migrate, MigrationError, MIGRATIONS_DIR, pendingMigrations } from './migrate';

let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
let dir: string;

beforeEach(async () => {
  scratch = await createScratchDatabase();
  dir = await mkdtemp(path.join(tmpdir(), 'migrations-'));
});
afterEach(async () => {
  await scratch.drop();
  await rm(dir, { recursive: true, force: true });
});

async function query<T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: scratch.url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** Everything a migration could have changed that we care about: tables, columns and functions. */
async function schemaSnapshot(): Promise<string[]> {
  const rows = await query<{ item: string }>(`
    select format('%s.%s.%s %s', table_schema, table_name, column_name, data_type) as item
      from information_schema.columns where table_schema not in ('pg_catalog', 'information_schema')
    union all
    select format('fn %s.%s', n.nspname, p.proname) from pg_proc p join pg_namespace n on n.oid = p.pronamespace
     where n.nspname not in ('pg_catalog', 'information_schema')
    union all
    select format('row %s', version) from supabase_migrations.schema_migrations
    order by 1`);
  return rows.map((row) => row.item);
}

const createNotes = `-- notes
create table public.notes (id bigint generated always as identity primary key, body text not null);
alter table public.notes enable row level security;
`;

describe('migrate', () => {
  it('bootstraps the Supabase roles and auth functions, applies files in order and records them like the Supabase CLI', async () => {
    await writeFile(path.join(dir, '20260101000000_create_notes.sql'), createNotes);
    await writeFile(path.join(dir, '20260102000000_add_notes_title.sql'), 'alter table public.notes add column title text;');

    const result = await migrate({ databaseUrl: scratch.url, dir });

    expect(result).toEqual({ bootstrapped: true, applied: ['20260101000000_create_notes.sql', '20260102000000_add_notes_title.sql'] });
    const recorded = await query<{ version: string; name: string; statements: string[] }>(
      'select version, name, statements from supabase_migrations.schema_migrations order by version',
    );
    expect(recorded).toEqual([
      { version: '20260101000000', name: 'create_notes', statements: [createNotes] },
      { version: '20260102000000', name: 'add_notes_title', statements: ['alter table public.notes add column title text;'] },
    ]);
    const roles = await query<{ rolname: string }>(
      "select rolname from pg_roles where rolname in ('anon', 'authenticated', 'service_role') order by rolname",
    );
    expect(roles.map((role) => role.rolname)).toEqual(['anon', 'authenticated', 'service_role']);
    const [claims] = await query<{ uid: string; role: string; sub: string }>(`
      select set_config('request.jwt.claims', '{"sub":"00000000-0000-4000-8000-000000000001","role":"authenticated"}', false),
             auth.uid()::text as uid, auth.role() as role, auth.jwt() ->> 'sub' as sub`);
    expect(claims).toMatchObject({
      uid: '00000000-0000-4000-8000-000000000001',
      role: 'authenticated',
      sub: '00000000-0000-4000-8000-000000000001',
    });
  });

  it('changes nothing when run a second time', async () => {
    await writeFile(path.join(dir, '20260101000000_create_notes.sql'), createNotes);
    await migrate({ databaseUrl: scratch.url, dir });
    const before = await schemaSnapshot();

    const again = await migrate({ databaseUrl: scratch.url, dir });

    expect(again).toEqual({ bootstrapped: false, applied: [] });
    expect(await schemaSnapshot()).toEqual(before);
  });

  it('stops at a broken migration, names the file and the Postgres error, and leaves the schema as it was', async () => {
    await writeFile(path.join(dir, '20260101000000_create_notes.sql'), createNotes);
    await migrate({ databaseUrl: scratch.url, dir });
    const before = await schemaSnapshot();
    await writeFile(
      path.join(dir, '20260103000000_add_broken_things.sql'),
      'create table public.half_done (id int);\nalter table public.notes add column summary text;\nselect * from public.no_such_table;\n',
    );

    const failure = await migrate({ databaseUrl: scratch.url, dir }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(MigrationError);
    expect((failure as MigrationError).fileName).toBe('20260103000000_add_broken_things.sql');
    expect((failure as Error).message).toBe(
      'Migration 20260103000000_add_broken_things.sql failed at line 3: relation "public.no_such_table" does not exist',
    );
    expect(await schemaSnapshot()).toEqual(before);
    expect(await pendingMigrations(['20260101000000'], dir)).toEqual(['20260103000000_add_broken_things.sql']);
  });

  it('skips the local bootstrap when schema auth already exists, as on a real Supabase project', async () => {
    await query('create schema auth');
    const result = await migrate({ databaseUrl: scratch.url, dir });
    expect(result.bootstrapped).toBe(false);
    expect(await query("select 1 from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'auth'")).toEqual([]);
  });

  it('refuses a file that does not follow the <timestamp>_<verb_noun>.sql convention', async () => {
    await writeFile(path.join(dir, 'create_notes.sql'), createNotes);
    await expect(migrate({ databaseUrl: scratch.url, dir })).rejects.toThrow(
      'Migration file create_notes.sql is not named <14-digit timestamp>_<verb_noun>.sql',
    );
  });

  it("applies the project's own migrations to an empty database", async () => {
    const files = await listMigrationFiles(MIGRATIONS_DIR);
    const result = await migrate({ databaseUrl: scratch.url });
    expect(result.applied).toEqual(files.map((file) => file.fileName));
    expect(
      await pendingMigrations(
        (await query<{ version: string }>('select version from supabase_migrations.schema_migrations')).map((r) => r.version),
      ),
    ).toEqual([]);
  });
});
