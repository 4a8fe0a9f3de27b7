// Every route declares an auth rule: called without credentials, each one refuses (401, or
// a redirect to the sign-in page for browser pages), except the few public ones listed here.
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { createApp } from '../../src/http/app';
import { startServer, type TestServer } from '../helpers/server';

const PUBLIC = new Set([
  'GET /healthz',
  'GET /readyz',
  'GET /metrics',
  'GET /public/*',
  'GET /openapi',
  'GET /openapi/json',
  'GET /setup',
  'POST /setup',
  'GET /login',
  'POST /login',
  'POST /api/v1/auth/token',
  // A secret token in the URL is the credential of these two: a doctor's calendar app and
  // the waiting-room TV cannot sign in.
  'GET /calendar/:file',
  'GET /display',
  'POST /api/v1/payments/gateway/razorpay/webhook', // the X-Razorpay-Signature is its credential
]);

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(() => s.stop());

test('every non-public route refuses a caller without credentials', async () => {
  const routes = createApp(s.svc).routes.filter((r) => ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'].includes(r.method));
  expect(routes.length).toBeGreaterThan(20);
  const open: string[] = [];
  for (const r of routes) {
    const key = `${r.method} ${r.path}`;
    if (PUBLIC.has(key)) continue;
    const path = r.path.replace(/:[a-z_]+/g, '01a209d7-799c-72d3-b7b3-d473835f09e5').replace('*', 'x');
    for (const accept of ['application/json', 'text/html']) {
      const before = s.eventCount();
      const res = await fetch(s.url + path, {
        method: r.method,
        redirect: 'manual',
        headers: { accept, 'content-type': 'application/json' },
        body: r.method === 'GET' ? undefined : '{}',
      });
      const toLogin = res.status === 303 && (res.headers.get('location') ?? '').startsWith('/login');
      if (!(res.status === 401 || toLogin)) open.push(`${key} (${accept}) → ${res.status}`);
      expect(s.eventCount()).toBe(before);
    }
  }
  expect(open).toEqual([]);
});

test('the public list names only routes that exist', () => {
  const keys = new Set(createApp(s.svc).routes.map((r) => `${r.method} ${r.path}`));
  for (const p of PUBLIC) expect(keys.has(p)).toBe(true);
});
