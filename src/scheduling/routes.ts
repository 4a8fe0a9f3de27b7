// REST for scheduling (being written).
import { Elysia } from 'elysia';
import type { authGuard } from '../http/guard';
import type { Services } from '../http/services';

export function schedulingRoutes(svc: Services, guard: ReturnType<typeof authGuard>) {
  return new Elysia({ name: 'schedulingRoutes', seed: svc.kernel.origin }).use(guard);
}
