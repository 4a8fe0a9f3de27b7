// Front desk and doctor pages for scheduling (being written).
import { Elysia } from 'elysia';
import type { authGuard } from '../http/guard';
import type { Services } from '../http/services';

export function schedulingPages(svc: Services, guard: ReturnType<typeof authGuard>) {
  return new Elysia({ name: 'schedulingPages', seed: svc.kernel.origin }).use(guard);
}
