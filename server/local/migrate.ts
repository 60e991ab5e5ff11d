/**
 * `npm run db:migrate`: applies pending migrations to DATABASE_URL (a Supabase project, say) with
 * our migrator, which records them where the Supabase CLI does. Exits non-zero naming a failed file.
 */
import { migrate } from '../db/migrate';

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  process.stderr.write('Missing environment variable DATABASE_URL (the Postgres URL to migrate)\n');
  process.exit(1);
}
try {
  const result = await migrate({ databaseUrl, onApplied: (fileName) => process.stdout.write(`applied ${fileName}\n`) });
  if (result.bootstrapped) process.stdout.write('created the local Supabase roles and auth schema\n');
  process.stdout.write(result.applied.length ? `${result.applied.length} migration(s) applied\n` : 'schema is current: nothing to apply\n');
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
