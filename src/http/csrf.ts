// CSRF protection for cookie sessions. A signed-in form or htmx request carries a token
// derived from its session (field _csrf or header X-CSRF-Token). Before sign-in (login,
// first-run setup) a random cookie is echoed in the form instead (double submit).
import { randomToken } from '../core/ids';

export const CSRF_HEADER = 'x-csrf-token';
export const CSRF_FIELD = '_csrf';
export const PRE_SESSION_COOKIE = 'mm_csrf';

export function csrfTokenFor(secret: string, sessionId: string): string {
  return new Bun.CryptoHasher('sha256', secret).update(`csrf:${sessionId}`).digest('base64url');
}

export function newPreSessionToken(): string {
  return randomToken(24);
}

/** Constant-time comparison of two tokens. */
export function sameToken(a: string | undefined | null, b: string | undefined | null): boolean {
  if (!a || !b || a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

export function submittedToken(headers: Record<string, string | undefined>, body: unknown): string | undefined {
  const header = headers[CSRF_HEADER];
  if (header) return header;
  if (body && typeof body === 'object' && CSRF_FIELD in body) {
    const v = (body as Record<string, unknown>)[CSRF_FIELD];
    return typeof v === 'string' ? v : undefined;
  }
  return undefined;
}

export const isSafeMethod = (m: string) => m === 'GET' || m === 'HEAD' || m === 'OPTIONS';
