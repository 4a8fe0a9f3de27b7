// Scheduling commands through the command runner on a real SQLite file: the cross-stream
// rules (the slot exists and is free, check-in issues a token, walk-in allowance, follow-up
// linking), that a refused command appends nothing, and that a rebuild reproduces the day.
import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import { seedClinic, testKernel, type TestKernel } from '../../test/helpers/kernel';
import { fixedClock } from '../core/clock';
import { DomainError } from '../core/errors';
import type { Tx } from '../core/runner';
import { actorOf, type Scope } from '../core/scope';
import { verify } from '../core/verify';
import { allProjections } from '../kernel';
import { registerPatient } from '../patients/commands';
import * as S from './commands';
import type { AvailabilityException, WeeklySession } from './events';
import { getAppointment, getFollowup, getToken, queueFor } from './queries';

// Tuesday 2026-12-01, 08:30 IST.
const clock = fixedClock('2026-12-01T03:00:00Z');
const TODAY = '2026-12-01';
const at = (date: string, time: string) => `${date}T${time}:00+05:30`;

let k: TestKernel;
let scope: Scope;
let run: <R>(fn: (tx: Tx) => R) => R;
let doctorId: string;
let patients: string[];

// Monday to Saturday 10:00–13:00 (2 walk-ins) and 17:00–20:00 (1 walk-in); no Sundays.
const SESSIONS: WeeklySession[] = [1, 2, 3, 4, 5, 6].flatMap((weekday) => [
  { weekday, start: '10:00', end: '13:00', walk_in_allowance: 2 },
  { weekday, start: '17:00', end: '20:00', walk_in_allowance: 1 },
]);

beforeEach(() => {
  clock.set('2026-12-01T03:00:00Z');
  k = testKernel({ clock });
  scope = seedClinic(k).scope;
  run = (fn) => k.runner.run({ actor: actorOf(scope) }, fn);
  patients = ['Asha Rao', 'Ravi Kumar', 'Fatima Sheikh', 'John Dsouza', 'Lakshmi Iyer', 'Imran Khan'].map(
    (name, i) => run((tx) => registerPatient(tx, scope, { name, phone: `98450${String(12340 + i * 7)}`, sex: i % 2 ? 'male' : 'female', age_years: 30 + i })).patient.id,
  );
  doctorId = registerDoctor('Dr Meera Rao');
  run((tx) => S.setAvailability(tx, scope, doctorId, SESSIONS, []));
});
afterEach(() => k.dispose());

function registerDoctor(name: string, slot_minutes = 15): string {
  return run((tx) => S.registerDoctor(tx, scope, { name, specialty: 'General Medicine', registration_number: `KMC ${name.length}`, slot_minutes, fee: { amount: 50000, currency: 'INR' } }));
}

const count = () => (k.db.query('SELECT count(*) AS n FROM events').get() as { n: number }).n;
const book = (start: string, patient = patients[0], extra: Partial<S.BookingInput> = {}) =>
  run((tx) => S.bookAppointment(tx, scope, { patient_id: patient, doctor_id: doctorId, start, mode: 'in_person', ...extra }));
/** Runs a command that must be refused: returns the error and checks nothing was appended. */
function refused(fn: (tx: Tx) => unknown): DomainError {
  const before = count();
  let error: unknown;
  try {
    run(fn);
  } catch (e) {
    error = e;
  }
  expect(count()).toBe(before);
  if (!(error instanceof DomainError)) throw error ?? new Error('expected the command to be refused');
  return error;
}
/** The types of the events one command appended, in order. */
const eventsOf = (fn: (tx: Tx) => unknown) => run((tx) => (fn(tx), tx.events.map((e) => e.type)));
const status = (id: string) => getAppointment(k.db, scope.branchId, id)!.status;

describe('booking', () => {
  test('books a free slot: one appointment.booked, the read row in IST', () => {
    const types = eventsOf((tx) => S.bookAppointment(tx, scope, { patient_id: patients[0], doctor_id: doctorId, start: at(TODAY, '10:30'), mode: 'tele', note: ' fever ', source: 'phone' }));
    expect(types).toEqual(['appointment.booked']);
    const row = k.db.query('SELECT * FROM appointments').get() as Record<string, unknown>;
    expect(row).toMatchObject({ start: '2026-12-01T05:00:00.000Z', end: '2026-12-01T05:15:00.000Z', local_date: TODAY, mode: 'tele', source: 'phone', note: 'fever', status: 'booked', booked_by: scope.userId });
  });

  test('the same slot twice → slot_taken (409), and only one event', () => {
    book(at(TODAY, '10:30'));
    const before = count();
    const e = refused((tx) => S.bookAppointment(tx, scope, { patient_id: patients[1], doctor_id: doctorId, start: '2026-12-01T05:00:00Z', mode: 'in_person' }));
    expect([e.status, e.code]).toEqual([409, 'slot_taken']);
    expect(e.message).toContain('10:30');
    expect(count()).toBe(before);
    expect((k.db.query(`SELECT count(*) AS n FROM events WHERE type = 'appointment.booked'`).get() as { n: number }).n).toBe(1);
  });

  test('the same instant written with another offset is the same slot', () => {
    book(at(TODAY, '11:00'));
    expect(refused((tx) => S.bookAppointment(tx, scope, { patient_id: patients[1], doctor_id: doctorId, start: '2026-12-01T00:30:00-05:00', mode: 'in_person' })).code).toBe('slot_taken');
  });

  test('a cancelled appointment frees its slot', () => {
    const a = book(at(TODAY, '10:30'));
    run((tx) => S.cancelAppointment(tx, scope, a, 'patient asked'));
    const b = book(at(TODAY, '10:30'), patients[1]);
    expect([status(a), status(b)]).toEqual(['cancelled', 'booked']);
  });

  const bad: [string, () => S.BookingInput, number, string][] = [
    ['outside the sessions (14:00)', () => ({ patient_id: patients[0], doctor_id: doctorId, start: at(TODAY, '14:00'), mode: 'in_person' }), 422, 'outside_sessions'],
    ['on a day without sessions (Sunday)', () => ({ patient_id: patients[0], doctor_id: doctorId, start: at('2026-12-06', '10:00'), mode: 'in_person' }), 422, 'outside_sessions'],
    ['at the end of a session (13:00)', () => ({ patient_id: patients[0], doctor_id: doctorId, start: at(TODAY, '13:00'), mode: 'in_person' }), 422, 'outside_sessions'],
    ['not on a slot boundary (10:20)', () => ({ patient_id: patients[0], doctor_id: doctorId, start: at(TODAY, '10:20'), mode: 'in_person' }), 422, 'not_slot_boundary'],
    ['a second off the boundary', () => ({ patient_id: patients[0], doctor_id: doctorId, start: '2026-12-01T10:30:01+05:30', mode: 'in_person' }), 422, 'not_slot_boundary'],
    ['in the past (yesterday)', () => ({ patient_id: patients[0], doctor_id: doctorId, start: at('2026-11-30', '10:30'), mode: 'in_person' }), 422, 'slot_in_past'],
    ['in the past (this morning, before now)', () => ({ patient_id: patients[0], doctor_id: doctorId, start: at(TODAY, '08:00'), mode: 'in_person' }), 422, 'slot_in_past'],
    ['an unknown doctor', () => ({ patient_id: patients[0], doctor_id: 'nope', start: at(TODAY, '10:30'), mode: 'in_person' }), 404, 'not_found'],
    ['an unknown patient', () => ({ patient_id: 'nope', doctor_id: doctorId, start: at(TODAY, '10:30'), mode: 'in_person' }), 422, 'unknown_patient'],
    ['a time without an offset', () => ({ patient_id: patients[0], doctor_id: doctorId, start: '2026-12-01T10:30:00', mode: 'in_person' }), 422, 'invalid_time'],
    ['a malformed time', () => ({ patient_id: patients[0], doctor_id: doctorId, start: '1 Dec 2026 10:30', mode: 'in_person' }), 422, 'invalid_time'],
    ['an impossible date', () => ({ patient_id: patients[0], doctor_id: doctorId, start: '2026-02-30T10:30:00+05:30', mode: 'in_person' }), 422, 'invalid_time'],
    ['hour 24', () => ({ patient_id: patients[0], doctor_id: doctorId, start: '2026-12-01T24:00:00+05:30', mode: 'in_person' }), 422, 'invalid_time'],
  ];
  for (const [what, input, httpStatus, code] of bad) {
    test(`${what} → ${code}, nothing appended`, () => {
      const e = refused((tx) => S.bookAppointment(tx, scope, input()));
      expect([e.status as number, e.code]).toEqual([httpStatus, code]);
    });
  }

  test('on a holiday → holiday, nothing appended', () => {
    run((tx) => S.declareHoliday(tx, scope, '2026-12-02', 'Clinic day off'));
    const e = refused((tx) => S.bookAppointment(tx, scope, { patient_id: patients[0], doctor_id: doctorId, start: at('2026-12-02', '10:30'), mode: 'in_person' }));
    expect([e.status, e.code]).toEqual([422, 'holiday']);
    expect(e.message).toContain('Clinic day off');
    run((tx) => S.removeHoliday(tx, scope, '2026-12-02'));
    book(at('2026-12-02', '10:30'));
  });

  test('while the doctor is on leave → outside_sessions, nothing appended', () => {
    run((tx) => S.setAvailability(tx, scope, doctorId, SESSIONS, [{ date: '2026-12-02', kind: 'leave', note: 'conference' }]));
    const e = refused((tx) => S.bookAppointment(tx, scope, { patient_id: patients[0], doctor_id: doctorId, start: at('2026-12-02', '10:30'), mode: 'in_person' }));
    expect([e.status, e.code]).toEqual([422, 'outside_sessions']);
    book(at('2026-12-03', '10:30')); // the next day is fine
  });

  test('a cancelled session, a blocked slot, an extra session', () => {
    const exceptions: AvailabilityException[] = [
      { date: '2026-12-02', kind: 'cancelled', start: '17:00', end: '20:00' },
      { date: '2026-12-03', kind: 'block', start: '10:30', end: '11:00' },
      { date: '2026-12-06', kind: 'extra', start: '09:00', end: '10:00' },
    ];
    run((tx) => S.setAvailability(tx, scope, doctorId, SESSIONS, exceptions));
    expect(refused((tx) => S.bookAppointment(tx, scope, { patient_id: patients[0], doctor_id: doctorId, start: at('2026-12-02', '17:00'), mode: 'in_person' })).code).toBe('outside_sessions');
    book(at('2026-12-02', '10:00'));
    expect(refused((tx) => S.bookAppointment(tx, scope, { patient_id: patients[0], doctor_id: doctorId, start: at('2026-12-03', '10:45'), mode: 'in_person' })).code).toBe('slot_blocked');
    book(at('2026-12-03', '11:00'));
    book(at('2026-12-06', '09:45')); // a Sunday, by the extra session
  });

  test('an inactive doctor takes no bookings (doctor_inactive)', () => {
    run((tx) => S.setDoctorActive(tx, scope, doctorId, false));
    expect(refused((tx) => S.bookAppointment(tx, scope, { patient_id: patients[0], doctor_id: doctorId, start: at(TODAY, '10:30'), mode: 'in_person' })).code).toBe('doctor_inactive');
    expect(refused((tx) => S.setDoctorActive(tx, scope, doctorId, false)).code).toBe('already_inactive');
    run((tx) => S.setDoctorActive(tx, scope, doctorId, true));
    book(at(TODAY, '10:30'));
  });

  test('another branch’s doctor is not found', () => {
    const other = { ...scope, branchId: 'elsewhere', branchIds: ['elsewhere'] };
    expect(refused((tx) => S.bookAppointment(tx, other, { patient_id: patients[0], doctor_id: doctorId, start: at(TODAY, '10:30'), mode: 'in_person' })).status).toBe(404);
  });

  test('two doctors can be booked at the same time', () => {
    const other = registerDoctor('Dr Arun Shah');
    run((tx) => S.setAvailability(tx, scope, other, SESSIONS, []));
    book(at(TODAY, '10:30'));
    run((tx) => S.bookAppointment(tx, scope, { patient_id: patients[1], doctor_id: other, start: at(TODAY, '10:30'), mode: 'in_person' }));
  });
});

describe('reschedule, cancel, no-show', () => {
  test('reschedule moves the appointment; to a taken slot → slot_taken; to its own slot → same_slot', () => {
    const a = book(at(TODAY, '10:30'));
    book(at(TODAY, '11:00'), patients[1]);
    expect(refused((tx) => S.rescheduleAppointment(tx, scope, a, at(TODAY, '11:00'))).code).toBe('slot_taken');
    expect(refused((tx) => S.rescheduleAppointment(tx, scope, a, at(TODAY, '10:30'))).code).toBe('same_slot');
    expect(refused((tx) => S.rescheduleAppointment(tx, scope, a, at(TODAY, '10:40'))).code).toBe('not_slot_boundary');
    expect(eventsOf((tx) => S.rescheduleAppointment(tx, scope, a, at('2026-12-02', '17:15')))).toEqual(['appointment.rescheduled']);
    expect(getAppointment(k.db, scope.branchId, a)).toMatchObject({ start: '2026-12-02T11:45:00.000Z', localDate: '2026-12-02', status: 'booked' });
    book(at(TODAY, '10:30'), patients[2]); // the old slot is free again
  });

  test('a cancelled appointment cannot be rescheduled, cancelled again or checked in', () => {
    const a = book(at(TODAY, '10:30'));
    run((tx) => S.cancelAppointment(tx, scope, a, 'unwell'));
    expect(getAppointment(k.db, scope.branchId, a)!.cancelReason).toBe('unwell');
    expect(refused((tx) => S.rescheduleAppointment(tx, scope, a, at(TODAY, '11:00'))).code).toBe('invalid_transition');
    expect(refused((tx) => S.cancelAppointment(tx, scope, a, 'again')).code).toBe('invalid_transition');
    expect(refused((tx) => S.checkIn(tx, scope, a)).code).toBe('invalid_transition');
    expect(refused((tx) => S.markNoShow(tx, scope, a)).code).toBe('invalid_transition');
  });

  test('cancel needs a reason', () => {
    const a = book(at(TODAY, '10:30'));
    expect(refused((tx) => S.cancelAppointment(tx, scope, a, '  ')).code).toBe('invalid_reason');
  });

  test('no-show only after the start', () => {
    const a = book(at(TODAY, '10:30'));
    expect(refused((tx) => S.markNoShow(tx, scope, a)).code).toBe('not_yet');
    clock.set('2026-12-01T05:20:00Z');
    expect(eventsOf((tx) => S.markNoShow(tx, scope, a))).toEqual(['appointment.no_show']);
    expect(status(a)).toBe('no_show');
    book(at(TODAY, '12:00'), patients[0]);
  });

  test('unknown appointments → not_found', () => {
    expect(refused((tx) => S.cancelAppointment(tx, scope, 'nope', 'x')).status).toBe(404);
    expect(refused((tx) => S.checkIn(tx, scope, 'nope')).status).toBe(404);
    expect(refused((tx) => S.rescheduleAppointment(tx, scope, 'nope', at(TODAY, '10:30'))).status).toBe(404);
  });
});

describe('check-in and the queue', () => {
  test('check-in appends appointment.checked_in and queue.token_issued in one transaction', () => {
    const a = book(at(TODAY, '10:30'));
    let token: { tokenId: string; number: number } | undefined;
    const commits: string[][] = [];
    k.runner.onCommit((events) => commits.push(events.map((e) => e.type)));
    const types = eventsOf((tx) => (token = S.checkIn(tx, scope, a, 'elderly')));
    expect([...types].sort()).toEqual(['appointment.checked_in', 'queue.token_issued']);
    expect(commits).toEqual([types]);
    expect(token!.number).toBe(1);
    expect(getAppointment(k.db, scope.branchId, a)).toMatchObject({ status: 'checked_in', tokenId: token!.tokenId });
    expect(getToken(k.db, scope.branchId, token!.tokenId)).toMatchObject({ number: 1, appointmentId: a, kind: 'appointment', priority: 'elderly', state: 'waiting', date: TODAY });
    // Both events in one transaction: adjacent in the log.
    const seqs = k.db.query(`SELECT seq FROM events WHERE type IN ('appointment.checked_in', 'queue.token_issued') ORDER BY seq`).all() as { seq: number }[];
    expect(seqs[1].seq - seqs[0].seq).toBe(1);
  });

  test('a check-in on the wrong day is refused and appends nothing (no token either)', () => {
    const a = book(at('2026-12-02', '10:30'));
    const e = refused((tx) => S.checkIn(tx, scope, a));
    expect(e.code).toBe('not_today');
    expect(k.db.query('SELECT count(*) AS n FROM queue_tokens').get()).toEqual({ n: 0 });
    expect(status(a)).toBe('booked');
  });

  test('checking in twice is refused; the queue keeps one token', () => {
    const a = book(at(TODAY, '10:30'));
    run((tx) => S.checkIn(tx, scope, a));
    expect(refused((tx) => S.checkIn(tx, scope, a)).code).toBe('invalid_transition');
    expect(k.db.query('SELECT count(*) AS n FROM queue_tokens').get()).toEqual({ n: 1 });
  });

  test('a patient already holding a walk-in token cannot check in too (already_in_queue), and the appointment stays booked', () => {
    const a = book(at(TODAY, '10:30'));
    run((tx) => S.issueWalkIn(tx, scope, { patient_id: patients[0], doctor_id: doctorId }));
    expect(refused((tx) => S.checkIn(tx, scope, a)).code).toBe('already_in_queue');
    expect(status(a)).toBe('booked');
  });

  test('tokens from check-ins and walk-ins share one numbering, in arrival order', () => {
    const a = book(at(TODAY, '10:30'));
    const b = book(at(TODAY, '10:45'), patients[1]);
    const n1 = run((tx) => S.issueWalkIn(tx, scope, { patient_id: patients[2], doctor_id: doctorId })).number;
    const n2 = run((tx) => S.checkIn(tx, scope, b)).number;
    const n3 = run((tx) => S.checkIn(tx, scope, a, 'emergency')).number;
    expect([n1, n2, n3]).toEqual([1, 2, 3]);
    expect(queueFor(k.db, scope.branchId, doctorId, TODAY).map((t) => t.number)).toEqual([3, 1, 2]); // emergency first
  });

  test('walk-in allowance: the day’s sessions together (2 + 1) → the fourth is walk_ins_full', () => {
    for (const p of patients.slice(0, 3)) run((tx) => S.issueWalkIn(tx, scope, { patient_id: p, doctor_id: doctorId }));
    // A checked-in appointment does not use the allowance.
    const a = book(at(TODAY, '10:30'), patients[4]);
    run((tx) => S.checkIn(tx, scope, a));
    const e = refused((tx) => S.issueWalkIn(tx, scope, { patient_id: patients[3], doctor_id: doctorId }));
    expect([e.status, e.code]).toEqual([409, 'walk_ins_full']);
    expect(e.message).toContain('3 walk-ins');
    expect(k.db.query(`SELECT count(*) AS n FROM queue_tokens WHERE kind = 'walk_in'`).get()).toEqual({ n: 3 });
  });

  test('no allowance set (0) means no limit', () => {
    run((tx) => S.setAvailability(tx, scope, doctorId, SESSIONS.map((s) => ({ ...s, walk_in_allowance: 0 })), []));
    for (const p of patients) run((tx) => S.issueWalkIn(tx, scope, { patient_id: p, doctor_id: doctorId }));
    expect(k.db.query(`SELECT count(*) AS n FROM queue_tokens`).get()).toEqual({ n: patients.length });
  });

  test('no walk-ins on a day without sessions, on a holiday, or for an unknown patient', () => {
    clock.set('2026-12-06T04:00:00Z'); // Sunday
    expect(refused((tx) => S.issueWalkIn(tx, scope, { patient_id: patients[0], doctor_id: doctorId })).code).toBe('doctor_unavailable');
    clock.set('2026-12-01T03:00:00Z');
    run((tx) => S.declareHoliday(tx, scope, TODAY, 'Local festival'));
    expect(refused((tx) => S.issueWalkIn(tx, scope, { patient_id: patients[0], doctor_id: doctorId })).code).toBe('doctor_unavailable');
    run((tx) => S.removeHoliday(tx, scope, TODAY));
    expect(refused((tx) => S.issueWalkIn(tx, scope, { patient_id: 'nope', doctor_id: doctorId })).code).toBe('unknown_patient');
    run((tx) => S.issueWalkIn(tx, scope, { patient_id: patients[0], doctor_id: doctorId }));
  });

  test('completing a token marks its appointment completed in the read table', () => {
    const a = book(at(TODAY, '10:30'));
    const { tokenId } = run((tx) => S.checkIn(tx, scope, a));
    const walkIn = run((tx) => S.issueWalkIn(tx, scope, { patient_id: patients[1], doctor_id: doctorId })).tokenId;
    run((tx) => S.moveToken(tx, scope, tokenId, 'call'));
    expect(refused((tx) => S.moveToken(tx, scope, walkIn, 'call')).code).toBe('another_called');
    run((tx) => S.moveToken(tx, scope, tokenId, 'start'));
    expect(refused((tx) => S.moveToken(tx, scope, walkIn, 'start')).code).toBe('doctor_busy');
    expect(status(a)).toBe('checked_in');
    run((tx) => S.moveToken(tx, scope, tokenId, 'complete'));
    expect(status(a)).toBe('completed');
    expect(getToken(k.db, scope.branchId, tokenId)).toMatchObject({ state: 'done' });
    expect(getToken(k.db, scope.branchId, tokenId)!.completedAt).toBe(clock.now().toISOString());
    // The completed appointment still holds its slot.
    expect(refused((tx) => S.bookAppointment(tx, scope, { patient_id: patients[2], doctor_id: doctorId, start: at(TODAY, '10:30'), mode: 'in_person' })).code).toBe('slot_taken');
    // A walk-in completing touches no appointment.
    run((tx) => S.moveToken(tx, scope, walkIn, 'start'));
    run((tx) => S.moveToken(tx, scope, walkIn, 'complete'));
    expect(k.db.query(`SELECT status, count(*) AS n FROM appointments GROUP BY status`).all()).toEqual([{ status: 'completed', n: 1 }]);
  });

  test('skip and recall; an unknown token → not_found', () => {
    const t = run((tx) => S.issueWalkIn(tx, scope, { patient_id: patients[0], doctor_id: doctorId })).tokenId;
    run((tx) => S.moveToken(tx, scope, t, 'skip'));
    expect(refused((tx) => S.moveToken(tx, scope, t, 'call')).code).toBe('invalid_transition');
    run((tx) => S.moveToken(tx, scope, t, 'recall'));
    expect(getToken(k.db, scope.branchId, t)!.state).toBe('waiting');
    expect(refused((tx) => S.moveToken(tx, scope, 'nope', 'call')).status).toBe(404);
  });
});

describe('follow-ups', () => {
  test('booking with the same doctor links the due follow-up automatically', () => {
    const f = run((tx) => S.scheduleFollowup(tx, scope, { patient_id: patients[0], doctor_id: doctorId, in_days: 7, note: 'review BP' }));
    expect(getFollowup(k.db, scope.branchId, f)).toMatchObject({ dueDate: '2026-12-08', status: 'due', note: 'review BP' });
    // Another patient's booking, or another doctor's, does not take it.
    book(at(TODAY, '10:00'), patients[1]);
    expect(getFollowup(k.db, scope.branchId, f)!.status).toBe('due');
    let id = '';
    expect(eventsOf((tx) => (id = S.bookAppointment(tx, scope, { patient_id: patients[0], doctor_id: doctorId, start: at('2026-12-08', '10:30'), mode: 'in_person' })))).toEqual([
      'appointment.booked',
      'followup.booked',
    ]);
    expect(getFollowup(k.db, scope.branchId, f)).toMatchObject({ status: 'booked', appointmentId: id });
    const booked = k.db.query(`SELECT data FROM events WHERE type = 'appointment.booked' ORDER BY seq DESC LIMIT 1`).get() as { data: string };
    expect(JSON.parse(booked.data).followup_id).toBe(f);
    // The next booking finds no due follow-up.
    expect(eventsOf((tx) => S.bookAppointment(tx, scope, { patient_id: patients[0], doctor_id: doctorId, start: at('2026-12-09', '10:30'), mode: 'in_person' }))).toEqual(['appointment.booked']);
  });

  test('cancelling the appointment a follow-up was booked for puts the follow-up back on the recall list', () => {
    const f = run((tx) => S.scheduleFollowup(tx, scope, { patient_id: patients[0], doctor_id: doctorId, in_days: 7 }));
    const a = book(at('2026-12-08', '10:30'));
    expect(getFollowup(k.db, scope.branchId, f)!.status).toBe('booked');
    expect(eventsOf((tx) => S.cancelAppointment(tx, scope, a, 'travelling'))).toEqual(['appointment.cancelled', 'followup.reopened']);
    expect(getFollowup(k.db, scope.branchId, f)).toMatchObject({ status: 'due', appointmentId: null });
    expect(verify(k.db, k.file, allProjections).ok).toBe(true);
  });

  test('the oldest due follow-up is linked first', () => {
    const later = run((tx) => S.scheduleFollowup(tx, scope, { patient_id: patients[0], doctor_id: doctorId, due_date: '2026-12-20' }));
    const sooner = run((tx) => S.scheduleFollowup(tx, scope, { patient_id: patients[0], doctor_id: doctorId, due_date: '2026-12-10' }));
    book(at('2026-12-02', '10:30'));
    expect([getFollowup(k.db, scope.branchId, sooner)!.status, getFollowup(k.db, scope.branchId, later)!.status]).toEqual(['booked', 'due']);
  });

  test('an explicit follow-up of another patient → unknown_followup; an already booked one → invalid_transition; nothing appended', () => {
    const f = run((tx) => S.scheduleFollowup(tx, scope, { patient_id: patients[0], doctor_id: doctorId, in_days: 7 }));
    expect(refused((tx) => S.bookAppointment(tx, scope, { patient_id: patients[1], doctor_id: doctorId, start: at(TODAY, '10:30'), mode: 'in_person', followup_id: f })).code).toBe('unknown_followup');
    book(at(TODAY, '10:30'), patients[0], { followup_id: f });
    expect(refused((tx) => S.bookAppointment(tx, scope, { patient_id: patients[0], doctor_id: doctorId, start: at(TODAY, '10:45'), mode: 'in_person', followup_id: f })).code).toBe('invalid_transition');
  });

  test('schedule needs in_days 1–730 or a real due date; a cancelled follow-up is not linked', () => {
    for (const bad of [{ in_days: 0 }, { in_days: 731 }, { in_days: 1.5 }, {}]) {
      expect(refused((tx) => S.scheduleFollowup(tx, scope, { patient_id: patients[0], doctor_id: doctorId, ...bad })).code).toBe('invalid_due');
    }
    expect(refused((tx) => S.scheduleFollowup(tx, scope, { patient_id: patients[0], doctor_id: doctorId, due_date: '2026-02-30' })).code).toBe('invalid_date');
    const f = run((tx) => S.scheduleFollowup(tx, scope, { patient_id: patients[0], doctor_id: doctorId, in_days: 3 }));
    run((tx) => S.cancelFollowup(tx, scope, f, 'not needed'));
    expect(eventsOf((tx) => S.bookAppointment(tx, scope, { patient_id: patients[0], doctor_id: doctorId, start: at('2026-12-04', '10:30'), mode: 'in_person' }))).toEqual(['appointment.booked']);
    expect(refused((tx) => S.cancelFollowup(tx, scope, f, null)).code).toBe('invalid_transition');
  });
});

describe('doctors and holidays', () => {
  test('a profile change records only what differs; the same values record nothing', () => {
    expect(eventsOf((tx) => S.changeDoctor(tx, scope, doctorId, { specialty: 'Paediatrics' }))).toEqual(['doctor.profile_changed']);
    const e = k.db.query(`SELECT data FROM events WHERE type = 'doctor.profile_changed'`).get() as { data: string };
    expect(JSON.parse(e.data)).toEqual({ changes: { specialty: 'Paediatrics' } });
    expect(eventsOf((tx) => S.changeDoctor(tx, scope, doctorId, { specialty: 'Paediatrics', name: 'Dr Meera Rao' }))).toEqual([]);
    expect(refused((tx) => S.changeDoctor(tx, scope, doctorId, { slot_minutes: 7 })).code).toBe('invalid_slot_minutes');
    expect(refused((tx) => S.changeDoctor(tx, scope, doctorId, { user_id: 'nobody' })).code).toBe('unknown_user');
  });

  test('invalid availability is refused whole', () => {
    expect(refused((tx) => S.setAvailability(tx, scope, doctorId, [{ weekday: 1, start: '10:00', end: '13:00' }, { weekday: 1, start: '12:00', end: '14:00' }], [])).code).toBe('overlapping_sessions');
    expect(refused((tx) => S.setAvailability(tx, scope, doctorId, SESSIONS, [{ date: '2026-12-01', kind: 'extra', start: '12:00', end: '14:00' }])).code).toBe('overlapping_sessions');
  });

  test('calendar token: issue returns a secret whose hash is stored; revoke once', () => {
    const token = run((tx) => S.issueCalendarToken(tx, scope, doctorId));
    expect(token.length).toBeGreaterThan(20);
    const row = k.db.query('SELECT calendar_token_hash AS h FROM doctors WHERE id = ?').get(doctorId) as { h: string };
    expect(row.h).toBe(new Bun.CryptoHasher('sha256').update(token).digest('hex'));
    run((tx) => S.revokeCalendarToken(tx, scope, doctorId));
    expect(k.db.query('SELECT calendar_token_hash AS h FROM doctors WHERE id = ?').get(doctorId)).toEqual({ h: null });
    expect(refused((tx) => S.revokeCalendarToken(tx, scope, doctorId)).code).toBe('no_calendar_token');
  });

  test('holidays: declared once, removing an unknown one → not_found, bad dates refused', () => {
    run((tx) => S.declareHoliday(tx, scope, '2026-12-25', 'Christmas'));
    expect(eventsOf((tx) => S.declareHoliday(tx, scope, '2026-12-25', 'Christmas'))).toEqual([]);
    expect(refused((tx) => S.removeHoliday(tx, scope, '2026-12-26')).status).toBe(404);
    expect(refused((tx) => S.declareHoliday(tx, scope, '2026-12-32', 'X')).code).toBe('invalid_date');
    expect(refused((tx) => S.declareHoliday(tx, scope, '2026-12-26', ' ')).code).toBe('invalid_name');
  });
});

describe('rebuild', () => {
  test('after a busy day, replaying the log reproduces the read tables exactly', () => {
    const second = registerDoctor('Dr Arun Shah', 20);
    run((tx) => S.setAvailability(tx, scope, second, SESSIONS, [{ date: '2026-12-03', kind: 'leave' }, { date: '2026-12-06', kind: 'extra', start: '09:00', end: '11:00' }]));
    run((tx) => S.changeDoctor(tx, scope, second, { languages: ['English', 'Hindi'], fee: { amount: 70000, currency: 'INR' } }));
    run((tx) => S.declareHoliday(tx, scope, '2026-12-25', 'Christmas'));
    run((tx) => S.declareHoliday(tx, scope, '2026-12-26', 'Boxing Day'));
    run((tx) => S.removeHoliday(tx, scope, '2026-12-26'));
    run((tx) => S.issueCalendarToken(tx, scope, doctorId));
    const followup = run((tx) => S.scheduleFollowup(tx, scope, { patient_id: patients[1], doctor_id: second, in_days: 2 }));
    run((tx) => S.scheduleFollowup(tx, scope, { patient_id: patients[4], doctor_id: doctorId, in_days: 14, note: 'labs' }));

    // The morning: bookings for both doctors, today and the next days.
    const ids: string[] = [];
    const times = ['10:00', '10:15', '10:30', '10:45', '11:00', '11:15', '11:30', '11:45', '12:00', '12:15', '17:00', '17:15'];
    for (const [i, t] of times.entries()) ids.push(book(at(TODAY, t), patients[i % patients.length]));
    for (const [i, t] of ['10:00', '10:20', '10:40', '11:00'].entries()) {
      run((tx) => S.bookAppointment(tx, scope, { patient_id: patients[(i + 2) % patients.length], doctor_id: second, start: at(TODAY, t), mode: i % 2 ? 'tele' : 'in_person', source: 'portal' }));
    }
    const linked = run((tx) => S.bookAppointment(tx, scope, { patient_id: patients[1], doctor_id: second, start: at('2026-12-02', '10:00'), mode: 'in_person' }));
    expect(getFollowup(k.db, scope.branchId, followup)!.appointmentId).toBe(linked);
    run((tx) => S.rescheduleAppointment(tx, scope, ids[11], at('2026-12-02', '17:00')));
    run((tx) => S.cancelAppointment(tx, scope, ids[10], 'travelling'));

    // The clinic opens: check-ins, walk-ins, the queue moves, no-shows.
    clock.set('2026-12-01T04:25:00Z'); // 09:55
    const tokens = [0, 1, 2, 3].map((i) => run((tx) => S.checkIn(tx, scope, ids[i], i === 3 ? 'elderly' : 'normal')).tokenId);
    const walk = run((tx) => S.issueWalkIn(tx, scope, { patient_id: patients[5], doctor_id: second, priority: 'emergency' })).tokenId;
    for (const [i, t] of tokens.entries()) {
      clock.advance(7 * 60_000);
      if (i === 2) {
        run((tx) => S.moveToken(tx, scope, t, 'skip'));
        continue;
      }
      run((tx) => S.moveToken(tx, scope, t, 'call'));
      clock.advance(60_000);
      run((tx) => S.moveToken(tx, scope, t, 'start'));
      clock.advance(5 * 60_000);
      run((tx) => S.moveToken(tx, scope, t, 'complete'));
    }
    run((tx) => S.moveToken(tx, scope, tokens[2], 'recall'));
    run((tx) => S.moveToken(tx, scope, walk, 'start'));
    clock.set('2026-12-01T07:00:00Z'); // 12:30
    for (const i of [5, 6, 7]) run((tx) => S.markNoShow(tx, scope, ids[i]));
    const newcomer = run((tx) => registerPatient(tx, scope, { name: 'Neha Verma', phone: '9845099999', sex: 'female', age_years: 70 })).patient.id;
    run((tx) => S.issueWalkIn(tx, scope, { patient_id: newcomer, doctor_id: doctorId, priority: 'elderly' }));
    run((tx) => S.setDoctorActive(tx, scope, second, false));

    const tables = allProjections.flatMap((p) => p.tables);
    const snapshot = () => Object.fromEntries(tables.map((t) => [t, k.db.query(`SELECT * FROM "${t}"`).all().map((r) => JSON.stringify(r)).sort()]));
    const before = snapshot();
    expect((before.appointments as unknown[]).length).toBe(17);
    expect((before.queue_tokens as unknown[]).length).toBe(6);

    k.projections.rebuild();
    expect(snapshot()).toEqual(before);
    const report = verify(k.db, k.file, allProjections);
    expect(report.projectionProblem).toBeNull();
    expect(report.ok).toBe(true);

    const statuses = k.db.query(`SELECT status, count(*) AS n FROM appointments GROUP BY status ORDER BY status`).all();
    expect(statuses).toEqual([
      { status: 'booked', n: 9 },
      { status: 'cancelled', n: 1 },
      { status: 'checked_in', n: 1 },
      { status: 'completed', n: 3 },
      { status: 'no_show', n: 3 },
    ]);
  });
});
