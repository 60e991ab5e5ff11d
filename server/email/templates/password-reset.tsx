import { ActionButton, EmailLayout, Paragraph, countOf } from './layout';

export type PasswordResetProps = { name: string; resetUrl: string; expiresInMinutes: number };

export function passwordResetSubject(): string {
  return 'Reset your ClientPulse password';
}

export function PasswordResetEmail({ name, resetUrl, expiresInMinutes }: PasswordResetProps) {
  const validFor = countOf(expiresInMinutes, 'minute');
  return (
    <EmailLayout
      preview={`Choose a new password. The link works for ${validFor}.`}
      heading="Reset your password"
      footer="If you did not ask to reset your password, ignore this email: your password stays as it is."
    >
      <Paragraph>{`Hi ${name},`}</Paragraph>
      <Paragraph>
        {'Someone asked to reset the password of your ClientPulse account. If it was you, choose a new password below. ' +
          `The link works once, for ${validFor}.`}
      </Paragraph>
      <ActionButton href={resetUrl} label="Choose a new password" />
    </EmailLayout>
  );
}
