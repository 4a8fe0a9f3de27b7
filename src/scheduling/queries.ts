// Read-side functions for scheduling. Every one takes the caller's branch.
import type { Database } from 'bun:sqlite';
import { and, asc, eq, sql } from 'drizzle-orm';
import { orm, preparedQuery } from '../core/orm';
import type { AvailabilityException, WeeklySession } from './events';
import { type DaySession, type Slot, sessionsOn, slotsOn } from './slots';
import { appointments, branchHolidays, doctorExceptions, doctors, doctorSessions, followups, queueTokens } from './schema';
import { isoWithOffset } from './time';
import { waitingOrder, type Token } from './queue';

export type DoctorRow = typeof doctors.$inferSelect;
export type AppointmentRow = typeof appointments.$inferSelect;
export type TokenRow = typeof queueTokens.$inferSelect;
export type FollowupRow = typeof followups.$inferSelect;

export function doctorJson(d: DoctorRow) {
  return {
    id: d.id,
    branch_id: d.branchId,
    name: d.name,
    specialty: d.specialty,
    registration_number: d.registrationNumber,
    slot_minutes: d.slotMinutes,
    fee: { amount: d.feePaise, currency: d.currency },
    languages: JSON.parse(d.languages) as string[],
    user_id: d.userId,
    active: d.active,
    created_at: d.createdAt,
    updated_at: d.updatedAt,
  };
}

export function getDoctor(db: Database, branchId: string, id: string): DoctorRow | null {
  const q = preparedQuery(db, 'getDoctor', (o) =>
    o.select().from(doctors).where(and(eq(doctors.branchId, sql.placeholder('branchId')), eq(doctors.id, sql.placeholder('id')))).prepare(),
  );
  return q.get({ branchId, id }) ?? null;
}

export function listDoctors(db: Database, branchId: string, includeInactive = false): DoctorRow[] {
  return orm(db)
    .select()
    .from(doctors)
    .where(includeInactive ? eq(doctors.branchId, branchId) : and(eq(doctors.branchId, branchId), eq(doctors.active, true)))
    .orderBy(asc(doctors.name))
    .all();
}

/** The doctor records linked to a staff account (a doctor sees their own queue). */
export function doctorsOfUser(db: Database, branchId: string, userId: string): DoctorRow[] {
  return orm(db).select().from(doctors).where(and(eq(doctors.branchId, branchId), eq(doctors.userId, userId))).all();
}

export interface Availability {
  sessions: WeeklySession[];
  exceptions: AvailabilityException[];
}

export function availabilityOf(db: Database, doctorId: string): Availability {
  const sessions = preparedQuery(db, 'doctorSessions', (o) =>
    o.select().from(doctorSessions).where(eq(doctorSessions.doctorId, sql.placeholder('doctorId'))).orderBy(asc(doctorSessions.weekday), asc(doctorSessions.start)).prepare(),
  ).all({ doctorId });
  const exceptions = preparedQuery(db, 'doctorExceptions', (o) =>
    o.select().from(doctorExceptions).where(eq(doctorExceptions.doctorId, sql.placeholder('doctorId'))).orderBy(asc(doctorExceptions.date), asc(doctorExceptions.start)).prepare(),
  ).all({ doctorId });
  return {
    sessions: sessions.map((s) => ({ weekday: s.weekday, start: s.start, end: s.end, walk_in_allowance: s.walkInAllowance })),
    exceptions: exceptions.map((x) => ({
      date: x.date,
      kind: x.kind,
      ...(x.start ? { start: x.start, end: x.end } : {}),
      note: x.note,
    })),
  };
}

export function holidayOn(db: Database, branchId: string, date: string): string | null {
  const q = preparedQuery(db, 'holidayOn', (o) =>
    o.select().from(branchHolidays).where(and(eq(branchHolidays.branchId, sql.placeholder('branchId')), eq(branchHolidays.date, sql.placeholder('date')))).prepare(),
  );
  return q.get({ branchId, date })?.name ?? null;
}

export function holidaysOf(db: Database, branchId: string, from: string): { date: string; name: string }[] {
  return orm(db)
    .select({ date: branchHolidays.date, name: branchHolidays.name })
    .from(branchHolidays)
    .where(and(eq(branchHolidays.branchId, branchId), sql`${branchHolidays.date} >= ${from}`))
    .orderBy(asc(branchHolidays.date))
    .all();
}

const LIVE = `status IN ('booked', 'checked_in', 'completed')`;

export function bookedStarts(db: Database, doctorId: string, date: string): Set<string> {
  const rows = db.query(`SELECT start FROM appointments WHERE doctor_id = ? AND local_date = ? AND ${LIVE}`).all(doctorId, date) as { start: string }[];
  return new Set(rows.map((r) => r.start));
}

export function isSlotTaken(db: Database, doctorId: string, start: string, exceptAppointmentId?: string): boolean {
  return !!db.query(`SELECT 1 FROM appointments WHERE doctor_id = ? AND start = ? AND ${LIVE} AND id <> ?`).get(doctorId, start, exceptAppointmentId ?? '');
}

export interface DoctorDay {
  sessions: DaySession[];
  slots: Slot[];
  holiday: string | null;
}

/** A doctor's sessions and slots on a local date. */
export function doctorDay(db: Database, doctor: DoctorRow, date: string, timezone: string, now: Date, availability = availabilityOf(db, doctor.id)): DoctorDay {
  const holiday = holidayOn(db, doctor.branchId, date);
  const day = { date, sessions: availability.sessions, exceptions: availability.exceptions, holiday };
  return {
    holiday,
    sessions: sessionsOn(day),
    slots: slotsOn({ ...day, timezone, slotMinutes: doctor.slotMinutes, booked: bookedStarts(db, doctor.id, date), now }),
  };
}

export function slotJson(s: Slot, tz: string) {
  return { start: isoWithOffset(s.start, tz), end: isoWithOffset(s.end, tz), available: s.available, ...(s.why ? { reason: s.why } : {}) };
}

export function getAppointment(db: Database, branchId: string, id: string): AppointmentRow | null {
  const q = preparedQuery(db, 'getAppointment', (o) =>
    o.select().from(appointments).where(and(eq(appointments.branchId, sql.placeholder('branchId')), eq(appointments.id, sql.placeholder('id')))).prepare(),
  );
  return q.get({ branchId, id }) ?? null;
}

export interface AppointmentFilter {
  date: string;
  doctorId?: string;
  status?: AppointmentRow['status'];
}

export function appointmentsOn(db: Database, branchId: string, f: AppointmentFilter): AppointmentRow[] {
  const conds = [eq(appointments.branchId, branchId), eq(appointments.localDate, f.date)];
  if (f.doctorId) conds.push(eq(appointments.doctorId, f.doctorId));
  if (f.status) conds.push(eq(appointments.status, f.status));
  return orm(db).select().from(appointments).where(and(...conds)).orderBy(asc(appointments.start), asc(appointments.id)).all();
}

export function appointmentsOfPatient(db: Database, branchId: string, patientId: string): AppointmentRow[] {
  return orm(db).select().from(appointments).where(and(eq(appointments.branchId, branchId), eq(appointments.patientId, patientId))).orderBy(asc(appointments.start)).all();
}

export function appointmentJson(a: AppointmentRow, tz: string) {
  return {
    id: a.id,
    branch_id: a.branchId,
    patient_id: a.patientId,
    doctor_id: a.doctorId,
    start: isoWithOffset(new Date(a.start), tz),
    end: isoWithOffset(new Date(a.end), tz),
    date: a.localDate,
    mode: a.mode,
    status: a.status,
    source: a.source,
    note: a.note,
    cancel_reason: a.cancelReason,
    token_id: a.tokenId,
    version: a.version,
    created_at: a.createdAt,
    updated_at: a.updatedAt,
  };
}

export function getToken(db: Database, branchId: string, id: string): TokenRow | null {
  return orm(db).select().from(queueTokens).where(and(eq(queueTokens.branchId, branchId), eq(queueTokens.id, id))).get() ?? null;
}

/**
 * A doctor's queue for a day in service order: the token in consultation, the one called,
 * the waiting ones by priority then number, then the skipped, then the done.
 */
export function queueFor(db: Database, branchId: string, doctorId: string, date: string): TokenRow[] {
  const rows = orm(db)
    .select()
    .from(queueTokens)
    .where(and(eq(queueTokens.branchId, branchId), eq(queueTokens.doctorId, doctorId), eq(queueTokens.date, date)))
    .orderBy(asc(queueTokens.number))
    .all();
  const asToken = (r: TokenRow): Token => ({ id: r.id, number: r.number, patientId: r.patientId, appointmentId: r.appointmentId, priority: r.priority, state: r.state });
  const waiting = waitingOrder(rows.map(asToken)).map((t) => rows.find((r) => r.id === t.id)!);
  const by = (state: TokenRow['state']) => rows.filter((r) => r.state === state);
  return [...by('in_consultation'), ...by('called'), ...waiting, ...by('skipped'), ...by('done')];
}

export function tokenJson(t: TokenRow, position: number | null) {
  return {
    id: t.id,
    number: t.number,
    doctor_id: t.doctorId,
    date: t.date,
    patient_id: t.patientId,
    appointment_id: t.appointmentId,
    kind: t.kind,
    priority: t.priority,
    state: t.state,
    position,
    issued_at: t.issuedAt,
    called_at: t.calledAt,
    started_at: t.startedAt,
    completed_at: t.completedAt,
  };
}

export function getFollowup(db: Database, branchId: string, id: string): FollowupRow | null {
  return orm(db).select().from(followups).where(and(eq(followups.branchId, branchId), eq(followups.id, id))).get() ?? null;
}

/** Follow-ups still to be booked, due on or before `until`, oldest first. */
export function followupsDue(db: Database, branchId: string, until: string, doctorId?: string): FollowupRow[] {
  const conds = [eq(followups.branchId, branchId), eq(followups.status, 'due'), sql`${followups.dueDate} <= ${until}`];
  if (doctorId) conds.push(eq(followups.doctorId, doctorId));
  return orm(db).select().from(followups).where(and(...conds)).orderBy(asc(followups.dueDate)).all();
}

export function dueFollowupFor(db: Database, branchId: string, patientId: string, doctorId: string): FollowupRow | null {
  const q = preparedQuery(db, 'dueFollowupFor', (o) =>
    o
      .select()
      .from(followups)
      .where(
        and(
          eq(followups.branchId, sql.placeholder('branchId')),
          eq(followups.patientId, sql.placeholder('patientId')),
          eq(followups.doctorId, sql.placeholder('doctorId')),
          eq(followups.status, 'due'),
        ),
      )
      .orderBy(asc(followups.dueDate))
      .prepare(),
  );
  return q.get({ branchId, patientId, doctorId }) ?? null;
}

export function followupJson(f: FollowupRow) {
  return {
    id: f.id,
    branch_id: f.branchId,
    patient_id: f.patientId,
    doctor_id: f.doctorId,
    due_date: f.dueDate,
    note: f.note,
    status: f.status,
    appointment_id: f.appointmentId,
    created_at: f.createdAt,
  };
}

/** The follow-up an appointment was booked for, if it is still marked booked. */
export function followupBookedFor(db: Database, branchId: string, appointmentId: string): string | null {
  return (db.query(`SELECT id FROM followups WHERE branch_id = ? AND appointment_id = ? AND status = 'booked'`).get(branchId, appointmentId) as { id: string } | null)?.id ?? null;
}

export function walkInsIssued(db: Database, doctorId: string, date: string): number {
  return (db.query(`SELECT count(*) AS n FROM queue_tokens WHERE doctor_id = ? AND date = ? AND kind = 'walk_in'`).get(doctorId, date) as { n: number }).n;
}
