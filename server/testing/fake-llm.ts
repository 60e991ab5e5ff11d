import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local OpenAI-compatible server for tests (the LLM lies outside this machine: faked at the HTTP
 * boundary). `reply` decides each POST /v1/chat/completions answer from the request; every request
 * is kept in `received`.
 */

export type FakeReply = { status?: number; headers?: Record<string, string>; body?: unknown; delayMs?: number };
export type FakeRequest = {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  raw: string;
  body: Record<string, unknown> | null;
  at: number;
};
export type FakeLlm = { baseURL: string; received: FakeRequest[]; close(): Promise<void> };

export const FAKE_LLM_MODEL = 'test-sentiment-model';

/** A chat completion whose message content is `content`. */
export function completion(content: string | null) {
  return {
    id: 'chatcmpl-test',
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: FAKE_LLM_MODEL,
    choices: [{ index: 0, finish_reason: 'stop', logprobs: null, message: { role: 'assistant', content, refusal: null } }],
    usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
  };
}

/** A completion answering `value` as JSON. */
export const answer = (value: unknown): FakeReply => ({ body: completion(JSON.stringify(value)) });

export async function startFakeLlm(reply: (request: FakeRequest) => FakeReply | undefined): Promise<FakeLlm> {
  const received: FakeRequest[] = [];
  const server = createServer((request, response) => {
    let raw = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (raw += chunk));
    request.on('end', () => {
      let body: Record<string, unknown> | null = null;
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        body = null;
      }
      const entry: FakeRequest = {
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        raw,
        body,
        at: Date.now(),
      };
      received.push(entry);
      const chosen: FakeReply =
        entry.method === 'POST' && entry.url === '/v1/chat/completions'
          ? (reply(entry) ?? { status: 500, body: { error: { message: 'the test scripted no reply for this request' } } })
          : { status: 404, body: { error: { message: `no route ${entry.method} ${entry.url}` } } };
      const send = () => {
        if (response.destroyed || response.writableEnded) return;
        response.writeHead(chosen.status ?? 200, { 'content-type': 'application/json', ...chosen.headers });
        response.end(JSON.stringify(chosen.body ?? {}));
      };
      if (chosen.delayMs) {
        const timer = setTimeout(send, chosen.delayMs);
        response.on('close', () => clearTimeout(timer));
      } else {
        send();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    received,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
