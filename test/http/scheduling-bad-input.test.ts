// Whatever a client sends to the scheduling API, the answer is a documented 4xx with
// {"error":{code,message}}, never a 5xx, and nothing is appended to the event log.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { type ErrorBody, type Harness, schedulingHarness } from './scheduling-setup';

let h: Harness;
const ids: Record<string, string> = {};
const keys: Record<string, string> = {};
const UNKNOWN = '01a209d7-799c-72d3-b7b3-d473835f09e5';

beforeAll(async () => {
  h = await schedulingHarness();
  keys.owner = h.owner;
  keys.desk = h.staff('meera', 'front_desk').key;
  keys.lab = h.staff('lakshmi', 'lab').key;
  const br2 = h.s.addBranch('MYS1', 'Mysuru');
  ids.otherUser = h.staff('mysdoc', 'doctor', [br2]).userId;
  const otherOwnerKey = h.staff('mysadmin', 'admin', [br2]).key;
  ids.otherDoctor = await h.doctor({ name: 'Dr. Elsewhere' }, otherOwnerKey);
  ids.otherPatient = await h.patient('Elsewhere Patient', otherOwnerKey);

  ids.patient = await h.patient('Asha Rao');
  ids.doctor = await h.doctor();
  // Tuesday and Wednesday mornings; on leave Friday the 4th; 10:30–11:00 on Wednesday blocked.
  const av = await h.call(h.owner, 'PUT', `/api/v1/doctors/${ids.doctor}/availability`, {
    sessions: [2, 3, 4, 5].map((weekday) => ({ weekday, start: '10:00', end: '13:00' })),
    exceptions: [
      { date: '2026-12-04', kind: 'leave' },
      { date: '2026-12-02', kind: 'block', start: '10:30', end: '11:00' },
    ],
  });
  expect(av.status).toBe(200);
  expect((await h.call(h.owner, 'PUT', '/api/v1/holidays/2026-12-03', { name: 'Founders’ Day' })).status).toBe(200);
  ids.noSessions = await h.doctor({ name: 'Dr. No Sessions' });
  ids.inactive = await h.doctor({ name: 'Dr. Inactive' });
  await h.call(h.owner, 'PUT', `/api/v1/doctors/${ids.inactive}/availability`, { sessions: [{ weekday: 2, start: '10:00', end: '13:00' }] });
  expect((await h.call(h.owner, 'POST', `/api/v1/doctors/${ids.inactive}/deactivate`)).status).toBe(200);

  const book = async (start: string) => {
    const r = await h.call(h.owner, 'POST', '/api/v1/appointments', { patient_id: ids.patient, doctor_id: ids.doctor, start, mode: 'in_person' });
    expect(r.status).toBe(201);
    return r.body.id as string;
  };
  ids.booked = await book('2026-12-01T10:00:00+05:30');
  ids.tomorrow = await book('2026-12-02T10:00:00+05:30');
  ids.cancelled = await book('2026-12-01T10:15:00+05:30');
  expect((await h.call(h.owner, 'POST', `/api/v1/appointments/${ids.cancelled}/cancel`, { reason: 'changed plans' })).status).toBe(200);
  ids.checkedIn = await book('2026-12-01T10:30:00+05:30');
  const c = await h.call(h.owner, 'POST', `/api/v1/appointments/${ids.checkedIn}/check-in`);
  expect(c.status).toBe(200);
  ids.token = c.body.token.id;
  const f = await h.call(h.owner, 'POST', '/api/v1/followups', { patient_id: ids.patient, doctor_id: ids.doctor, in_days: 3 });
  expect(f.status).toBe(201);
  ids.followup = f.body.id;
  expect((await h.call(h.owner, 'POST', `/api/v1/followups/${ids.followup}/cancel`)).status).toBe(200);
  const other = await h.call(h.owner, 'POST', '/api/v1/followups', { patient_id: ids.patient, doctor_id: ids.noSessions, in_days: 3 });
  expect(other.status).toBe(201);
  ids.otherFollowup = other.body.id;
});
afterAll(() => h.s.stop());

interface Case {
  what: string;
  method?: string;
  /** `:name` is replaced by ids[name] */
  path: string;
  json?: unknown | (() => unknown);
  raw?: string;
  as?: 'owner' | 'desk' | 'lab';
  headers?: Record<string, string>;
  status: number;
  code?: string;
}

const booking = (over: Record<string, unknown> = {}) => () => ({ patient_id: ids.patient, doctor_id: ids.doctor, start: '2026-12-01T11:00:00+05:30', mode: 'in_person', ...over });
const doctorBody = (over: Record<string, unknown> = {}) => ({ name: 'Dr. New', specialty: 'ENT', registration_number: 'R-1', slot_minutes: 15, fee: { amount: 40000, currency: 'INR' }, ...over });
const availability = (sessions: unknown[], exceptions: unknown[] = []) => ({ sessions, exceptions });
const session = (over: Record<string, unknown> = {}) => ({ weekday: 2, start: '10:00', end: '13:00', ...over });
const JSON_TYPE = { 'content-type': 'application/json' };

const cases: Case[] = [
  // booking: who, what, when
  { what: 'booking with an unknown doctor', path: '/api/v1/appointments', json: booking({ doctor_id: UNKNOWN }), status: 404, code: 'not_found' },
  { what: 'booking with a malformed doctor id', path: '/api/v1/appointments', json: booking({ doctor_id: 'dr-rao' }), status: 404 },
  { what: 'booking another branch’s doctor', path: '/api/v1/appointments', json: () => booking({ doctor_id: ids.otherDoctor })(), status: 404 },
  { what: 'booking an unknown patient', path: '/api/v1/appointments', json: booking({ patient_id: UNKNOWN }), status: 422, code: 'unknown_patient' },
  { what: 'booking another branch’s patient', path: '/api/v1/appointments', json: () => booking({ patient_id: ids.otherPatient })(), status: 422, code: 'unknown_patient' },
  { what: 'a slot outside the sessions', path: '/api/v1/appointments', json: booking({ start: '2026-12-01T14:00:00+05:30' }), status: 422, code: 'outside_sessions' },
  { what: 'a day without sessions (Monday)', path: '/api/v1/appointments', json: booking({ start: '2026-12-07T10:00:00+05:30' }), status: 422, code: 'outside_sessions' },
  { what: 'a start not on a slot boundary', path: '/api/v1/appointments', json: booking({ start: '2026-12-01T11:07:00+05:30' }), status: 422, code: 'not_slot_boundary' },
  { what: 'a start with seconds off the boundary', path: '/api/v1/appointments', json: booking({ start: '2026-12-01T11:00:30+05:30' }), status: 422, code: 'not_slot_boundary' },
  { what: 'a date in the past', path: '/api/v1/appointments', json: booking({ start: '2026-11-24T10:00:00+05:30' }), status: 422, code: 'slot_in_past' },
  { what: 'earlier today', path: '/api/v1/appointments', json: booking({ start: '2026-12-01T08:00:00+05:30' }), status: 422, code: 'slot_in_past' },
  { what: 'a time without a date ("10:30")', path: '/api/v1/appointments', json: booking({ start: '10:30' }), status: 422, code: 'invalid_time' },
  { what: 'month 13', path: '/api/v1/appointments', json: booking({ start: '2026-13-01T10:00:00+05:30' }), status: 422, code: 'invalid_time' },
  { what: 'a time without an offset', path: '/api/v1/appointments', json: booking({ start: '2026-12-01T11:00:00' }), status: 422, code: 'invalid_time' },
  { what: 'November 31 (which Date would roll to a free slot on December 1)', path: '/api/v1/appointments', json: booking({ start: '2026-11-31T11:00:00+05:30' }), status: 422, code: 'invalid_time' },
  { what: 'hour 24', path: '/api/v1/appointments', json: booking({ start: '2026-11-30T24:00:00+05:30' }), status: 422, code: 'invalid_time' },
  { what: 'a date only', path: '/api/v1/appointments', json: booking({ start: '2026-12-01' }), status: 422, code: 'invalid_time' },
  { what: 'a start as a number', path: '/api/v1/appointments', json: booking({ start: 1764567000000 }), status: 400 },
  { what: 'a holiday', path: '/api/v1/appointments', json: booking({ start: '2026-12-03T10:00:00+05:30' }), status: 422, code: 'holiday' },
  { what: 'the doctor on leave', path: '/api/v1/appointments', json: booking({ start: '2026-12-04T10:00:00+05:30' }), status: 422 },
  { what: 'a blocked slot', path: '/api/v1/appointments', json: booking({ start: '2026-12-02T10:30:00+05:30' }), status: 422, code: 'slot_blocked' },
  { what: 'a taken slot', path: '/api/v1/appointments', json: booking({ start: '2026-12-01T10:00:00+05:30' }), status: 409, code: 'slot_taken' },
  { what: 'an inactive doctor', path: '/api/v1/appointments', json: () => booking({ doctor_id: ids.inactive })(), status: 409, code: 'doctor_inactive' },
  { what: "mode 'video'", path: '/api/v1/appointments', json: booking({ mode: 'video' }), status: 400, code: 'invalid_request' },
  { what: 'no mode', path: '/api/v1/appointments', json: () => ({ ...booking()(), mode: undefined }), status: 400 },
  { what: "source 'fax'", path: '/api/v1/appointments', json: booking({ source: 'fax' }), status: 400 },
  { what: 'an unknown field', path: '/api/v1/appointments', json: booking({ slot: 3 }), status: 400 },
  { what: 'an unknown follow-up', path: '/api/v1/appointments', json: booking({ followup_id: UNKNOWN }), status: 422, code: 'unknown_followup' },
  { what: 'a cancelled follow-up', path: '/api/v1/appointments', json: () => booking({ followup_id: ids.followup })(), status: 409, code: 'invalid_transition' },
  { what: 'a follow-up with another doctor', path: '/api/v1/appointments', json: () => booking({ followup_id: ids.otherFollowup })(), status: 422, code: 'unknown_followup' },
  { what: 'a note with a NUL byte', path: '/api/v1/appointments', json: booking({ note: 'fever\u0000' }), status: 422, code: 'invalid_note' },
  { what: 'malformed JSON', path: '/api/v1/appointments', raw: '{"patient_id":', headers: JSON_TYPE, status: 400 },
  { what: 'a JSON array', path: '/api/v1/appointments', json: [1, 2], status: 400 },
  { what: 'an Idempotency-Key with spaces', path: '/api/v1/appointments', json: booking(), headers: { 'idempotency-key': 'a b' }, status: 400, code: 'invalid_idempotency_key' },
  { what: 'a lab user booking', path: '/api/v1/appointments', json: booking(), as: 'lab', status: 403, code: 'forbidden' },

  // appointment transitions
  { what: 'cancelling a cancelled appointment', path: '/api/v1/appointments/:cancelled/cancel', json: { reason: 'again' }, status: 409, code: 'invalid_transition' },
  { what: 'cancelling without a reason', path: '/api/v1/appointments/:booked/cancel', json: {}, status: 400 },
  { what: 'cancelling with a blank reason', path: '/api/v1/appointments/:booked/cancel', json: { reason: '   ' }, status: 422, code: 'invalid_reason' },
  { what: 'checking in tomorrow’s appointment', path: '/api/v1/appointments/:tomorrow/check-in', status: 409, code: 'not_today' },
  { what: 'checking in a cancelled appointment', path: '/api/v1/appointments/:cancelled/check-in', status: 409, code: 'invalid_transition' },
  { what: 'checking in twice', path: '/api/v1/appointments/:checkedIn/check-in', status: 409, code: 'invalid_transition' },
  { what: 'check-in with priority vip', path: '/api/v1/appointments/:booked/check-in', json: { priority: 'vip' }, status: 400 },
  { what: 'a no-show before the start', path: '/api/v1/appointments/:tomorrow/no-show', status: 409, code: 'not_yet' },
  { what: 'a no-show of a checked-in patient', path: '/api/v1/appointments/:checkedIn/no-show', status: 409, code: 'invalid_transition' },
  { what: 'rescheduling a cancelled appointment', path: '/api/v1/appointments/:cancelled/reschedule', json: { start: '2026-12-01T12:00:00+05:30' }, status: 409, code: 'invalid_transition' },
  { what: 'rescheduling to the same slot', path: '/api/v1/appointments/:tomorrow/reschedule', json: { start: '2026-12-02T10:00:00+05:30' }, status: 409, code: 'same_slot' },
  { what: 'rescheduling onto a taken slot', path: '/api/v1/appointments/:tomorrow/reschedule', json: { start: '2026-12-01T10:00:00+05:30' }, status: 409, code: 'slot_taken' },
  { what: 'rescheduling into the past', path: '/api/v1/appointments/:tomorrow/reschedule', json: { start: '2026-11-30T10:00:00+05:30' }, status: 422, code: 'slot_in_past' },
  { what: 'rescheduling to a malformed time', path: '/api/v1/appointments/:tomorrow/reschedule', json: { start: 'tomorrow 10am' }, status: 422, code: 'invalid_time' },
  { what: 'an action on an unknown appointment', path: `/api/v1/appointments/${UNKNOWN}/cancel`, json: { reason: 'x' }, status: 404 },
  { what: 'an action on a malformed appointment id', path: '/api/v1/appointments/123/no-show', status: 404 },
  { what: 'reading an unknown appointment', method: 'GET', path: `/api/v1/appointments/${UNKNOWN}`, status: 404, code: 'not_found' },
  { what: 'a lab user cancelling', path: '/api/v1/appointments/:booked/cancel', json: { reason: 'x' }, as: 'lab', status: 403 },

  // queue and walk-ins
  { what: 'completing a waiting token', path: '/api/v1/queue/:token/complete', status: 409, code: 'invalid_transition' },
  { what: 'recalling a waiting token', path: '/api/v1/queue/:token/recall', status: 409, code: 'invalid_transition' },
  { what: 'a move of an unknown token', path: `/api/v1/queue/${UNKNOWN}/call`, status: 404 },
  { what: 'a move of a malformed token id', path: '/api/v1/queue/7/call', status: 404 },
  { what: 'a lab user calling a token', path: '/api/v1/queue/:token/call', as: 'lab', status: 403 },
  { what: 'a walk-in to a doctor with no session today', path: '/api/v1/walk-ins', json: () => ({ patient_id: ids.patient, doctor_id: ids.noSessions }), status: 409, code: 'doctor_unavailable' },
  { what: 'a walk-in of a patient already in the queue', path: '/api/v1/walk-ins', json: () => ({ patient_id: ids.patient, doctor_id: ids.doctor }), status: 409, code: 'already_in_queue' },
  { what: 'a walk-in of an unknown patient', path: '/api/v1/walk-ins', json: () => ({ patient_id: UNKNOWN, doctor_id: ids.doctor }), status: 422, code: 'unknown_patient' },
  { what: 'a walk-in to an unknown doctor', path: '/api/v1/walk-ins', json: () => ({ patient_id: ids.patient, doctor_id: UNKNOWN }), status: 404 },
  { what: 'a walk-in with priority vip', path: '/api/v1/walk-ins', json: () => ({ patient_id: ids.patient, doctor_id: ids.doctor, priority: 'vip' }), status: 400 },
  { what: 'the queue without a doctor', method: 'GET', path: '/api/v1/queue', status: 400 },
  { what: 'the queue of an unknown doctor', method: 'GET', path: `/api/v1/queue?doctor_id=${UNKNOWN}`, status: 404 },
  { what: 'the queue on a malformed date', method: 'GET', path: '/api/v1/queue?doctor_id=:doctor&date=01-12-2026', status: 400, code: 'invalid_date' },

  // slots and lists
  { what: 'slots without a date', method: 'GET', path: '/api/v1/slots?doctor_id=:doctor', status: 400 },
  { what: 'slots without a doctor', method: 'GET', path: '/api/v1/slots?date=2026-12-01', status: 400 },
  { what: 'slots on 2026-12-32', method: 'GET', path: '/api/v1/slots?doctor_id=:doctor&date=2026-12-32', status: 400, code: 'invalid_date' },
  { what: 'slots on 2026-02-29', method: 'GET', path: '/api/v1/slots?doctor_id=:doctor&date=2026-02-29', status: 400, code: 'invalid_date' },
  { what: 'slots on "tomorrow"', method: 'GET', path: '/api/v1/slots?doctor_id=:doctor&date=tomorrow', status: 400, code: 'invalid_date' },
  { what: 'slots of an unknown doctor', method: 'GET', path: `/api/v1/slots?doctor_id=${UNKNOWN}&date=2026-12-01`, status: 404, code: 'not_found' },
  { what: 'slots of another branch’s doctor', method: 'GET', path: '/api/v1/slots?doctor_id=:otherDoctor&date=2026-12-01', status: 404 },
  { what: 'appointments on a malformed date', method: 'GET', path: '/api/v1/appointments?date=1/12/2026', status: 400, code: 'invalid_date' },
  { what: 'appointments with limit=0', method: 'GET', path: '/api/v1/appointments?limit=0', status: 400, code: 'invalid_limit' },
  { what: 'appointments with limit=501', method: 'GET', path: '/api/v1/appointments?limit=501', status: 400, code: 'invalid_limit' },
  { what: 'doctors with a forged cursor', method: 'GET', path: '/api/v1/doctors?cursor=abc', status: 400, code: 'invalid_cursor' },
  { what: 'appointments with an unknown query parameter', method: 'GET', path: '/api/v1/appointments?day=2026-12-01', status: 400 },
  { what: 'appointments with status done', method: 'GET', path: '/api/v1/appointments?status=done', status: 400 },
  { what: 'appointments of an unknown doctor', method: 'GET', path: `/api/v1/appointments?doctor_id=${UNKNOWN}`, status: 404 },
  { what: 'doctors with include_inactive=yes', method: 'GET', path: '/api/v1/doctors?include_inactive=yes', status: 400 },
  { what: 'an unknown doctor', method: 'GET', path: `/api/v1/doctors/${UNKNOWN}`, status: 404 },
  { what: 'a malformed doctor id', method: 'GET', path: '/api/v1/doctors/rao', status: 404 },
  { what: 'another branch’s doctor', method: 'GET', path: '/api/v1/doctors/:otherDoctor', status: 404 },
  { what: 'the follow-ups until a malformed date', method: 'GET', path: '/api/v1/followups?until=2026-1-1', status: 400, code: 'invalid_date' },

  // doctors
  { what: 'a doctor with 7-minute slots', path: '/api/v1/doctors', json: doctorBody({ slot_minutes: 7 }), status: 422, code: 'invalid_slot_minutes' },
  { what: 'a doctor with a negative fee', path: '/api/v1/doctors', json: doctorBody({ fee: { amount: -1, currency: 'INR' } }), status: 422, code: 'invalid_amount' },
  { what: 'a doctor with a fractional fee', path: '/api/v1/doctors', json: doctorBody({ fee: { amount: 100.5, currency: 'INR' } }), status: 400 },
  { what: 'a doctor with the fee as a number', path: '/api/v1/doctors', json: doctorBody({ fee: 500 }), status: 400 },
  { what: 'a doctor with a currency "rupees"', path: '/api/v1/doctors', json: doctorBody({ fee: { amount: 100, currency: 'rupees' } }), status: 400 },
  { what: 'a doctor without a name', path: '/api/v1/doctors', json: doctorBody({ name: undefined }), status: 400 },
  { what: 'a doctor with a blank name', path: '/api/v1/doctors', json: doctorBody({ name: '  ' }), status: 422, code: 'invalid_name' },
  { what: 'a doctor linked to another branch’s user', path: '/api/v1/doctors', json: () => doctorBody({ user_id: ids.otherUser }), status: 422, code: 'unknown_user' },
  { what: 'a doctor linked to an unknown user', path: '/api/v1/doctors', json: doctorBody({ user_id: UNKNOWN }), status: 422, code: 'unknown_user' },
  { what: 'PATCH linking another branch’s user', method: 'PATCH', path: '/api/v1/doctors/:doctor', json: () => ({ user_id: ids.otherUser }), status: 422, code: 'unknown_user' },
  { what: 'PATCH with an unknown field', method: 'PATCH', path: '/api/v1/doctors/:doctor', json: { active: false }, status: 400 },
  { what: 'PATCH of an unknown doctor', method: 'PATCH', path: `/api/v1/doctors/${UNKNOWN}`, json: { name: 'X' }, status: 404 },
  { what: 'the front desk registering a doctor', path: '/api/v1/doctors', json: doctorBody(), as: 'desk', status: 403 },
  { what: 'reactivating an active doctor', path: '/api/v1/doctors/:doctor/reactivate', status: 409, code: 'already_active' },
  { what: 'the front desk deactivating a doctor', path: '/api/v1/doctors/:doctor/deactivate', as: 'desk', status: 403 },

  // availability
  ...(
    [
      ['an end before the start', [session({ start: '13:00', end: '10:00' })], 422, 'invalid_time'],
      ['an end equal to the start', [session({ start: '10:00', end: '10:00' })], 422, 'invalid_time'],
      ['overlapping sessions', [session(), session({ start: '12:00', end: '14:00' })], 422, 'overlapping_sessions'],
      ['weekday 8', [session({ weekday: 8 })], 400, 'invalid_request'],
      ['weekday 0', [session({ weekday: 0 })], 400, undefined],
      ['a time of 25:00', [session({ end: '25:00' })], 422, 'invalid_time'],
      ['a time of 9:00', [session({ start: '9:00' })], 422, 'invalid_time'],
      ['a time with seconds', [session({ start: '10:00:00' })], 400, undefined],
      ['a negative walk-in allowance', [session({ walk_in_allowance: -1 })], 400, undefined],
      ['a session without an end', [{ weekday: 2, start: '10:00' }], 400, undefined],
    ] as const
  ).map(([what, sessions, status, code]): Case => ({ what: `availability with ${what}`, method: 'PUT', path: '/api/v1/doctors/:doctor/availability', json: availability([...sessions]), status, code })),
  ...(
    [
      ['kind holiday', { date: '2026-12-10', kind: 'holiday' }, 400, undefined],
      ['an extra session without times', { date: '2026-12-10', kind: 'extra' }, 422, 'invalid_time'],
      ['an extra session overlapping a regular one', { date: '2026-12-08', kind: 'extra', start: '12:00', end: '14:00' }, 422, 'overlapping_sessions'],
      ['a block ending before it starts', { date: '2026-12-10', kind: 'block', start: '11:00', end: '10:00' }, 422, 'invalid_time'],
      ['February 30', { date: '2026-02-30', kind: 'leave' }, 422, 'invalid_date'],
      ['a date as DD/MM/YYYY', { date: '10/12/2026', kind: 'leave' }, 422, 'invalid_date'],
    ] as const
  ).map(([what, exception, status, code]): Case => ({ what: `an exception with ${what}`, method: 'PUT', path: '/api/v1/doctors/:doctor/availability', json: availability([session()], [exception]), status, code })),
  { what: 'availability with an unknown field', method: 'PUT', path: '/api/v1/doctors/:doctor/availability', json: { ...availability([session()]), holidays: [] }, status: 400 },
  { what: 'availability without sessions', method: 'PUT', path: '/api/v1/doctors/:doctor/availability', json: { exceptions: [] }, status: 400 },
  { what: 'availability of an unknown doctor', method: 'PUT', path: `/api/v1/doctors/${UNKNOWN}/availability`, json: availability([session()]), status: 404 },
  { what: 'availability of another branch’s doctor', method: 'PUT', path: '/api/v1/doctors/:otherDoctor/availability', json: availability([session()]), status: 404 },
  { what: 'the front desk editing availability', method: 'PUT', path: '/api/v1/doctors/:doctor/availability', json: availability([session()]), as: 'desk', status: 403, code: 'forbidden' },

  // holidays, follow-ups, calendar token
  { what: 'a holiday on a malformed date', method: 'PUT', path: '/api/v1/holidays/25-12-2026', json: { name: 'Christmas' }, status: 422, code: 'invalid_date' },
  { what: 'a holiday without a name', method: 'PUT', path: '/api/v1/holidays/2026-12-25', json: { name: ' ' }, status: 422, code: 'invalid_name' },
  { what: 'removing a day that is no holiday', method: 'DELETE', path: '/api/v1/holidays/2026-12-26', status: 404 },
  { what: 'the front desk declaring a holiday', method: 'PUT', path: '/api/v1/holidays/2026-12-25', json: { name: 'Christmas' }, as: 'desk', status: 403 },
  { what: 'a follow-up with neither in_days nor due_date', path: '/api/v1/followups', json: () => ({ patient_id: ids.patient, doctor_id: ids.doctor }), status: 422, code: 'invalid_due' },
  { what: 'a follow-up in 0 days', path: '/api/v1/followups', json: () => ({ patient_id: ids.patient, doctor_id: ids.doctor, in_days: 0 }), status: 422, code: 'invalid_due' },
  { what: 'a follow-up with both in_days and due_date', path: '/api/v1/followups', json: () => ({ patient_id: ids.patient, doctor_id: ids.doctor, in_days: 3, due_date: '2026-12-20' }), status: 422, code: 'invalid_due' },
  { what: 'a follow-up due on 2026-12-32', path: '/api/v1/followups', json: () => ({ patient_id: ids.patient, doctor_id: ids.doctor, due_date: '2026-12-32' }), status: 422, code: 'invalid_date' },
  { what: 'a follow-up for an unknown doctor', path: '/api/v1/followups', json: () => ({ patient_id: ids.patient, doctor_id: UNKNOWN, in_days: 3 }), status: 404 },
  { what: 'cancelling a cancelled follow-up', path: '/api/v1/followups/:followup/cancel', status: 409, code: 'invalid_transition' },
  { what: 'cancelling an unknown follow-up', path: `/api/v1/followups/${UNKNOWN}/cancel`, status: 404 },
  { what: 'the front desk issuing a calendar token', path: '/api/v1/doctors/:doctor/calendar-token', as: 'desk', status: 403 },
  { what: 'revoking a calendar token never issued', method: 'DELETE', path: '/api/v1/doctors/:doctor/calendar-token', status: 409, code: 'no_calendar_token' },
  { what: 'a calendar token for an unknown doctor', path: `/api/v1/doctors/${UNKNOWN}/calendar-token`, status: 404 },
];

describe('scheduling bad input', () => {
  test.each(cases.map((c) => [c.what, c] as const))('%s → documented 4xx, nothing recorded', async (_what, c) => {
    const before = h.s.eventCount();
    const path = c.path.replace(/:([a-zA-Z]+)/g, (m, name: string) => ids[name] ?? m);
    const json = typeof c.json === 'function' ? (c.json as () => unknown)() : c.json;
    const res = await h.s.api(path, {
      method: c.method ?? 'POST',
      token: keys[c.as ?? 'owner'],
      headers: c.headers,
      ...(json !== undefined ? { json } : c.raw !== undefined ? { body: c.raw } : {}),
    });
    const text = await res.text();
    expect({ status: res.status, body: text.slice(0, 300) }).toMatchObject({ status: c.status });
    const body = JSON.parse(text) as ErrorBody;
    expect(body.error.message.length).toBeGreaterThan(0);
    if (c.code) expect(body.error.code).toBe(c.code);
    expect(h.s.eventCount()).toBe(before);
  });
});
