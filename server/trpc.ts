import { initTRPC, TRPCError } from '@trpc/server';
import type { Logger } from './log';
import type { AppServices } from './services';

// ---------------------------------------------------------------------------------------------
// 1. Context
// ---------------------------------------------------------------------------------------------

/** What every procedure sees. Built without HTTP in tests, from the request in the app. */
export type Context = {
  services: Pick<AppServices, 'db' | 'redis' | 'migrationsDir'>;
  log: Logger;
  requestId: string;
};

export function createContextInner(input: Context): Context {
  return input;
}

/** The context for one HTTP request, sharing the request's id and logger with its log lines. */
export function createContext(input: { services: AppServices; log: Logger; requestId: string }): Context {
  return createContextInner({ services: input.services, log: input.log, requestId: input.requestId });
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

const t = initTRPC.context<Context>().create({
  errorFormatter({ shape, error }) {
    const issues = error.code === 'BAD_REQUEST' ? issuesOf(error.cause) : null;
    const fieldErrors = issues ? fieldErrorsFromIssues(issues) : null;
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

export const publicProcedure = t.procedure.use(logged);

export { TRPCError };
