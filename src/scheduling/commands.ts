// Scheduling commands. Rules that span streams — the slot exists and is free, the patient
// is of this branch, a check-in issues a queue token — are kept inside the one transaction.
import { conflict, notFound, unprocessable } from '../core/errors';
import { newId, sha256Hex, randomToken } from '../core/ids';
import type { Tx } from '../core/runner';
import type { Scope } from '../core/scope';
import { branchIdsOf, getBranch, getUser } from '../org/queries';
import { isValidDate } from '../patients/rules';
import { getPatient } from '../patients/queries';
import { appointmentDecider } from './appointment';
import { doctorDecider, holidayDecider } from './doctor';
import { appointmentStream, type AppointmentMode, type AppointmentSource, type AvailabilityException, doctorStream, followupStream, holidaysStream, type Priority, queueStream, type WeeklySession } from './events';
import { followupDecider } from './followup';
import { queueDecider, nextTokenNumber } from './queue';
import { availabilityOf, doctorDay, followupBookedFor, walkInsIssued, dueFollowupFor, getAppointment, getDoctor, getFollowup, getToken, isSlotTaken, type DoctorRow } from './queries';
import { cleanDate, cleanReason, type DoctorInput, validateDoctor, validateExceptions, validateSessions } from './rules';
import { addDays, toLocal } from './time';

export function branchOf(tx: Pick<Tx, 'db'>, scope: Scope) {
  const branch = getBranch(tx.db, scope.branchId);
  if (!branch) throw notFound('Branch');
  return branch;
}

export function today(tx: Pick<Tx, 'db' | 'now'>, scope: Scope): string {
  return toLocal(tx.now, branchOf(tx, scope).timezone).date;
}

function doctorOf(tx: Tx, scope: Scope, id: string, activeOnly = true): DoctorRow {
  const d = getDoctor(tx.db, scope.branchId, id);
  if (!d) throw notFound('Doctor');
  if (activeOnly && !d.active) throw conflict('doctor_inactive', `${d.name} is not taking appointments (inactive)`);
  return d;
}

function patientOf(tx: Tx, scope: Scope, id: string) {
  const p = getPatient(tx.db, scope.branchId, id);
  if (!p) throw unprocessable('unknown_patient', 'No such patient in this branch', { field: 'patient_id' });
  return p;
}

// ---- doctors

/** A doctor's linked account must be staff of this branch (they see their own queue and day). */
function checkLinkedUser(tx: Tx, scope: Scope, userId: string | null) {
  if (!userId) return;
  const user = getUser(tx.db, userId);
  if (!user || !branchIdsOf(tx.db, user).includes(scope.branchId)) {
    throw unprocessable('unknown_user', 'user_id is not a staff account of this branch', { field: 'user_id' });
  }
}

export function registerDoctor(tx: Tx, scope: Scope, input: DoctorInput): string {
  const profile = validateDoctor(input);
  checkLinkedUser(tx, scope, profile.user_id);
  const id = newId();
  tx.execute(doctorStream(id), scope.branchId, doctorDecider, { kind: 'register', doctorId: id, profile });
  return id;
}

export function changeDoctor(tx: Tx, scope: Scope, id: string, input: Partial<DoctorInput>): void {
  const d = doctorOf(tx, scope, id, false);
  const current = {
    name: d.name,
    specialty: d.specialty,
    registration_number: d.registrationNumber,
    slot_minutes: d.slotMinutes,
    fee: { amount: d.feePaise, currency: d.currency },
    languages: JSON.parse(d.languages) as string[],
    user_id: d.userId,
  };
  const next = validateDoctor({ ...current, ...Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) });
  if (next.user_id !== d.userId) checkLinkedUser(tx, scope, next.user_id);
  tx.execute(doctorStream(id), scope.branchId, doctorDecider, { kind: 'change_profile', changes: next });
}

export function setDoctorActive(tx: Tx, scope: Scope, id: string, active: boolean): void {
  doctorOf(tx, scope, id, false);
  tx.execute(doctorStream(id), scope.branchId, doctorDecider, { kind: active ? 'reactivate' : 'deactivate' });
}

export function setAvailability(tx: Tx, scope: Scope, id: string, sessions: WeeklySession[], exceptions: AvailabilityException[]): void {
  doctorOf(tx, scope, id, false);
  const s = validateSessions(sessions);
  tx.execute(doctorStream(id), scope.branchId, doctorDecider, { kind: 'set_availability', sessions: s, exceptions: validateExceptions(exceptions, s) });
}

/** A new secret calendar-feed token (the previous one stops working); returns the token. */
export function issueCalendarToken(tx: Tx, scope: Scope, id: string): string {
  doctorOf(tx, scope, id, false);
  const token = randomToken(24);
  tx.execute(doctorStream(id), scope.branchId, doctorDecider, { kind: 'issue_calendar_token', tokenHash: sha256Hex(token) });
  return token;
}

export function revokeCalendarToken(tx: Tx, scope: Scope, id: string): void {
  doctorOf(tx, scope, id, false);
  tx.execute(doctorStream(id), scope.branchId, doctorDecider, { kind: 'revoke_calendar_token' });
}

export function declareHoliday(tx: Tx, scope: Scope, date: string, name: string): void {
  const n = cleanReason(name, true, 'name')!;
  tx.execute(holidaysStream(scope.branchId), scope.branchId, holidayDecider, { kind: 'declare', date: cleanDate(date), name: n });
}

export function removeHoliday(tx: Tx, scope: Scope, date: string): void {
  tx.execute(holidaysStream(scope.branchId), scope.branchId, holidayDecider, { kind: 'remove', date: cleanDate(date) });
}

// ---- appointments

export interface BookingInput {
  patient_id: string;
  doctor_id: string;
  start: string;
  mode: AppointmentMode;
  note?: string | null;
  source?: AppointmentSource;
  followup_id?: string | null;
}

/** Parses an ISO-8601 instant with an offset (or Z); anything else is refused. */
export function parseInstant(s: string, field = 'start'): Date {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(?:Z|[+-](\d{2}):(\d{2}))$/.exec(s);
  if (!m) throw unprocessable('invalid_time', `${field} must be an ISO-8601 time with an offset, like 2026-12-01T10:30:00+05:30`, { field });
  // Date() rolls impossible fields over (Feb 30 → Mar 2, 24:00 → the next day): refuse them instead.
  const [, date, hh, mm, ss = '0', oh = '0', om = '0'] = m;
  const d = new Date(s);
  if (!isValidDate(date) || +hh > 23 || +mm > 59 || +ss > 59 || +oh > 14 || +om > 59 || Number.isNaN(d.getTime())) {
    throw unprocessable('invalid_time', `${field} is not a real time`, { field });
  }
  return d;
}

/** The slot of `doctor` that starts exactly at `start`, checked free and bookable. */
function bookableSlot(tx: Tx, scope: Scope, doctor: DoctorRow, start: Date, exceptAppointmentId?: string) {
  const tz = branchOf(tx, scope).timezone;
  const local = toLocal(start, tz);
  if (start.getTime() <= tx.now.getTime()) throw unprocessable('slot_in_past', 'That time has already passed', { field: 'start' });
  const day = doctorDay(tx.db, doctor, local.date, tz, tx.now);
  if (day.holiday) throw unprocessable('holiday', `${local.date} is a holiday (${day.holiday})`, { field: 'start' });
  const slot = day.slots.find((s) => s.start.getTime() === start.getTime());
  if (!slot) {
    const inSession = day.sessions.some((s) => s.start <= local.time && local.time < s.end);
    throw unprocessable(
      inSession ? 'not_slot_boundary' : 'outside_sessions',
      inSession
        ? `${local.time} is not the start of a slot: ${doctor.name}'s slots are ${doctor.slotMinutes} minutes long`
        : `${doctor.name} has no session at ${local.time} on ${local.date}`,
      { field: 'start' },
    );
  }
  if (slot.why === 'blocked') throw unprocessable('slot_blocked', `The ${local.time} slot is blocked in ${doctor.name}'s calendar`, { field: 'start' });
  if (isSlotTaken(tx.db, doctor.id, start.toISOString(), exceptAppointmentId)) {
    throw conflict('slot_taken', `${doctor.name} is already booked at ${local.time} on ${local.date}`, { doctor_id: doctor.id, start: start.toISOString() });
  }
  return { slot, localDate: local.date };
}

export function bookAppointment(tx: Tx, scope: Scope, input: BookingInput): string {
  const doctor = doctorOf(tx, scope, input.doctor_id);
  const patient = patientOf(tx, scope, input.patient_id);
  const { slot, localDate } = bookableSlot(tx, scope, doctor, parseInstant(input.start));
  let followupId = input.followup_id ?? null;
  if (followupId) {
    const f = getFollowup(tx.db, scope.branchId, followupId);
    if (!f || f.patientId !== patient.id || f.doctorId !== doctor.id) {
      throw unprocessable('unknown_followup', 'No such follow-up for this patient with this doctor', { field: 'followup_id' });
    }
  } else {
    followupId = dueFollowupFor(tx.db, scope.branchId, patient.id, doctor.id)?.id ?? null;
  }
  const id = newId();
  tx.execute(appointmentStream(id), scope.branchId, appointmentDecider, {
    kind: 'book',
    appointmentId: id,
    patientId: patient.id,
    doctorId: doctor.id,
    start: slot.start.toISOString(),
    end: slot.end.toISOString(),
    localDate,
    mode: input.mode,
    source: input.source ?? 'desk',
    note: cleanReason(input.note, false, 'note'),
    followupId,
  });
  if (followupId) tx.execute(followupStream(followupId), scope.branchId, followupDecider, { kind: 'book', appointmentId: id });
  return id;
}

function appointmentOf(tx: Tx, scope: Scope, id: string) {
  const a = getAppointment(tx.db, scope.branchId, id);
  if (!a) throw notFound('Appointment');
  return a;
}

export function rescheduleAppointment(tx: Tx, scope: Scope, id: string, start: string): void {
  const a = appointmentOf(tx, scope, id);
  const doctor = doctorOf(tx, scope, a.doctorId);
  const { state, version } = tx.load(appointmentStream(id), appointmentDecider);
  const { slot, localDate } = bookableSlot(tx, scope, doctor, parseInstant(start), id);
  const command = { kind: 'reschedule', start: slot.start.toISOString(), end: slot.end.toISOString(), localDate, now: tx.now.toISOString() } as const;
  tx.append(appointmentStream(id), version, scope.branchId, appointmentDecider.decide(command, state));
}

export function cancelAppointment(tx: Tx, scope: Scope, id: string, reason: string): void {
  appointmentOf(tx, scope, id);
  tx.execute(appointmentStream(id), scope.branchId, appointmentDecider, { kind: 'cancel', reason: cleanReason(reason, true)! });
  // A follow-up this appointment was booked for is due again: back on the recall list.
  const followupId = followupBookedFor(tx.db, scope.branchId, id);
  if (followupId) tx.execute(followupStream(followupId), scope.branchId, followupDecider, { kind: 'reopen', appointmentId: id });
}

export function markNoShow(tx: Tx, scope: Scope, id: string): void {
  appointmentOf(tx, scope, id);
  tx.execute(appointmentStream(id), scope.branchId, appointmentDecider, { kind: 'no_show', now: tx.now.toISOString() });
}

function issueToken(tx: Tx, scope: Scope, doctorId: string, date: string, patientId: string, appointmentId: string | null, priority: Priority) {
  const stream = queueStream(doctorId, date);
  const { state, version } = tx.load(stream, queueDecider);
  const tokenId = newId();
  const number = nextTokenNumber(state);
  tx.append(stream, version, scope.branchId, queueDecider.decide({ kind: 'issue', tokenId, doctorId, date, patientId, appointmentId, priority }, state));
  return { tokenId, number };
}

/** Checks a patient in for today's appointment: the appointment and a queue token, together. */
export function checkIn(tx: Tx, scope: Scope, id: string, priority: Priority = 'normal'): { tokenId: string; number: number } {
  const a = appointmentOf(tx, scope, id);
  const date = today(tx, scope);
  const { state, version } = tx.load(appointmentStream(id), appointmentDecider);
  // Decide first with a placeholder so an illegal check-in is refused before a token exists.
  appointmentDecider.decide({ kind: 'check_in', tokenId: '', tokenNumber: 0, today: date }, state);
  const token = issueToken(tx, scope, a.doctorId, date, a.patientId, a.id, priority);
  tx.append(appointmentStream(id), version, scope.branchId, appointmentDecider.decide({ kind: 'check_in', tokenId: token.tokenId, tokenNumber: token.number, today: date }, state));
  return token;
}

export function issueWalkIn(tx: Tx, scope: Scope, input: { patient_id: string; doctor_id: string; priority?: Priority }): { tokenId: string; number: number } {
  const doctor = doctorOf(tx, scope, input.doctor_id);
  const patient = patientOf(tx, scope, input.patient_id);
  const tz = branchOf(tx, scope).timezone;
  const date = toLocal(tx.now, tz).date;
  const day = doctorDay(tx.db, doctor, date, tz, tx.now);
  if (day.holiday) throw conflict('doctor_unavailable', `Today is a holiday (${day.holiday})`);
  if (!day.sessions.length) throw conflict('doctor_unavailable', `${doctor.name} has no session today`);
  const allowance = day.sessions.reduce((n, s) => n + s.walkInAllowance, 0);
  if (allowance > 0) {
    if (walkInsIssued(tx.db, doctor.id, date) >= allowance) throw conflict('walk_ins_full', `${doctor.name} takes at most ${allowance} walk-ins today; all are given out`);
  }
  return issueToken(tx, scope, doctor.id, date, patient.id, null, input.priority ?? 'normal');
}

export type TokenMove = 'call' | 'start' | 'complete' | 'skip' | 'recall';

export function moveToken(tx: Tx, scope: Scope, tokenId: string, move: TokenMove): void {
  const t = getToken(tx.db, scope.branchId, tokenId);
  if (!t) throw notFound('Token');
  tx.execute(queueStream(t.doctorId, t.date), scope.branchId, queueDecider, { kind: move, tokenId });
}

// ---- follow-ups

export function scheduleFollowup(tx: Tx, scope: Scope, input: { patient_id: string; doctor_id: string; in_days?: number; due_date?: string; note?: string | null }): string {
  const doctor = doctorOf(tx, scope, input.doctor_id, false);
  const patient = patientOf(tx, scope, input.patient_id);
  let due: string;
  if (input.due_date) due = cleanDate(input.due_date, 'due_date');
  else if (input.in_days !== undefined && Number.isInteger(input.in_days) && input.in_days >= 1 && input.in_days <= 730) due = addDays(today(tx, scope), input.in_days);
  else throw unprocessable('invalid_due', 'Give in_days (1 to 730) or a due_date', { field: 'in_days' });
  const id = newId();
  tx.execute(followupStream(id), scope.branchId, followupDecider, {
    kind: 'schedule',
    followupId: id,
    patientId: patient.id,
    doctorId: doctor.id,
    dueDate: due,
    note: cleanReason(input.note, false, 'note'),
  });
  return id;
}

export function cancelFollowup(tx: Tx, scope: Scope, id: string, reason: string | null): void {
  if (!getFollowup(tx.db, scope.branchId, id)) throw notFound('Follow-up');
  tx.execute(followupStream(id), scope.branchId, followupDecider, { kind: 'cancel', reason: cleanReason(reason, false) });
}

export { availabilityOf };
