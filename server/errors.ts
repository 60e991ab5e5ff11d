/**
 * An error a person can act on: bad input, no access, a conflict. Domain functions throw it; the
 * tRPC layer turns it into the matching TRPCError (status and message), with field errors when
 * they belong to one field of a form. Anything else is an internal error.
 */
export type AppErrorCode = 'BAD_REQUEST' | 'UNAUTHORIZED' | 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT' | 'TOO_MANY_REQUESTS';

export class AppError extends Error {
  override name = 'AppError';
  constructor(
    readonly code: AppErrorCode,
    message: string,
    readonly fieldErrors?: Record<string, string[]>,
  ) {
    super(message);
  }

  /** A bad value in one form field: the message shows beside that field. */
  static field(field: string, message: string, code: AppErrorCode = 'BAD_REQUEST'): AppError {
    return new AppError(code, message, { [field]: [message] });
  }
}
