import { ActionButton, EmailLayout, Paragraph, countOf } from './layout';

/** `role` is the role's display name, e.g. "Account manager". */
export type InvitationProps = { inviterName: string; workspaceName: string; role: string; acceptUrl: string; expiresInDays: number };

export function invitationSubject({ inviterName, workspaceName }: InvitationProps): string {
  return `${inviterName} invited you to ${workspaceName} on ClientPulse`;
}

export function InvitationEmail({ inviterName, workspaceName, role, acceptUrl, expiresInDays }: InvitationProps) {
  const validFor = countOf(expiresInDays, 'day');
  return (
    <EmailLayout
      preview={`Join ${workspaceName} on ClientPulse. The invitation expires in ${validFor}.`}
      heading={`Join ${workspaceName} on ClientPulse`}
      footer="If you did not expect this invitation, ignore this email: nothing happens unless you accept it."
    >
      <Paragraph>{`${inviterName} invited you to the ${workspaceName} workspace on ClientPulse with the role ${role}.`}</Paragraph>
      <Paragraph>
        {'ClientPulse scores the health of every client so account managers hear about churn risk early. ' +
          `The invitation expires in ${validFor}.`}
      </Paragraph>
      <ActionButton href={acceptUrl} label="Accept the invitation" />
    </EmailLayout>
  );
}
