// Signing in and out: the login page and its form, logout, branch switching, and
// POST /api/v1/auth/token for integrators (bearer tokens).
import { Elysia, t } from 'elysia';
import { LoginPage } from '../../views/auth/login';
import type { Flash } from '../../views/layout';
import { badRequest, forbidden } from '../core/errors';
import { branchIdsOf } from '../org/queries';
import { newPreSessionToken, PRE_SESSION_COOKIE, sameToken } from '../http/csrf';
import { BRANCH_COOKIE, readCookie, SESSION_COOKIE, type authGuard } from '../http/guard';
import { clinicName, formFields, html, redirectWithFlash, takeFlash } from '../http/page';
import { infoOf } from '../http/request-info';
import type { Services } from '../http/services';
import { checkCredentials, createSession, pruneSessions, revokeSession } from './sessions';

const API_TOKEN_HOURS = 24;

function cookieAttrs(svc: Services, maxAgeSeconds: number): string {
  return `Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${svc.config.secureCookies ? '; Secure' : ''}`;
}

/** Only local paths: never redirect a signed-in user to another site. */
function safeNext(next: string | undefined): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/';
}

export function authRoutes(svc: Services, guard: ReturnType<typeof authGuard>) {
  const { db } = svc.kernel;
  const now = () => svc.kernel.clock.now();

  const loginPage = (request: Request, opts: { username?: string; error?: string | null; next?: string; status?: number; message?: string | null; flash?: Flash | null }) => {
    const pre = readCookie(request.headers.get('cookie'), PRE_SESSION_COOKIE) ?? newPreSessionToken();
    return html(
      LoginPage({ csrf: pre, username: opts.username, error: opts.error, next: opts.next, clinicName: clinicName(svc), status: opts.message, flash: opts.flash }) as string,
      opts.status ?? 200,
      { 'set-cookie': `${PRE_SESSION_COOKIE}=${pre}; ${cookieAttrs(svc, 3600)}`, 'cache-control': 'no-store' },
    );
  };

  return new Elysia({ name: 'auth-routes', seed: svc.kernel.origin })
    .use(guard)
    .get(
      '/login',
      async ({ request, query }) => {
        // The flash left by the previous page (setup: "Your clinic is ready"); shown once.
        const cleared: Record<string, string> = {};
        const flash = takeFlash(request, cleared);
        const res = await loginPage(request, { next: query.next, message: query.signed_out ? 'You have signed out.' : null, flash });
        if (cleared['set-cookie']) res.headers.append('set-cookie', cleared['set-cookie']);
        return res;
      },
      {
        query: t.Object({ next: t.Optional(t.String({ maxLength: 500 })), signed_out: t.Optional(t.String()) }),
        detail: { hide: true },
      },
    )
    .post(
      '/login',
      async ({ request, body, jwt }) => {
        const f = formFields(body);
        if (!sameToken(f._csrf, readCookie(request.headers.get('cookie'), PRE_SESSION_COOKIE))) {
          return loginPage(request, { username: f.username, error: 'The sign-in form had expired; please try again.', next: f.next, status: 403 });
        }
        const ip = infoOf(request).ip;
        try {
          const user = await checkCredentials(db, svc.throttle, f.username ?? '', f.password ?? '', ip);
          const branchIds = branchIdsOf(db, user);
          const session = createSession(db, user.id, 'web', svc.config.sessionHours, now(), ip, request.headers.get('user-agent'));
          pruneSessions(db, now());
          const token = await jwt.sign({ sub: user.id, sid: session.id, knd: 'web', exp: expSeconds(session.expires_at) });
          const headers = new Headers({ location: safeNext(f.next) });
          // A new session id at every sign-in: a cookie planted before sign-in is worthless.
          headers.append('set-cookie', `${SESSION_COOKIE}=${token}; ${cookieAttrs(svc, svc.config.sessionHours * 3600)}`);
          headers.append('set-cookie', `${PRE_SESSION_COOKIE}=; ${cookieAttrs(svc, 0)}`);
          if (branchIds[0]) headers.append('set-cookie', `${BRANCH_COOKIE}=${branchIds[0]}; ${cookieAttrs(svc, 30 * 86400)}`);
          return new Response(null, { status: 303, headers });
        } catch (e) {
          const err = e as { status?: number; message: string };
          if (err.status === 401 || err.status === 429) {
            svc.metrics.loginFailures.inc();
            return loginPage(request, { username: f.username, error: err.message, next: f.next, status: err.status });
          }
          throw e;
        }
      },
      { detail: { hide: true } },
    )
    .post(
      '/logout',
      ({ scope }) => {
        revokeSession(db, scope.sessionId, now());
        const res = redirectWithFlash('/login?signed_out=1');
        res.headers.append('set-cookie', `${SESSION_COOKIE}=; ${cookieAttrs(svc, 0)}`);
        return res;
      },
      { auth: 'signed_in', detail: { hide: true } },
    )
    .post(
      '/branch',
      ({ scope, body }) => {
        const id = formFields(body).branch_id;
        if (!id || !scope.branchIds.includes(id)) throw forbidden('You do not have access to that branch', 'branch_forbidden');
        const res = redirectWithFlash('/', { kind: 'ok', text: 'Branch switched' });
        res.headers.append('set-cookie', `${BRANCH_COOKIE}=${id}; ${cookieAttrs(svc, 30 * 86400)}`);
        return res;
      },
      { auth: 'signed_in', detail: { hide: true } },
    )
    .post(
      '/api/v1/auth/token',
      async ({ request, body, jwt }) => {
        if (!body.username || !body.password) throw badRequest('invalid_request', 'username and password are required');
        const ip = infoOf(request).ip;
        let user;
        try {
          user = await checkCredentials(db, svc.throttle, body.username, body.password, ip);
        } catch (e) {
          if ((e as { status?: number }).status === 401 || (e as { status?: number }).status === 429) svc.metrics.loginFailures.inc();
          throw e;
        }
        const session = createSession(db, user.id, 'api', API_TOKEN_HOURS, now(), ip, request.headers.get('user-agent'));
        const token = await jwt.sign({ sub: user.id, sid: session.id, knd: 'api', exp: expSeconds(session.expires_at) });
        return { token, expires_at: session.expires_at, user: { id: user.id, username: user.username, name: user.name, role: user.role, branch_ids: branchIdsOf(db, user) } };
      },
      {
        body: t.Object({ username: t.String({ maxLength: 64 }), password: t.String({ maxLength: 200 }) }, { additionalProperties: false }),
        detail: {
          tags: ['auth'],
          summary: 'Sign in and get a bearer token',
          description: 'Answers {token, expires_at, user:{id, role, branch_ids}}. Wrong username or password → 401 invalid_credentials (same answer for unknown users); too many failures → 429.',
        },
      },
    )
    .post(
      '/api/v1/auth/logout',
      ({ scope }) => {
        revokeSession(db, scope.sessionId, now());
        return { revoked: true };
      },
      { auth: 'signed_in', detail: { tags: ['auth'], summary: 'Revoke the bearer token (or session) used for this call' } },
    )
    .get(
      '/api/v1/me',
      ({ scope }) => ({ id: scope.userId, username: scope.username, name: scope.name, role: scope.role, branch_id: scope.branchId, branch_ids: scope.branchIds }),
      { auth: 'signed_in', detail: { tags: ['auth'], summary: 'Who the token belongs to, and the branch in scope' } },
    );
}

const expSeconds = (iso: string) => Math.floor(new Date(iso).getTime() / 1000);
