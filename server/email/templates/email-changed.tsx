import { EmailLayout, Paragraph } from './layout';

/** Sent to the OLD address, so its owner learns of a change they may not have made. */
export type EmailChangedProps = { name: string; newEmail: string };

export function emailChangedSubject(): string {
  return 'Your ClientPulse email address was changed';
}

export function EmailChangedEmail({ name, newEmail }: EmailChangedProps) {
  return (
    <EmailLayout
      preview={`Your account now uses ${newEmail}.`}
      heading="Your email address was changed"
      footer="This notice goes to your previous address so that a change you did not make cannot go unnoticed."
    >
      <Paragraph>{`Hi ${name},`}</Paragraph>
      <Paragraph>
        {`The email address of your ClientPulse account was changed to ${newEmail}. ` +
          'Sign-in, password resets and notifications now use that address; this one gets no further email about the account.'}
      </Paragraph>
      <Paragraph>
        If you did not make this change, someone else may have access to your account: tell your workspace administrator right away.
      </Paragraph>
    </EmailLayout>
  );
}
