// The start page after sign-in: today's figures and the way to the front desk's tasks; the
// chain's doctor directory (/directory), as pulled from the hub.
import { Elysia, t } from 'elysia';
import { DirectoryPage } from '../../views/home/directory';
import { directoryDoctors } from '../chain/directory';
import { HomePage } from '../../views/home/home';
import { can } from '../http/permissions';
import type { authGuard } from '../http/guard';
import { clinicName, html, pageUser, takeFlash } from '../http/page';
import type { Services } from '../http/services';
import { branchStats } from '../patients/queries';
import { branchToday } from '../patients/routes';
import { getBranch } from '../org/queries';
import { currentAnnouncements } from '../chain/announcements';

export function homeRoutes(svc: Services, guard: ReturnType<typeof authGuard>) {
  return new Elysia({ name: 'home-routes', seed: svc.kernel.origin })
    .use(guard)
    .get(
      '/',
      ({ scope, request }) => {
        const headers: Record<string, string> = { 'cache-control': 'no-store' };
        const flash = takeFlash(request, headers);
        const stats = branchStats(svc.kernel.db, scope.branchId, svc.kernel.clock.now());
        return html(
          HomePage({
            user: pageUser(svc, scope),
            clinicName: clinicName(svc),
            flash,
            stats,
            canRegister: can(scope.role, 'patients.write'),
            announcements: currentAnnouncements(svc.kernel.db, branchToday(svc, scope)),
            timeZone: getBranch(svc.kernel.db, scope.branchId)?.timezone ?? 'Asia/Kolkata',
          }) as string,
          200,
          headers,
        );
      },
      { auth: 'signed_in', detail: { hide: true } },
    )
    .get(
      '/directory',
      ({ scope, query, request }) => {
        const headers: Record<string, string> = { 'cache-control': 'no-store' };
        const flash = takeFlash(request, headers);
        const q = (query.q ?? '').trim();
        const branch = /^[A-Za-z0-9]{1,8}$/.test(query.branch ?? '') ? query.branch!.toUpperCase() : '';
        const all = directoryDoctors(svc.kernel.db);
        const items = q || branch ? directoryDoctors(svc.kernel.db, { q, branchCode: branch || null }) : all;
        const branchCodes = [...new Set(all.flatMap((d) => d.branch_codes))].sort();
        return html(DirectoryPage({ user: pageUser(svc, scope), clinicName: clinicName(svc), flash, items, q, branch, branchCodes }) as string, 200, headers);
      },
      { auth: 'signed_in', query: t.Object({ q: t.Optional(t.String({ maxLength: 100 })), branch: t.Optional(t.String({ maxLength: 16 })) }), detail: { hide: true } },
    );
}
