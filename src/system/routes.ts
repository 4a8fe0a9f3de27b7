// System endpoints: liveness, readiness, metrics, static assets, the event log export.
import { Elysia, t } from 'elysia';
import { badRequest } from '../core/errors';
import type { EventRow } from '../core/events';
import { schemaIsCurrent } from '../core/migrate';
import { publicFiles } from '../generated/embedded';
import type { authGuard } from '../http/guard';
import type { Services } from '../http/services';
import { eventLine } from './event-lines';

const CONTENT_TYPES: Record<string, string> = {
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  woff2: 'font/woff2',
  woff: 'font/woff',
  ttf: 'font/ttf',
  json: 'application/json',
  html: 'text/html; charset=utf-8',
  ico: 'image/x-icon',
};

export function systemRoutes(svc: Services, guard: ReturnType<typeof authGuard>) {
  const { db } = svc.kernel;
  return new Elysia({ name: 'system', seed: svc.kernel.origin })
    .use(guard)
    .get('/healthz', () => ({ status: 'ok' }), { detail: { tags: ['system'], summary: 'Liveness: the process answers' } })
    .get(
      '/readyz',
      ({ set }) => {
        try {
          db.query('SELECT 1').get();
          if (!schemaIsCurrent(db)) {
            set.status = 503;
            return { status: 'not_ready', reason: 'migrations pending' };
          }
          return { status: 'ready' };
        } catch (e) {
          set.status = 503;
          return { status: 'not_ready', reason: (e as Error).message };
        }
      },
      { detail: { tags: ['system'], summary: 'Readiness: database open and migrations current' } },
    )
    .get('/metrics', () => new Response(svc.metrics.render(), { headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' } }), {
      detail: { tags: ['system'], summary: 'Prometheus metrics (text format)' },
    })
    .get('/public/*', ({ params, set }) => {
      const path = params['*'];
      const file = publicFiles[path];
      if (!file) {
        set.status = 404;
        return 'not found';
      }
      const ext = path.slice(path.lastIndexOf('.') + 1);
      return new Response(Bun.file(file), {
        headers: {
          'content-type': CONTENT_TYPES[ext] ?? 'application/octet-stream',
          'cache-control': path.startsWith('vendor/') ? 'public, max-age=86400' : 'public, max-age=300',
        },
      });
    }, { detail: { hide: true } })
    .get(
      '/api/v1/events',
      ({ query }) => {
        const after = query.after === undefined ? 0 : Number(query.after);
        const limit = query.limit === undefined ? 1000 : Number(query.limit);
        if (!Number.isInteger(after) || after < 0) throw badRequest('invalid_after', 'after must be a non-negative integer (an event seq)');
        if (!Number.isInteger(limit) || limit < 1 || limit > 10000) throw badRequest('invalid_limit', 'limit must be an integer from 1 to 10000');
        const rows = db.query('SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?').all(after, limit) as EventRow[];
        const body = rows.map((r) => eventLine(r) + '\n').join('');
        return new Response(body, { headers: { 'content-type': 'application/x-ndjson; charset=utf-8' } });
      },
      {
        auth: 'events.read',
        query: t.Object({ after: t.Optional(t.String()), limit: t.Optional(t.String()) }),
        detail: {
          tags: ['events'],
          summary: 'The event log as NDJSON, in order',
          description: 'One event per line, exactly as stored: seq, id, origin, origin_seq, branch_id, stream, version, type, data, meta, at, prev_hash, hash. Owner/admin only.',
        },
      },
    );
}
