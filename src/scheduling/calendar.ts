// Per-doctor iCalendar feed (being written).
import { Elysia } from 'elysia';
import type { authGuard } from '../http/guard';
import type { Services } from '../http/services';

export function calendarRoutes(svc: Services, guard: ReturnType<typeof authGuard>) {
  return new Elysia({ name: 'calendarRoutes', seed: svc.kernel.origin }).use(guard);
}
