// OPD scheduling through a real server: doctors, availability, holidays, slots, bookings,
// check-in and the queue, walk-ins, follow-ups, the calendar-feed token, roles, the OpenAPI.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { type Harness, NOW, schedulingHarness, TODAY } from './scheduling-setup';

let h: Harness;
let frontDesk: string;
let lab: string;
let drUser: { userId: string; key: string };
let rao: string; // Dr. Meera Rao: 15-minute slots, Mon–Sat mornings, Mon–Fri evenings
let asha: string;
let ravi: string;
let gita: string; // elderly
let dev: string;

const AVAILABILITY = {
  sessions: [
    ...[1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, start: '10:00', end: '13:00' })),
    ...[1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: '17:00', end: '20:00', walk_in_allowance: 0 })),
  ],
  exceptions: [
    { date: '2026-12-04', kind: 'leave', note: 'Conference' },
    { date: '2026-12-05', kind: 'block', start: '10:00', end: '10:30' },
    { date: '2026-12-08', kind: 'cancelled', start: '17:00', end: '20:00' },
    { date: '2026-12-09', kind: 'extra', start: '14:00', end: '15:00' },
  ],
};

beforeAll(async () => {
  h = await schedulingHarness();
  frontDesk = h.staff('meera', 'front_desk').key;
  lab = h.staff('lakshmi', 'lab').key;
  drUser = h.staff('drrao', 'doctor');
  asha = await h.patient('Asha Rao');
  ravi = await h.patient('Ravi Iyer');
  gita = await h.patient('Gita Bai');
  dev = await h.patient('Dev Kumar');
});
afterAll(() => h.s.stop());

const book = (start: string, patient = asha, extra: Record<string, unknown> = {}, key = frontDesk) =>
  h.call(key, 'POST', '/api/v1/appointments', { patient_id: patient, doctor_id: rao, start, mode: 'in_person', ...extra });

describe('doctors', () => {
  test('registering answers 201 with the doctor and its location; it is listed and readable', async () => {
    const before = h.s.eventCount();
    const r = await h.call(h.owner, 'POST', '/api/v1/doctors', {
      name: 'Dr. Meera Rao',
      specialty: 'General medicine',
      registration_number: 'KMC-12345',
      slot_minutes: 15,
      fee: { amount: 50000, currency: 'INR' },
      languages: ['English', 'Kannada', 'English'],
      user_id: drUser.userId,
    });
    expect(r.status).toBe(201);
    rao = r.body.id;
    expect(r.body).toMatchObject({
      branch_id: h.s.branchId,
      name: 'Dr. Meera Rao',
      specialty: 'General medicine',
      registration_number: 'KMC-12345',
      slot_minutes: 15,
      fee: { amount: 50000, currency: 'INR' },
      languages: ['English', 'Kannada'],
      user_id: drUser.userId,
      active: true,
    });
    expect(r.res.headers.get('location')).toBe(`/api/v1/doctors/${rao}`);
    expect(h.s.eventCount()).toBe(before + 1);
    expect((await h.call(frontDesk, 'GET', `/api/v1/doctors/${rao}`)).body).toEqual(r.body);
    const list = await h.call(lab, 'GET', '/api/v1/doctors');
    expect(list.status).toBe(200);
    expect(list.body).toEqual({ items: [r.body], next_cursor: null });
  });

  test('fee currency defaults to INR; PATCH changes only what is given', async () => {
    const id = await h.doctor({ name: 'Dr. Arjun Shah', fee: { amount: 80000 } });
    expect((await h.call(h.owner, 'GET', `/api/v1/doctors/${id}`)).body.fee).toEqual({ amount: 80000, currency: 'INR' });
    const p = await h.call(h.owner, 'PATCH', `/api/v1/doctors/${id}`, { specialty: 'Cardiology', fee: { amount: 90000, currency: 'INR' } });
    expect(p.status).toBe(200);
    expect(p.body).toMatchObject({ id, name: 'Dr. Arjun Shah', specialty: 'Cardiology', fee: { amount: 90000, currency: 'INR' }, slot_minutes: 15 });
  });

  test('deactivate hides the doctor from the list (unless include_inactive=true); reactivate brings them back', async () => {
    const id = await h.doctor({ name: 'Dr. Zoya Khan' });
    const d = await h.call(h.owner, 'POST', `/api/v1/doctors/${id}/deactivate`);
    expect(d.status).toBe(200);
    expect(d.body.active).toBe(false);
    const names = async (q = '') => ((await h.call(frontDesk, 'GET', `/api/v1/doctors${q}`)).body.items as { name: string }[]).map((x) => x.name);
    expect(await names()).not.toContain('Dr. Zoya Khan');
    expect(await names('?include_inactive=true')).toContain('Dr. Zoya Khan');
    expect((await h.call(h.owner, 'POST', `/api/v1/doctors/${id}/deactivate`)).status).toBe(409);
    const r = await h.call(h.owner, 'POST', `/api/v1/doctors/${id}/reactivate`, {});
    expect(r.status).toBe(200);
    expect(r.body.active).toBe(true);
    expect(await names()).toContain('Dr. Zoya Khan');
  });
});

describe('availability and holidays', () => {
  test('PUT stores the sessions and exceptions and answers them; GET gives the same', async () => {
    const r = await h.call(h.owner, 'PUT', `/api/v1/doctors/${rao}/availability`, AVAILABILITY);
    expect(r.status).toBe(200);
    expect(r.body.doctor_id).toBe(rao);
    expect(r.body.sessions).toHaveLength(11);
    expect(r.body.sessions[0]).toEqual({ weekday: 1, start: '10:00', end: '13:00', walk_in_allowance: 0 });
    expect(r.body.sessions[1]).toEqual({ weekday: 1, start: '17:00', end: '20:00', walk_in_allowance: 0 });
    expect(r.body.exceptions).toEqual([
      { date: '2026-12-04', kind: 'leave', note: 'Conference' },
      { date: '2026-12-05', kind: 'block', start: '10:00', end: '10:30', note: null },
      { date: '2026-12-08', kind: 'cancelled', start: '17:00', end: '20:00', note: null },
      { date: '2026-12-09', kind: 'extra', start: '14:00', end: '15:00', note: null },
    ]);
    const g = await h.call(frontDesk, 'GET', `/api/v1/doctors/${rao}/availability`);
    expect(g.status).toBe(200);
    expect(g.body).toEqual(r.body);
  });

  test('a branch holiday is declared, listed, empties the day’s slots, and is removed', async () => {
    const put = await h.call(h.owner, 'PUT', '/api/v1/holidays/2026-12-25', { name: 'Christmas' });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ date: '2026-12-25', name: 'Christmas' });
    expect((await h.call(h.owner, 'PUT', '/api/v1/holidays/2026-12-31', { name: 'New Year’s Eve' })).status).toBe(200);
    expect((await h.call(lab, 'GET', '/api/v1/holidays')).body).toEqual({
      items: [
        { date: '2026-12-25', name: 'Christmas' },
        { date: '2026-12-31', name: 'New Year’s Eve' },
      ],
      next_cursor: null,
    });
    expect((await h.call(lab, 'GET', '/api/v1/holidays?from=2026-12-26')).body.items).toEqual([{ date: '2026-12-31', name: 'New Year’s Eve' }]);
    const slots = await h.call(frontDesk, 'GET', `/api/v1/slots?doctor_id=${rao}&date=2026-12-25`);
    expect(slots.status).toBe(200);
    expect(slots.body).toMatchObject({ items: [], holiday: 'Christmas' });
    const del = await h.call(h.owner, 'DELETE', '/api/v1/holidays/2026-12-31');
    expect(del.status).toBe(204);
    expect((await h.call(h.owner, 'DELETE', '/api/v1/holidays/2026-12-31')).status).toBe(404);
    expect((await h.call(lab, 'GET', '/api/v1/holidays')).body.items).toEqual([{ date: '2026-12-25', name: 'Christmas' }]);
  });
});

describe('slots', () => {
  test('today: 15-minute slots of both sessions, with the branch’s offset, all free', async () => {
    const r = await h.call(frontDesk, 'GET', `/api/v1/slots?doctor_id=${rao}&date=${TODAY}`);
    expect(r.status).toBe(200);
    const items = r.body.items as { start: string; end: string; available: boolean }[];
    expect(items).toHaveLength(24);
    expect(items[0]).toEqual({ start: '2026-12-01T10:00:00+05:30', end: '2026-12-01T10:15:00+05:30', available: true });
    expect(items[11].start).toBe('2026-12-01T12:45:00+05:30');
    expect(items[12].start).toBe('2026-12-01T17:00:00+05:30');
    expect(items.every((s) => s.available)).toBe(true);
    expect(r.body.next_cursor).toBeNull();
  });

  test('leave: none; a blocked range: not available; a cancelled session: gone; an extra session: added', async () => {
    const slots = async (date: string) => (await h.call(frontDesk, 'GET', `/api/v1/slots?doctor_id=${rao}&date=${date}`)).body.items as { start: string; available: boolean; reason?: string }[];
    expect(await slots('2026-12-04')).toEqual([]);
    const sat = await slots('2026-12-05');
    expect(sat).toHaveLength(12);
    expect(sat.slice(0, 3).map((s) => [s.available, s.reason])).toEqual([
      [false, 'blocked'],
      [false, 'blocked'],
      [true, undefined],
    ]);
    expect(await slots('2026-12-08')).toHaveLength(12); // evening cancelled
    const wed = await slots('2026-12-09');
    expect(wed).toHaveLength(28);
    expect(wed.filter((s) => s.start.includes('T14:')).length).toBe(4);
    expect(await slots('2026-12-06')).toEqual([]); // Sunday
  });

  test('yesterday’s slots are past', async () => {
    const items = (await h.call(frontDesk, 'GET', `/api/v1/slots?doctor_id=${rao}&date=2026-11-30`)).body.items as { available: boolean; reason: string }[];
    expect(items.length).toBe(24);
    expect(items.every((s) => !s.available && s.reason === 'past')).toBe(true);
  });
});

describe('appointments', () => {
  let first: string;

  test('booking answers 201 booked with the times in IST; the slot is then taken; bearer callers default to source api', async () => {
    const before = h.s.eventCount();
    const r = await book('2026-12-01T10:00:00+05:30', asha, { note: 'Fever since Monday', source: 'desk' });
    expect(r.status).toBe(201);
    first = r.body.id;
    expect(r.body).toMatchObject({
      patient_id: asha,
      doctor_id: rao,
      start: '2026-12-01T10:00:00+05:30',
      end: '2026-12-01T10:15:00+05:30',
      date: TODAY,
      mode: 'in_person',
      status: 'booked',
      source: 'desk',
      note: 'Fever since Monday',
    });
    expect(r.res.headers.get('location')).toBe(`/api/v1/appointments/${first}`);
    expect(h.s.eventCount()).toBe(before + 1);
    const slot = ((await h.call(frontDesk, 'GET', `/api/v1/slots?doctor_id=${rao}&date=${TODAY}`)).body.items as { start: string; available: boolean; reason?: string }[])[0];
    expect(slot).toMatchObject({ start: '2026-12-01T10:00:00+05:30', available: false, reason: 'booked' });

    const again = await book('2026-12-01T10:00:00+05:30', ravi);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('slot_taken');
    expect(again.body.error.message).toContain('Dr. Meera Rao');

    // the same instant written in UTC is the same slot
    expect((await book('2026-12-01T04:30:00Z', ravi)).body.error.code).toBe('slot_taken');

    const api = await book('2026-12-01T04:45:00.000Z', ravi, { mode: 'tele' });
    expect(api.status).toBe(201);
    expect(api.body).toMatchObject({ start: '2026-12-01T10:15:00+05:30', source: 'api', mode: 'tele' });
  });

  test('the same Idempotency-Key books once and answers the same appointment', async () => {
    const headers = { 'idempotency-key': 'book-dev-1030' };
    const before = h.s.eventCount();
    const body = { patient_id: dev, doctor_id: rao, start: '2026-12-01T10:30:00+05:30', mode: 'in_person' };
    const a = await h.call(frontDesk, 'POST', '/api/v1/appointments', body, headers);
    const b = await h.call(frontDesk, 'POST', '/api/v1/appointments', body, headers);
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.body).toEqual(a.body);
    expect(b.res.headers.get('idempotent-replayed')).toBe('true');
    expect(h.s.eventCount()).toBe(before + 1);
  });

  test('GET one; the day’s list defaults to today and filters by doctor and status', async () => {
    const one = await h.call(lab, 'GET', `/api/v1/appointments/${first}`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ id: first, status: 'booked' });
    const today = await h.call(frontDesk, 'GET', '/api/v1/appointments');
    expect(today.status).toBe(200);
    expect((today.body.items as { start: string }[]).map((a) => a.start)).toEqual([
      '2026-12-01T10:00:00+05:30',
      '2026-12-01T10:15:00+05:30',
      '2026-12-01T10:30:00+05:30',
    ]);
    expect(today.body.next_cursor).toBeNull();
    expect((await h.call(frontDesk, 'GET', `/api/v1/appointments?date=${TODAY}&doctor_id=${rao}&status=booked`)).body.items).toHaveLength(3);
    expect((await h.call(frontDesk, 'GET', `/api/v1/appointments?date=${TODAY}&status=cancelled`)).body.items).toHaveLength(0);
    expect((await h.call(frontDesk, 'GET', '/api/v1/appointments?date=2026-12-02')).body.items).toHaveLength(0);
  });

  test('limit and next_cursor walk the day’s list in the same order', async () => {
    const all = (await h.call(frontDesk, 'GET', `/api/v1/appointments?date=${TODAY}`)).body.items as { id: string }[];
    const walked: string[] = [];
    let cursor: string | null = null;
    do {
      const r: { status: number; body: { items: { id: string }[]; next_cursor: string | null } } = await h.call(
        frontDesk,
        'GET',
        `/api/v1/appointments?date=${TODAY}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(r.status).toBe(200);
      expect(r.body.items.length).toBeLessThanOrEqual(2);
      walked.push(...r.body.items.map((a) => a.id));
      cursor = r.body.next_cursor;
    } while (cursor);
    expect(walked).toEqual(all.map((a) => a.id));
  });

  test('reschedule moves it and frees the old slot; cancel frees the slot and keeps the reason', async () => {
    const a = await book('2026-12-02T11:00:00+05:30', gita);
    expect(a.status).toBe(201);
    const r = await h.call(frontDesk, 'POST', `/api/v1/appointments/${a.body.id}/reschedule`, { start: '2026-12-03T11:30:00+05:30' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: a.body.id, start: '2026-12-03T11:30:00+05:30', date: '2026-12-03', status: 'booked' });
    expect((await book('2026-12-02T11:00:00+05:30', ravi)).status).toBe(201); // the old slot is free again

    const c = await h.call(frontDesk, 'POST', `/api/v1/appointments/${a.body.id}/cancel`, { reason: 'Patient travelling' });
    expect(c.status).toBe(200);
    expect(c.body).toMatchObject({ status: 'cancelled', cancel_reason: 'Patient travelling' });
    const again = await h.call(frontDesk, 'POST', `/api/v1/appointments/${a.body.id}/cancel`, { reason: 'twice' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('invalid_transition');
    expect((await book('2026-12-03T11:30:00+05:30', dev)).status).toBe(201);
  });

  test('no-show: refused before the start, recorded after it', async () => {
    const a = await book('2026-12-01T12:00:00+05:30', gita);
    const early = await h.call(frontDesk, 'POST', `/api/v1/appointments/${a.body.id}/no-show`);
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('not_yet');
    h.clock.set('2026-12-01T06:50:00Z'); // 12:20 IST
    try {
      const r = await h.call(frontDesk, 'POST', `/api/v1/appointments/${a.body.id}/no-show`, {});
      expect(r.status).toBe(200);
      expect(r.body.status).toBe('no_show');
    } finally {
      h.clock.set(NOW);
    }
  });
});

describe('the day: check-in, queue, walk-ins', () => {
  let appt: string;
  let token1: string;

  test('book → check in → token 1 waiting in the queue', async () => {
    const a = await book('2026-12-01T17:00:00+05:30', asha);
    appt = a.body.id;
    const before = h.s.eventCount();
    const c = await h.call(frontDesk, 'POST', `/api/v1/appointments/${appt}/check-in`);
    expect(c.status).toBe(200);
    expect(c.body).toMatchObject({ id: appt, status: 'checked_in', token: { number: 1, state: 'waiting', position: 1, appointment_id: appt, kind: 'appointment' } });
    token1 = c.body.token.id;
    expect(c.body.token_id).toBe(token1);
    expect(h.s.eventCount()).toBe(before + 2); // appointment.checked_in + queue.token_issued
    const q = await h.call(drUser.key, 'GET', `/api/v1/queue?doctor_id=${rao}`);
    expect(q.status).toBe(200);
    expect(q.body.items).toHaveLength(1);
    expect(q.body.items[0]).toMatchObject({ id: token1, number: 1, state: 'waiting', position: 1, patient_id: asha, date: TODAY });

    const twice = await h.call(frontDesk, 'POST', `/api/v1/appointments/${appt}/check-in`);
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('invalid_transition');
  });

  test('walk-ins: an elderly walk-in goes ahead of earlier normal tokens; a patient holds one live token', async () => {
    const w = async (patient: string, priority?: string) => h.call(frontDesk, 'POST', '/api/v1/walk-ins', { patient_id: patient, doctor_id: rao, ...(priority ? { priority } : {}) });
    const r = await w(ravi);
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ number: 2, state: 'waiting', position: 2, kind: 'walk_in', priority: 'normal', appointment_id: null });
    expect((await w(dev)).body).toMatchObject({ number: 3, position: 3 });
    const elderly = await w(gita, 'elderly');
    expect(elderly.status).toBe(201);
    expect(elderly.body).toMatchObject({ number: 4, priority: 'elderly', position: 1 });
    const q = await h.call(frontDesk, 'GET', `/api/v1/queue?doctor_id=${rao}&date=${TODAY}`);
    expect((q.body.items as { number: number; position: number }[]).map((t) => [t.number, t.position])).toEqual([
      [4, 1],
      [1, 2],
      [2, 3],
      [3, 4],
    ]);
    const dup = await w(ravi);
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('already_in_queue');
  });

  test('skip and recall: a called patient who does not come is skipped, then recalled to their place', async () => {
    const q0 = await h.call(drUser.key, 'GET', `/api/v1/queue?doctor_id=${rao}`);
    const gitaToken = (q0.body.items as { id: string; number: number }[]).find((t) => t.number === 4)!.id;
    const called = await h.call(drUser.key, 'POST', `/api/v1/queue/${gitaToken}/call`);
    expect(called.status).toBe(200);
    expect(called.body).toMatchObject({ id: gitaToken, state: 'called', position: null });
    expect(called.body.called_at).toBeString();
    const skipped = await h.call(drUser.key, 'POST', `/api/v1/queue/${gitaToken}/skip`);
    expect(skipped.body.state).toBe('skipped');
    let q = await h.call(drUser.key, 'GET', `/api/v1/queue?doctor_id=${rao}`);
    expect((q.body.items as { number: number; state: string }[]).map((t) => [t.number, t.state])).toEqual([
      [1, 'waiting'],
      [2, 'waiting'],
      [3, 'waiting'],
      [4, 'skipped'],
    ]);
    const recalled = await h.call(frontDesk, 'POST', `/api/v1/queue/${gitaToken}/recall`);
    expect(recalled.status).toBe(200);
    expect(recalled.body).toMatchObject({ state: 'waiting', position: 1 });
    q = await h.call(drUser.key, 'GET', `/api/v1/queue?doctor_id=${rao}`);
    expect((q.body.items as { number: number }[]).map((t) => t.number)).toEqual([4, 1, 2, 3]);
    const recallWaiting = await h.call(frontDesk, 'POST', `/api/v1/queue/${gitaToken}/recall`);
    expect(recallWaiting.status).toBe(409);
    expect(recallWaiting.body.error.code).toBe('invalid_transition');
  });

  test('call → start → complete: the token is done and the appointment completed', async () => {
    const notYet = await h.call(drUser.key, 'POST', `/api/v1/queue/${token1}/complete`);
    expect(notYet.status).toBe(409);
    expect(notYet.body.error.code).toBe('invalid_transition');
    const call = await h.call(drUser.key, 'POST', `/api/v1/queue/${token1}/call`);
    expect(call.body.state).toBe('called');
    const start = await h.call(drUser.key, 'POST', `/api/v1/queue/${token1}/start`);
    expect(start.status).toBe(200);
    expect(start.body).toMatchObject({ state: 'in_consultation', position: null });
    const q = await h.call(drUser.key, 'GET', `/api/v1/queue?doctor_id=${rao}`);
    expect(q.body.items[0]).toMatchObject({ id: token1, state: 'in_consultation' });
    const done = await h.call(drUser.key, 'POST', `/api/v1/queue/${token1}/complete`);
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ id: token1, state: 'done' });
    expect(done.body.completed_at).toBeString();
    const a = await h.call(frontDesk, 'GET', `/api/v1/appointments/${appt}`);
    expect(a.body.status).toBe('completed');
    const last = await h.call(drUser.key, 'GET', `/api/v1/queue?doctor_id=${rao}`);
    expect((last.body.items as { id: string }[]).at(-1)!.id).toBe(token1);
  });
});

describe('follow-ups', () => {
  test('review in 7 days: due on the 8th, on the recall list from then; booking the next visit marks it booked', async () => {
    const f = await h.call(drUser.key, 'POST', '/api/v1/followups', { patient_id: ravi, doctor_id: rao, in_days: 7, note: 'Review BP' });
    expect(f.status).toBe(201);
    expect(f.body).toMatchObject({ patient_id: ravi, doctor_id: rao, due_date: '2026-12-08', status: 'due', note: 'Review BP', appointment_id: null, overdue: false });
    expect((await h.call(frontDesk, 'GET', '/api/v1/followups')).body.items).toEqual([]);
    const due = await h.call(frontDesk, 'GET', `/api/v1/followups?until=2026-12-08&doctor_id=${rao}`);
    expect(due.body.items.map((x: { id: string }) => x.id)).toEqual([f.body.id]);

    const a = await book('2026-12-09T14:15:00+05:30', ravi);
    expect(a.status).toBe(201);
    const after = await h.call(frontDesk, 'GET', `/api/v1/followups/${f.body.id}`);
    expect(after.body).toMatchObject({ status: 'booked', appointment_id: a.body.id });
    expect((await h.call(frontDesk, 'GET', '/api/v1/followups?until=2026-12-31')).body.items).toEqual([]);
  });

  test('a follow-up by due date, then cancelled; cancelling twice is 409', async () => {
    const f = await h.call(frontDesk, 'POST', '/api/v1/followups', { patient_id: dev, doctor_id: rao, due_date: '2026-12-15' });
    expect(f.status).toBe(201);
    expect(f.body.due_date).toBe('2026-12-15');
    const c = await h.call(frontDesk, 'POST', `/api/v1/followups/${f.body.id}/cancel`, { reason: 'Moved city' });
    expect(c.status).toBe(200);
    expect(c.body.status).toBe('cancelled');
    expect((await h.call(frontDesk, 'POST', `/api/v1/followups/${f.body.id}/cancel`)).status).toBe(409);
  });
});

describe('calendar feed token', () => {
  test('an admin, or the doctor’s own account, issues it; others may not; it can be revoked once', async () => {
    const r = await h.call(h.owner, 'POST', `/api/v1/doctors/${rao}/calendar-token`);
    expect(r.status).toBe(201);
    expect(r.body.token).toBeString();
    expect(r.body.url).toBe(`/calendar/${rao}.ics?token=${encodeURIComponent(r.body.token)}`);
    const mine = await h.call(drUser.key, 'POST', `/api/v1/doctors/${rao}/calendar-token`, {});
    expect(mine.status).toBe(201);
    expect(mine.body.token).not.toBe(r.body.token);
    const hash = (h.s.svc.kernel.db.query('SELECT calendar_token_hash AS h FROM doctors WHERE id = ?').get(rao) as { h: string }).h;
    expect(hash).toBe(new Bun.CryptoHasher('sha256').update(mine.body.token).digest('hex'));
    expect((await h.call(frontDesk, 'POST', `/api/v1/doctors/${rao}/calendar-token`)).status).toBe(403);
    expect((await h.call(frontDesk, 'DELETE', `/api/v1/doctors/${rao}/calendar-token`)).status).toBe(403);
    expect((await h.call(drUser.key, 'DELETE', `/api/v1/doctors/${rao}/calendar-token`)).status).toBe(204);
    expect((h.s.svc.kernel.db.query('SELECT calendar_token_hash AS h FROM doctors WHERE id = ?').get(rao) as { h: string | null }).h).toBeNull();
    const again = await h.call(h.owner, 'DELETE', `/api/v1/doctors/${rao}/calendar-token`);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('no_calendar_token');
  });
});

describe('branches and roles', () => {
  test('another branch sees none of this branch’s doctors, appointments or tokens', async () => {
    const br2 = h.s.addBranch('MYS1', 'Mysuru');
    const other = h.staff('mysdesk', 'front_desk', [br2]).key;
    const appt = (await h.call(frontDesk, 'GET', '/api/v1/appointments')).body.items[0].id as string;
    const token = (await h.call(frontDesk, 'GET', `/api/v1/queue?doctor_id=${rao}`)).body.items[0].id as string;
    expect((await h.call(other, 'GET', `/api/v1/doctors/${rao}`)).status).toBe(404);
    expect((await h.call(other, 'GET', '/api/v1/doctors')).body.items).toEqual([]);
    expect((await h.call(other, 'GET', `/api/v1/slots?doctor_id=${rao}&date=${TODAY}`)).status).toBe(404);
    expect((await h.call(other, 'GET', `/api/v1/appointments/${appt}`)).status).toBe(404);
    expect((await h.call(other, 'GET', '/api/v1/appointments')).body.items).toEqual([]);
    const before = h.s.eventCount();
    expect((await h.call(other, 'POST', `/api/v1/appointments/${appt}/cancel`, { reason: 'x' })).status).toBe(404);
    expect((await h.call(other, 'POST', `/api/v1/queue/${token}/skip`)).status).toBe(404);
    // the owner, acting in the other branch, neither
    expect((await h.call(h.owner, 'GET', `/api/v1/doctors/${rao}`, undefined, { 'x-branch-id': br2 })).status).toBe(404);
    expect(h.s.eventCount()).toBe(before);
  });

  test('a lab user reads the schedule but may not book; the front desk may not manage doctors', async () => {
    expect((await h.call(lab, 'GET', `/api/v1/slots?doctor_id=${rao}&date=${TODAY}`)).status).toBe(200);
    const before = h.s.eventCount();
    const r = await book('2026-12-01T11:00:00+05:30', asha, {}, lab);
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('forbidden');
    expect((await h.call(frontDesk, 'PUT', `/api/v1/doctors/${rao}/availability`, AVAILABILITY)).status).toBe(403);
    expect((await h.call(frontDesk, 'POST', '/api/v1/doctors', { name: 'X' })).status).toBe(403);
    expect((await h.call(frontDesk, 'PUT', '/api/v1/holidays/2026-12-26', { name: 'Boxing Day' })).status).toBe(403);
    expect(h.s.eventCount()).toBe(before);
  });
});

describe('OpenAPI', () => {
  test('describes every scheduling path under the scheduling tag', async () => {
    const res = await fetch(`${h.s.url}/openapi/json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { paths: Record<string, Record<string, { tags?: string[]; summary?: string; description?: string; requestBody?: unknown }>> };
    const expected: [string, string][] = [
      ['/api/v1/doctors', 'post'],
      ['/api/v1/doctors', 'get'],
      ['/api/v1/doctors/{id}', 'get'],
      ['/api/v1/doctors/{id}', 'patch'],
      ['/api/v1/doctors/{id}/deactivate', 'post'],
      ['/api/v1/doctors/{id}/reactivate', 'post'],
      ['/api/v1/doctors/{id}/availability', 'put'],
      ['/api/v1/doctors/{id}/availability', 'get'],
      ['/api/v1/doctors/{id}/calendar-token', 'post'],
      ['/api/v1/doctors/{id}/calendar-token', 'delete'],
      ['/api/v1/holidays', 'get'],
      ['/api/v1/holidays/{date}', 'put'],
      ['/api/v1/holidays/{date}', 'delete'],
      ['/api/v1/slots', 'get'],
      ['/api/v1/appointments', 'post'],
      ['/api/v1/appointments', 'get'],
      ['/api/v1/appointments/{id}', 'get'],
      ['/api/v1/appointments/{id}/cancel', 'post'],
      ['/api/v1/appointments/{id}/reschedule', 'post'],
      ['/api/v1/appointments/{id}/check-in', 'post'],
      ['/api/v1/appointments/{id}/no-show', 'post'],
      ['/api/v1/walk-ins', 'post'],
      ['/api/v1/queue', 'get'],
      ['/api/v1/queue/{token_id}/call', 'post'],
      ['/api/v1/queue/{token_id}/start', 'post'],
      ['/api/v1/queue/{token_id}/complete', 'post'],
      ['/api/v1/queue/{token_id}/skip', 'post'],
      ['/api/v1/queue/{token_id}/recall', 'post'],
      ['/api/v1/followups', 'post'],
      ['/api/v1/followups', 'get'],
      ['/api/v1/followups/{id}', 'get'],
      ['/api/v1/followups/{id}/cancel', 'post'],
    ];
    const missing = expected.filter(([p, m]) => !doc.paths[p]?.[m]);
    expect(missing).toEqual([]);
    for (const [p, m] of expected) {
      const op = doc.paths[p][m];
      expect({ path: `${m} ${p}`, tags: op.tags, summary: !!op.summary, description: !!op.description }).toEqual({ path: `${m} ${p}`, tags: ['scheduling'], summary: true, description: true });
    }
    expect(JSON.stringify(doc.paths['/api/v1/appointments'].post.requestBody)).toContain('in_person');
    expect(JSON.stringify(doc.paths['/api/v1/doctors/{id}/availability'].put.requestBody)).toContain('walk_in_allowance');
  });
});
