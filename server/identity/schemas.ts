import { z } from 'zod';

/** Emails are compared and stored trimmed and lower-cased. */
export const emailSchema = z
  .string({ error: 'Enter your email address' })
  .trim()
  .toLowerCase()
  .pipe(z.email({ error: 'Enter a valid email address' }).max(254, { error: 'Email is too long' }));

export const personNameSchema = z
  .string({ error: 'Enter your name' })
  .trim()
  .min(1, { error: 'Enter your name' })
  .max(100, { error: 'Keep the name under 100 characters' });

export const workspaceNameSchema = z
  .string({ error: 'Enter a workspace name' })
  .trim()
  .min(1, { error: 'Enter a workspace name' })
  .max(80, { error: 'Keep the name under 80 characters' });

export const workspaceSlugSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, { error: 'Not a workspace address' })
  .max(60);

export const ROLES = ['viewer', 'manager', 'admin', 'owner'] as const;
export type Role = (typeof ROLES)[number];
export const roleSchema = z.enum(ROLES, { error: 'Choose a role: viewer, manager, admin or owner' });

/** owner > admin > manager > viewer */
export function roleAtLeast(role: Role, minimum: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(minimum);
}

/** A random token from an emailed link or a cookie: 43 base64url characters. */
export const tokenSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/, { error: 'This link is not valid' });
