// Health, readiness, metrics (read back with a real Prometheus parser), the OpenAPI
// description and page, and request ids on every answer.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import parsePrometheusTextFormat, { type PromFamily } from 'parse-prometheus-text-format';
import { startServer, type TestServer } from '../helpers/server';

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(() => s.stop());

const get = (path: string, init: RequestInit = {}) => fetch(s.url + path, init);

describe('health', () => {
  test('/healthz answers 200', async () => {
    const res = await get('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  test('/readyz answers 200 ready when the database is open and migrated', async () => {
    const res = await get('/readyz');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ready' });
  });

  test('/readyz answers 503 while the database is not at the schema this build expects', async () => {
    const db = s.svc.kernel.db;
    db.run(`INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (9999, '9999_from_the_future', 'x', '2030-01-01T00:00:00Z')`);
    try {
      const res = await get('/readyz');
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ status: 'not_ready' });
      expect((await get('/healthz')).status).toBe(200); // alive, just not ready
    } finally {
      db.run('DELETE FROM schema_migrations WHERE version = 9999');
    }
    expect((await get('/readyz')).status).toBe(200);
  });

  test('neither needs a token', async () => {
    expect((await get('/healthz', { headers: { authorization: 'Bearer nonsense' } })).status).toBe(200);
  });
});

describe('/metrics', () => {
  async function scrape(): Promise<PromFamily[]> {
    const res = await get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toStartWith('text/plain');
    return parsePrometheusTextFormat(await res.text());
  }
  const family = (all: PromFamily[], name: string) => all.find((f) => f.name === name);

  test('parses as Prometheus text and counts a registration by route and status, and its event', async () => {
    const reg = await s.api('/api/v1/patients', { method: 'POST', json: { name: 'Asha Rao', phone: '9845012345', sex: 'female', age_years: 34 } });
    expect(reg.status).toBe(201);
    // The request is counted once its answer has gone out: allow the hook a moment.
    let all: PromFamily[] = [];
    for (let i = 0; i < 20; i++) {
      all = await scrape();
      const req = family(all, 'mymedic_http_requests_total');
      if (req?.metrics.some((m) => m.labels?.status === '201')) break;
      await Bun.sleep(10);
    }
    const requests = family(all, 'mymedic_http_requests_total');
    expect(requests?.type).toBe('COUNTER');
    expect(requests!.metrics).toContainEqual({ labels: { method: 'POST', route: '/api/v1/patients', status: '201' }, value: '1' });

    const appended = family(all, 'mymedic_events_appended_total');
    expect(appended?.type).toBe('COUNTER');
    expect(appended!.metrics).toContainEqual({ labels: { type: 'patient.registered' }, value: '1' });

    // (this parser folds a labelled histogram's series together, so only its shape is checked)
    const duration = family(all, 'mymedic_http_request_duration_seconds');
    expect(duration?.type).toBe('HISTOGRAM');
    expect(Object.keys(duration!.metrics[0].buckets ?? {})).toContain('+Inf');
  });

  test('routes are labelled by their pattern, not by the id in the URL', async () => {
    await s.api(`/api/v1/patients/${Bun.randomUUIDv7()}`);
    await Bun.sleep(20);
    const requests = family(await scrape(), 'mymedic_http_requests_total')!;
    expect(requests.metrics).toContainEqual(expect.objectContaining({ labels: { method: 'GET', route: '/api/v1/patients/:id', status: '404' } }));
    expect(requests.metrics.every((m) => !/[0-9a-f]{8}-[0-9a-f]{4}-/.test(m.labels?.route ?? ''))).toBe(true);
  });
});

describe('OpenAPI', () => {
  test('/openapi/json is valid JSON describing POST /api/v1/patients with its request schema', async () => {
    const res = await get('/openapi/json');
    expect(res.status).toBe(200);
    const spec = JSON.parse(await res.text()) as {
      openapi: string;
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { type: string; required: string[]; properties: Record<string, unknown> } }> } }>>;
    };
    expect(spec.openapi).toMatch(/^3\./);
    const post = spec.paths['/api/v1/patients']?.post;
    expect(post).toBeDefined();
    const schema = post!.requestBody!.content['application/json'].schema;
    expect(schema.type).toBe('object');
    expect(schema.required).toEqual(expect.arrayContaining(['name', 'phone', 'sex']));
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['name', 'phone', 'sex', 'date_of_birth', 'age_years', 'email', 'address', 'abha_number']));
    for (const path of ['/api/v1/auth/token', '/api/v1/patients/{id}', '/api/v1/events', '/healthz']) expect(Object.keys(spec.paths)).toContain(path);
  });

  test('/openapi loads only this server’s own assets, and each of them is there', async () => {
    const res = await get('/openapi');
    expect(res.status).toBe(200);
    const html = await res.text();
    const refs = [...html.matchAll(/\b(?:src|href)\s*=\s*["']([^"']+)["']/gi)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThanOrEqual(2);
    expect(html).not.toMatch(/(?:https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}/i);
    for (const ref of refs) {
      expect(ref).toStartWith('/public/');
      const asset = await get(ref);
      expect({ ref, status: asset.status }).toEqual({ ref, status: 200 });
      expect((await asset.arrayBuffer()).byteLength).toBeGreaterThan(0);
    }
  });
});

describe('request ids', () => {
  test('every answer carries x-request-id: success, created, errors, pages, assets, redirects', async () => {
    const token = await s.token();
    const answers = await Promise.all([
      get('/healthz'),
      get('/readyz'),
      get('/metrics'),
      get('/openapi'),
      get('/openapi/json'),
      get('/public/vendor/htmx.min.js'),
      get('/login'),
      get('/', { redirect: 'manual', headers: { accept: 'text/html' } }),
      get('/api/v1/patients'),
      get('/api/v1/patients', { headers: { authorization: `Bearer ${token}` } }),
      get('/api/v1/no-such-route'),
      s.api('/api/v1/patients', { method: 'POST', json: { name: 'Ravi Iyer', phone: '9845012346', sex: 'male', age_years: 40 } }),
      s.api('/api/v1/patients', { method: 'POST', body: '{', headers: { 'content-type': 'application/json' } }),
    ]);
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200, 200, 303, 401, 200, 404, 201, 400]);
    for (const r of answers) expect({ url: r.url, id: r.headers.get('x-request-id') }).toEqual({ url: r.url, id: expect.stringMatching(/^[A-Za-z0-9._:-]{1,64}$/) });
    expect(new Set(answers.map((r) => r.headers.get('x-request-id'))).size).toBe(answers.length);
  });

  test('an error body names the same request id as the header', async () => {
    for (const res of [await get('/api/v1/patients'), await s.api('/api/v1/patients?limit=0'), await get('/api/v1/nope')]) {
      const body = (await res.json()) as { error: { code: string; message: string; request_id: string } };
      expect(body.error.request_id).toBe(res.headers.get('x-request-id')!);
    }
  });

  test('a request id the client sends is kept; a malformed one is replaced', async () => {
    const kept = await get('/api/v1/patients', { headers: { 'x-request-id': 'desk-3.req-42' } });
    expect(kept.headers.get('x-request-id')).toBe('desk-3.req-42');
    expect(((await kept.json()) as { error: { request_id: string } }).error.request_id).toBe('desk-3.req-42');
    const replaced = await get('/healthz', { headers: { 'x-request-id': 'bad id <script>' } });
    expect(replaced.headers.get('x-request-id')).not.toContain('<');
  });
});
