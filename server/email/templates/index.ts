import type { ReactElement } from 'react';
import { AlertDigestEmail, alertDigestSubject, type AlertDigestProps } from './alert-digest';
import { AlertEmail, alertSubject, type AlertEmailProps } from './alert';
import { EmailChangedEmail, emailChangedSubject, type EmailChangedProps } from './email-changed';
import { InvitationEmail, invitationSubject, type InvitationProps } from './invitation';
import { PasswordResetEmail, passwordResetSubject, type PasswordResetProps } from './password-reset';

export type { AlertDigestProps, AlertEmailProps, EmailChangedProps, InvitationProps, PasswordResetProps };

export type EmailTemplate<Props> = { component: (props: Props) => ReactElement; subject: (props: Props) => string };

/** Every email the product sends, by name, with the props its template needs. */
export type EmailPropsByTemplate = {
  'password-reset': PasswordResetProps;
  invitation: InvitationProps;
  'email-changed': EmailChangedProps;
  alert: AlertEmailProps;
  'alert-digest': AlertDigestProps;
};

export const EMAIL_TEMPLATES: { [Name in keyof EmailPropsByTemplate]: EmailTemplate<EmailPropsByTemplate[Name]> } = {
  'password-reset': { component: PasswordResetEmail, subject: passwordResetSubject },
  invitation: { component: InvitationEmail, subject: invitationSubject },
  'email-changed': { component: EmailChangedEmail, subject: emailChangedSubject },
  alert: { component: AlertEmail, subject: alertSubject },
  'alert-digest': { component: AlertDigestEmail, subject: alertDigestSubject },
};
