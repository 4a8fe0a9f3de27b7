// A branch cut off from its hub for a week (its clock moved on day by day, the network
// between them down) keeps booking, taking deposits and closing its counter; its system
// figures say how far behind the hub is; when the network is back it catches up by itself.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { issueApiKey } from '../../src/auth/api-keys';
import { fixedClock } from '../../src/core/clock';
import { systemActor } from '../../src/core/runner';
import { systemStatus } from '../../src/ops/status';
import { addSyncGauges } from '../../src/sync/metrics';
import { hubBranches } from '../../src/sync/status';
import type { TestServer } from '../helpers/server';
import { type BranchSide, eventsOf, startBranch, startHub, verified } from './fixture';
import { type FaultProxy, startFaultProxy } from './proxy';

const clock = fixedClock('2026-12-01T03:00:00Z'); // 08:30 IST, Tuesday
let hub: TestServer;
let proxy: FaultProxy;
let b: BranchSide;
let key: string;
let doctorId: string;
let patientId: string;

const call = async (method: string, path: string, json?: unknown) => {
  const res = await b.s.api(path, { method, token: key, ...(json === undefined ? {} : { json }) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & { id: string } };
};
const metric = async (name: string) => {
  const text = await (await fetch(`${b.s.url}/metrics`)).text();
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : null;
};
async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 15_000) {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(25);
  }
}

beforeAll(async () => {
  hub = await startHub();
  proxy = startFaultProxy(hub.url);
  b = await startBranch(hub, 'BLR1', {}, proxy.url, clock);
  b.s.svc.sync = b.agent;
  addSyncGauges(b.s.svc);
  key = b.s.svc.kernel.runner.run({ actor: systemActor('cli') }, (tx) => issueApiKey(tx, b.s.branchId, b.s.ownerId, 'offline week', null)).key;
  doctorId = (await call('POST', '/api/v1/doctors', { name: 'Dr Rao', specialty: 'General Medicine', registration_number: 'KMC 12345', slot_minutes: 15, fee: { amount: 50000, currency: 'INR' } })).body.id;
  expect((await call('PUT', `/api/v1/doctors/${doctorId}/availability`, { sessions: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '09:00', end: '21:00' })), exceptions: [] })).status).toBe(200);
  patientId = (await call('POST', '/api/v1/patients', { name: 'Asha Rao', phone: '9845012345', sex: 'female', age_years: 30 })).body.id;
  b.agent.start();
  await until('the first sync', async () => (await metric('mymedic_sync_lag_events')) === 0 && b.agent.connected);
});
afterAll(async () => {
  await b.agent.stop();
  proxy.stop();
  await b.s.stop();
  await hub.stop();
});

describe('a week without the hub', () => {
  const days = ['2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04', '2026-12-05', '2026-12-06', '2026-12-07'];
  const receipts: string[] = [];

  test('every day: two bookings, a cash and a UPI deposit, the counter closed; all while the hub is unreachable', async () => {
    proxy.down = true;
    for (const [i, day] of days.entries()) {
      clock.set(`${day}T03:00:00Z`);
      for (const [j, start] of [`${day}T04:30:00Z`, `${day}T04:45:00Z`].entries()) {
        const appt = await call('POST', '/api/v1/appointments', { patient_id: patientId, doctor_id: doctorId, start, mode: 'in_person' });
        expect(appt.status).toBe(201);
        const pay = await call('POST', '/api/v1/payments', { appointment_id: appt.body.id, amount: { amount: j ? 30000 : 20000, currency: 'INR' }, method: j ? 'upi' : 'cash', reference: j ? `UPI${i}` : undefined });
        expect(pay.status).toBe(201);
        receipts.push(pay.body.receipt_number as string);
      }
      clock.set(`${day}T14:00:00Z`); // 19:30 IST
      const close = await call('POST', '/api/v1/day-close', { denominations: { '200': 1 } });
      expect(close.status).toBe(201);
    }
    // Gapless receipts, whatever the network did.
    expect(receipts).toEqual(receipts.map((_, i) => `BLR1/26-27/${String(i + 1).padStart(5, '0')}`));
    expect(proxy.counts.refusedDown).toBeGreaterThan(0);
  });

  test('the branch knows: not connected, how many events and how old the oldest unsent one is, on /metrics and its system page', async () => {
    await until('a failed round', () => !b.agent.connected);
    const lag = (await metric('mymedic_sync_lag_events'))!;
    expect(lag).toBeGreaterThanOrEqual(7 * 5); // 2 bookings, 2 deposits and a close a day, at least
    expect(await metric('mymedic_sync_connected')).toBe(0);
    expect((await metric('mymedic_sync_lag_seconds'))!).toBeGreaterThan(6 * 86400);
    const st = systemStatus(b.s.svc);
    expect(st.sync).toMatchObject({ connected: false, lag_events: lag });
    expect(st.sync!.last_error).toContain('503');
    expect(st.attention.map((a) => a.key)).toContain('sync_behind');
    // The hub only knows the branch has gone quiet.
    expect(hubBranches(hub.svc.kernel.db, new Date()).find((r) => r.code === 'BLR1')!.high_water).toBeLessThan(b.s.svc.kernel.store.head(b.s.svc.kernel.origin).origin_seq);
  });

  test('the network is back: the branch catches up by itself; the hub holds exactly its log, and its bookings and money', async () => {
    proxy.down = false;
    const k = b.s.svc.kernel;
    await until('the catch-up', async () => (await metric('mymedic_sync_lag_events')) === 0 && b.agent.connected);
    expect(await metric('mymedic_sync_connected')).toBe(1);
    expect(eventsOf(hub, k.origin)).toEqual(eventsOf(b.s, k.origin));
    const q = (sql: string) => (hub.svc.kernel.db.query(sql).get(b.s.branchId) as { n: number }).n;
    expect(q('SELECT count(*) AS n FROM appointments WHERE branch_id = ?')).toBe(14);
    expect(q('SELECT coalesce(sum(amount), 0) AS n FROM payments WHERE branch_id = ?')).toBe(7 * 50000);
    expect(q('SELECT count(*) AS n FROM day_closes WHERE branch_id = ?')).toBe(7);
    expect(verified(hub).ok).toBe(true);
    expect(systemStatus(b.s.svc).attention.map((a) => a.key)).not.toContain('sync_behind');
  });
});
