// The OpenAPI description (GET /openapi/json, generated from the routes' schemas) and a
// browsable page at /openapi whose viewer (Swagger UI) is served from the binary itself,
// so it works on a clinic LAN without internet.
import { openapi } from '@elysiajs/openapi';
import { Elysia } from 'elysia';
import type { Services } from '../http/services';

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>MyMedic API</title>
<link rel="stylesheet" href="/public/vendor/swagger-ui.css">
</head>
<body>
<div id="api"></div>
<script src="/public/vendor/swagger-ui-bundle.js"></script>
<script src="/public/openapi-init.js"></script>
</body>
</html>`;

export function openapiRoutes(svc: Services) {
  return new Elysia({ name: 'openapi-routes', seed: svc.kernel.origin })
    .use(
      openapi({
        provider: null,
        path: '/openapi',
        specPath: '/openapi/json',
        exclude: { staticFile: true },
        documentation: {
          info: {
            title: 'MyMedic REST API',
            version: svc.version,
            description:
              'The public contract for integrators, the hub and scripts. Auth: `Authorization: Bearer <token>` from POST /api/v1/auth/token. ' +
              'Errors: {"error":{"code","message","details"}}. Every POST accepts Idempotency-Key. Money is integer paise.',
          },
          components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
          security: [{ bearer: [] }],
          tags: [
            { name: 'auth', description: 'Sign in, tokens' },
            { name: 'branches', description: 'Branches and staff' },
            { name: 'patients', description: 'The patient registry' },
            { name: 'scheduling', description: 'Doctors, availability, slots, appointments, the walk-in queue, follow-ups' },
            { name: 'billing', description: 'Prices, invoices, payments, refunds, receipts, day close' },
            { name: 'events', description: 'The event log' },
            { name: 'system', description: 'Health, readiness, metrics' },
          ],
        },
      }),
    )
    .get('/openapi', () => new Response(PAGE, { headers: { 'content-type': 'text/html; charset=utf-8' } }), { detail: { hide: true } });
}
