// REST for billing: prices, invoices, payments, refunds, day close (being written).
import { Elysia } from 'elysia';
import type { authGuard } from '../http/guard';
import type { Services } from '../http/services';

export function billingRoutes(svc: Services, guard: ReturnType<typeof authGuard>) {
  return new Elysia({ name: 'billingRoutes', seed: svc.kernel.origin }).use(guard);
}
