// Patient pages (being written).
import { Elysia } from 'elysia';
import type { authGuard } from '../http/guard';
import type { Services } from '../http/services';

export function patientPages(svc: Services, guard: ReturnType<typeof authGuard>) {
  return new Elysia({ name: 'patient-pages', seed: svc.kernel.origin }).use(guard);
}
