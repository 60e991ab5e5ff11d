/**
 * A mail catcher for `npm start` and the tests: an SMTP server that accepts every message and keeps
 * the last few hundred in memory, and a small web page and JSON API to read them. It runs inside the
 * process that starts it (the `npm start` orchestrator, Vitest's global setup), listening on
 * 127.0.0.1 only, and its mail is gone when that process stops.
 */
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo, Server as NetServer } from 'node:net';
import PostalMime, { type Address } from 'postal-mime';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { LocalService } from './postgres';

/** One received message, as `GET /api/messages` returns it. `to` lists the envelope recipients. */
export type CaughtEmail = { id: string; from: string; to: string[]; subject: string; date: string; text: string; html: string };

export type MailCatcher = LocalService & { smtpUrl: string; webUrl: string };

export type MailCatcherOptions = {
  /** 0 picks a free port. */
  smtpPort: number;
  /** 0 picks a free port. */
  httpPort: number;
  /** How many messages to keep; the oldest go first. */
  maxMessages?: number;
  onLog?: (line: string) => void;
};

export const MAIL_CATCHER_CAPACITY = 500;
const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;
const HOST = '127.0.0.1';

function createMessageStore(capacity: number) {
  const newestFirst: CaughtEmail[] = [];
  let lastId = 0;
  return {
    add(message: Omit<CaughtEmail, 'id'>): void {
      lastId += 1;
      newestFirst.unshift({ id: String(lastId), ...message });
      if (newestFirst.length > capacity) newestFirst.length = capacity;
    },
    list(recipient?: string): CaughtEmail[] {
      if (!recipient) return [...newestFirst];
      const wanted = recipient.trim().toLowerCase();
      return newestFirst.filter((message) => message.to.some((address) => address.toLowerCase() === wanted));
    },
    find(id: string): CaughtEmail | undefined {
      return newestFirst.find((message) => message.id === id);
    },
    clear(): void {
      newestFirst.length = 0;
    },
  };
}
type MessageStore = ReturnType<typeof createMessageStore>;

// ---------------------------------------------------------------------------------------------- SMTP

/** Reads the DATA stream, keeping no more than the size limit in memory. */
async function readMessage(stream: SMTPServerDataStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let kept = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    if (kept + chunk.length > MAX_MESSAGE_BYTES) continue; // drained so the client gets its answer
    chunks.push(chunk);
    kept += chunk.length;
  }
  return Buffer.concat(chunks);
}

/** The line break before a MIME boundary belongs to the boundary (RFC 2046), not to the part. */
function withoutBoundaryLineBreak(body: string | undefined): string {
  return (body ?? '').replace(/\r?\n$/, '');
}

function formatAddress(address: Address): string {
  if (address.group) return address.group.map(formatAddress).join(', ');
  return address.name ? `${address.name} <${address.address}>` : address.address;
}

async function parseMessage(raw: Buffer, session: SMTPServerSession): Promise<Omit<CaughtEmail, 'id'>> {
  const parsed = await PostalMime.parse(raw);
  const envelopeFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
  return {
    from: parsed.from ? formatAddress(parsed.from) : envelopeFrom,
    to: session.envelope.rcptTo.map((recipient) => recipient.address),
    subject: parsed.subject ?? '',
    date: new Date().toISOString(),
    text: withoutBoundaryLineBreak(parsed.text),
    html: withoutBoundaryLineBreak(parsed.html),
  };
}

function createSmtpServer(store: MessageStore, onLog: (line: string) => void): SMTPServer {
  const server = new SMTPServer({
    name: 'clientpulse-mailcatcher',
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    hideSTARTTLS: true,
    size: MAX_MESSAGE_BYTES,
    logger: false,
    // Senders close their connections; on stop, don't wait the default 30 s for one that did not.
    closeTimeout: 1_000,
    onData(stream, session, callback) {
      readMessage(stream)
        .then(async (raw) => {
          if (stream.sizeExceeded) {
            callback(Object.assign(new Error(`Message exceeds the ${MAX_MESSAGE_BYTES / 1024 / 1024} MB limit`), { responseCode: 552 }));
            return;
          }
          store.add(await parseMessage(raw, session));
          callback();
        })
        .catch((error: unknown) => callback(error instanceof Error ? error : new Error(String(error))));
    },
  });
  server.on('error', (error) => onLog(`mail catcher SMTP error: ${error.message}`));
  return server;
}

// ---------------------------------------------------------------------------------------------- web

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

function formatTime(iso: string): string {
  return new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'medium' });
}

function page(title: string, body: string, head = ''): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>${head}
<style>
  body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; color: #1f2937; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: .5rem; border-bottom: 1px solid #e5e7eb; vertical-align: top; }
  a { color: #1d4ed8; }
  iframe { width: 100%; height: 40rem; border: 1px solid #d1d5db; }
  pre { white-space: pre-wrap; background: #f9fafb; border: 1px solid #e5e7eb; padding: 1rem; }
  dt { font-weight: 600; } dd { margin: 0 0 .5rem; }
</style>
</head>
<body>
${body}
</body>
</html>`;
}

function inboxPage(messages: CaughtEmail[]): string {
  const rows = messages
    .map(
      (message) => `<tr>
  <td><time datetime="${message.date}">${escapeHtml(formatTime(message.date))}</time></td>
  <td>${escapeHtml(message.to.join(', '))}</td>
  <td><a href="/messages/${encodeURIComponent(message.id)}">${escapeHtml(message.subject || '(no subject)')}</a></td>
</tr>`,
    )
    .join('\n');
  const list = messages.length
    ? '<table>\n<thead><tr><th scope="col">Received</th><th scope="col">To</th><th scope="col">Subject</th></tr></thead>\n' +
      `<tbody>\n${rows}\n</tbody>\n</table>`
    : '<p>No mail yet. Email the app sends on this machine shows up here.</p>';
  // Refreshes itself, so a page left open shows mail as it arrives.
  return page(`Mail catcher (${messages.length})`, `<h1>Mail sent locally</h1>\n${list}`, '\n<meta http-equiv="refresh" content="5">');
}

function messagePage(message: CaughtEmail): string {
  // An empty sandbox: the email's HTML renders with no scripts, no forms and no access to this page.
  const htmlPart = message.html
    ? `<iframe sandbox="" title="HTML version" srcdoc="${escapeHtml(message.html)}"></iframe>`
    : '<p>This message has no HTML version.</p>';
  return page(
    message.subject || '(no subject)',
    `<p><a href="/">← All messages</a></p>
<h1>${escapeHtml(message.subject || '(no subject)')}</h1>
<dl>
  <dt>From</dt><dd>${escapeHtml(message.from)}</dd>
  <dt>To</dt><dd>${escapeHtml(message.to.join(', '))}</dd>
  <dt>Received</dt><dd><time datetime="${message.date}">${escapeHtml(formatTime(message.date))}</time></dd>
</dl>
<h2>HTML version</h2>
${htmlPart}
<h2>Text version</h2>
<pre>${escapeHtml(message.text)}</pre>`,
  );
}

function reply(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, {
    'content-type': `${contentType}; charset=utf-8`,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  response.end(body);
}

function handleRequest(store: MessageStore, request: IncomingMessage, response: ServerResponse): void {
  const url = new URL(request.url ?? '/', 'http://mailcatcher.invalid');
  if (url.pathname === '/api/messages') {
    if (request.method === 'GET')
      return reply(response, 200, 'application/json', JSON.stringify(store.list(url.searchParams.get('to') ?? undefined)));
    if (request.method === 'DELETE') {
      store.clear();
      response.writeHead(204).end();
      return;
    }
    response.setHeader('allow', 'GET, DELETE');
    return reply(response, 405, 'text/plain', 'Method not allowed');
  }
  if (request.method !== 'GET') {
    response.setHeader('allow', 'GET');
    return reply(response, 405, 'text/plain', 'Method not allowed');
  }
  if (url.pathname === '/') return reply(response, 200, 'text/html', inboxPage(store.list()));
  const messageId = /^\/messages\/([^/]+)$/.exec(url.pathname)?.[1];
  const message = messageId === undefined ? undefined : store.find(decodeURIComponent(messageId));
  if (message) return reply(response, 200, 'text/html', messagePage(message));
  return reply(response, 404, 'text/html', page('Not found', '<h1>Not found</h1>\n<p><a href="/">All messages</a></p>'));
}

// ---------------------------------------------------------------------------------------- lifecycle

/** Listens on 127.0.0.1:`port` and resolves with the port actually bound (for port 0). */
function listen(server: NetServer, port: number, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      const reason = error.code === 'EADDRINUSE' ? 'the port is in use (another `npm start` or test run?)' : error.message;
      reject(new Error(`Mail catcher ${what} could not listen on ${HOST}:${port}: ${reason}`));
    };
    server.once('error', onError);
    server.listen(port, HOST, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeSmtp(server: SMTPServer): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

function closeHttp(server: HttpServer): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections(); // keep-alive connections from fetch would hold close() open
  });
}

/** Starts the catcher's SMTP server and web page in this process, on 127.0.0.1. */
export async function startMailCatcher(options: MailCatcherOptions): Promise<MailCatcher> {
  const onLog = options.onLog ?? (() => undefined);
  const store = createMessageStore(options.maxMessages ?? MAIL_CATCHER_CAPACITY);
  const smtp = createSmtpServer(store, onLog);
  const web = createServer((request, response) => handleRequest(store, request, response));

  // SMTPServer.listen() only forwards to its net.Server; listening on that directly gives typed events.
  const smtpPort = await listen(smtp.server, options.smtpPort, 'SMTP');
  let webPort: number;
  try {
    webPort = await listen(web, options.httpPort, 'web page');
  } catch (error) {
    await closeSmtp(smtp);
    throw error;
  }

  let stopped: Promise<void> | undefined;
  const smtpUrl = `smtp://${HOST}:${smtpPort}`;
  return {
    url: smtpUrl,
    smtpUrl,
    webUrl: `http://localhost:${webPort}`,
    pid: undefined, // in-process: no process of its own to wait for
    stop() {
      stopped ??= Promise.all([closeSmtp(smtp), closeHttp(web)]).then(() => undefined);
      return stopped;
    },
  };
}
