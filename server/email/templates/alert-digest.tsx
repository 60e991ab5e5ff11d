import { ActionButton, EmailLayout, Paragraph, countOf } from './layout';

export type AlertDigestProps = {
  workspaceName: string;
  alerts: Array<{ clientName: string; title: string; url: string }>;
  inboxUrl: string;
};

export function alertDigestSubject({ workspaceName, alerts }: AlertDigestProps): string {
  return `${countOf(alerts.length, 'alert')} in ${workspaceName} today`;
}

export function AlertDigestEmail({ workspaceName, alerts, inboxUrl }: AlertDigestProps) {
  return (
    <EmailLayout
      preview={`${countOf(alerts.length, 'alert')} in ${workspaceName}`}
      heading={`Your alerts in ${workspaceName}`}
      footer="The daily digest gathers the alerts you chose to get once a day, and those past your hourly limit of immediate ones."
    >
      {alerts.map((alert) => (
        <Paragraph key={alert.url}>{`${alert.clientName}: ${alert.title} — ${alert.url}`}</Paragraph>
      ))}
      <ActionButton href={inboxUrl} label="Open the inbox" />
    </EmailLayout>
  );
}
