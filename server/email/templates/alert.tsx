import { ActionButton, EmailLayout, Paragraph } from './layout';

export type AlertEmailProps = {
  workspaceName: string;
  clientName: string;
  title: string;
  severity: string;
  nextStep: string;
  alertUrl: string;
};

export function alertSubject({ clientName, title }: AlertEmailProps): string {
  return `${clientName}: ${title}`;
}

export function AlertEmail({ workspaceName, clientName, title, severity, nextStep, alertUrl }: AlertEmailProps) {
  return (
    <EmailLayout
      preview={`${clientName}: ${title}`}
      heading={`${clientName} needs attention`}
      footer={
        `You get this because you own ${clientName} in ${workspaceName} (or are an admin there). ` +
        'Choose immediate, daily digest or off under Alerts → Notifications.'
      }
    >
      <Paragraph>{`${title} (${severity} severity).`}</Paragraph>
      <Paragraph>{`Suggested next step: ${nextStep}`}</Paragraph>
      <ActionButton href={alertUrl} label="Open the alert" />
    </EmailLayout>
  );
}
