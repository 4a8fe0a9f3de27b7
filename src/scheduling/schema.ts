// Read tables of OPD scheduling: doctors and their availability, branch holidays,
// appointments, the walk-in queue, follow-ups.
import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const doctors = sqliteTable(
  'doctors',
  {
    id: text('id').primaryKey(),
    branchId: text('branch_id').notNull(),
    name: text('name').notNull(),
    specialty: text('specialty').notNull(),
    registrationNumber: text('registration_number').notNull(),
    slotMinutes: integer('slot_minutes').notNull(),
    feePaise: integer('fee_paise').notNull(),
    currency: text('currency').notNull(),
    languages: text('languages').notNull(), // JSON array of strings
    userId: text('user_id'),
    active: integer('active', { mode: 'boolean' }).notNull(),
    calendarTokenHash: text('calendar_token_hash'),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [index('doctors_branch').on(t.branchId), index('doctors_user').on(t.userId)],
);

/** Weekly sessions, local times in the branch's zone. */
export const doctorSessions = sqliteTable(
  'doctor_sessions',
  {
    doctorId: text('doctor_id').notNull(),
    branchId: text('branch_id').notNull(),
    weekday: integer('weekday').notNull(), // 1 = Monday … 7 = Sunday
    start: text('start').notNull(), // HH:MM
    end: text('end').notNull(),
    walkInAllowance: integer('walk_in_allowance').notNull(),
  },
  (t) => [primaryKey({ columns: [t.doctorId, t.weekday, t.start] })],
);

/** Dated exceptions: leave (whole day), cancelled (a time range), extra (a session), block (slots held back). */
export const doctorExceptions = sqliteTable(
  'doctor_exceptions',
  {
    doctorId: text('doctor_id').notNull(),
    branchId: text('branch_id').notNull(),
    date: text('date').notNull(),
    kind: text('kind', { enum: ['leave', 'cancelled', 'extra', 'block'] }).notNull(),
    start: text('start').notNull(), // '' for a whole day
    end: text('end').notNull(),
    note: text('note'),
  },
  (t) => [primaryKey({ columns: [t.doctorId, t.date, t.kind, t.start] })],
);

export const branchHolidays = sqliteTable(
  'branch_holidays',
  {
    branchId: text('branch_id').notNull(),
    date: text('date').notNull(),
    name: text('name').notNull(),
  },
  (t) => [primaryKey({ columns: [t.branchId, t.date] })],
);

export const appointments = sqliteTable(
  'appointments',
  {
    id: text('id').primaryKey(),
    branchId: text('branch_id').notNull(),
    patientId: text('patient_id').notNull(),
    doctorId: text('doctor_id').notNull(),
    start: text('start').notNull(), // UTC ISO
    end: text('end').notNull(),
    localDate: text('local_date').notNull(), // the branch's date of the start
    mode: text('mode', { enum: ['in_person', 'tele'] }).notNull(),
    status: text('status', { enum: ['booked', 'checked_in', 'completed', 'cancelled', 'no_show'] }).notNull(),
    source: text('source', { enum: ['desk', 'phone', 'portal', 'api'] }).notNull(),
    note: text('note'),
    cancelReason: text('cancel_reason'),
    tokenId: text('token_id'),
    bookedBy: text('booked_by'),
    version: integer('version').notNull(),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [
    index('appointments_branch_date').on(t.branchId, t.localDate),
    index('appointments_doctor_date').on(t.doctorId, t.localDate),
    index('appointments_patient').on(t.patientId),
    // The last line of defence against double booking: one live appointment per doctor and start.
    uniqueIndex('appointments_doctor_slot').on(t.doctorId, t.start).where(sql`status IN ('booked', 'checked_in', 'completed')`),
  ],
);

export const queueTokens = sqliteTable(
  'queue_tokens',
  {
    id: text('id').primaryKey(),
    branchId: text('branch_id').notNull(),
    doctorId: text('doctor_id').notNull(),
    date: text('date').notNull(),
    number: integer('number').notNull(),
    patientId: text('patient_id').notNull(),
    appointmentId: text('appointment_id'),
    kind: text('kind', { enum: ['appointment', 'walk_in'] }).notNull(),
    priority: text('priority', { enum: ['emergency', 'elderly', 'normal'] }).notNull(),
    state: text('state', { enum: ['waiting', 'called', 'in_consultation', 'done', 'skipped'] }).notNull(),
    issuedAt: text('issued_at').notNull(),
    calledAt: text('called_at'),
    startedAt: text('started_at'),
    completedAt: text('completed_at'),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [uniqueIndex('queue_tokens_number').on(t.doctorId, t.date, t.number), index('queue_tokens_branch_date').on(t.branchId, t.date)],
);

export const followups = sqliteTable(
  'followups',
  {
    id: text('id').primaryKey(),
    branchId: text('branch_id').notNull(),
    patientId: text('patient_id').notNull(),
    doctorId: text('doctor_id').notNull(),
    dueDate: text('due_date').notNull(),
    note: text('note'),
    status: text('status', { enum: ['due', 'booked', 'cancelled'] }).notNull(),
    appointmentId: text('appointment_id'),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [index('followups_branch_due').on(t.branchId, t.status, t.dueDate), index('followups_patient').on(t.patientId)],
);
