// Printable receipts and invoices as PDF (being written).
import { Elysia } from 'elysia';
import type { authGuard } from '../http/guard';
import type { Services } from '../http/services';

export function receiptRoutes(svc: Services, guard: ReturnType<typeof authGuard>) {
  return new Elysia({ name: 'receiptRoutes', seed: svc.kernel.origin }).use(guard);
}
