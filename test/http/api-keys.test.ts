// Long-lived API keys: minted by an admin for an account, shown once, act as that account,
// revocable at once, and stored only as a hash.
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { startServer, type TestServer } from '../helpers/server';

let s: TestServer;
let deskId: string;
beforeAll(async () => {
  s = await startServer();
  deskId = await s.addUser('desk1', 'front_desk');
});
afterAll(() => s.stop());

const asKey = (key: string, path: string, init: RequestInit = {}) =>
  fetch(s.url + path, { ...init, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...(init.headers ?? {}) } });

test('an owner mints a key for the front desk; it registers patients as that account', async () => {
  const r = await s.api('/api/v1/api-keys', { method: 'POST', json: { name: 'Kiosk at reception', user_id: deskId, expires_in_days: 30 } });
  expect(r.status).toBe(201);
  const body = (await r.json()) as { id: string; key: string; prefix: string; user_id: string; expires_at: string };
  expect(body.key).toStartWith('mmk_');
  expect(body.key.startsWith(body.prefix)).toBe(true);
  expect(body.user_id).toBe(deskId);
  // Only the hash is kept: the key itself appears nowhere in the database file's tables.
  const dump = JSON.stringify(s.svc.kernel.db.query('SELECT * FROM api_keys').all()) + JSON.stringify(s.svc.kernel.db.query('SELECT data FROM events').all());
  expect(dump).not.toContain(body.key);

  const reg = await asKey(body.key, '/api/v1/patients', { method: 'POST', body: JSON.stringify({ name: 'Kiosk Patient', phone: '9876501234', sex: 'male', age_years: 40 }) });
  expect(reg.status).toBe(201);
  const ev = s.svc.kernel.db.query(`SELECT meta FROM events WHERE type = 'patient.registered' ORDER BY seq DESC LIMIT 1`).get() as { meta: string };
  expect(JSON.parse(ev.meta)).toMatchObject({ actor: deskId, role: 'front_desk' });
  // The key carries the account's role, no more: front desk cannot read the event log.
  expect((await asKey(body.key, '/api/v1/events')).status).toBe(403);

  const list = (await (await s.api('/api/v1/api-keys')).json()) as { items: { id: string; name: string }[] };
  expect(list.items.map((k) => k.name)).toContain('Kiosk at reception');
  expect(JSON.stringify(list)).not.toContain(body.key);

  const rev = await s.api(`/api/v1/api-keys/${body.id}/revoke`, { method: 'POST', json: { reason: 'kiosk replaced' } });
  expect(rev.status).toBe(200);
  const after = await asKey(body.key, '/api/v1/me');
  expect(after.status).toBe(401);
  expect(((await after.json()) as { error: { code: string } }).error.code).toBe('invalid_token');
});

test('a made-up key, a front desk minting keys, and a key for an unknown user are refused', async () => {
  expect((await asKey('mmk_' + 'x'.repeat(43), '/api/v1/me')).status).toBe(401);
  const deskToken = await s.token('desk1', 'staff-pass-1');
  const before = s.eventCount();
  expect((await s.api('/api/v1/api-keys', { method: 'POST', token: deskToken, json: { name: 'mine' } })).status).toBe(403);
  expect((await s.api('/api/v1/api-keys', { method: 'POST', json: { name: 'ghost', user_id: '01a209d7-799c-72d3-b7b3-d473835f09e5' } })).status).toBe(404);
  expect((await s.api('/api/v1/api-keys', { method: 'POST', json: { name: '' } })).status).toBe(422);
  expect(s.eventCount()).toBe(before);
});

test('a disabled account’s keys stop working at once', async () => {
  const id = await s.addUser('bridge', 'lab');
  const { key } = (await (await s.api('/api/v1/api-keys', { method: 'POST', json: { name: 'Lab bridge', user_id: id } })).json()) as { key: string };
  expect((await asKey(key, '/api/v1/me')).status).toBe(200);
  expect((await s.api(`/api/v1/users/${id}/disable`, { method: 'POST', json: { reason: 'left' } })).status).toBe(200);
  expect((await asKey(key, '/api/v1/me')).status).toBe(401);
});
