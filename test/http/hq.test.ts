// HQ views at the hub over real HTTP: a hub and two branches (BLR1, MYS1) on one pinned
// clock. The branches book, check in, mark a no-show, cancel, take walk-ins, bill a
// chain-priced item (one line overridden, one item not in the chain list), take cash, UPI
// and card, refund, and BLR1 closes its counter short; the agents push. The hub's daily
// figures, chain totals and price variance must equal what was done; the CSV is parsed
// back by Python's csv module and the XLSX by openpyxl (tools we did not write). Access:
// hq and owner read everything, a branch admin at the hub only their branch, front desk
// 403, hq 403 on writes, a branch 404 not_a_hub; bad ranges 400, never 5xx.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueApiKey } from '../../src/auth/api-keys';
import { fixedClock } from '../../src/core/clock';
import { systemActor } from '../../src/core/runner';
import { silentLogger } from '../../src/http/log';
import { createUser, updateUser } from '../../src/org/commands';
import type { Role } from '../../src/org/events';
import { SyncAgent } from '../../src/sync/agent';
import { FAKE_HASH } from '../helpers/kernel';
import { startServer, type TestServer } from '../helpers/server';
import { type BranchSide, FAST, register } from '../sync/fixture';

const PYTHON = '/usr/bin/python3';
const D1 = '2026-12-01'; // a Tuesday
const D2 = '2026-12-02';
const clock = fixedClock(`${D1}T03:30:00Z`); // 09:00 IST
const ist = (date: string, hhmm: string) => `${date}T${hhmm}:00+05:30`;
const inr = (amount: number) => ({ amount, currency: 'INR' });

let hub: TestServer;
let a: BranchSide;
let b: BranchSide;
let dir: string;
const keys: Record<string, string> = {};
/** What the branches did, as the hub must report it. */
const did = { blr: { variance: 0 } };

type Any = any; // eslint-disable-line @typescript-eslint/no-explicit-any

async function call(s: TestServer, method: string, path: string, json?: unknown, token?: string): Promise<{ status: number; body: Any; res: Response }> {
  const res = await s.api(path, { method, token, ...(json !== undefined ? { json } : {}) });
  const text = await res.clone().text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body, res };
}

async function ok(s: TestServer, method: string, path: string, json?: unknown): Promise<Any> {
  const r = await call(s, method, path, json);
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

async function branch(code: string): Promise<BranchSide> {
  const token = register(hub, code);
  const s = await startServer({ branchCode: code, clock });
  return { s, token, agent: new SyncAgent(s.svc.kernel, { url: hub.url, token }, silentLogger, FAST) };
}

/**
 * A hub account with an API key (no argon2 per user). It is created in the hub's own branch
 * and then given its branches: the hub refuses to record a stream under a synced branch
 * (branch_read_only), and a new account's stream goes under its first branch.
 */
function hubUser(username: string, role: Role, branchIds: string[]): string {
  const { runner } = hub.svc.kernel;
  const as = <R>(fn: Parameters<typeof runner.run<R>>[1]) => runner.run({ actor: systemActor('cli') }, fn);
  const userId = as((tx) => createUser(tx, { username, name: username, role, branchIds: role === 'hq' ? [] : [hub.branchId], passwordHash: FAKE_HASH }));
  if (role !== 'hq') as((tx) => updateUser(tx, userId, { branchIds }));
  return as((tx) => issueApiKey(tx, hub.branchId, userId, 'hq tests', null)).key;
}

async function setUpDoctor(s: TestServer): Promise<string> {
  const doc = await ok(s, 'POST', '/api/v1/doctors', { name: 'Dr Rao', specialty: 'General medicine', registration_number: 'KMC 1', slot_minutes: 15, fee: inr(50000) });
  await ok(s, 'PUT', `/api/v1/doctors/${doc.id}/availability`, { sessions: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '09:00', end: '18:00' })), exceptions: [] });
  return doc.id;
}

let n = 0;
const patient = async (s: TestServer) => (await ok(s, 'POST', '/api/v1/patients', { name: `Patient ${++n} Kumar`, phone: `98450${String(10000 + n)}`, sex: 'female', age_years: 30 })).id as string;
const book = async (s: TestServer, doctorId: string, start: string) => (await ok(s, 'POST', '/api/v1/appointments', { patient_id: await patient(s), doctor_id: doctorId, start, mode: 'in_person' })) as { id: string; patient_id: string };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mymedic-hq-'));
  hub = await startServer({ branchCode: 'HQ', mode: 'hub', clock });
  [a, b] = await Promise.all([branch('BLR1'), branch('MYS1')]);
  await Promise.all([a.agent.hello(), b.agent.hello()]);
  // The chain's consultation price, pulled by both branches.
  await ok(hub, 'PUT', '/api/v1/chain/prices/CONS', { name: 'Consultation', kind: 'consultation', unit_price: inr(50000), tax_rate: 0, sac_hsn: '9993' });
  await Promise.all([a.agent.round(), b.agent.round()]);

  // BLR1, D1: four booked for the day (one cancelled), one for D2, two walk-ins.
  {
    const s = a.s;
    const doctorId = await setUpDoctor(s);
    const seen = await book(s, doctorId, ist(D1, '10:00'));
    const missed = await book(s, doctorId, ist(D1, '10:15'));
    await book(s, doctorId, ist(D1, '10:45')); // not due yet when the hub is asked
    const cancelled = await book(s, doctorId, ist(D1, '11:00'));
    await book(s, doctorId, ist(D2, '10:00'));
    await ok(s, 'POST', `/api/v1/appointments/${cancelled.id}/cancel`, { reason: 'Patient called' });
    clock.set(`${D1}T04:50:00Z`); // 10:20 IST
    await ok(s, 'POST', `/api/v1/appointments/${seen.id}/check-in`, {});
    await ok(s, 'POST', `/api/v1/appointments/${missed.id}/no-show`, {});
    const w1 = await patient(s);
    await ok(s, 'POST', '/api/v1/walk-ins', { patient_id: w1, doctor_id: doctorId });
    await ok(s, 'POST', '/api/v1/walk-ins', { patient_id: await patient(s), doctor_id: doctorId });
    // The chain price; then an overridden one plus an item the chain does not list.
    const inv1 = await ok(s, 'POST', '/api/v1/invoices', { patient_id: seen.patient_id, appointment_id: seen.id, lines: [{ item_code: 'CONS', qty: 1 }] });
    expect(inv1.total.amount).toBe(50000);
    const inv2 = await ok(s, 'POST', '/api/v1/invoices', {
      patient_id: w1,
      lines: [
        { item_code: 'CONS', qty: 1, unit_price: inr(45000) },
        { item_code: 'KIT', description: 'Dressing kit', qty: 2, unit_price: inr(6000), tax_rate: 0 },
      ],
    });
    expect(inv2.total.amount).toBe(57000);
    const cash1 = await ok(s, 'POST', '/api/v1/payments', { invoice_id: inv1.id, amount: inr(30000), method: 'cash' });
    await ok(s, 'POST', '/api/v1/payments', { invoice_id: inv1.id, amount: inr(20000), method: 'upi', reference: 'UTR0001' });
    await ok(s, 'POST', '/api/v1/payments', { invoice_id: inv2.id, amount: inr(57000), method: 'cash' });
    await ok(s, 'POST', '/api/v1/refunds', { payment_id: cash1.id, amount: inr(5000), reason: 'Overcharged' });
    // Expected cash 300 + 570 − 50 = ₹820; counted ₹800.
    const close = await ok(s, 'POST', '/api/v1/day-close', { business_date: D1, denominations: { '500': 1, '100': 3 }, reason: 'Short by 20' });
    did.blr.variance = close.variance.amount;
    expect(did.blr.variance).toBe(-2000);
  }
  // MYS1, D1: one seen, one walk-in, the chain price paid by card; no close.
  {
    const s = b.s;
    const doctorId = await setUpDoctor(s);
    const seen = await book(s, doctorId, ist(D1, '10:30'));
    await ok(s, 'POST', `/api/v1/appointments/${seen.id}/check-in`, {});
    await ok(s, 'POST', '/api/v1/walk-ins', { patient_id: await patient(s), doctor_id: doctorId });
    const inv = await ok(s, 'POST', '/api/v1/invoices', { patient_id: seen.patient_id, appointment_id: seen.id, lines: [{ item_code: 'CONS', qty: 1 }] });
    await ok(s, 'POST', '/api/v1/payments', { invoice_id: inv.id, amount: inr(50000), method: 'card', card_last4: '4242' });
  }
  await Promise.all([a.agent.round(), b.agent.round()]);

  keys.hq = hubUser('hq.viewer', 'hq', []);
  keys.desk = hubUser('hub.desk', 'front_desk', [hub.branchId]);
  keys.adminA = hubUser('blr.admin', 'admin', [a.s.branchId]);
}, 30_000);

afterAll(async () => {
  await Promise.all([a?.s.stop(), b?.s.stop()]);
  await hub?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function python(script: string, ...args: string[]): unknown {
  const p = Bun.spawnSync([PYTHON, '-c', script, ...args], { stdout: 'pipe', stderr: 'pipe' });
  if (p.exitCode !== 0) throw new Error(`python failed: ${p.stderr.toString()}`);
  return JSON.parse(p.stdout.toString());
}

const range = `from=${D1}&to=${D2}`;
const row = (body: Any, code: string, date: string) => body.items.find((x: Any) => x.branch_code === code && x.date === date);

describe('GET /api/v1/hq/branches', () => {
  test('every branch with its health and last sync, the hub’s own too', async () => {
    const r = await call(hub, 'GET', '/api/v1/hq/branches', undefined, keys.hq);
    expect(r.status).toBe(200);
    expect(r.body.items.map((x: Any) => [x.code, x.kind, x.health])).toEqual([
      ['BLR1', 'branch', 'ok'],
      ['HQ', 'hub', 'ok'],
      ['MYS1', 'branch', 'ok'],
    ]);
    const blr = r.body.items.find((x: Any) => x.code === 'BLR1');
    expect(blr).toMatchObject({ id: a.s.branchId, name: 'Indiranagar', lag_events: 0, lag_seconds: 0, last_sync_at: clock.now().toISOString() });
    expect(r.body.items.find((x: Any) => x.code === 'HQ')).toMatchObject({ id: hub.branchId, last_sync_at: null });
  });
});

describe('GET /api/v1/hq/daily', () => {
  test('per branch per day: what each branch did', async () => {
    const r = await call(hub, 'GET', `/api/v1/hq/daily?${range}`, undefined, keys.hq);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ from: D1, to: D2, next_cursor: null });
    expect(r.body.branches.map((x: Any) => x.code)).toEqual(['BLR1', 'HQ', 'MYS1']);
    expect(r.body.items.length).toBe(6); // 3 branches × 2 days
    expect(row(r.body, 'BLR1', D1)).toEqual({
      date: D1,
      branch_id: a.s.branchId,
      branch_code: 'BLR1',
      appointments: 3,
      cancelled: 1,
      due: 2,
      walk_ins: 2,
      no_shows: 1,
      no_show_rate: 0.5,
      revenue: { cash: inr(87000), upi: inr(20000), card: inr(0), online: inr(0), total: inr(107000) },
      refunds: inr(5000),
      net: inr(102000),
      day_close_variance: inr(did.blr.variance),
      counters_closed: 1,
    });
    expect(row(r.body, 'BLR1', D2)).toMatchObject({ appointments: 1, due: 0, no_show_rate: null, revenue: { total: inr(0) }, day_close_variance: null, counters_closed: 0 });
    expect(row(r.body, 'MYS1', D1)).toMatchObject({
      appointments: 1,
      due: 1,
      walk_ins: 1,
      no_shows: 0,
      no_show_rate: 0,
      revenue: { cash: inr(0), upi: inr(0), card: inr(50000), total: inr(50000) },
      refunds: inr(0),
      day_close_variance: null,
    });
    expect(row(r.body, 'HQ', D1)).toMatchObject({ appointments: 0, no_show_rate: null, revenue: { total: inr(0) } });
  });

  test('chain totals per day and overall', async () => {
    const { body } = await call(hub, 'GET', `/api/v1/hq/daily?${range}`, undefined, keys.hq);
    const d1 = body.totals.by_date.find((d: Any) => d.date === D1);
    expect(d1).toMatchObject({
      appointments: 4,
      cancelled: 1,
      due: 3,
      walk_ins: 3,
      no_shows: 1,
      no_show_rate: 0.3333,
      revenue: { cash: inr(87000), upi: inr(20000), card: inr(50000), online: inr(0), total: inr(157000) },
      refunds: inr(5000),
      net: inr(152000),
      day_close_variance: inr(-2000),
      counters_closed: 1,
    });
    expect(body.totals.by_date.map((d: Any) => d.date)).toEqual([D1, D2]);
    expect(body.totals.overall).toMatchObject({ appointments: 5, walk_ins: 3, no_shows: 1, revenue: { total: inr(157000) }, refunds: inr(5000), day_close_variance: inr(-2000) });
  });

  test('by default the last 7 days to today', async () => {
    const { status, body } = await call(hub, 'GET', '/api/v1/hq/daily', undefined, keys.hq);
    expect(status).toBe(200);
    expect([body.from, body.to]).toEqual(['2026-11-25', D1]);
    expect(body.totals.by_date.length).toBe(7);
    expect(body.totals.overall.revenue.total).toEqual(inr(157000));
  });

  test('bad dates and ranges: 400 with a clear code, never 5xx', async () => {
    const cases: [string, string][] = [
      ['from=2026-02-30', 'invalid_date'],
      ['to=yesterday', 'invalid_date'],
      [`from=${D2}&to=${D1}`, 'invalid_range'],
      ['from=2026-01-01&to=2026-12-01', 'range_too_long'],
      ['from=2026-12-01T00:00', 'invalid_request'],
      ['from=%00%ff', 'invalid_date'],
    ];
    for (const [q, code] of cases) {
      for (const path of ['/api/v1/hq/daily', '/api/v1/hq/daily.csv', '/api/v1/hq/price-variance.xlsx']) {
        const r = await call(hub, 'GET', `${path}?${q}`, undefined, keys.hq);
        expect({ path, q, status: r.status, code: r.body?.error?.code }).toEqual({ path, q, status: 400, code });
      }
    }
    // Exactly 92 days is fine.
    expect((await call(hub, 'GET', '/api/v1/hq/daily?from=2026-09-01&to=2026-12-01', undefined, keys.hq)).status).toBe(200);
  });
});

describe('GET /api/v1/hq/price-variance', () => {
  test('what each branch charged vs the chain list', async () => {
    const r = await call(hub, 'GET', `/api/v1/hq/price-variance?${range}`, undefined, keys.hq);
    expect(r.status).toBe(200);
    expect(r.body.items.map((x: Any) => `${x.branch_code}/${x.item_code}`)).toEqual(['BLR1/CONS', 'BLR1/KIT', 'MYS1/CONS']);
    const [blrCons, blrKit, mysCons] = r.body.items;
    expect(blrCons).toEqual({
      branch_id: a.s.branchId,
      branch_code: 'BLR1',
      item_code: 'CONS',
      description: 'Consultation',
      lines: 2,
      qty: 2,
      min_unit_price: inr(45000),
      max_unit_price: inr(50000),
      avg_unit_price: inr(47500),
      chain_price: inr(50000),
      difference: inr(-2500),
      lines_off_chain: 1,
    });
    expect(blrKit).toMatchObject({ description: 'Dressing kit', lines: 1, qty: 2, avg_unit_price: inr(6000), chain_price: null, difference: null, lines_off_chain: null });
    expect(mysCons).toMatchObject({ lines: 1, avg_unit_price: inr(50000), chain_price: inr(50000), difference: inr(0), lines_off_chain: 0 });
  });
});

describe('downloads', () => {
  test('daily CSV: named, parsed back by Python’s csv module, the same figures', async () => {
    const r = await call(hub, 'GET', `/api/v1/hq/daily.csv?${range}`, undefined, keys.hq);
    expect(r.status).toBe(200);
    expect(r.res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(r.res.headers.get('content-disposition')).toBe(`attachment; filename="hq-daily-${D1}-${D2}.csv"`);
    const file = join(dir, 'daily.csv');
    writeFileSync(file, new Uint8Array(await r.res.arrayBuffer()));
    const rows = python(`import csv, json, sys\nwith open(sys.argv[1], newline='', encoding='utf-8-sig') as f:\n    print(json.dumps(list(csv.reader(f)), ensure_ascii=False))`, file) as string[][];
    const [header, ...body] = rows;
    expect(header.slice(0, 8)).toEqual(['Date', 'Branch code', 'Branch', 'Appointments', 'Cancelled', 'Walk-ins', 'No-shows', 'No-show rate (%)']);
    const col = (name: string) => header.indexOf(name);
    expect(body.length).toBe(6 + 2 + 1); // branch rows, chain total per day, all days
    const blr = body.find((x) => x[0] === D1 && x[1] === 'BLR1')!;
    expect([blr[col('Appointments')], blr[col('Walk-ins')], blr[col('No-shows')], blr[col('No-show rate (%)')]]).toEqual(['3', '2', '1', '50.0']);
    expect([blr[col('Cash (₹)')], blr[col('UPI (₹)')], blr[col('Refunds (₹)')], blr[col('Net (₹)')], blr[col('Day-close variance (₹)')]]).toEqual(['870.00', '200.00', '50.00', '1020.00', '-20.00']);
    const mys = body.find((x) => x[0] === D1 && x[1] === 'MYS1')!;
    expect([mys[col('Card (₹)')], mys[col('Day-close variance (₹)')]]).toEqual(['500.00', '']);
    const all = body.at(-1)!;
    expect([all[0], all[2], all[col('Collected (₹)')]]).toEqual(['All days', 'Chain total', '1570.00']);
  });

  test('daily and price-variance XLSX read back by openpyxl', async () => {
    const script = `import json, sys, openpyxl\nwb = openpyxl.load_workbook(sys.argv[1])\nws = wb.worksheets[0]\nprint(json.dumps({'title': ws.title, 'rows': [list(r) for r in ws.iter_rows(values_only=True)]}, ensure_ascii=False, default=str))`;
    const daily = await call(hub, 'GET', `/api/v1/hq/daily.xlsx?${range}`, undefined, keys.hq);
    expect(daily.status).toBe(200);
    expect(daily.res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(daily.res.headers.get('content-disposition')).toBe(`attachment; filename="hq-daily-${D1}-${D2}.xlsx"`);
    writeFileSync(join(dir, 'daily.xlsx'), new Uint8Array(await daily.res.arrayBuffer()));
    const d = python(script, join(dir, 'daily.xlsx')) as { title: string; rows: (string | number | null)[][] };
    expect(d.title).toBe('Daily');
    const h = d.rows[0] as string[];
    const blr = d.rows.find((x) => x[0] === D1 && x[1] === 'BLR1')!;
    expect([blr[h.indexOf('Appointments')], blr[h.indexOf('No-show rate (%)')], blr[h.indexOf('Cash (₹)')], blr[h.indexOf('Day-close variance (₹)')]]).toEqual([3, 0.5, 870, -20]);

    const pv = await call(hub, 'GET', `/api/v1/hq/price-variance.xlsx?${range}`, undefined, keys.hq);
    expect(pv.status).toBe(200);
    writeFileSync(join(dir, 'pv.xlsx'), new Uint8Array(await pv.res.arrayBuffer()));
    const p = python(script, join(dir, 'pv.xlsx')) as { title: string; rows: (string | number | null)[][] };
    expect(p.rows[0].slice(0, 4)).toEqual(['Branch code', 'Branch', 'Item code', 'Description']);
    expect(p.rows.slice(1).map((x) => [x[0], x[2], x[8], x[9], x[10]])).toEqual([
      ['BLR1', 'CONS', 475, 500, -25],
      ['BLR1', 'KIT', 60, null, null],
      ['MYS1', 'CONS', 500, 500, 0],
    ]);
  });

  test('branches CSV and price-variance CSV', async () => {
    const br = await call(hub, 'GET', '/api/v1/hq/branches.csv', undefined, keys.hq);
    expect(br.status).toBe(200);
    expect(br.res.headers.get('content-disposition')).toBe(`attachment; filename="hq-branches-${D1}.csv"`);
    const bytes = new Uint8Array(await br.res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // the BOM, so Excel reads UTF-8
    expect(br.body.split('\r\n')[0]).toBe('Code,Name,Kind,Health,Last sync (UTC),Lag (events),Lag (seconds)');
    const pv = await call(hub, 'GET', `/api/v1/hq/price-variance.csv?${range}`, undefined, keys.hq);
    expect(pv.body.split('\r\n').filter(Boolean).length).toBe(4);
  });
});

describe('who sees what', () => {
  test('the owner reads too; front desk at the hub gets 403; no credentials 401', async () => {
    expect((await call(hub, 'GET', '/api/v1/hq/daily')).status).toBe(200);
    for (const path of ['/api/v1/hq/branches', '/api/v1/hq/daily', '/api/v1/hq/price-variance', '/api/v1/hq/daily.csv', '/api/v1/hq/branches.xlsx']) {
      expect((await call(hub, 'GET', path, undefined, keys.desk)).status).toBe(403);
      expect((await fetch(hub.url + path)).status).toBe(401);
    }
  });

  test('hq writes nothing operational: 403 on writes, no event recorded', async () => {
    const before = hub.eventCount();
    const writes: [string, string, unknown][] = [
      ['POST', '/api/v1/patients', { name: 'Ravi Iyer', phone: '9845012346', sex: 'male', age_years: 40 }],
      ['PUT', '/api/v1/chain/prices/CONS', { name: 'Consultation', kind: 'consultation', unit_price: inr(1), tax_rate: 0 }],
      ['DELETE', '/api/v1/chain/prices/CONS', undefined],
      ['PUT', '/api/v1/prices/CONS', { name: 'Consultation', kind: 'consultation', unit_price: inr(1), tax_rate: 0 }],
      ['POST', '/api/v1/day-close', { denominations: {} }],
    ];
    for (const [method, path, json] of writes) expect({ method, path, status: (await call(hub, method, path, json, keys.hq)).status }).toEqual({ method, path, status: 403 });
    expect(hub.eventCount()).toBe(before);
  });

  test('a branch admin at the hub sees only their branch', async () => {
    const br = await call(hub, 'GET', '/api/v1/hq/branches', undefined, keys.adminA);
    expect(br.status).toBe(200);
    expect(br.body.items.map((x: Any) => x.code)).toEqual(['BLR1']);
    const daily = await call(hub, 'GET', `/api/v1/hq/daily?${range}`, undefined, keys.adminA);
    expect(daily.body.branches.map((x: Any) => x.code)).toEqual(['BLR1']);
    expect(new Set(daily.body.items.map((x: Any) => x.branch_code))).toEqual(new Set(['BLR1']));
    expect(daily.body.totals.overall.revenue.total).toEqual(inr(107000));
    const pv = await call(hub, 'GET', `/api/v1/hq/price-variance?${range}`, undefined, keys.adminA);
    expect(pv.body.items.map((x: Any) => x.branch_code)).toEqual(['BLR1', 'BLR1']);
    const csv = await call(hub, 'GET', `/api/v1/hq/daily.csv?${range}`, undefined, keys.adminA);
    expect(csv.body).not.toContain('MYS1');
  });

  test('a branch is not a hub: 404 not_a_hub', async () => {
    for (const path of ['/api/v1/hq/branches', `/api/v1/hq/daily?${range}`, '/api/v1/hq/price-variance', '/api/v1/hq/daily.csv', '/api/v1/hq/daily.xlsx']) {
      const r = await call(a.s, 'GET', path);
      expect({ path, status: r.status, code: r.body?.error?.code }).toEqual({ path, status: 404, code: 'not_a_hub' });
    }
  });
});

describe('pages', () => {
  const page = async (s: TestServer, path: string, token?: string) => {
    const res = await s.api(path, { token, headers: { accept: 'text/html' }, redirect: 'manual' });
    return { status: res.status, html: await res.text() };
  };

  test('the three pages render the figures; the HQ link only at the hub', async () => {
    const br = await page(hub, '/hq', keys.hq);
    expect(br.status).toBe(200);
    expect(br.html).toContain('id="hq-branches"');
    expect(br.html).toContain('<a href="/hq" aria-current="page">HQ</a>');
    expect(br.html).toMatch(/data-code="MYS1"[\s\S]*?data-health="ok"/);
    const daily = await page(hub, `/hq/daily?${range}`, keys.hq);
    expect(daily.status).toBe(200);
    expect(daily.html).toContain(`href="/api/v1/hq/daily.csv?from=${D1}&to=${D2}"`);
    expect(daily.html).toContain('₹1,570.00');
    const prices = await page(hub, `/hq/prices?${range}`, keys.hq);
    expect(prices.status).toBe(200);
    expect(prices.html).toContain('Dressing kit');
    expect(prices.html).toContain('-₹25.00');
    const atBranch = await page(a.s, '/');
    expect(atBranch.html).not.toContain('href="/hq"');
    expect((await page(a.s, '/hq')).status).toBe(404);
    expect((await page(hub, '/hq', keys.desk)).status).toBe(403);
  });

  test('a bad range renders the form again with the message (400), escaped', async () => {
    const r = await page(hub, '/hq/daily?from=%22%3E%3Cscript%3E&to=2026-12-01', keys.hq);
    expect(r.status).toBe(400);
    expect(r.html).toContain('from must be a real date as YYYY-MM-DD');
    expect(r.html).not.toContain('"><script>');
    expect((await page(hub, `/hq/prices?from=${D2}&to=${D1}`, keys.hq)).status).toBe(400);
  });

  const postForm = (path: string, fields: Record<string, string>, token?: string) =>
    hub.api(path, { method: 'POST', token, redirect: 'manual', headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });

  test('announcements: the owner posts from the form, a branch shows it after a round, withdrawing takes it off', async () => {
    const title = 'Fire drill <Friday>';
    const posted = await postForm('/hq/announcements', { title, body: 'All staff\nat 4 pm', show_until: D2, _form_token: 'form-1' });
    expect(posted.status).toBe(303);
    expect(posted.headers.get('location')).toBe('/hq/announcements');
    // The same form sent twice (a double click) posts once.
    expect((await postForm('/hq/announcements', { title, body: 'All staff\nat 4 pm', show_until: D2, _form_token: 'form-1' })).status).toBe(303);
    const listed = await page(hub, '/hq/announcements', keys.hq);
    expect(listed.status).toBe(200);
    expect(listed.html.match(/data-announcement=/g)?.length).toBe(1);
    expect(listed.html).toContain('Fire drill &lt;Friday&gt;');
    expect(listed.html).not.toContain('<Friday>');
    expect(listed.html).toContain(`Shown until ${D2}`);
    // hq reads but gets no form, and cannot post.
    expect(listed.html).not.toContain('action="/hq/announcements"');
    expect((await postForm('/hq/announcements', { title: 'x', body: 'y' }, keys.hq)).status).toBe(403);

    const id = /data-announcement="([0-9a-f-]{36})"/.exec(listed.html)![1];
    await a.agent.round();
    expect((await page(a.s, '/')).html).toContain('Fire drill &lt;Friday&gt;');
    expect((await page(a.s, '/hq/announcements')).status).toBe(404);

    const withdrawn = await postForm(`/hq/announcements/${id}/withdraw`, {});
    expect(withdrawn.status).toBe(303);
    expect((await page(hub, '/hq/announcements')).html).toContain('Withdrawn ·');
    await a.agent.round();
    expect((await page(a.s, '/')).html).not.toContain('Fire drill');
    // Withdrawing again or an unknown id: a message, not a 5xx.
    expect((await postForm(`/hq/announcements/${id}/withdraw`, {})).status).toBe(303);
    expect((await postForm('/hq/announcements/not-an-id/withdraw', {})).status).toBe(303);
  });

  test('announcements: a bad form is shown again with the message and the values, escaped; nothing recorded', async () => {
    const before = hub.eventCount();
    const r = await postForm('/hq/announcements', { title: '', body: '"><script>alert(1)</script>', show_until: '' });
    expect(r.status).toBe(422);
    const html = await r.text();
    expect(html).toContain('title');
    expect(html).toContain('&quot;&gt;&lt;script&gt;');
    expect(html).not.toContain('<script>alert(1)');
    const past = await postForm('/hq/announcements', { title: 'Old news', body: 'x', show_until: '2020-01-01' });
    expect(past.status).toBe(422);
    expect(await past.text()).toContain('show_until is in the past');
    expect(hub.eventCount()).toBe(before);
  });
  test('doctor directory: the owner lists from the form (codes checked, shown again on error, escaped), edits, delists; hq reads; the branch page shows it', async () => {
    const before = hub.eventCount();
    const bad = await postForm('/hq/doctors', { name: 'Dr. X "><script>alert(1)</script>', specialty: 'ENT', branch_codes: 'BLR1, NOPE1', _form_token: 'dir-0' });
    expect(bad.status).toBe(422);
    const badHtml = await bad.text();
    expect(badHtml).toContain('No branch of the chain has the code NOPE1');
    expect(badHtml).toContain('value="BLR1, NOPE1"');
    expect(badHtml).not.toContain('"><script>alert(1)'); // the quote is escaped: the value cannot end the attribute
    expect((await postForm('/hq/doctors', { name: '', specialty: 'ENT' })).status).toBe(422);
    expect(hub.eventCount()).toBe(before);

    const fields = { name: 'Dr. Kavya <Nair>', specialty: 'ENT', qualifications: 'MBBS, MS (ENT)', registration_number: 'KMC 4242', branch_codes: 'blr1 mys1', visiting: 'Wed 16:00–19:00 at BLR1', _form_token: 'dir-1' };
    const listed = await postForm('/hq/doctors', fields);
    expect(listed.status).toBe(303);
    expect(listed.headers.get('location')).toBe('/hq/doctors');
    expect((await postForm('/hq/doctors', fields)).status).toBe(303); // a double click lists once
    const view = await page(hub, '/hq/doctors', keys.hq);
    expect(view.status).toBe(200);
    expect(view.html.match(/data-directory-doctor=/g)?.length).toBe(1);
    expect(view.html).toContain('Dr. Kavya &lt;Nair&gt;');
    expect(view.html).toContain('BLR1, MYS1');
    expect(view.html).not.toContain('action="/hq/doctors"'); // hq: no form
    expect((await postForm('/hq/doctors', { name: 'x', specialty: 'y' }, keys.hq)).status).toBe(403);
    const id = /data-directory-doctor="([0-9a-f-]{36})"/.exec(view.html)![1];

    const edit = await page(hub, `/hq/doctors/${id}`);
    expect(edit.status).toBe(200);
    expect(edit.html).toContain('value="BLR1, MYS1"');
    expect((await postForm(`/hq/doctors/${id}`, { ...fields, visiting: 'Thursdays at MYS1', _form_token: 'dir-2' })).status).toBe(303);
    expect((await page(hub, `/hq/doctors/${crypto.randomUUID()}`)).status).toBe(404);
    await a.agent.round();
    const atBranch = await page(a.s, '/directory');
    expect(atBranch.status).toBe(200);
    expect(atBranch.html).toContain('Dr. Kavya &lt;Nair&gt;');
    expect(atBranch.html).toContain('Thursdays at MYS1');
    expect((await page(a.s, '/hq/doctors')).status).toBe(404);

    expect((await postForm(`/hq/doctors/${id}/delist`, {})).status).toBe(303);
    expect((await page(hub, '/hq/doctors')).html).toContain('Delisted ');
    expect((await page(hub, `/hq/doctors/${id}`)).status).toBe(303); // no edit form for a delisted entry: back to the list with why
    expect((await postForm(`/hq/doctors/${id}/delist`, {})).status).toBe(303); // again: a message, not a 5xx
    await a.agent.round();
    expect((await page(a.s, '/directory')).html).not.toContain('Kavya');
  });
});
