// Branches and roles: who may see and do what, through a real server.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { canonicalJson } from '../../src/core/canonical';
import { computeHash, GENESIS_HASH } from '../../src/core/events';
import { startServer, type TestServer } from '../helpers/server';

type ErrorBody = { error: { code: string; message: string } };
type Patient = { id: string; mrn: string; branch_id: string; name: string };

let s: TestServer;
let branchB: string;
let frontDesk: string; // token of a front_desk user of BLR1 only
let lab: string; // token of a lab user of BLR1
let patientA: Patient;
let patientB: Patient;

const asha = { name: 'Asha Rao', phone: '9845012345', sex: 'female', age_years: 34 };

beforeAll(async () => {
  s = await startServer();
  branchB = s.addBranch('MYS1', 'Mysuru');
  await s.addUser('fd.blr', 'front_desk', [s.branchId], 'frontdesk-pass-1');
  await s.addUser('lab.blr', 'lab', [s.branchId], 'lab-pass-123');
  [frontDesk, lab] = await Promise.all([s.token('fd.blr', 'frontdesk-pass-1'), s.token('lab.blr', 'lab-pass-123')]);
  const a = await s.api('/api/v1/patients', { method: 'POST', json: asha });
  const b = await s.api('/api/v1/patients', { method: 'POST', json: { ...asha, name: 'Bhavana Rao' }, headers: { 'x-branch-id': branchB } });
  expect([a.status, b.status]).toEqual([201, 201]);
  patientA = (await a.json()) as Patient;
  patientB = (await b.json()) as Patient;
});
afterAll(() => s.stop());

describe('branches', () => {
  test('the owner reaches both branches; each patient belongs to the branch it was registered in', async () => {
    expect(patientA).toMatchObject({ branch_id: s.branchId, mrn: 'BLR1-000001' });
    expect(patientB).toMatchObject({ branch_id: branchB, mrn: 'MYS1-000001' });
    const res = await s.api('/api/v1/branches');
    expect(((await res.json()) as { items: { code: string }[] }).items.map((b) => b.code)).toEqual(['BLR1', 'MYS1']);
  });

  test('a front desk user of branch A sees only branch A', async () => {
    const res = await s.api('/api/v1/branches', { token: frontDesk });
    expect(((await res.json()) as { items: { id: string }[] }).items.map((b) => b.id)).toEqual([s.branchId]);
  });

  test('another branch’s patient is 404 to them (not 403: its existence must not leak), for every way of asking', async () => {
    const paths = [`/api/v1/patients/${patientB.id}`, `/api/v1/patients/${patientB.id}/history`];
    for (const p of paths) {
      const res = await s.api(p, { token: frontDesk });
      expect(res.status).toBe(404);
      expect(((await res.json()) as ErrorBody).error.code).toBe('not_found');
    }
    const before = s.eventCount();
    const patch = await s.api(`/api/v1/patients/${patientB.id}`, { method: 'PATCH', token: frontDesk, json: { name: 'Stolen' } });
    expect(patch.status).toBe(404);
    expect(s.eventCount()).toBe(before);
    // The answer is the same as for an id that exists nowhere.
    const nowhere = await s.api(`/api/v1/patients/${Bun.randomUUIDv7()}`, { token: frontDesk });
    const mine = (await (await s.api(`/api/v1/patients/${patientB.id}`, { token: frontDesk })).json()) as ErrorBody;
    expect(mine.error).toMatchObject({ code: ((await nowhere.json()) as ErrorBody).error.code });
  });

  test('their search never lists another branch’s patients', async () => {
    for (const q of ['Bhavana', 'Rao', '98450', 'MYS1-000001', '']) {
      const res = await s.api(`/api/v1/patients?q=${encodeURIComponent(q)}`, { token: frontDesk });
      expect(res.status).toBe(200);
      const ids = ((await res.json()) as { items: Patient[] }).items.map((p) => p.id);
      expect(ids).not.toContain(patientB.id);
    }
  });

  test('asking for a branch that is not theirs with X-Branch-Id is 403', async () => {
    const before = s.eventCount();
    for (const [method, path] of [['GET', '/api/v1/patients'], ['POST', '/api/v1/patients']] as const) {
      const res = await s.api(path, { method, token: frontDesk, headers: { 'x-branch-id': branchB }, ...(method === 'POST' ? { json: asha } : {}) });
      expect(res.status).toBe(403);
      expect(((await res.json()) as ErrorBody).error.code).toBe('branch_forbidden');
    }
    const bogus = await s.api('/api/v1/patients', { token: frontDesk, headers: { 'x-branch-id': 'not-a-branch' } });
    expect(bogus.status).toBe(403);
    expect(s.eventCount()).toBe(before);
  });

  test('with X-Branch-Id the owner reads branch B, and branch A’s patient is then not found', async () => {
    const inB = await s.api(`/api/v1/patients/${patientB.id}`, { headers: { 'x-branch-id': branchB } });
    expect(inB.status).toBe(200);
    const aFromB = await s.api(`/api/v1/patients/${patientA.id}`, { headers: { 'x-branch-id': branchB } });
    expect(aFromB.status).toBe(404);
  });
});

describe('staff accounts across branches', () => {
  test('an admin of branch A gets 404 for any account of branch B only, even an admin’s', async () => {
    const [adminA, adminB, deskB] = await Promise.all([
      s.addUser('admin.blr', 'admin', [s.branchId], 'admin-pass-12'),
      s.addUser('admin.mys', 'admin', [branchB], 'admin-pass-12'),
      s.addUser('fd.mys', 'front_desk', [branchB], 'frontdesk-pass-1'),
    ]);
    const token = await s.token('admin.blr', 'admin-pass-12');
    expect((await s.api(`/api/v1/users/${adminA}`, { token })).status).toBe(200);
    const before = s.eventCount();
    for (const id of [adminB, deskB]) {
      const res = await s.api(`/api/v1/users/${id}`, { token });
      expect(res.status).toBe(404);
      const patch = await s.api(`/api/v1/users/${id}`, { method: 'PATCH', token, json: { name: 'Renamed' } });
      expect(patch.status).toBe(404);
      const disable = await s.api(`/api/v1/users/${id}/disable`, { method: 'POST', token });
      expect(disable.status).toBe(404);
    }
    expect(s.eventCount()).toBe(before);
    const listed = ((await (await s.api('/api/v1/users', { token })).json()) as { items: { id: string }[] }).items.map((u) => u.id);
    expect(listed).not.toContain(adminB);
    expect(listed).not.toContain(deskB);
    // The owner is listed to every admin; changing the owner is refused outright.
    expect(listed).toContain(s.ownerId);
    expect((await s.api(`/api/v1/users/${s.ownerId}`, { method: 'PATCH', token, json: { name: 'Renamed' } })).status).toBe(403);
  });
});

describe('roles', () => {
  test('a lab user may read patients but registering one is 403 and records nothing', async () => {
    expect((await s.api(`/api/v1/patients/${patientA.id}`, { token: lab })).status).toBe(200);
    const before = s.eventCount();
    const res = await s.api('/api/v1/patients', { method: 'POST', token: lab, json: { ...asha, name: 'Lab Made' } });
    expect(res.status).toBe(403);
    expect(((await res.json()) as ErrorBody).error.code).toBe('forbidden');
    const patch = await s.api(`/api/v1/patients/${patientA.id}`, { method: 'PATCH', token: lab, json: { name: 'Lab Changed' } });
    expect(patch.status).toBe(403);
    expect(s.eventCount()).toBe(before);
  });

  test('a front desk user may not manage staff', async () => {
    const before = s.eventCount();
    const res = await s.api('/api/v1/users', { method: 'POST', token: frontDesk, json: { username: 'sneaky', name: 'S', role: 'owner', password: 'sneaky-pass-1' } });
    expect(res.status).toBe(403);
    expect(s.eventCount()).toBe(before);
  });
});

describe('GET /api/v1/events', () => {
  test('is 403 for front desk', async () => {
    const res = await s.api('/api/v1/events', { token: frontDesk });
    expect(res.status).toBe(403);
  });

  test('gives the owner every event as NDJSON whose hashes recompute and chain', async () => {
    await s.api('/api/v1/patients', { method: 'POST', json: { ...asha, name: 'राम कुमार', address: 'Flat 2, "Sai" Residency\nIndiranagar' } });
    const res = await s.api('/api/v1/events');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/x-ndjson');
    const text = await res.text();
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(s.eventCount());
    let prev = GENESIS_HASH;
    for (const [i, e] of lines.entries()) {
      expect(e.seq).toBe(i + 1);
      expect(e.origin_seq).toBe(i + 1);
      expect(e.prev_hash).toBe(prev);
      expect(computeHash({ ...e, data: canonicalJson(e.data), meta: canonicalJson(e.meta) })).toBe(e.hash);
      prev = e.hash;
    }
    expect(lines.at(-1).data.name).toBe('राम कुमार');
  });

  test('pages with after= and limit=', async () => {
    const all = (await (await s.api('/api/v1/events')).text()).trimEnd().split('\n').map((l) => JSON.parse(l) as { seq: number });
    const page = (await (await s.api('/api/v1/events?after=2&limit=3')).text()).trimEnd().split('\n').map((l) => JSON.parse(l) as { seq: number });
    expect(page.map((e) => e.seq)).toEqual(all.slice(2, 5).map((e) => e.seq));
    const past = await s.api(`/api/v1/events?after=${all.length}`);
    expect(await past.text()).toBe('');
    for (const q of ['after=-1', 'after=abc', 'limit=0', 'limit=10001', 'limit=1.5']) {
      expect((await s.api(`/api/v1/events?${q}`)).status).toBe(400);
    }
  });
});
