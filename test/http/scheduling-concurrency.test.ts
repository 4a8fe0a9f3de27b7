// Bookings racing over HTTP: many callers for one slot get exactly one booking; many callers
// for different slots all get theirs, and no booking is lost (group commit, one writer).
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { type Harness, schedulingHarness } from './scheduling-setup';

let h: Harness;
let users: string[]; // API keys of 50 front-desk accounts
let patients: string[];

beforeAll(async () => {
  h = await schedulingHarness();
  users = Array.from({ length: 50 }, (_, i) => h.staff(`desk${i}`, i % 5 === 0 ? 'admin' : 'front_desk').key);
  patients = [];
  for (let i = 0; i < 50; i++) patients.push(await h.patient(`Patient ${i}`));
});
afterAll(() => h.s.stop());

const appointmentRows = (doctorId: string) =>
  (h.s.svc.kernel.db.query(`SELECT count(*) AS n FROM appointments WHERE doctor_id = ?`).get(doctorId) as { n: number }).n;

test('50 parallel bookings of one slot by 50 users for 50 patients: one 201, 49 × 409 slot_taken, one event', async () => {
  const doctor = await h.doctor({ name: 'Dr. One Slot' });
  expect((await h.call(h.owner, 'PUT', `/api/v1/doctors/${doctor}/availability`, { sessions: [{ weekday: 2, start: '10:00', end: '10:15' }], exceptions: [] })).status).toBe(200);
  const booked = h.countOf('appointment.booked');
  const events = h.s.eventCount();
  const results = await Promise.all(
    users.map((key, i) =>
      h.call(key, 'POST', '/api/v1/appointments', { patient_id: patients[i], doctor_id: doctor, start: '2026-12-01T10:00:00+05:30', mode: 'in_person' }),
    ),
  );
  const statuses = results.map((r) => r.status);
  expect(statuses.filter((s) => s === 201)).toHaveLength(1);
  expect(statuses.filter((s) => s === 409)).toHaveLength(49);
  for (const r of results.filter((x) => x.status === 409)) expect(r.body.error.code).toBe('slot_taken');
  expect(h.countOf('appointment.booked') - booked).toBe(1);
  expect(h.s.eventCount() - events).toBe(1);
  expect(appointmentRows(doctor)).toBe(1);
  const slots = (await h.call(h.owner, 'GET', `/api/v1/slots?doctor_id=${doctor}&date=2026-12-01`)).body.items;
  expect(slots).toEqual([{ start: '2026-12-01T10:00:00+05:30', end: '2026-12-01T10:15:00+05:30', available: false, reason: 'booked' }]);
});

test('200 parallel bookings of 200 different slots: all 201, 200 events, none lost', async () => {
  const doctor = await h.doctor({ name: 'Dr. Many Slots', slot_minutes: 5 });
  // Tuesday and Wednesday 09:00–21:00: 144 five-minute slots a day.
  const sessions = [2, 3].map((weekday) => ({ weekday, start: '09:00', end: '21:00' }));
  expect((await h.call(h.owner, 'PUT', `/api/v1/doctors/${doctor}/availability`, { sessions })).status).toBe(200);
  const free = [
    ...((await h.call(h.owner, 'GET', `/api/v1/slots?doctor_id=${doctor}&date=2026-12-01`)).body.items as { start: string; available: boolean }[]),
    ...((await h.call(h.owner, 'GET', `/api/v1/slots?doctor_id=${doctor}&date=2026-12-02`)).body.items as { start: string; available: boolean }[]),
  ].filter((s) => s.available);
  expect(free.length).toBe(288);
  const starts = free.slice(0, 200).map((s) => s.start);
  const booked = h.countOf('appointment.booked');
  const results = await Promise.all(
    starts.map((start, i) =>
      h.call(users[i % users.length], 'POST', '/api/v1/appointments', { patient_id: patients[i % patients.length], doctor_id: doctor, start, mode: 'in_person' }),
    ),
  );
  const failures = results.filter((r) => r.status !== 201).map((r) => `${r.status} ${JSON.stringify(r.body)}`);
  expect(failures).toEqual([]);
  expect(new Set(results.map((r) => r.body.id)).size).toBe(200);
  expect(results.map((r) => r.body.start)).toEqual(starts);
  expect(h.countOf('appointment.booked') - booked).toBe(200);
  expect(appointmentRows(doctor)).toBe(200);
  const listed = [
    ...(await h.call(h.owner, 'GET', `/api/v1/appointments?date=2026-12-01&doctor_id=${doctor}`)).body.items,
    ...(await h.call(h.owner, 'GET', `/api/v1/appointments?date=2026-12-02&doctor_id=${doctor}`)).body.items,
  ] as { start: string }[];
  expect(listed.map((a) => a.start)).toEqual(starts);
});
