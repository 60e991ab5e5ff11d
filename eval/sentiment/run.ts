/**
 * `npm run eval:sentiment [-- --file <path.jsonl>] [--json]`: accuracy and macro-F1 of each
 * sentiment provider on a labelled set (default: eval/sentiment/messages.jsonl), next to two
 * baseline libraries: AFINN (`sentiment`) and a VADER port (`vader-sentiment`). The LLM provider
 * joins when OPENAI_API_KEY is set.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Sentiment from 'sentiment';
import vader from 'vader-sentiment';
import { z } from 'zod';
import { createLocalProvider } from '../../server/sentiment/local';
import { createLlmProvider } from '../../server/sentiment/llm';
import { CHURN_SIGNALS, SENTIMENT_LABELS, type SentimentLabel } from '../../server/sentiment/types';

const DEFAULT_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'messages.jsonl');

const exampleSchema = z.object({
  text: z.string().min(1),
  label: z.enum(SENTIMENT_LABELS),
  signals: z.array(z.enum(CHURN_SIGNALS)).optional(),
  tags: z.array(z.string()).optional(),
});
type Example = z.infer<typeof exampleSchema>;

type Classifier = { name: string; classify(text: string): Promise<{ label: SentimentLabel; signals?: string[] }> };

export type Figures = { accuracy: number; macroF1: number; n: number };

export function readExamples(file: string): Example[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line, index) => ({ line: line.trim(), number: index + 1 }))
    .filter(({ line }) => line !== '')
    .map(({ line, number }) => {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        throw new Error(`${file}:${number}: not JSON`);
      }
      const parsed = exampleSchema.safeParse(value);
      if (!parsed.success)
        throw new Error(`${file}:${number}: ${parsed.error.issues[0]?.path.join('.') || 'line'} ${parsed.error.issues[0]?.message}`);
      return parsed.data;
    });
}

export function score(truth: SentimentLabel[], predicted: SentimentLabel[]): Figures {
  const n = truth.length;
  const correct = truth.filter((label, index) => label === predicted[index]).length;
  const f1s = SENTIMENT_LABELS.map((label) => {
    const tp = truth.filter((t, i) => t === label && predicted[i] === label).length;
    const fp = truth.filter((t, i) => t !== label && predicted[i] === label).length;
    const fn = truth.filter((t, i) => t === label && predicted[i] !== label).length;
    const precision = tp + fp ? tp / (tp + fp) : 0;
    const recall = tp + fn ? tp / (tp + fn) : 0;
    return precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  });
  const round = (value: number) => Math.round(value * 1000) / 1000;
  return { accuracy: round(n ? correct / n : 0), macroF1: round(f1s.reduce((a, b) => a + b, 0) / f1s.length), n };
}

function classifiers(): Classifier[] {
  const afinn = new Sentiment();
  const local = createLocalProvider();
  const list: Classifier[] = [
    {
      name: 'local',
      classify: async (text) => {
        const result = await local.analyse({ type: 'email', direction: 'inbound', subject: null, body: text });
        return { label: result.label, signals: result.signals };
      },
    },
    {
      name: 'baseline:afinn (sentiment)',
      classify: async (text) => {
        const value = afinn.analyze(text).score;
        return { label: value > 0 ? 'positive' : value < 0 ? 'negative' : 'neutral' };
      },
    },
    {
      name: 'baseline:vader (vader-sentiment)',
      classify: async (text) => {
        const { compound } = vader.SentimentIntensityAnalyzer.polarity_scores(text);
        return { label: compound >= 0.05 ? 'positive' : compound <= -0.05 ? 'negative' : 'neutral' };
      },
    },
  ];
  if (process.env.OPENAI_API_KEY) {
    const llm = createLlmProvider({
      apiKey: process.env.OPENAI_API_KEY,
      baseURL: process.env.OPENAI_BASE_URL,
      model: process.env.LLM_MODEL ?? 'gpt-4o-mini',
      timeoutMs: 30_000,
    });
    list.splice(1, 0, {
      name: llm.name,
      classify: async (text) => {
        const result = await llm.analyse({ type: 'email', direction: 'inbound', subject: null, body: text });
        return { label: result.label, signals: result.signals };
      },
    });
  }
  return list;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const fileAt = args.indexOf('--file');
  const file = fileAt >= 0 ? args[fileAt + 1] : DEFAULT_FILE;
  if (!file) throw new Error('--file needs a path to a JSON-lines file');
  const json = args.includes('--json');
  const examples = readExamples(path.resolve(file));
  const truth = examples.map((example) => example.label);
  const providers: Record<string, Figures> = {};
  const details: string[] = [];
  for (const classifier of classifiers()) {
    const results: Array<{ label: SentimentLabel; signals?: string[] }> = [];
    for (const example of examples) results.push(await classifier.classify(example.text));
    providers[classifier.name] = score(
      truth,
      results.map((result) => result.label),
    );
    if (classifier.name === 'local' || classifier.name.startsWith('llm')) {
      // Per tag, and the signals where the set names them.
      const tags = [...new Set(examples.flatMap((example) => example.tags ?? []))].sort();
      for (const tag of tags) {
        const indexes = examples.flatMap((example, index) => (example.tags?.includes(tag) ? [index] : []));
        const figures = score(
          indexes.map((index) => truth[index]!),
          indexes.map((index) => results[index]!.label),
        );
        details.push(`  ${classifier.name} on ${tag}: accuracy ${figures.accuracy} (n ${figures.n})`);
      }
      const labelled = examples.flatMap((example, index) => (example.signals ? [index] : []));
      if (labelled.length) {
        let tp = 0,
          fp = 0,
          fn = 0;
        for (const index of labelled) {
          const expected = new Set(examples[index]!.signals);
          const found = new Set(results[index]!.signals ?? []);
          for (const signal of found) {
            if (expected.has(signal as never)) tp += 1;
            else fp += 1;
          }
          for (const signal of expected) if (!found.has(signal)) fn += 1;
        }
        const precision = (tp / Math.max(1, tp + fp)).toFixed(3);
        const recall = (tp / Math.max(1, tp + fn)).toFixed(3);
        details.push(`  ${classifier.name} signals: precision ${precision}, recall ${recall}`);
      }
    }
  }
  if (json) {
    process.stdout.write(`${JSON.stringify({ providers })}\n`);
    return;
  }
  const width = Math.max(...Object.keys(providers).map((name) => name.length));
  process.stdout.write(`sentiment evaluation — ${path.relative(process.cwd(), path.resolve(file))}, ${examples.length} messages\n`);
  process.stdout.write(`  ${'provider'.padEnd(width)}  accuracy  macro-F1\n`);
  for (const [name, figures] of Object.entries(providers)) {
    process.stdout.write(
      `  ${name.padEnd(width)}  ${figures.accuracy.toFixed(3).padStart(8)}  ${figures.macroF1.toFixed(3).padStart(8)}\n`,
    );
  }
  process.stdout.write(`${details.join('\n')}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
