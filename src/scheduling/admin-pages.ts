// Pages to manage doctors, availability, holidays; the recall list (being written).
import { Elysia } from 'elysia';
import type { authGuard } from '../http/guard';
import type { Services } from '../http/services';

export function doctorAdminPages(svc: Services, guard: ReturnType<typeof authGuard>) {
  return new Elysia({ name: 'doctorAdminPages', seed: svc.kernel.origin }).use(guard);
}
