import pg from 'pg';
import { PROFILES, startLocalStack } from './server/local/stack';
const stack = await startLocalStack({ profile: PROFILES.bench, fastAndLoose: false, takeOverStale: true });
const c = new pg.Client({ connectionString: stack.databaseUrl }); await c.connect();
try {
  const ws = (await c.query(`select id from workspaces where name='scale-large'`)).rows[0].id;
  for (const q of process.argv.slice(2)) {
    const t = performance.now();
    const r = await c.query(q.replaceAll('$WS', `'${ws}'::uuid`));
    console.log(Math.round(performance.now() - t), 'ms');
    console.table(r.rows.slice(0, 20));
  }
} finally { await c.end(); await stack.stop(); }
