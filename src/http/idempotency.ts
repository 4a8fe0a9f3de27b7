// Reads the Idempotency-Key of a REST call (or the one-time token of an htmx form).
import { badRequest } from '../core/errors';
import type { Idempotency } from '../core/runner';
import type { Scope } from '../core/scope';

const KEY = /^[A-Za-z0-9._:-]{1,200}$/;

export function idempotencyOf(scope: Scope, request: Request, body: unknown, formToken?: string): Idempotency | null {
  const key = request.headers.get('idempotency-key') ?? formToken;
  if (!key) return null;
  if (!KEY.test(key)) throw badRequest('invalid_idempotency_key', 'Idempotency-Key must be 1–200 letters, digits, dot, dash, colon or underscore');
  const url = new URL(request.url);
  return { scope: `user:${scope.userId}`, key, request: { method: request.method, path: url.pathname, body } };
}
