import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../testing/services';
import type { Database } from './index';

// A throwaway schema with one table whose policy follows auth.uid(), the way every tenant table's
// policies will: proves the plumbing (role switch and claims) rather than any product table.
const schema = `rls_probe_${randomUUID().replaceAll('-', '')}`;
const alice = randomUUID();
const bob = randomUUID();
let db: Database;

beforeAll(async () => {
  db = createTestDatabase(1); // one connection: each transaction reuses the one before it
  await db.asService(async (tx) => {
    await sql`create schema ${sql.id(schema)}`.execute(tx);
    await sql`create table ${sql.id(schema, 'notes')} (
                id bigint generated always as identity primary key, owner_id uuid not null, body text not null)`.execute(tx);
    await sql`alter table ${sql.id(schema, 'notes')} enable row level security`.execute(tx);
    await sql`alter table ${sql.id(schema, 'notes')} force row level security`.execute(tx);
    await sql`create policy "Owners read their notes" on ${sql.id(schema, 'notes')}
                for select to authenticated using (owner_id = (select auth.uid()))`.execute(tx);
    await sql`create policy "Owners write their notes" on ${sql.id(schema, 'notes')}
                for insert to authenticated with check (owner_id = (select auth.uid()))`.execute(tx);
    await sql`grant usage on schema ${sql.id(schema)} to authenticated`.execute(tx);
    await sql`grant select, insert on ${sql.id(schema, 'notes')} to authenticated`.execute(tx);
    await sql`insert into ${sql.id(schema, 'notes')} (owner_id, body)
                values (${alice}, 'alice 1'), (${alice}, 'alice 2'), (${bob}, 'bob 1')`.execute(tx);
  });
});

afterAll(async () => {
  await db.asService((tx) => sql`drop schema ${sql.id(schema)} cascade`.execute(tx));
  await db.close();
});

const bodiesVisibleTo = (user: string) =>
  db.withUser({ sub: user }, async (tx) => {
    const { rows } = await sql<{ body: string }>`select body from ${sql.id(schema, 'notes')} order by body`.execute(tx);
    return rows.map((row) => row.body);
  });

describe('withUser', () => {
  it('runs as the authenticated role with the user as auth.uid(), like Supabase', async () => {
    const identity = await db.withUser({ sub: alice, email: 'alice@example.com' }, async (tx) => {
      const { rows } = await sql<{ uid: string; who: string; role: string; email: string; claims: { sub: string } }>`
        select auth.uid()::text as uid, current_user as who, auth.role() as role, auth.email() as email, auth.jwt() as claims`.execute(tx);
      return rows[0];
    });
    expect(identity).toEqual({
      uid: alice,
      who: 'authenticated',
      role: 'authenticated',
      email: 'alice@example.com',
      claims: { sub: alice, role: 'authenticated', email: 'alice@example.com' },
    });
  });

  it('shows each user only their own rows through a policy on auth.uid()', async () => {
    expect(await bodiesVisibleTo(alice)).toEqual(['alice 1', 'alice 2']);
    expect(await bodiesVisibleTo(bob)).toEqual(['bob 1']);
    expect(await bodiesVisibleTo(randomUUID())).toEqual([]);
  });

  it('refuses to write a row for someone else', async () => {
    const attempt = db.withUser({ sub: bob }, (tx) =>
      sql`insert into ${sql.id(schema, 'notes')} (owner_id, body) values (${alice}, 'forged')`.execute(tx),
    );
    await expect(attempt).rejects.toThrow(/row-level security policy/);
    expect(await bodiesVisibleTo(alice)).toEqual(['alice 1', 'alice 2']);
  });

  it('leaves no identity behind on the pooled connection once the transaction ends', async () => {
    await bodiesVisibleTo(alice);
    const after = await db.asService(async (tx) => {
      const { rows } = await sql<{ uid: string | null; who: string }>`select auth.uid()::text as uid, current_user as who`.execute(tx);
      return rows[0];
    });
    expect(after?.uid).toBeNull();
    expect(after?.who).not.toBe('authenticated');
  });

  it('rejects claims that are not a user id before touching the database', async () => {
    await expect(db.withUser({ sub: "x'; drop table notes; --" }, async () => 'ran')).rejects.toThrow(/Invalid UUID/);
  });
});

describe('asService', () => {
  it('runs as the owner role, which sees every row', async () => {
    const result = await db.asService(async (tx) => {
      const who = await sql<{ who: string; owner: string }>`
        select current_user as who, pg_get_userbyid(c.relowner) as owner
          from pg_class c
         where c.oid = ${`${schema}.notes`}::regclass`.execute(tx);
      const count = await sql<{ n: number }>`select count(*)::int as n from ${sql.id(schema, 'notes')}`.execute(tx);
      return { ...who.rows[0], rows: count.rows[0]?.n };
    });
    expect(result.who).toBe(result.owner);
    expect(result.rows).toBe(3);
  });
});
