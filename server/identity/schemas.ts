import { z } from 'zod';
import { text } from '../text';
import { cursorSchema, cursorTimestamp } from '../db/cursor';
import { AUDIT_ACTIONS } from './audit';
import { passwordSchema } from './passwords';

/** Emails are compared and stored trimmed and lower-cased. */
const emailSchema = text({ error: 'Enter your email address' })
  .trim()
  .toLowerCase()
  .pipe(z.email({ error: 'Enter a valid email address' }).max(254, { error: 'Email is too long' }));

const personNameSchema = text({ error: 'Enter your name' })
  .trim()
  .min(1, { error: 'Enter your name' })
  .max(100, { error: 'Keep the name under 100 characters' });

const workspaceNameSchema = text({ error: 'Enter a workspace name' })
  .trim()
  .min(1, { error: 'Enter a workspace name' })
  .max(80, { error: 'Keep the name under 80 characters' });

export const workspaceSlugSchema = text()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, { error: 'Not a workspace address' })
  .max(60);

export const ROLES = ['viewer', 'manager', 'admin', 'owner'] as const;
export type Role = (typeof ROLES)[number];
const roleSchema = z.enum(ROLES, { error: 'Choose a role: viewer, manager, admin or owner' });

/** owner > admin > manager > viewer */
export function roleAtLeast(role: Role, minimum: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(minimum);
}

/** A random token from an emailed link or a cookie: 43 base64url characters. */
export const tokenSchema = text().regex(/^[A-Za-z0-9_-]{43}$/, { error: 'This link is not valid' });

// ---------------------------------------------------------------------------------------------
// Procedure inputs (server/identity/router.ts)
// ---------------------------------------------------------------------------------------------

/** A new password must not contain the person's own name or email: checked against the other fields. */
function withStrongPassword<T extends z.ZodObject<{ password: z.ZodString }>>(
  schema: T,
  context: (value: z.infer<T>) => { email?: string; name?: string },
) {
  return schema.superRefine((value, refinement) => {
    const result = passwordSchema(context(value)).safeParse(value.password);
    for (const issue of result.error?.issues ?? []) refinement.addIssue({ code: 'custom', message: issue.message, path: ['password'] });
  });
}

const currentPasswordSchema = text().min(1, { error: 'Enter your current password' }).max(128);

export const signUpInput = withStrongPassword(
  z.object({
    email: emailSchema,
    name: personNameSchema,
    password: text({ error: 'Choose a password' }),
    workspaceName: workspaceNameSchema.optional(),
    invitationToken: tokenSchema.optional(),
  }),
  (value) => ({ email: value.email, name: value.name }),
);
export const logInInput = z.object({ email: emailSchema, password: text().min(1, { error: 'Enter your password' }).max(128) });
export const emailInput = z.object({ email: emailSchema });
/** A link's token: password reset, invitation. */
export const tokenInput = z.object({ token: tokenSchema });
export const resetPasswordInput = withStrongPassword(
  z.object({ token: tokenSchema, password: text({ error: 'Choose a password' }) }),
  () => ({}),
);

export const personNameInput = z.object({ name: personNameSchema });
export const changePasswordInput = z.object({ currentPassword: currentPasswordSchema, newPassword: passwordSchema() });
export const changeEmailInput = z.object({ currentPassword: currentPasswordSchema, newEmail: emailSchema });
export const sessionInput = z.object({ sessionId: z.uuid() });

export const workspaceNameInput = z.object({ name: workspaceNameSchema });
export const deleteWorkspaceInput = z.object({ confirmation: text().max(200) });

export const memberInput = z.object({ userId: z.uuid() });
export const changeRoleInput = z.object({ userId: z.uuid(), role: roleSchema });
export const inviteInput = z.object({ email: emailSchema, role: roleSchema });
export const invitationInput = z.object({ invitationId: z.uuid() });

/** An audit page ends at an entry's (created_at, id). */
const auditCursorSchema = cursorSchema(z.tuple([cursorTimestamp, text().regex(/^\d{1,18}$/)]));
export type AuditCursor = z.output<typeof auditCursorSchema>;

/** Filter by an action's domain (`member`) or one action (`member.removed`), by actor, and page on. */
export const auditListInput = z.object({
  action: z.enum([...new Set(AUDIT_ACTIONS.map((action) => action.split('.')[0]!)), ...AUDIT_ACTIONS]).optional(),
  actorId: z.uuid().optional(),
  cursor: auditCursorSchema.optional(),
});
