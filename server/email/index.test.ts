import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { testSmtpUrl } from '../testing/services';
import { extractLink, testMailCatcherUrl, waitForEmail } from '../testing/mail';
import { createMailer, renderEmail } from '.';

const FROM = 'ClientPulse <no-reply@clientpulse.test>';
const uniqueAddress = (label: string) => `${label}-${randomUUID()}@example.test`;

describe('email templates', () => {
  it('password-reset: the reset link, the name (escaped in HTML) and how long the link works', async () => {
    const resetUrl = 'https://app.example.test/reset-password?token=reset-token-123&user=7';
    const email = await renderEmail('password-reset', { name: 'Ada <Lovelace>', resetUrl, expiresInMinutes: 30 });

    expect(email.template).toBe('password-reset');
    expect(email.subject).toBe('Reset your ClientPulse password');
    expect(email.html).toMatch(/^<!DOCTYPE html/);
    expect(email.html).toContain('href="https://app.example.test/reset-password?token=reset-token-123&amp;user=7"');
    expect(email.html).toContain('Hi Ada &lt;Lovelace&gt;,');
    expect(email.html).not.toContain('<Lovelace>');
    expect(email.text).toContain('Hi Ada <Lovelace>,');
    expect(email.text).toContain('for 30 minutes');
    expect(email.text).not.toMatch(/<(p|a|table)\b/);
    expect(extractLink({ subject: email.subject, text: email.text }, '/reset-password')).toBe(resetUrl);
  });

  it('invitation: who invited, to which workspace, the role, the accept link and its lifetime', async () => {
    const acceptUrl = 'https://app.example.test/invitations/accept?token=invite-token-456';
    const email = await renderEmail('invitation', {
      inviterName: 'Grace Hopper',
      workspaceName: 'Acme Corp',
      role: 'Account manager',
      acceptUrl,
      expiresInDays: 7,
    });

    expect(email.subject).toBe('Grace Hopper invited you to Acme Corp on ClientPulse');
    expect(email.html).toContain(`href="${acceptUrl}"`);
    expect(email.text).toContain('Grace Hopper invited you to the Acme Corp workspace on ClientPulse with the role Account manager.');
    expect(email.text).toContain('expires in 7 days');
    expect(extractLink({ subject: email.subject, text: email.text }, '/invitations/accept')).toBe(acceptUrl);

    const oneDay = await renderEmail('invitation', {
      inviterName: 'Grace',
      workspaceName: 'Acme',
      role: 'Viewer',
      acceptUrl,
      expiresInDays: 1,
    });
    expect(oneDay.text).toContain('expires in 1 day.');
  });

  it('email-changed: names the new address in a notice for the old one', async () => {
    const email = await renderEmail('email-changed', { name: 'Ada', newEmail: 'ada@new.example.test' });

    expect(email.subject).toBe('Your ClientPulse email address was changed');
    expect(email.html).toContain('was changed to ada@new.example.test');
    expect(email.text).toContain('Hi Ada,');
    expect(email.text).toContain('was changed to ada@new.example.test');
    expect(email.text).toContain('If you did not make this change');
  });

  it('keeps the subject to one line whatever the props contain', async () => {
    const email = await renderEmail('invitation', {
      inviterName: 'Mallory',
      workspaceName: 'Acme\r\nBcc: victim@example.test',
      role: 'Viewer',
      acceptUrl: 'https://app.example.test/invitations/accept?token=x',
      expiresInDays: 7,
    });
    expect(email.subject).toBe('Mallory invited you to Acme Bcc: victim@example.test on ClientPulse');
  });
});

describe('createMailer', () => {
  const logLines: string[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) });
  const mailer = createMailer({ smtpUrl: testSmtpUrl(), from: FROM, log });
  afterAll(() => mailer.close());

  it('delivers subject, recipient, HTML and text over SMTP to the mail catcher, and logs no body or link', async () => {
    const to = uniqueAddress('reset');
    const resetUrl = `https://app.example.test/reset-password?token=${randomUUID()}`;
    await mailer.send(to, await renderEmail('password-reset', { name: 'Ada', resetUrl, expiresInMinutes: 30 }));

    const message = await waitForEmail(to, { subject: /Reset your ClientPulse password/ });
    expect(message.to).toEqual([to]);
    expect(message.from).toBe(FROM);
    expect(message.subject).toBe('Reset your ClientPulse password');
    expect(message.html).toContain(`href="${resetUrl}"`);
    expect(message.text).toContain('Hi Ada,');
    expect(extractLink(message, '/reset-password')).toBe(resetUrl);

    const sent = logLines.map((line) => JSON.parse(line) as Record<string, unknown>).find((entry) => entry.to === to);
    expect(sent).toMatchObject({ msg: 'email sent', template: 'password-reset', to, messageId: expect.stringMatching(/^<.+>$/) });
    const everythingLogged = logLines.join('\n');
    expect(everythingLogged).not.toContain(new URL(resetUrl).searchParams.get('token'));
    expect(everythingLogged).not.toContain('Hi Ada');
  });

  it('lists the sent email on the catcher page, which shows it in a sandboxed frame with its text', async () => {
    const to = uniqueAddress('invitee');
    await mailer.send(
      to,
      await renderEmail('invitation', {
        inviterName: 'Grace',
        workspaceName: 'Listed & Co',
        role: 'Viewer',
        acceptUrl: 'https://app.example.test/invitations/accept?token=t',
        expiresInDays: 7,
      }),
    );
    const message = await waitForEmail(to);

    const inbox = await (await fetch(testMailCatcherUrl())).text();
    expect(inbox).toContain(to);
    expect(inbox).toContain(`<a href="/messages/${message.id}">Grace invited you to Listed &#38; Co on ClientPulse</a>`);

    const detail = await fetch(`${testMailCatcherUrl()}/messages/${message.id}`);
    expect(detail.status).toBe(200);
    const html = await detail.text();
    expect(html).toMatch(/<iframe sandbox="" title="HTML version" srcdoc="&#60;!DOCTYPE html/);
    expect(html).toContain('Grace invited you to the Listed &#38; Co workspace on ClientPulse with the role Viewer.');
  });

  it('rejects when the SMTP server cannot be reached', async () => {
    const unreachable = createMailer({ smtpUrl: 'smtp://127.0.0.1:1', from: FROM, log });
    const email = await renderEmail('email-changed', { name: 'Ada', newEmail: 'ada@new.example.test' });
    await expect(unreachable.send('ada@old.example.test', email)).rejects.toThrow(/ECONNREFUSED/);
    unreachable.close();
    expect(logLines.some((line) => line.includes('"msg":"email not sent"') && line.includes('ada@old.example.test'))).toBe(true);
  });
});
