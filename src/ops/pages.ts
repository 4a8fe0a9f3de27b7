// Operations pages: the system status page for the owner (/admin/system): version and
// schema, uptime, storage, activity, and above all whether backups are current.
import { Elysia } from 'elysia';
import { SystemPage } from '../../views/admin/system';
import type { authGuard } from '../http/guard';
import { clinicName, html, pageUser, takeFlash } from '../http/page';
import type { Services } from '../http/services';
import { getBranch } from '../org/queries';
import { systemStatus } from './status';

export function systemPages(svc: Services, guard: ReturnType<typeof authGuard>) {
  return new Elysia({ name: 'system-pages', seed: svc.kernel.origin }).use(guard).get(
    '/admin/system',
    ({ scope, request }) => {
      const headers: Record<string, string> = { 'cache-control': 'no-store' };
      const page = SystemPage({
        user: pageUser(svc, scope),
        clinicName: clinicName(svc),
        flash: takeFlash(request, headers),
        status: systemStatus(svc),
        timeZone: getBranch(svc.kernel.db, scope.branchId)?.timezone ?? 'Asia/Kolkata',
      });
      return html(page as string, 200, headers);
    },
    { auth: 'system.read', detail: { hide: true } },
  );
}
