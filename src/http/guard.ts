// The auth guard: a named Elysia plugin whose `auth` macro every route uses to declare its
// rule, e.g. `{ auth: 'patients.write' }`. It authenticates (session cookie or bearer token),
// checks the role, enforces CSRF on cookie requests that change things, resolves the branch
// scope once, and hands the route a plain `scope` value.
import { jwt } from '@elysiajs/jwt';
import { Elysia } from 'elysia';
import { activeSession } from '../auth/sessions';
import { forbidden, unauthorized } from '../core/errors';
import type { Scope } from '../core/scope';
import { branchIdsOf, getUser, type UserRow } from '../org/queries';
import { activeApiKey, isApiKey } from '../auth/api-keys';
import { csrfTokenFor, isSafeMethod, sameToken, submittedToken } from './csrf';
import { can, type Permission } from './permissions';
import { infoOf } from './request-info';
import type { Services } from './services';

export const SESSION_COOKIE = 'mm_session';
export const BRANCH_COOKIE = 'mm_branch';
export const BRANCH_HEADER = 'x-branch-id';

export interface TokenClaims {
  sub: string;
  sid: string;
  knd: 'web' | 'api';
}

const scopes = new WeakMap<Request, Scope>();

/**
 * Tokens already verified, with their claims: checking an HMAC signature on every request
 * costs more than the rest of the guard. Revocation is unaffected (the session row is read
 * on every request); expiry is rechecked here.
 */
const MAX_VERIFIED = 10_000;
const verifiedBySecret = new Map<string, Map<string, { claims: Record<string, unknown>; expMs: number }>>();

async function verifyCached(secret: string, token: string, verify: (t: string) => Promise<false | Record<string, unknown>>, nowMs: number) {
  let verified = verifiedBySecret.get(secret);
  if (!verified) verifiedBySecret.set(secret, (verified = new Map()));
  const hit = verified.get(token);
  if (hit) return hit.expMs > nowMs ? hit.claims : false;
  const claims = await verify(token).catch(() => false as const);
  if (claims && typeof claims.exp === 'number') {
    if (verified.size >= MAX_VERIFIED) verified.delete(verified.keys().next().value!);
    verified.set(token, { claims, expMs: claims.exp * 1000 });
  }
  return claims;
}

export function readCookie(header: string | null | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) {
      try {
        return decodeURIComponent(part.slice(i + 1).trim());
      } catch {
        return undefined; // not valid percent-encoding: no cookie of ours, not a server error
      }
    }
  }
  return undefined;
}

export function authGuard(svc: Services) {
  return new Elysia({ name: 'auth-guard', seed: svc.kernel.origin })
    .use(jwt({ name: 'jwt', secret: svc.secret, alg: 'HS256' }))
    .macro({
      auth: (permission: Permission) => ({
        async transform({ request, headers, body, jwt }) {
          const scope = await authenticate(svc, request, headers, body, (t) => jwt.verify(t, { currentDate: svc.kernel.clock.now() } as never) as Promise<false | Record<string, unknown>>);
          if (!can(scope.role, permission)) throw forbidden(`Your role (${scope.role}) may not do this`);
          scopes.set(request, scope);
        },
        resolve({ request }) {
          return { scope: scopes.get(request)! };
        },
      }),
    });
}

/** Who is calling? Throws 401 (no/invalid/expired credentials) or 403 (CSRF, branch). */
export async function authenticate(
  svc: Services,
  request: Request,
  headers: Record<string, string | undefined>,
  body: unknown,
  verify: (token: string) => Promise<false | Record<string, unknown>>,
): Promise<Scope> {
  const { db } = svc.kernel;
  const authz = headers.authorization;
  let token: string | undefined;
  let via: Scope['via'];
  if (authz) {
    const m = /^Bearer\s+(\S+)$/i.exec(authz);
    if (!m) throw unauthorized('Authorization header must be "Bearer <token>"', 'invalid_token');
    token = m[1];
    via = 'bearer';
  } else {
    token = readCookie(headers.cookie, SESSION_COOKIE);
    via = 'cookie';
  }
  if (!token) throw unauthorized('Sign in first', 'unauthorized');
  if (via === 'bearer' && isApiKey(token)) return scopeForApiKey(svc, request, headers, token);
  const now = svc.kernel.clock.now();
  const claims = await verifyCached(svc.secret, token, verify, now.getTime());
  if (!claims || typeof claims.sub !== 'string' || typeof claims.sid !== 'string') {
    throw unauthorized('Your session is not valid or has expired; sign in again', 'invalid_token');
  }
  const session = activeSession(db, claims.sid, now);
  if (!session || session.user_id !== claims.sub) throw unauthorized('Your session has ended; sign in again', 'session_expired');
  // A browser session is only good in the cookie, an API token only as bearer.
  if ((via === 'cookie') !== (session.kind === 'web')) throw unauthorized('This token cannot be used this way', 'invalid_token');
  const user = getUser(db, session.user_id);
  if (!user) throw unauthorized('Your session has ended; sign in again', 'session_expired');
  if (!user.active) throw unauthorized('This account is disabled', 'account_disabled');
  if (via === 'cookie' && !isSafeMethod(request.method)) {
    if (!sameToken(submittedToken(headers, body), csrfTokenFor(svc.secret, session.id))) {
      throw forbidden('The form has expired or did not come from this site; reload the page and try again', 'csrf_failed');
    }
  }
  return scopeFor(svc, request, headers, user, session.id, via);
}

function scopeForApiKey(svc: Services, request: Request, headers: Record<string, string | undefined>, token: string): Scope {
  const key = activeApiKey(svc.kernel.db, token, svc.kernel.clock.now());
  if (!key) throw unauthorized('This API key is not valid, was revoked or has expired', 'invalid_token');
  const user = getUser(svc.kernel.db, key.user_id);
  if (!user) throw unauthorized('This API key is not valid', 'invalid_token');
  if (!user.active) throw unauthorized('The account of this API key is disabled', 'account_disabled');
  return scopeFor(svc, request, headers, user, `apikey:${key.id}`, 'bearer');
}

/** The caller's branch: X-Branch-Id (or the browser's branch cookie) if theirs, else their first. */
function scopeFor(svc: Services, request: Request, headers: Record<string, string | undefined>, user: UserRow, sessionId: string, via: Scope['via']): Scope {
  const branchIds = branchIdsOf(svc.kernel.db, user);
  const asked = headers[BRANCH_HEADER] ?? (via === 'cookie' ? readCookie(headers.cookie, BRANCH_COOKIE) : undefined);
  let branchId: string;
  if (asked) {
    if (!branchIds.includes(asked)) throw forbidden('You do not have access to that branch', 'branch_forbidden');
    branchId = asked;
  } else if (branchIds.length >= 1) {
    // One branch: nothing more needed. Several: the first until the caller picks (X-Branch-Id).
    branchId = branchIds[0];
  } else {
    throw forbidden('Your account has no branch yet; ask an administrator', 'no_branch');
  }
  const info = infoOf(request);
  info.userId = user.id;
  return { userId: user.id, username: user.username, name: user.name, role: user.role, branchId, branchIds, sessionId, via, requestId: info.id };
}
