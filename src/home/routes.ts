// The start page after sign-in: today's figures and the way to the front desk's tasks.
import { Elysia } from 'elysia';
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
    );
}
