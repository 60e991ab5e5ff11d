import { sql } from 'kysely';
import type { Redis } from 'ioredis';
import type { Database } from '../db';
import { pendingMigrations } from '../db/migrate';
import { readHeartbeat } from '../queue/heartbeat';

export type CheckResult = { ok: boolean; latencyMs: number; detail?: string };
export type Readiness = {
  ok: boolean;
  checks: { postgres: CheckResult; migrations: CheckResult; redis: CheckResult; worker: CheckResult };
};

const CHECK_TIMEOUT_MS = 2_000;

async function timed(run: () => Promise<string | undefined>): Promise<CheckResult> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const detail = await Promise.race([
      run(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
      }),
    ]);
    return { ok: true, latencyMs: Math.round(performance.now() - started), ...(detail ? { detail } : {}) };
  } catch (error) {
    return {
      ok: false,
      latencyMs: Math.round(performance.now() - started),
      detail: error instanceof Error ? error.message : String(error),
    };
  } finally {
    clearTimeout(timer);
  }
}

/** Whether the web can serve: Postgres and Redis answer, migrations are current and a worker is alive. */
export async function checkReadiness(deps: { db: Database; redis: Redis; migrationsDir: string }): Promise<Readiness> {
  const [postgres, migrations, redis, worker] = await Promise.all([
    timed(async () => {
      await deps.db.ping();
      return undefined;
    }),
    timed(async () => {
      const applied = await deps.db.asService(async (tx) => {
        const table = await sql<{ name: string | null }>`select to_regclass('supabase_migrations.schema_migrations')::text as name`.execute(
          tx,
        );
        if (!table.rows[0]?.name) return [];
        const { rows } = await sql<{ version: string }>`select version from supabase_migrations.schema_migrations`.execute(tx);
        return rows.map((row) => row.version);
      });
      const pending = await pendingMigrations(applied, deps.migrationsDir);
      if (pending.length > 0) throw new Error(`pending: ${pending.join(', ')}`);
      return `${applied.length} applied`;
    }),
    timed(async () => {
      await deps.redis.ping();
      return undefined;
    }),
    timed(async () => {
      const beat = await readHeartbeat(deps.redis);
      if (!beat) throw new Error('no worker heartbeat in the last 30 s');
      // Public: when it last beat, not its pid or what it runs (issue 16).
      return `last beat ${beat.beatAt}`;
    }),
  ]);
  return { ok: postgres.ok && migrations.ok && redis.ok && worker.ok, checks: { postgres, migrations, redis, worker } };
}
