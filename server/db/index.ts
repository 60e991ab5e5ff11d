import { Kysely, PostgresDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';
import { z } from 'zod';
import type { Logger } from '../log';
import type { DB } from './types';

export type { DB };
export type Tx = Transaction<DB>;

/** The JWT claims a user-facing transaction runs with, shaped like the ones Supabase's API sets. */
export const userClaimsSchema = z.object({
  sub: z.uuid(),
  role: z.literal('authenticated').default('authenticated'),
  email: z.email().optional(),
});
export type UserClaims = z.input<typeof userClaimsSchema>;

export type Database = {
  /**
   * Runs `fn` in a transaction as the `authenticated` role with `request.jwt.claims` set, exactly as
   * Supabase's API does, so RLS policies and `auth.uid()` apply. Every user-facing query goes here.
   */
  withUser<T>(claims: UserClaims, fn: (tx: Tx) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` in a transaction as the connection's owner role, which RLS does not restrict.
   * Only for the worker, webhooks, migrations and seeds: name it at the call site, never hide it.
   */
  asService<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /**
   * One statement as the connection's owner role, outside a transaction: a single read needs no
   * BEGIN/COMMIT round trips (the session lookup on every request). Same rules as `asService`.
   */
  readAsService<T>(fn: (db: Kysely<DB>) => Promise<T>): Promise<T>;
  /** Cheap round trip for readiness checks. */
  ping(): Promise<void>;
  close(): Promise<void>;
};

export function createDatabase(options: { url: string; poolMax?: number; log?: Logger; applicationName?: string }): Database {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolMax ?? 10,
    application_name: options.applicationName ?? 'clientpulse',
    connectionTimeoutMillis: 5_000,
  });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', (error) => options.log?.warn({ reason: error.message }, 'idle postgres connection closed'));
  const kysely = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });

  return {
    async withUser(claims, fn) {
      const parsed = userClaimsSchema.parse(claims);
      return kysely.transaction().execute(async (tx) => {
        // set_config(..., true) is `set local`: both settings end with the transaction, so a pooled
        // connection never carries one user's identity into another's request.
        await sql`select set_config('role', 'authenticated', true),
                         set_config('request.jwt.claims', ${JSON.stringify(parsed)}, true)`.execute(tx);
        return fn(tx);
      });
    },
    asService(fn) {
      return kysely.transaction().execute(fn);
    },
    readAsService(fn) {
      return fn(kysely);
    },
    async ping() {
      await sql`select 1`.execute(kysely);
    },
    async close() {
      await kysely.destroy();
    },
  };
}
