/**
 * HTTP load from a separate process (autocannon), so the server under test does not share its
 * event loop with the client measuring it. `runLoad` starts `bench/load.ts` as a child process;
 * the child runs autocannon and reports every response's latency.
 */
import { spawn } from 'node:child_process';
import type { Result as AutocannonResult } from 'autocannon';
import { fileURLToPath } from 'node:url';

export type LoadOptions = {
  url: string;
  connections: number;
  amount: number;
  /**
   * A user's pause between an answer and their next request, drawn uniformly from [min, max] ms, and
   * each user's first request at a random moment within max ms, so users are not in step. Unset: each
   * connection sends its next request as soon as the last one answers (saturation).
   */
  thinkMs?: [number, number];
  /** Each connection sends these in turn, from the first again after the last. */
  requests: Array<{ path: string; headers?: Record<string, string> }>;
};
export type LoadResult = { latencies: number[]; failures: number; seconds: number };

export function runLoad(options: LoadOptions): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], { stdio: ['pipe', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(output) as LoadResult) : reject(new Error(`load generator exited with ${code}`)),
    );
    child.stdin.end(JSON.stringify(options));
  });
}

async function main(): Promise<void> {
  const { default: autocannon } = await import('autocannon');
  let input = '';
  for await (const chunk of process.stdin) input += String(chunk);
  const options = JSON.parse(input) as LoadOptions;
  if (options.thinkMs) {
    process.stdout.write(JSON.stringify(await pacedUsers(options, options.thinkMs)));
    return;
  }
  const latencies: number[] = [];
  let failures = 0;
  const started = performance.now();
  const result = await new Promise<AutocannonResult>((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        amount: options.amount,
        requests: options.requests.map((request) => ({ method: 'GET' as const, ...request })),
      },
      (error: unknown, done) => (error ? reject(error) : resolve(done)),
    );
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      latencies.push(responseTime);
      if (statusCode >= 400) failures += 1;
    });
  });
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(JSON.stringify({ latencies, failures: failures + result.errors + result.timeouts, seconds } satisfies LoadResult));
}

/** `connections` users, each sending a request, waiting for the answer, then pausing (fetch's keep-alive pool). */
async function pacedUsers(options: LoadOptions, [minThink, maxThink]: [number, number]): Promise<LoadResult> {
  const latencies: number[] = [];
  let failures = 0;
  let sent = 0;
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const started = performance.now();
  await Promise.all(
    Array.from({ length: options.connections }, async (_, user) => {
      await pause(Math.random() * maxThink);
      for (let turn = user; sent < options.amount; turn += 1) {
        sent += 1;
        const { path, headers } = options.requests[turn % options.requests.length]!;
        const sentAt = performance.now();
        try {
          const response = await fetch(new URL(path, options.url), { headers });
          await response.arrayBuffer();
          if (!response.ok) failures += 1;
        } catch {
          failures += 1;
        }
        latencies.push(performance.now() - sentAt);
        await pause(minThink + Math.random() * (maxThink - minThink));
      }
    }),
  );
  return { latencies, failures, seconds: (performance.now() - started) / 1000 };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
