// First run: while no clinic exists, the one-time link printed by `serve` opens a page
// that creates the clinic, its first branch and the owner account.
import { Elysia, t } from 'elysia';
import { SetupClosedPage, SetupPage, type SetupValues } from '../../views/setup/setup';
import { DomainError } from '../core/errors';
import { systemActor } from '../core/runner';
import { newPreSessionToken, PRE_SESSION_COOKIE, sameToken } from '../http/csrf';
import { readCookie } from '../http/guard';
import { formFields, html, redirectWithFlash } from '../http/page';
import type { Services } from '../http/services';
import { setUpClinic } from '../org/commands';
import { getClinic } from '../org/queries';
import { hashPassword } from '../org/rules';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

export function setupRoutes(svc: Services) {
  const { db } = svc.kernel;
  const open = (token: string | undefined) => !!svc.setup.token && !getClinic(db) && sameToken(token, svc.setup.token);
  const page = (request: Request, token: string, values: SetupValues, error: string | null, field: string | null, status: number) => {
    const pre = readCookie(request.headers.get('cookie'), PRE_SESSION_COOKIE) ?? newPreSessionToken();
    return html(SetupPage({ token, csrf: pre, values, error, field }) as string, status, {
      'set-cookie': `${PRE_SESSION_COOKIE}=${pre}; Path=/; HttpOnly; SameSite=Lax; Max-Age=3600`,
      'cache-control': 'no-store',
    });
  };

  return new Elysia({ name: 'setup-routes', seed: svc.kernel.origin })
    .get(
      '/setup',
      ({ request, query }) => (open(query.token) ? page(request, query.token!, {}, null, null, 200) : html(SetupClosedPage() as string, 404)),
      { query: t.Object({ token: t.Optional(t.String({ maxLength: 200 })) }), detail: { hide: true } },
    )
    .post(
      '/setup',
      async ({ request, body }) => {
        const f = formFields(body);
        if (!open(f.token)) return html(SetupClosedPage() as string, 404);
        const values: SetupValues = { clinic_name: f.clinic_name, branch_name: f.branch_name, branch_code: f.branch_code, timezone: f.timezone, owner_name: f.owner_name, username: f.username };
        if (!sameToken(f._csrf, readCookie(request.headers.get('cookie'), PRE_SESSION_COOKIE))) {
          return page(request, f.token!, values, 'The form had expired; please submit it again.', null, 403);
        }
        try {
          const passwordHash = await hashPassword(f.password ?? '');
          svc.kernel.runner.run({ actor: systemActor('setup') }, (tx) =>
            setUpClinic(tx, {
              clinicName: f.clinic_name ?? '',
              branch: { code: f.branch_code ?? '', name: f.branch_name ?? '', timezone: f.timezone || 'Asia/Kolkata' },
              owner: { username: f.username ?? '', name: f.owner_name || f.username || '', passwordHash },
            }),
          );
        } catch (e) {
          if (e instanceof DomainError && e.status < 500) {
            return page(request, f.token!, values, e.message, (e.details?.field as string) ?? null, 422);
          }
          throw e;
        }
        svc.setup.token = null;
        rmSync(join(svc.config.dataDir, 'setup-token'), { force: true });
        svc.logger.log('info', 'clinic set up', { clinic: values.clinic_name });
        return redirectWithFlash('/login', { kind: 'ok', text: 'Your clinic is ready. Sign in with the owner account.' });
      },
      { detail: { hide: true } },
    );
}
