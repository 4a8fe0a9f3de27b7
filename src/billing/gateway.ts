// Online payments: the gateway webhook and settlement import (being written).
import { Elysia } from 'elysia';
import type { authGuard } from '../http/guard';
import type { Services } from '../http/services';

export function gatewayRoutes(svc: Services, guard: ReturnType<typeof authGuard>) {
  return new Elysia({ name: 'gatewayRoutes', seed: svc.kernel.origin }).use(guard);
}
