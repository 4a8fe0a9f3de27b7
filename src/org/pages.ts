// Admin pages for staff and branches (being written).
import { Elysia } from 'elysia';
import type { authGuard } from '../http/guard';
import type { Services } from '../http/services';

export function orgPages(svc: Services, guard: ReturnType<typeof authGuard>) {
  return new Elysia({ name: 'org-pages', seed: svc.kernel.origin }).use(guard);
}
