import { alertsBenchmark } from './alerts';
import { clientsBenchmark } from './clients';
import { healthBenchmark } from './health';
import { loginBenchmark } from './login';
import { requestsBenchmark } from './requests';
import { sentimentBenchmark } from './sentiment';
import { transactionsBenchmark } from './transactions';

export type BenchmarkContext = { databaseUrl: string; redisUrl: string };
export type Benchmark = { description: string; run(context: BenchmarkContext): Promise<Record<string, number>> };

export const benchmarks = {
  transactions: transactionsBenchmark,
  requests: requestsBenchmark,
  clients: clientsBenchmark,
  sentiment: sentimentBenchmark,
  health: healthBenchmark,
  alerts: alertsBenchmark,
  login: loginBenchmark,
} satisfies Record<string, Benchmark>;
