/**
 * `npm run db:types`: regenerates server/db/types.ts from the migrated schema with kysely-codegen.
 * Uses DATABASE_URL when set, else a throwaway cluster in the test profile (or in that of
 * CLIENTPULSE_TEST_SLOT=N, as a Vitest run of that slot would use it). A test fails when the
 * committed file and the migrations disagree.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ROOT_DIR, startLocalStack, testProfile } from './stack';

export const DB_TYPES_FILE = path.join(ROOT_DIR, 'server/db/types.ts');

/** Runs kysely-codegen against `databaseUrl`, writing to `outFile`; only the API schema `public` is typed. */
export function generateDbTypes(databaseUrl: string, outFile: string): void {
  const result = spawnSync(
    path.join(ROOT_DIR, 'node_modules/.bin/kysely-codegen'),
    ['--dialect', 'postgres', '--url', databaseUrl, '--out-file', outFile, '--include-pattern', 'public.*', '--log-level', 'error'],
    { cwd: ROOT_DIR, encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`kysely-codegen failed: ${result.stderr || result.stdout}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const stack = await startLocalStack({
    profile: testProfile(process.env.CLIENTPULSE_TEST_SLOT),
    fastAndLoose: true,
    takeOverStale: true,
    fresh: true,
  });
  try {
    generateDbTypes(stack.databaseUrl, DB_TYPES_FILE);
    process.stdout.write(`wrote ${path.relative(ROOT_DIR, DB_TYPES_FILE)}\n`);
  } finally {
    await stack.stop();
  }
}
