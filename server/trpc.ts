import { initTRPC, TRPCError } from '@trpc/server';
import { z } from 'zod';
import { AppError } from './errors';
import { validIp } from './http/client-ip';
import type { RequestMeta } from './identity/audit';
import { readSessionToken } from './identity/cookie';
import { roleAtLeast, workspaceSlugSchema, type Role } from './identity/schemas';
import { findSession, type CurrentSession } from './identity/sessions';
import { findMembership } from './identity/workspaces';
import type { Logger } from './log';
import { isRateLimitedError } from './security/rate-limit';
import { rateLimitedTrpcError } from './security/rate-limit-response';
import type { AppServices } from './services';

// ---------------------------------------------------------------------------------------------
// 1. Context
// ---------------------------------------------------------------------------------------------

/** What every procedure sees. Built without HTTP in tests, from the request in the app. */
export type Context = {
  services: AppServices;
  log: Logger;
  requestId: string;
  /** Client ip and user agent, for sessions, rate limits and the audit log. */
  meta: RequestMeta;
  /** The signed-in user's live session, or null. */
  session: CurrentSession | null;
};

export function createContextInner(input: Context): Context {
  return input;
}

/** The context for one HTTP request: its id, logger and origin, and the session its cookie names. */
export async function createContext(input: {
  services: AppServices;
  log: Logger;
  requestId: string;
  meta: RequestMeta;
  /** The request's `Cookie` header. */
  cookieHeader: string | null;
}): Promise<Context> {
  const token = await readSessionToken(input.services.sessionCookie, input.cookieHeader);
  const session = token ? await findSession(input.services.db, token) : null;
  // Whatever the caller passed, only a real IP address reaches rate-limit keys and `inet` columns.
  const meta = { ...input.meta, ip: validIp(input.meta.ip) };
  return createContextInner({ services: input.services, log: input.log, requestId: input.requestId, meta, session });
}

// ---------------------------------------------------------------------------------------------
// 2. Initialisation: errors carry field-level messages for invalid input
// ---------------------------------------------------------------------------------------------

export type FieldErrors = Record<string, string[]>;
type Issue = { message: string; path?: ReadonlyArray<PropertyKey | { key: PropertyKey }> };

/** Groups validation issues by dotted field path (`""` holds errors about the input as a whole). */
function fieldErrorsFromIssues(issues: ReadonlyArray<Issue>): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of issues) {
    const key = (issue.path ?? []).map((segment) => String(typeof segment === 'object' ? segment.key : segment)).join('.');
    (errors[key] ??= []).push(issue.message);
  }
  return errors;
}

/** Validation issues carried by an input error: a ZodError or a Standard Schema error both have them. */
function issuesOf(cause: unknown): Issue[] | null {
  const issues = (cause as { issues?: unknown } | undefined)?.issues;
  return Array.isArray(issues) ? (issues as Issue[]) : null;
}

/** Procedure metadata: workspace procedures say so, which lets tests find every one of them. */
export type Meta = { workspaceScoped?: boolean; minRole?: Role };

/** The field-level messages an error carries: from input validation or from an AppError. */
export function fieldErrorsOf(error: TRPCError): FieldErrors | null {
  const issues = error.code === 'BAD_REQUEST' ? issuesOf(error.cause) : null;
  if (issues) return fieldErrorsFromIssues(issues);
  return error.cause instanceof AppError ? (error.cause.fieldErrors ?? null) : null;
}

/** What a person reads about an error: for invalid input, the validation messages rather than their JSON. */
export function messageOf(error: TRPCError): string {
  const issues = error.code === 'BAD_REQUEST' ? issuesOf(error.cause) : null;
  return issues ? [...new Set(issues.map((issue) => issue.message))].join(' ') : error.message;
}

const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
    errorFormatter({ shape, error }) {
      const fieldErrors = fieldErrorsOf(error);
      // Internal errors keep their detail in the logs, never in the response.
      const message = error.code === 'INTERNAL_SERVER_ERROR' ? 'Something went wrong on our side. Please try again.' : shape.message;
      const { stack: _stack, ...data } = shape.data;
      return { ...shape, message, data: { ...data, fieldErrors } };
    },
  });

export const createCallerFactory = t.createCallerFactory;
export const router = t.router;

// ---------------------------------------------------------------------------------------------
// 3. Reusable procedures
// ---------------------------------------------------------------------------------------------

const logged = t.middleware(async ({ ctx, path, type, next }) => {
  const started = performance.now();
  const result = await next();
  const durationMs = Math.round(performance.now() - started);
  if (result.ok) {
    ctx.log.debug({ path, type, durationMs }, 'procedure ok');
  } else if (result.error.code === 'INTERNAL_SERVER_ERROR') {
    ctx.log.error({ path, type, durationMs, err: result.error.cause ?? result.error }, 'procedure failed');
  } else {
    ctx.log.info({ path, type, durationMs, code: result.error.code }, 'procedure rejected');
  }
  return result;
});

/**
 * Errors a person can act on (AppError, RateLimitedError) leave with their own status and message
 * instead of the generic internal error.
 */
const userErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (result.ok) return result;
  const cause = result.error.cause;
  if (cause instanceof AppError) return { ...result, error: new TRPCError({ code: cause.code, message: cause.message, cause }) };
  if (isRateLimitedError(cause)) return { ...result, error: rateLimitedTrpcError(cause) };
  return result;
});

export const publicProcedure = t.procedure.use(logged).use(userErrors);

/** Signed in: `ctx.session` is the live session. */
export const authedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.session) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Please sign in to continue.' });
  return next({ ctx: { ...ctx, session: ctx.session } });
});

const workspaceSlugInput = z.object({ workspaceSlug: workspaceSlugSchema });

/**
 * A procedure inside one workspace (input `workspaceSlug`), for members of at least `minRole`.
 * Membership and role are checked in the same transaction the procedure then runs in, as the user
 * with RLS in force (`ctx.tx`), before the procedure's own input is read. The workspace reaches the
 * procedure as `ctx.workspace`, so its input holds only its own fields. A failing procedure rolls the
 * transaction back.
 */
export function workspaceProcedure(minRole: Role) {
  // Callers send the slug; the procedure's own input parsers add their fields to an empty object.
  return authedProcedure
    .meta({ workspaceScoped: true, minRole })
    .input(workspaceSlugInput.transform(() => ({})))
    .use(async ({ ctx, getRawInput, next }) => {
      // Cannot fail: the parser above has read the same raw input.
      const { workspaceSlug } = workspaceSlugInput.parse(await getRawInput());
      const { user } = ctx.session;
      return ctx.services.db.withUser({ sub: user.id, email: user.email }, async (tx) => {
        const workspace = await findMembership(tx, user.id, workspaceSlug);
        if (!workspace) {
          throw new TRPCError({ code: 'FORBIDDEN', message: 'You are not a member of this workspace, or it does not exist.' });
        }
        if (!roleAtLeast(workspace.role, minRole)) {
          throw new TRPCError({
            code: 'FORBIDDEN',
            message: `This needs the ${minRole} role or higher; you are ${workspace.role === 'admin' ? 'an' : 'a'} ${workspace.role}.`,
          });
        }
        const result = await next({ ctx: { ...ctx, tx, workspace } });
        // Throwing rolls the transaction back; the error still reaches the caller unchanged.
        if (!result.ok) throw result.error;
        return result;
      });
    });
}

/** Signed in, and running as the user with RLS in force (`ctx.tx`), outside any one workspace. */
export const userProcedure = authedProcedure.use(async ({ ctx, next }) => {
  const { user } = ctx.session;
  return ctx.services.db.withUser({ sub: user.id, email: user.email }, async (tx) => {
    const result = await next({ ctx: { ...ctx, tx } });
    if (!result.ok) throw result.error;
    return result;
  });
});

export { TRPCError };
