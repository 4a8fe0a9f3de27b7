// Signing in and what a token is good for, through a real server.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { fixedClock } from '../../src/core/clock';
import { OWNER, startServer, type TestServer } from '../helpers/server';

type ErrorBody = { error: { code: string; message: string; request_id: string; details?: Record<string, unknown> } };

const post = (s: TestServer, path: string, json: unknown, headers: Record<string, string> = {}) =>
  fetch(s.url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(json) });
const login = (s: TestServer, username: string, password: string) => post(s, '/api/v1/auth/token', { username, password });
const me = (s: TestServer, headers: Record<string, string>) => fetch(s.url + '/api/v1/me', { headers });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

function withoutRequestId(b: ErrorBody) {
  const { request_id: _r, ...rest } = b.error;
  return rest;
}

/** base64url JSON of a JWT part. */
const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const decode = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { sub: string; sid: string; knd: string; exp: number };
function hs256(header: unknown, payload: unknown, secret: string): string {
  const input = `${part(header)}.${part(payload)}`;
  return `${input}.${new Bun.CryptoHasher('sha256', secret).update(input).digest('base64url')}`;
}

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(() => s.stop());

async function expect401(res: Response) {
  expect(res.status).toBe(401);
  const body = (await res.json()) as ErrorBody;
  expect(body.error.code).toBeString();
  expect(body.error.message).toBeString();
  expect(body.error.request_id).toBe(res.headers.get('x-request-id')!);
  return body;
}

describe('POST /api/v1/auth/token', () => {
  test('answers a token, its expiry and who it belongs to; the token then works', async () => {
    const before = Date.now();
    const res = await login(s, OWNER.username, OWNER.password);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { token: string; expires_at: string; user: { id: string; role: string; branch_ids: string[] } };
    expect(body.user).toMatchObject({ id: s.ownerId, role: 'owner', branch_ids: [s.branchId] });
    expect(body.token.split('.')).toHaveLength(3);
    const expires = Date.parse(body.expires_at);
    expect(expires - before).toBeGreaterThanOrEqual(24 * 3600_000 - 1000);
    expect(expires - Date.now()).toBeLessThanOrEqual(24 * 3600_000 + 1000);
    const who = await me(s, bearer(body.token));
    expect(who.status).toBe(200);
    expect(await who.json()).toMatchObject({ id: s.ownerId, role: 'owner', branch_id: s.branchId });
  });

  test('the username is not case-sensitive', async () => {
    expect((await login(s, 'OWNER', OWNER.password)).status).toBe(200);
  });

  test('a wrong password and an unknown user get the same 401, apart from the request id', async () => {
    const wrong = await login(s, OWNER.username, 'not-the-password');
    const unknown = await login(s, 'nobody-here', 'not-the-password');
    const a = await expect401(wrong);
    const b = await expect401(unknown);
    expect(a.error.code).toBe('invalid_credentials');
    expect(withoutRequestId(a)).toEqual(withoutRequestId(b));
    expect(a.error.request_id).not.toBe(b.error.request_id);
  });

  test('a missing field or an extra one is a 400, not a crash', async () => {
    for (const body of [{ username: 'owner' }, { password: 'x' }, { username: 'owner', password: 'x', admin: true }, ['owner', 'x']]) {
      const res = await post(s, '/api/v1/auth/token', body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as ErrorBody).error.code).toBeString();
    }
  });

  test('after five failures for an account the sixth try is 429 with Retry-After, even with the right password', async () => {
    await s.addUser('victim', 'front_desk', [s.branchId], 'victim-pass-1');
    for (let i = 0; i < 5; i++) expect((await login(s, 'victim', `guess-${i}`)).status).toBe(401);
    const res = await login(s, 'victim', 'victim-pass-1');
    expect(res.status).toBe(429);
    const retry = Number(res.headers.get('retry-after'));
    expect(Number.isInteger(retry)).toBe(true);
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(15 * 60);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.code).toBe('rate_limited');
    // Other accounts are not locked out by it.
    expect((await login(s, OWNER.username, OWNER.password)).status).toBe(200);
  });
});

describe('a request without valid credentials is 401', () => {
  test('no token', async () => {
    expect((await expect401(await fetch(s.url + '/api/v1/patients'))).error.code).toBe('unauthorized');
  });

  test('garbage in the Authorization header', async () => {
    for (const h of ['Bearer', 'Bearer ', 'Bearer not-a-jwt', 'Bearer a.b.c', 'Basic b3duZXI6b3duZXItcGFzcy0x', 'Token abc']) {
      await expect401(await fetch(s.url + '/api/v1/patients', { headers: { authorization: h } }));
    }
  });

  test('a token whose signature was tampered with', async () => {
    const token = await s.token();
    const [h, p, sig] = token.split('.');
    const i = Math.floor(sig.length / 2);
    const flipped = `${h}.${p}.${sig.slice(0, i)}${sig[i] === 'A' ? 'B' : 'A'}${sig.slice(i + 1)}`;
    expect(flipped).not.toBe(token);
    await expect401(await me(s, bearer(flipped)));
  });

  test('a token whose claims were changed (another user) with the old signature', async () => {
    const token = await s.token();
    const other = await s.addUser('mallory', 'front_desk');
    const [h, , sig] = token.split('.');
    await expect401(await me(s, bearer(`${h}.${part({ ...decode(token), sub: other })}.${sig}`)));
  });

  test('a token signed with another secret, or not signed at all', async () => {
    const claims = decode(await s.token()); // a live session id: only the signature is wrong
    await expect401(await me(s, bearer(hs256({ alg: 'HS256', typ: 'JWT' }, claims, 'some-other-secret'))));
    await expect401(await me(s, bearer(`${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`)));
  });

  test('a correctly signed token naming a session that does not exist', async () => {
    const claims = decode(await s.token());
    await expect401(await me(s, bearer(hs256({ alg: 'HS256', typ: 'JWT' }, { ...claims, sid: Bun.randomUUIDv7() }, s.svc.secret))));
  });
});

describe('ending sessions', () => {
  test('logout revokes the token it was called with, and only that one', async () => {
    const res = await login(s, OWNER.username, OWNER.password);
    const { token } = (await res.json()) as { token: string };
    expect((await me(s, bearer(token))).status).toBe(200);
    const out = await fetch(s.url + '/api/v1/auth/logout', { method: 'POST', headers: bearer(token) });
    expect(out.status).toBe(200);
    expect((await expect401(await me(s, bearer(token)))).error.code).toBe('session_expired');
    expect((await me(s, bearer(await s.token()))).status).toBe(200);
  });

  test('a disabled user’s token stops working at once, and signing in again fails like a wrong password', async () => {
    const id = await s.addUser('dora', 'front_desk', [s.branchId], 'dora-pass-12');
    const token = await s.token('dora', 'dora-pass-12');
    expect((await me(s, bearer(token))).status).toBe(200);
    const dis = await s.api(`/api/v1/users/${id}/disable`, { method: 'POST', json: { reason: 'left the clinic' } });
    expect(dis.status).toBe(200);
    await expect401(await me(s, bearer(token)));
    await expect401(await s.api('/api/v1/patients', { token }));
    const again = await expect401(await login(s, 'dora', 'dora-pass-12'));
    const wrong = await expect401(await login(s, OWNER.username, 'wrong-password'));
    expect(withoutRequestId(again)).toEqual(withoutRequestId(wrong));
  });
});

describe('browser sessions (cookie)', () => {
  let cookie: string;
  let apiToken: string;

  beforeAll(async () => {
    const pre = 'pre-session-token-for-test';
    const res = await fetch(s.url + '/login', {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `mm_csrf=${pre}` },
      body: new URLSearchParams({ _csrf: pre, username: OWNER.username, password: OWNER.password }),
    });
    expect(res.status).toBe(303);
    const set = res.headers.getSetCookie().find((c) => c.startsWith('mm_session='))!;
    expect(set).toMatch(/HttpOnly/i);
    expect(set).toMatch(/SameSite=(Lax|Strict)/i);
    cookie = set.split(';')[0];
    apiToken = await s.token();
  });

  const asha = { name: 'Asha Rao', phone: '9845012345', sex: 'female', age_years: 34 };
  const postPatient = (headers: Record<string, string>) =>
    fetch(s.url + '/api/v1/patients', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(asha) });

  test('the cookie signs the browser in', async () => {
    expect((await me(s, { cookie })).status).toBe(200);
  });

  test('a POST with the cookie but without the CSRF token is 403 csrf_failed and records nothing', async () => {
    const before = s.eventCount();
    for (const headers of [{ cookie }, { cookie, 'x-csrf-token': 'forged-token' }] as Record<string, string>[]) {
      const res = await postPatient(headers);
      expect(res.status).toBe(403);
      expect(((await res.json()) as ErrorBody).error.code).toBe('csrf_failed');
    }
    expect(s.eventCount()).toBe(before);
  });

  test('the same POST with the token the page carries goes through', async () => {
    const page = await (await fetch(s.url + '/', { headers: { cookie } })).text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page)?.[1];
    expect(csrf).toBeString();
    const before = s.eventCount();
    const res = await postPatient({ cookie, 'x-csrf-token': csrf! });
    expect(res.status).toBe(201);
    expect(s.eventCount()).toBe(before + 1);
  });

  test('a bearer token used as the session cookie is 401, and a session cookie used as a bearer token is 401', async () => {
    await expect401(await me(s, { cookie: `mm_session=${apiToken}` }));
    await expect401(await me(s, bearer(cookie.slice('mm_session='.length))));
  });

  test('a cookie that is not valid percent-encoding is treated as no cookie (401 / a fresh login page), never a 500', async () => {
    await expect401(await me(s, { cookie: 'mm_session=%E0%A4%A' }));
    const page = await fetch(s.url + '/login', { headers: { cookie: 'mm_csrf=%', accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('name="_csrf"');
  });

  test('logging out of the browser ends the cookie session', async () => {
    const page = await (await fetch(s.url + '/', { headers: { cookie } })).text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page)![1];
    const out = await fetch(s.url + '/logout', {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf }),
    });
    expect(out.status).toBe(303);
    await expect401(await me(s, { cookie }));
  });
});

describe('expiry', () => {
  const clock = fixedClock(new Date().toISOString());
  let t: TestServer;
  beforeAll(async () => {
    t = await startServer({ clock });
  });
  afterAll(() => t.stop());

  test('an API token works for 24 hours and not after', async () => {
    const res = await login(t, OWNER.username, OWNER.password);
    const body = (await res.json()) as { token: string; expires_at: string };
    expect(body.expires_at).toBe(new Date(clock.now().getTime() + 24 * 3600_000).toISOString());
    clock.advance(24 * 3600_000 - 60_000);
    expect((await me(t, bearer(body.token))).status).toBe(200);
    clock.advance(2 * 60_000);
    await expect401(await me(t, bearer(body.token)));
    await expect401(await t.api('/api/v1/patients', { token: body.token }));
  });
});
