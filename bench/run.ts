/**
 * `npm run bench` runs every benchmark; `npm run bench -- <name>` one of them; `--json` prints each
 * benchmark's figures as JSON (`{"<metric>": number, …}`) instead of a table. Benchmarks use the
 * services in DATABASE_URL / REDIS_URL, or start the embedded ones in the bench profile (its own data directory and ports, so the scale
 * data loaded once survives test runs).
 */
import { PROFILES, startLocalStack } from '../server/local/stack';
import { benchmarks } from './registry';

const args = process.argv.slice(2);
const json = args.includes('--json');
const names = args.filter((arg) => !arg.startsWith('--'));
const unknown = names.filter((name) => !(name in benchmarks));
if (unknown.length > 0) {
  process.stderr.write(`Unknown benchmark ${unknown.join(', ')}; available: ${Object.keys(benchmarks).join(', ')}\n`);
  process.exit(2);
}

const stack = await startLocalStack({ profile: PROFILES.bench, fastAndLoose: false, takeOverStale: true });
try {
  for (const name of names.length > 0 ? names : Object.keys(benchmarks)) {
    const benchmark = benchmarks[name as keyof typeof benchmarks];
    const figures = await benchmark.run({ databaseUrl: stack.databaseUrl, redisUrl: stack.redisUrl });
    if (json) {
      process.stdout.write(`${JSON.stringify({ benchmark: name, ...figures })}\n`);
    } else {
      process.stdout.write(`\n${name} — ${benchmark.description}\n`);
      const width = Math.max(...Object.keys(figures).map((metric) => metric.length));
      for (const [metric, value] of Object.entries(figures)) process.stdout.write(`  ${metric.padEnd(width)}  ${value}\n`);
    }
  }
} finally {
  await stack.stop();
}
