// Whatever a client sends, the answer is a documented 4xx with {"error":{code,message}},
// never a 5xx, and nothing is recorded.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { startServer, type TestServer } from '../helpers/server';

type ErrorBody = { error: { code: string; message: string; request_id: string; details?: unknown } };

let s: TestServer;
let patientId: string;
const ok = { name: 'Asha Rao', phone: '9845012345', sex: 'female', age_years: 34 };

beforeAll(async () => {
  s = await startServer();
  const res = await s.api('/api/v1/patients', { method: 'POST', json: ok });
  patientId = ((await res.json()) as { id: string }).id;
});
afterAll(() => s.stop());

interface Case {
  what: string;
  method?: string;
  path?: string;
  /** sent as JSON */
  json?: unknown;
  /** sent as is */
  raw?: string;
  headers?: Record<string, string>;
  status: number;
  code?: string;
}

const later = (days: number) => new Date(Date.now() + days * 86400_000).toISOString().slice(0, 10);
const JSON_TYPE = { 'content-type': 'application/json' };

const cases: Case[] = [
  // malformed
  { what: 'malformed JSON', raw: '{"name":', headers: JSON_TYPE, status: 400, code: 'malformed_body' },
  { what: 'JSON with trailing garbage', raw: '{"name":"Asha"} x', headers: JSON_TYPE, status: 400 },
  { what: 'an empty body', raw: '', headers: JSON_TYPE, status: 400 },
  { what: 'a JSON array instead of an object', json: [ok], status: 400 },
  { what: 'JSON null', raw: 'null', headers: JSON_TYPE, status: 400 },
  { what: 'a JSON string', raw: '"Asha Rao"', headers: JSON_TYPE, status: 400 },
  { what: 'text/plain', raw: JSON.stringify(ok), headers: { 'content-type': 'text/plain' }, status: 400 },
  // wrong types, missing and unknown fields
  { what: 'name as a number', json: { ...ok, name: 12345 }, status: 400, code: 'invalid_request' },
  { what: 'name as an object', json: { ...ok, name: { first: 'Asha' } }, status: 400 },
  { what: 'phone as a number', json: { ...ok, phone: 9845012345 }, status: 400 },
  { what: 'sex as a number', json: { ...ok, sex: 1 }, status: 400 },
  { what: 'sex not one of the three', json: { ...ok, sex: 'F' }, status: 400 },
  { what: 'age as words', json: { ...ok, age_years: 'thirty' }, status: 400 },
  { what: 'age as a boolean', json: { ...ok, age_years: true }, status: 400 },
  { what: 'age as a fraction', json: { ...ok, age_years: 34.5 }, status: 400 },
  { what: 'email as a list', json: { ...ok, email: ['a@b.in'] }, status: 400 },
  { what: 'missing name', json: { phone: ok.phone, sex: ok.sex, age_years: 34 }, status: 400 },
  { what: 'missing phone', json: { name: ok.name, sex: ok.sex, age_years: 34 }, status: 400 },
  { what: 'an unknown field', json: { ...ok, blood_group: 'O+' }, status: 400 },
  // too big
  { what: 'a 10,000-character name', json: { ...ok, name: 'A'.repeat(10_000) }, status: 400 },
  { what: 'a 2 MB body', json: { ...ok, address: 'x'.repeat(2 * 1024 * 1024) }, status: 413, code: 'payload_too_large' },
  { what: 'a 2 MB body of whitespace around a valid request', raw: JSON.stringify(ok) + ' '.repeat(2 * 1024 * 1024), headers: JSON_TYPE, status: 413 },
  // rules
  { what: 'an invalid phone', json: { ...ok, phone: '12345' }, status: 422, code: 'invalid_phone' },
  { what: 'a landline-length +91 number', json: { ...ok, phone: '+91 80 2345 678' }, status: 422, code: 'invalid_phone' },
  { what: 'a date of birth in the future', json: { ...ok, age_years: undefined, date_of_birth: later(2) }, status: 422, code: 'invalid_date_of_birth' },
  { what: 'a date of birth of Feb 30', json: { ...ok, age_years: undefined, date_of_birth: '1990-02-30' }, status: 422, code: 'invalid_date_of_birth' },
  { what: 'a date of birth as DD/MM/YYYY', json: { ...ok, age_years: undefined, date_of_birth: '17/05/1990' }, status: 422, code: 'invalid_date_of_birth' },
  { what: 'a negative age', json: { ...ok, age_years: -1 }, status: 400 },
  { what: 'an age of 200', json: { ...ok, age_years: 200 }, status: 400 },
  { what: 'neither age nor date of birth', json: { ...ok, age_years: undefined }, status: 422, code: 'age_required' },
  { what: 'a name with a NUL byte', json: { ...ok, name: 'Asha\u0000Rao' }, status: 422, code: 'invalid_name' },
  { what: 'a name with a lone surrogate', json: { ...ok, name: 'Asha \ud800 Rao' }, status: 422, code: 'invalid_name' },
  { what: 'a name of emoji only', json: { ...ok, name: '🙂🙂' }, status: 422, code: 'invalid_name' },
  { what: 'an address with a NUL byte', json: { ...ok, address: '12 MG Road\u0000' }, status: 422, code: 'invalid_address' },
  { what: 'a phone with a NUL byte', json: { ...ok, phone: '98450\u000012345' }, status: 422, code: 'invalid_phone' },
  { what: 'a bad ABHA number', json: { ...ok, abha_number: '1234' }, status: 422, code: 'invalid_abha_number' },
  { what: 'a bad email', json: { ...ok, email: 'asha at example' }, status: 422, code: 'invalid_email' },
  { what: 'an Idempotency-Key with spaces', json: ok, headers: { 'idempotency-key': 'not a key' }, status: 400, code: 'invalid_idempotency_key' },
  // reading
  { what: 'an unknown patient id', method: 'GET', path: '/api/v1/patients/01a20000-0000-7000-8000-000000000000', status: 404, code: 'not_found' },
  { what: 'a malformed uuid', method: 'GET', path: '/api/v1/patients/not-a-uuid', status: 404, code: 'not_found' },
  { what: 'an SQL-ish id', method: 'GET', path: `/api/v1/patients/${encodeURIComponent("1' OR '1'='1")}`, status: 404, code: 'not_found' },
  { what: 'the history of an unknown patient', method: 'GET', path: '/api/v1/patients/01a20000-0000-7000-8000-000000000000/history', status: 404 },
  { what: 'limit=0', method: 'GET', path: '/api/v1/patients?limit=0', status: 400, code: 'invalid_limit' },
  { what: 'limit=501', method: 'GET', path: '/api/v1/patients?limit=501', status: 400, code: 'invalid_limit' },
  { what: 'limit=abc', method: 'GET', path: '/api/v1/patients?limit=abc', status: 400, code: 'invalid_limit' },
  { what: 'limit=-5', method: 'GET', path: '/api/v1/patients?limit=-5', status: 400, code: 'invalid_limit' },
  { what: 'limit=2.5', method: 'GET', path: '/api/v1/patients?limit=2.5', status: 400, code: 'invalid_limit' },
  { what: 'a cursor that is not base64 JSON', method: 'GET', path: '/api/v1/patients?cursor=%40%40%40', status: 400, code: 'invalid_cursor' },
  { what: 'a cursor of the wrong shape', method: 'GET', path: `/api/v1/patients?cursor=${Buffer.from('{"a":1}').toString('base64url')}`, status: 400, code: 'invalid_cursor' },
  { what: 'a 201-character search', method: 'GET', path: `/api/v1/patients?q=${'a'.repeat(201)}`, status: 400 },
  { what: 'an unknown route', method: 'GET', path: '/api/v1/no-such-thing', status: 404, code: 'not_found' },
  // corrections
  { what: 'PATCH of an unknown patient', method: 'PATCH', path: '/api/v1/patients/01a20000-0000-7000-8000-000000000000', json: { name: 'X Y' }, status: 404 },
  { what: 'PATCH with malformed JSON', method: 'PATCH', path: 'PATIENT', raw: '{"phone":', headers: JSON_TYPE, status: 400 },
  { what: 'PATCH with an unknown field', method: 'PATCH', path: 'PATIENT', json: { mrn: 'BLR1-999999' }, status: 400 },
  { what: 'PATCH with an invalid phone', method: 'PATCH', path: 'PATIENT', json: { phone: '000' }, status: 422, code: 'invalid_phone' },
  { what: 'PATCH with nothing to change', method: 'PATCH', path: 'PATIENT', json: {}, status: 422, code: 'no_changes' },
  { what: 'PATCH with a future date of birth', method: 'PATCH', path: 'PATIENT', json: { date_of_birth: later(30) }, status: 422, code: 'invalid_date_of_birth' },
  { what: 'PATCH with expected_version 0', method: 'PATCH', path: 'PATIENT', json: { name: 'Asha K', expected_version: 0 }, status: 400 },
  // sign-in
  { what: 'sign-in with malformed JSON', path: '/api/v1/auth/token', raw: '{"username":', headers: JSON_TYPE, status: 400 },
  { what: 'sign-in with a 10,000-character password', path: '/api/v1/auth/token', json: { username: 'owner', password: 'p'.repeat(10_000) }, status: 400 },
];

describe('bad input', () => {
  test.each(cases.map((c) => [c.what, c] as const))('%s → documented 4xx, nothing recorded', async (_what, c) => {
    const before = s.eventCount();
    const path = c.path === 'PATIENT' ? `/api/v1/patients/${patientId}` : (c.path ?? '/api/v1/patients');
    const method = c.method ?? 'POST';
    const res = await s.api(path, {
      method,
      headers: c.headers,
      ...(c.json !== undefined ? { json: c.json } : c.raw !== undefined ? { body: c.raw } : {}),
    });
    const text = await res.text();
    expect({ status: res.status, body: text.slice(0, 300) }).toMatchObject({ status: c.status });
    const body = JSON.parse(text) as ErrorBody;
    expect(body.error.code).toBeString();
    expect(body.error.message).toBeString();
    expect(body.error.message.length).toBeGreaterThan(0);
    if (c.code) expect(body.error.code).toBe(c.code);
    expect(body.error.request_id).toBe(res.headers.get('x-request-id')!);
    expect(s.eventCount()).toBe(before);
  });
});

describe('odd but valid input', () => {
  test('Devanagari and emoji names are accepted and returned exactly', async () => {
    for (const name of ['राम कुमार', 'Asha 😀 Rao']) {
      const res = await s.api('/api/v1/patients', { method: 'POST', json: { ...ok, name } });
      expect(res.status).toBe(201);
      const p = (await res.json()) as { id: string; name: string };
      expect(p.name).toBe(name);
      expect(((await (await s.api(`/api/v1/patients/${p.id}`)).json()) as { name: string }).name).toBe(name);
    }
  });

  test('SQL-ish and HTML-ish text is stored as plain text and changes nothing else', async () => {
    const name = "Robert'); DROP TABLE patients;-- <script>alert(1)</script>";
    const res = await s.api('/api/v1/patients', { method: 'POST', json: { ...ok, name, address: "1' OR '1'='1" } });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ name, address: "1' OR '1'='1" });
    const list = await s.api(`/api/v1/patients?q=${encodeURIComponent("' OR 1=1 --")}`);
    expect(list.status).toBe(200);
    expect(((await list.json()) as { items: unknown[] }).items).toEqual([]);
    const wild = await s.api(`/api/v1/patients?q=${encodeURIComponent('%')}`);
    expect(((await wild.json()) as { items: unknown[] }).items).toEqual([]);
    expect((await s.api(`/api/v1/patients/${patientId}`)).status).toBe(200);
  });
});
