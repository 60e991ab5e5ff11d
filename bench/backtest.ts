/**
 * `npm run backtest`: does the health score see churn coming? Scores every churned client (with a
 * churn date) as of 30, 60 and 90 days before it and every client that stayed as of the same
 * distance before now, with only the signals that existed then, and prints AUC and the at-risk
 * flag's precision and recall (server/health/backtest.ts).
 *
 *   npm run backtest                         the scale data's 100,000-client workspace (loaded if missing)
 *   npm run backtest -- --workspace <slug>   any workspace in the database
 *   npm run backtest -- --json               {"auc": {"30": …, "60": …, "90": …}, "precision": …, "recall": …, "clients": …}
 *
 * Uses DATABASE_URL / REDIS_URL, or the embedded services of the bench profile (where the scale data lives).
 */
import { runBacktest } from '../server/health/backtest';
import { PROFILES, startLocalStack } from '../server/local/stack';
import { closeAppServices } from '../server/services';
import { ensureScaleWorkspace, LARGE_WORKSPACE } from './scale-data';
import { benchServices } from './services';

const args = process.argv.slice(2);
const json = args.includes('--json');
const slugAt = args.indexOf('--workspace');
const slug = slugAt >= 0 ? args[slugAt + 1] : undefined;
if (slugAt >= 0 && !slug) {
  process.stderr.write('--workspace needs a workspace slug\n');
  process.exit(2);
}

const stack = await startLocalStack({ profile: PROFILES.bench, fastAndLoose: false, takeOverStale: true });
const services = benchServices(stack);
let exitCode = 0;
try {
  let workspaceId: string;
  if (slug) {
    const row = await services.db.asService((tx) => tx.selectFrom('workspaces').select('id').where('slug', '=', slug).executeTakeFirst());
    if (!row) throw new Error(`no workspace with the slug ${slug}`);
    workspaceId = row.id;
  } else {
    workspaceId = (await ensureScaleWorkspace(services, LARGE_WORKSPACE)).workspaceId;
  }
  const started = performance.now();
  const result = await services.db.asService((tx) => runBacktest(tx, workspaceId));
  const seconds = (performance.now() - started) / 1000;
  if (json) {
    process.stdout.write(`${JSON.stringify(result.summary)}\n`);
  } else {
    const pct = (value: number | null) => (value === null ? '—' : `${(value * 100).toFixed(1)}%`);
    process.stdout.write(
      `\nbacktest — ${slug ?? 'scale data (large workspace)'}; at-risk flag: score < ${result.threshold}; ${seconds.toFixed(1)} s\n\n`,
    );
    const rows = [['before churn', 'churned', 'stayed', 'unscored', 'AUC', 'precision', 'recall', 'flagged']];
    for (const h of result.horizons) {
      rows.push([
        `${h.days} days`,
        String(h.churned),
        String(h.retained),
        String(h.unscored),
        h.auc?.toFixed(3) ?? '—',
        pct(h.precision),
        pct(h.recall),
        `${h.truePositives}/${h.flagged}`,
      ]);
    }
    const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
    for (const row of rows) process.stdout.write(`  ${row.map((cell, column) => cell.padStart(widths[column]!)).join('  ')}\n`);
    process.stdout.write('\n');
  }
} catch (error) {
  process.stderr.write(`backtest failed: ${error instanceof Error ? error.message : String(error)}\n`);
  exitCode = 1;
} finally {
  await closeAppServices(services);
  await stack.stop();
}
process.exit(exitCode);
