import { createTransport } from 'nodemailer';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { clearCaughtEmails, listCaughtEmails, waitForEmail } from '../email/catcher-client';
import { MAIL_CATCHER_CAPACITY, startMailCatcher, type MailCatcher } from './mailcatcher';

// A catcher of this file's own on free ports, so clearing it cannot disturb other test files.
let catcher: MailCatcher;
let transport: ReturnType<typeof createTransport>;

beforeAll(async () => {
  catcher = await startMailCatcher({ smtpPort: 0, httpPort: 0, maxMessages: 3 });
  transport = createTransport(catcher.smtpUrl);
});
afterAll(async () => {
  transport.close();
  await catcher.stop();
});
beforeEach(() => clearCaughtEmails(catcher.webUrl));

function send(to: string | string[], subject: string, html = `<p>${subject}</p>`) {
  return transport.sendMail({ from: 'Sender <sender@example.test>', to, subject, text: `Text of ${subject}`, html });
}

describe('mail catcher', () => {
  it('lists what it received newest first, with sender, recipients, subject, date, text and HTML', async () => {
    const before = Date.now();
    await send('first@example.test', 'First');
    await send(['second@example.test', 'other@example.test'], 'Second');

    const messages = await listCaughtEmails(catcher.webUrl);
    expect(messages.map((message) => message.subject)).toEqual(['Second', 'First']);
    expect(messages[0]).toEqual({
      id: expect.any(String),
      from: 'Sender <sender@example.test>',
      to: ['second@example.test', 'other@example.test'],
      subject: 'Second',
      date: expect.any(String),
      text: 'Text of Second',
      html: '<p>Second</p>',
    });
    expect(Date.parse(messages[0]!.date)).toBeGreaterThanOrEqual(before - 1_000);
  });

  it('filters by recipient, ignoring case', async () => {
    await send('Alice@Example.test', 'For Alice');
    await send('bob@example.test', 'For Bob');
    await send(['carol@example.test', 'alice@example.test'], 'For Carol and Alice');

    const forAlice = await listCaughtEmails(catcher.webUrl, 'ALICE@example.TEST');
    expect(forAlice.map((message) => message.subject)).toEqual(['For Carol and Alice', 'For Alice']);
    expect(await listCaughtEmails(catcher.webUrl, 'nobody@example.test')).toEqual([]);
    expect((await waitForEmail(catcher.webUrl, 'bob@example.test', { subject: /bob/i })).subject).toBe('For Bob');
  });

  it('clears everything on DELETE /api/messages', async () => {
    await send('clear@example.test', 'To be cleared');
    expect(await listCaughtEmails(catcher.webUrl)).toHaveLength(1);
    await clearCaughtEmails(catcher.webUrl);
    expect(await listCaughtEmails(catcher.webUrl)).toEqual([]);
  });

  it('keeps only the newest messages up to its capacity (500 unless told otherwise)', async () => {
    expect(MAIL_CATCHER_CAPACITY).toBe(500);
    for (const n of [1, 2, 3, 4, 5]) await send('cap@example.test', `Message ${n}`);
    const kept = await listCaughtEmails(catcher.webUrl);
    expect(kept.map((message) => message.subject)).toEqual(['Message 5', 'Message 4', 'Message 3']);
    expect(new Set(kept.map((message) => message.id)).size).toBe(3);
  });

  it('escapes what it shows and renders the HTML in a sandboxed frame', async () => {
    await send('page@example.test', '<b>Bold</b> subject', '<p onclick="alert(1)">Hello</p><script>alert(2)</script>');
    const [message] = await listCaughtEmails(catcher.webUrl);

    const inbox = await (await fetch(catcher.webUrl)).text();
    expect(inbox).toContain(`<a href="/messages/${message!.id}">&#60;b&#62;Bold&#60;/b&#62; subject</a>`);
    expect(inbox).not.toContain('<b>Bold</b>');

    const detail = await (await fetch(`${catcher.webUrl}/messages/${message!.id}`)).text();
    expect(detail).toContain(
      '<iframe sandbox="" title="HTML version" ' +
        'srcdoc="&#60;p onclick=&#34;alert(1)&#34;&#62;Hello&#60;/p&#62;&#60;script&#62;alert(2)&#60;/script&#62;">',
    );
    expect(detail).not.toContain('<script>');
    expect(detail).toContain('<pre>Text of &#60;b&#62;Bold&#60;/b&#62; subject</pre>');
  });

  it('answers 404 for an unknown message and 405 for other methods', async () => {
    expect((await fetch(`${catcher.webUrl}/messages/999999`)).status).toBe(404);
    expect((await fetch(`${catcher.webUrl}/api/messages`, { method: 'POST' })).status).toBe(405);
  });
});

describe('mail catcher lifecycle', () => {
  it('stops listening on both ports when stopped', async () => {
    const own = await startMailCatcher({ smtpPort: 0, httpPort: 0 });
    expect(own.smtpUrl).toMatch(/^smtp:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${own.webUrl}/api/messages`)).status).toBe(200);
    await own.stop();
    await expect(fetch(`${own.webUrl}/api/messages`)).rejects.toThrow();
    const closed = createTransport(own.smtpUrl);
    await expect(closed.verify()).rejects.toThrow(/ECONNREFUSED/);
    closed.close();
  });

  it('says which port is taken when it cannot listen', async () => {
    const port = Number(new URL(catcher.smtpUrl).port);
    await expect(startMailCatcher({ smtpPort: port, httpPort: 0 })).rejects.toThrow(
      `Mail catcher SMTP could not listen on 127.0.0.1:${port}: the port is in use`,
    );
  });
});
