import type { Database } from '../../server/db';
import { runImport } from '../../server/imports/run';
import type { importsQueue } from '../../server/queue/imports';
import type { Handlers } from '../run-job';

/**
 * `import-csv`, one mapped CSV file. A failed attempt is retried (resuming after the last committed
 * batch); the last failed attempt is dead-lettered by the runner, and the import reads as failed with
 * the reason, which its page shows.
 */
export function createImportHandlers(deps: { db: Database }): Handlers<typeof importsQueue> {
  return {
    'import-csv': (data, _job, log) => runImport({ db: deps.db, log }, data.importId),
  };
}
