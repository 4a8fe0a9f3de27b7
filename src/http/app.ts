// Assembles the Elysia app: request ids, logs and metrics around every request, the error
// mapping, the auth guard, then one plugin per domain.
import { Elysia } from 'elysia';
import { authRoutes } from '../auth/routes';
import { apiKeyRoutes } from '../auth/api-key-routes';
import { orgRoutes } from '../org/routes';
import { patientsRoutes } from '../patients/routes';
import { gatewayRoutes } from '../billing/gateway';
import { billingPages } from '../billing/pages';
import { receiptRoutes } from '../billing/receipt-routes';
import { billingRoutes } from '../billing/routes';
import { chainPriceRoutes } from '../billing/chain-routes';
import { directoryRoutes } from '../chain/directory-routes';
import { announcementRoutes } from '../chain/routes';
import { hqDirectoryPages } from '../hq/directory-pages';
import { hqPages } from '../hq/pages';
import { hqRoutes } from '../hq/routes';
import { doctorAdminPages } from '../scheduling/admin-pages';
import { calendarRoutes } from '../scheduling/calendar';
import { schedulingPages } from '../scheduling/pages';
import { schedulingRoutes } from '../scheduling/routes';
import { homeRoutes } from '../home/routes';
import { setupRoutes } from '../setup/routes';
import { systemRoutes } from '../system/routes';
import { openapiRoutes } from '../system/openapi';
import { systemPages } from '../ops/pages';
import { hubRoutes } from '../sync/hub-routes';
import { DomainError } from '../core/errors';
import { errorResponse } from './errors';
import { authGuard } from './guard';
import { infoOf, requestIdFrom, setInfo } from './request-info';
import type { Services } from './services';

/** Security headers for every answer: no framing, no sniffing, nothing loaded from elsewhere. */
const SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
};

/**
 * Largest request body the app reads. Checked here (not only by Bun's maxRequestBodySize, which
 * answers a bare 413 without a body) so the client gets the documented {"error":…} answer.
 */
export const MAX_REQUEST_BODY_BYTES = 1_000_000;

export function createApp(svc: Services) {
  svc.kernel.runner.onCommit((events) => {
    for (const e of events) svc.metrics.eventsAppended.inc({ type: e.type });
  });
  const guard = authGuard(svc);
  return new Elysia({ normalize: false })
    .onRequest(({ request, server }) => {
      const fwd = svc.config.trustProxy ? request.headers.get('x-forwarded-for')?.split(',')[0]?.trim() : undefined;
      setInfo(request, {
        id: requestIdFrom(request.headers.get('x-request-id')),
        start: performance.now(),
        ip: fwd ?? server?.requestIP(request)?.address ?? 'unknown',
      });
      if (Number(request.headers.get('content-length') ?? 0) > MAX_REQUEST_BODY_BYTES) {
        throw new DomainError(413, 'payload_too_large', `The request body is too large (at most ${MAX_REQUEST_BODY_BYTES} bytes)`);
      }
    })
    .onAfterHandle({ as: 'global' }, ({ request, set, response }) => {
      const info = infoOf(request);
      if (response instanceof Response) {
        info.status = response.status;
        response.headers.set('x-request-id', info.id);
        for (const [k, v] of Object.entries(SECURITY_HEADERS)) response.headers.set(k, v);
      }
      set.headers['x-request-id'] = info.id;
      Object.assign(set.headers, SECURITY_HEADERS);
    })
    .onError({ as: 'global' }, ({ request, code, error }) => {
      const res = errorResponse(svc, request, code, error);
      infoOf(request).status = res.status;
      for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.headers.set(k, v);
      return res;
    })
    .onAfterResponse({ as: 'global' }, ({ request, set, route }) => {
      const info = infoOf(request);
      const seconds = (performance.now() - info.start) / 1000;
      const status = info.status ?? (typeof set.status === 'number' ? set.status : 200);
      const routeLabel = route || 'unmatched';
      svc.metrics.requests.inc({ method: request.method, route: routeLabel, status: String(status) });
      svc.metrics.duration.observe({ method: request.method, route: routeLabel }, seconds);
      svc.logger.log(status >= 500 ? 'error' : 'info', 'request', {
        request_id: info.id,
        method: request.method,
        path: new URL(request.url).pathname,
        route: routeLabel,
        status,
        ms: Math.round(seconds * 100000) / 100,
        ip: info.ip,
        user: info.userId,
      });
    })
    .use(openapiRoutes(svc))
    .use(guard)
    .use(systemRoutes(svc, guard))
    .use(setupRoutes(svc))
    .use(authRoutes(svc, guard))
    .use(apiKeyRoutes(svc, guard))
    .use(homeRoutes(svc, guard))
    .use(orgRoutes(svc, guard))
    .use(patientsRoutes(svc, guard))
    .use(schedulingRoutes(svc, guard))
    .use(schedulingPages(svc, guard))
    .use(doctorAdminPages(svc, guard))
    .use(calendarRoutes(svc, guard))
    .use(billingRoutes(svc, guard))
    .use(chainPriceRoutes(svc, guard))
    .use(announcementRoutes(svc, guard))
    .use(directoryRoutes(svc, guard))
    .use(receiptRoutes(svc, guard))
    .use(billingPages(svc, guard))
    .use(hqRoutes(svc, guard))
    .use(hqPages(svc, guard))
    .use(hqDirectoryPages(svc, guard))
    .use(systemPages(svc, guard))
    .use(gatewayRoutes(svc, guard))
    .use(hubRoutes(svc));
}

export type App = ReturnType<typeof createApp>;
