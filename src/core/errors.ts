// Errors a user can cause. Each carries a stable machine code and an HTTP status;
// the HTTP layer turns them into {"error":{code,message,details}}. Anything else is a bug (5xx).
export type ErrorDetails = Record<string, unknown>;

export class DomainError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 422 | 429,
    readonly code: string,
    message: string,
    readonly details?: ErrorDetails,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const badRequest = (code: string, message: string, details?: ErrorDetails) =>
  new DomainError(400, code, message, details);
export const unauthorized = (message = 'Sign in first', code = 'unauthorized') =>
  new DomainError(401, code, message);
export const forbidden = (message = 'You are not allowed to do that', code = 'forbidden') =>
  new DomainError(403, code, message);
export const notFound = (what: string, code = 'not_found') =>
  new DomainError(404, code, `${what} not found`);
export const conflict = (code: string, message: string, details?: ErrorDetails) =>
  new DomainError(409, code, message, details);
export const unprocessable = (code: string, message: string, details?: ErrorDetails) =>
  new DomainError(422, code, message, details);
export const tooManyRequests = (message: string, retryAfterSeconds: number) =>
  new DomainError(429, 'rate_limited', message, { retry_after_seconds: retryAfterSeconds });

/** Optimistic concurrency: someone appended to the stream since we read it. */
export class ConcurrencyError extends DomainError {
  constructor(stream: string, expected: number, actual: number) {
    super(409, 'concurrent_change', `Someone else changed this record at the same time; reload and try again`, {
      stream,
      expected_version: expected,
      actual_version: actual,
    });
  }
}
