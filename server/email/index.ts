/**
 * Outgoing email: react-email templates rendered to HTML and plain text, sent over SMTP by nodemailer.
 * Bodies carry secret links (password resets, invitations), so nothing here logs a body or a link.
 */
import { render } from '@react-email/render';
import { createTransport } from 'nodemailer';
import { createElement } from 'react';
import type { Logger } from '../log';
import { EMAIL_TEMPLATES, type EmailPropsByTemplate } from './templates';

export type { EmailChangedProps, InvitationProps, PasswordResetProps } from './templates';

export type EmailTemplateName = keyof EmailPropsByTemplate;
export type EmailProps<Name extends EmailTemplateName> = EmailPropsByTemplate[Name];
export type RenderedEmail = { template: EmailTemplateName; subject: string; html: string; text: string };

export type Mailer = {
  /** Sends `email` to `to`; rejects when the SMTP server does not accept it. */
  send(to: string, email: RenderedEmail): Promise<void>;
  /** Closes the SMTP connection(s). */
  close(): void;
};

export type MailerOptions = { smtpUrl: string; from: string; log: Pick<Logger, 'info' | 'error'> };

/** Renders a template to its subject, HTML and plain-text versions. */
export async function renderEmail<Name extends EmailTemplateName>(template: Name, props: EmailProps<Name>): Promise<RenderedEmail> {
  const { component, subject } = EMAIL_TEMPLATES[template];
  const element = createElement(component, props);
  const [html, text] = await Promise.all([render(element), render(element, { plainText: true })]);
  // Props such as a workspace name end up in the Subject header: one line, whatever the user typed.
  return { template, subject: subject(props).replace(/\s+/g, ' ').trim(), html, text };
}

export function createMailer({ smtpUrl, from, log }: MailerOptions): Mailer {
  const transport = createTransport(smtpUrl, { from });
  return {
    async send(to, email) {
      try {
        const { messageId } = await transport.sendMail({ to, subject: email.subject, html: email.html, text: email.text });
        log.info({ template: email.template, to, messageId }, 'email sent');
      } catch (error) {
        log.error({ template: email.template, to, error: error instanceof Error ? error.message : String(error) }, 'email not sent');
        throw error;
      }
    },
    close() {
      transport.close();
    },
  };
}
