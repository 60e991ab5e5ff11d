/** Percentile of `samples` (milliseconds), nearest-rank. */
export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Number((sorted[index] ?? Number.NaN).toFixed(3));
}

/** Runs `task` `count` times after `warmup` untimed runs; returns each run's duration in ms. */
export async function timeRuns(task: () => Promise<unknown>, count: number, warmup = 50): Promise<number[]> {
  for (let i = 0; i < warmup; i += 1) await task();
  const samples: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const started = performance.now();
    await task();
    samples.push(performance.now() - started);
  }
  return samples;
}
