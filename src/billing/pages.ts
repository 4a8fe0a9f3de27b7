// Billing pages for the front desk and the accountant (being written).
import { Elysia } from 'elysia';
import type { authGuard } from '../http/guard';
import type { Services } from '../http/services';

export function billingPages(svc: Services, guard: ReturnType<typeof authGuard>) {
  return new Elysia({ name: 'billingPages', seed: svc.kernel.origin }).use(guard);
}
