// Front desk and doctor pages for OPD scheduling: the day board (every active doctor × the
// day's sessions), one doctor's week, booking in one search and two clicks, one appointment
// with its actions, the doctors' queues (live by polling a fragment) with walk-ins, and the
// waiting-room display for a TV. Handlers parse the form, call the commands the REST routes
// use, and render; every page works without JavaScript and answers htmx with its fragment.
// The board reads the day in a fixed handful of queries (one for all the day's appointments),
// whatever the number of doctors and slots.
import { Elysia, t } from 'elysia';
import { AppointmentPage, type ActionError, type AppointmentAction, type AppointmentModel, type HistoryLine } from '../../views/scheduling/appointment';
import { BoardPage, type BoardDoctor, type BoardModel, type BoardSession, type BoardSlot, type SlotCounts, type SlotState, WeekPage, type WeekModel } from '../../views/scheduling/board';
import { BookingPage, type BookingModel, bookingUrl, type FormError, PatientResultsForBooking, type SlotArea, SlotButtons } from '../../views/scheduling/booking';
import { formatDay, formatTime, MODE, PRIORITY, type PickPatient } from '../../views/scheduling/common';
import { DisplayBoard, DisplayLinkPage, DisplayPage, type DisplayDoctor, type DisplayModel } from '../../views/scheduling/display';
import { MoveAnswer, type Move, movesFor, type QueueDoctor, type QueuePageModel, QueuePage, QueuePickerPage, type QueueToken, TokenList, type TokenListModel, type WalkInModel, WalkInResults } from '../../views/scheduling/queue';
import { ageSexShort } from '../../views/patients/common';
import { formatDateTime } from '../../views/components';
import type { Flash } from '../../views/layout';
import { badRequest, DomainError, notFound, unprocessable } from '../core/errors';
import { isUuid, randomToken } from '../core/ids';
import type { Tx } from '../core/runner';
import { actorOf, type Scope } from '../core/scope';
import { sameToken } from '../http/csrf';
import type { authGuard } from '../http/guard';
import { idempotencyOf } from '../http/idempotency';
import { clinicName, formFields, html, isHtmx, pageUser, redirectWithFlash, takeFlash } from '../http/page';
import { can } from '../http/permissions';
import { infoOf } from '../http/request-info';
import type { Services } from '../http/services';
import { getBranch } from '../org/queries';
import { getPatient, type PatientRow, searchPatients, toView } from '../patients/queries';
import { isValidDate } from '../patients/rules';
import { bookAppointment, cancelAppointment, checkIn, issueWalkIn, markNoShow, moveToken, rescheduleAppointment, scheduleFollowup } from './commands';
import { appointmentStream, type AppointmentMode, type AvailabilityException, type Priority, queueStream, type WeeklySession } from './events';
import { type AppointmentRow, doctorDay, type DoctorRow, doctorsOfUser, getAppointment, getDoctor, getFollowup, getToken, listDoctors, queueFor, type TokenRow } from './queries';
import { waitingOrder } from './queue';
import { type Slot, sessionsOn, slotsOn } from './slots';
import { addDays, hhmm, isoWithOffset, minutesOf, toLocal, weekdayOf } from './time';

const NO_STORE = { 'cache-control': 'no-store' };
const PICK_LIMIT = 10;
const MOVES: readonly Move[] = ['call', 'start', 'complete', 'skip', 'recall'];
const MOVED: Record<Move, string> = { call: 'Called', start: 'Started the consultation of', complete: 'Completed', skip: 'Skipped', recall: 'Recalled' };
const LIVE_STATUSES = new Set(['booked', 'checked_in', 'completed']);

/**
 * The waiting-room display's secret for a branch: an HMAC of the branch id under the server
 * secret, so nothing needs storing or issuing. Rotating the server secret (svc.secret, from
 * $MYMEDIC_SECRET or DATA/secret.key) rotates every branch's display link, and signs everyone out.
 */
export function displayToken(secret: string, branchId: string): string {
  return new Bun.CryptoHasher('sha256', secret).update('display:' + branchId).digest('base64url');
}

/** What a form token stands for: the submission as typed (a double-submit sends the same). */
function submission(f: Record<string, string>): Record<string, string> {
  const { _csrf: _, ...rest } = f;
  return rest;
}

/** Errors shown next to the form that caused them; anything else goes to the error page. */
const isFormError = (e: unknown): e is DomainError => e instanceof DomainError && (e.status === 400 || e.status === 409 || e.status === 422);

const messageOf = (e: DomainError): string => {
  if (e.code === 'idempotency_key_reused') return 'This form had already been sent with other values. Check them and send it again.';
  if (e.code === 'slot_taken') return `${e.message}. Choose another time.`;
  return e.message;
};
const fieldOf = (e: DomainError): string | null => (typeof e.details?.field === 'string' ? e.details.field : null);

const mondayOf = (date: string) => addDays(date, 1 - weekdayOf(date));

// ---- reading a branch's days in a fixed number of queries

interface Availability {
  sessions: WeeklySession[];
  exceptions: AvailabilityException[];
}

interface DayAppointment {
  id: string;
  doctorId: string;
  start: string; // UTC ISO as stored
  status: string;
  date: string;
  patientName: string;
}

export function branchAvailability(db: Services['kernel']['db'], branchId: string, from: string, to: string, doctorId?: string): Map<string, Availability> {
  const out = new Map<string, Availability>();
  const of = (id: string) => {
    let a = out.get(id);
    if (!a) out.set(id, (a = { sessions: [], exceptions: [] }));
    return a;
  };
  const sessions = db
    .query(`SELECT doctor_id, weekday, start, "end", walk_in_allowance FROM doctor_sessions WHERE branch_id = ?1 AND (?2 IS NULL OR doctor_id = ?2) ORDER BY weekday, start`)
    .all(branchId, doctorId ?? null) as { doctor_id: string; weekday: number; start: string; end: string; walk_in_allowance: number }[];
  for (const s of sessions) of(s.doctor_id).sessions.push({ weekday: s.weekday, start: s.start, end: s.end, walk_in_allowance: s.walk_in_allowance });
  const exceptions = db
    .query(`SELECT doctor_id, date, kind, start, "end", note FROM doctor_exceptions WHERE branch_id = ?1 AND date BETWEEN ?2 AND ?3 AND (?4 IS NULL OR doctor_id = ?4)`)
    .all(branchId, from, to, doctorId ?? null) as { doctor_id: string; date: string; kind: AvailabilityException['kind']; start: string; end: string; note: string | null }[];
  for (const x of exceptions) of(x.doctor_id).exceptions.push({ date: x.date, kind: x.kind, ...(x.start ? { start: x.start, end: x.end } : {}), note: x.note });
  return out;
}

function holidaysBetween(db: Services['kernel']['db'], branchId: string, from: string, to: string): Map<string, string> {
  const rows = db.query('SELECT date, name FROM branch_holidays WHERE branch_id = ? AND date BETWEEN ? AND ?').all(branchId, from, to) as { date: string; name: string }[];
  return new Map(rows.map((r) => [r.date, r.name]));
}

/** Every appointment of the branch on these dates (all statuses), with the patient's name: one query. */
function appointmentsBetween(db: Services['kernel']['db'], branchId: string, from: string, to: string, doctorId?: string): DayAppointment[] {
  return db
    .query(
      `SELECT a.id AS id, a.doctor_id AS doctorId, a.start AS start, a.status AS status, a.local_date AS date, coalesce(p.name, '?') AS patientName
       FROM appointments a LEFT JOIN patients p ON p.id = a.patient_id
       WHERE a.branch_id = ?1 AND a.local_date BETWEEN ?2 AND ?3 AND (?4 IS NULL OR a.doctor_id = ?4)
       ORDER BY a.start`,
    )
    .all(branchId, from, to, doctorId ?? null) as DayAppointment[];
}

/** A slot of a doctor's day before bookings and the clock are applied. */
interface GridSlot {
  start: Date;
  utc: string; // as stored in appointments.start
  iso: string; // with the branch's offset, for links and forms
  local: string;
  blocked: boolean;
}

/**
 * The day's slot grid, cached: cutting sessions into slots converts every slot's local time
 * to UTC through Intl (about 1.3 ms for a doctor's 42 slots), which would dominate the board
 * for 10 doctors. The grid depends only on what the key holds; bookings and the clock are
 * applied afterwards, with slotsOn's precedence (booked, then blocked, then past).
 */
const gridCache = new Map<string, GridSlot[]>();
const GRID_CACHE_MAX = 4000;

function slotGrid(date: string, a: Availability, holiday: string | null, tz: string, slotMinutes: number): GridSlot[] {
  const weekday = weekdayOf(date);
  const sessions = a.sessions.filter((s) => s.weekday === weekday);
  const exceptions = a.exceptions.filter((x) => x.date === date);
  const key = JSON.stringify([date, tz, slotMinutes, holiday, sessions, exceptions]);
  const hit = gridCache.get(key);
  if (hit) return hit;
  const grid = slotsOn({ date, sessions, exceptions, holiday, timezone: tz, slotMinutes, booked: new Set(), now: new Date(0) }).map((s) => ({
    start: s.start,
    utc: s.start.toISOString(),
    iso: isoWithOffset(s.start, tz),
    local: s.local,
    blocked: s.why === 'blocked',
  }));
  if (gridCache.size >= GRID_CACHE_MAX) gridCache.delete(gridCache.keys().next().value!);
  gridCache.set(key, grid);
  return grid;
}

interface DayPlan {
  off: BoardDoctor['off'];
  sessions: BoardSession[];
  counts: SlotCounts;
  gaps: BoardDoctor['gaps'];
  nextFree: BoardDoctor['nextFree'];
  offSlot: BoardDoctor['offSlot'];
}

/** One doctor's day: sessions cut into slots, each with the state the board colours. */
function planDay(doctor: Pick<DoctorRow, 'slotMinutes'>, avail: Availability | undefined, date: string, holiday: string | null, appts: DayAppointment[], tz: string, now: Date): DayPlan {
  const a = avail ?? { sessions: [], exceptions: [] };
  const day = { date, sessions: a.sessions, exceptions: a.exceptions, holiday };
  const sessions = sessionsOn(day);
  const counts: SlotCounts = { booked: 0, checkedIn: 0, done: 0, free: 0, cancelled: 0, noShow: 0 };
  const live = new Map<string, DayAppointment>();
  const gone = new Map<string, DayAppointment>();
  for (const x of appts) {
    if (LIVE_STATUSES.has(x.status)) live.set(x.start, x);
    else if (x.status === 'no_show' || !gone.has(x.start)) gone.set(x.start, x);
    if (x.status === 'booked') counts.booked++;
    else if (x.status === 'checked_in') counts.checkedIn++;
    else if (x.status === 'completed') counts.done++;
    else if (x.status === 'cancelled') counts.cancelled++;
    else if (x.status === 'no_show') counts.noShow++;
  }
  let off: BoardDoctor['off'] = null;
  if (!sessions.length) {
    const leave = a.exceptions.find((x) => x.date === date && x.kind === 'leave');
    off = holiday ? { kind: 'holiday', note: holiday } : leave ? { kind: 'leave', note: leave.note ?? null } : { kind: 'none', note: null };
  }
  const grid = sessions.length ? slotGrid(date, a, holiday, tz, doctor.slotMinutes) : [];
  const nowMs = now.getTime();
  const onSlot = new Set<string>();
  const boardSlots: BoardSlot[] = grid.map((s) => {
    onSlot.add(s.utc);
    const booked = live.get(s.utc);
    const past = s.start.getTime() <= nowMs;
    const appt = booked ?? (!s.blocked && past ? gone.get(s.utc) : undefined);
    let state: SlotState;
    if (booked) state = booked.status as SlotState;
    else if (s.blocked) state = 'blocked';
    else if (past) state = appt ? (appt.status as SlotState) : 'past';
    else state = 'free';
    if (state === 'free') counts.free++;
    return { local: s.local, start: s.iso, state, ...(appt ? { appointmentId: appt.id, patientName: appt.patientName } : {}) };
  });
  const gaps: BoardDoctor['gaps'] = [];
  let run: BoardSlot[] = [];
  const closeRun = () => {
    if (run.length) gaps.push({ from: run[0].local, to: hhmm(minutesOf(run[run.length - 1].local) + doctor.slotMinutes), slots: run.length });
    run = [];
  };
  boardSlots.forEach((s, i) => {
    const contiguous = i > 0 && minutesOf(boardSlots[i - 1].local) + doctor.slotMinutes === minutesOf(s.local);
    if (s.state !== 'free' || !contiguous) closeRun();
    if (s.state === 'free') run.push(s);
  });
  closeRun();
  const first = boardSlots.find((s) => s.state === 'free');
  return {
    off,
    sessions: sessions.map((s) => ({
      start: s.start,
      end: s.end,
      extra: s.extra,
      slots: boardSlots.filter((b) => b.local >= s.start && b.local < s.end),
    })),
    counts,
    gaps,
    nextFree: first ? { local: first.local, start: first.start } : null,
    offSlot: [...live.values()].filter((x) => !onSlot.has(x.start)).map((x) => ({ id: x.id, time: formatTime(x.start, tz), status: x.status, patientName: x.patientName })),
  };
}

// ---- the plugin

export function schedulingPages(svc: Services, guard: ReturnType<typeof authGuard>) {
  const { db, runner, clock } = svc.kernel;
  const zoneOf = (scope: Scope) => getBranch(db, scope.branchId)?.timezone ?? 'Asia/Kolkata';
  const todayOf = (scope: Scope) => toLocal(clock.now(), zoneOf(scope)).date;
  const ctxOf = (scope: Scope, request: Request) => ({ actor: actorOf(scope), requestId: infoOf(request).id });
  const page = (scope: Scope) => ({ user: pageUser(svc, scope), clinicName: clinicName(svc) });
  const flashOf = (request: Request, headers: Record<string, string>) => takeFlash(request, headers);

  const dateParam = (raw: string | undefined, fallback: string): string => {
    if (!raw) return fallback;
    if (!isValidDate(raw)) throw badRequest('invalid_date', 'The date must be a real date, YYYY-MM-DD');
    return raw;
  };

  const findDoctor = (scope: Scope, id: string): DoctorRow => {
    const d = isUuid(id) ? getDoctor(db, scope.branchId, id) : null;
    if (!d) throw notFound('Doctor');
    return d;
  };
  const findAppointment = (scope: Scope, id: string): AppointmentRow => {
    const a = isUuid(id) ? getAppointment(db, scope.branchId, id) : null;
    if (!a) throw notFound('Appointment');
    return a;
  };
  const pickOf = (p: PatientRow, today: string): PickPatient => {
    const v = toView(p, today);
    return { id: v.id, mrn: v.mrn, name: v.name, phone: v.phone, ageSex: ageSexShort(v) };
  };
  const searchPick = (scope: Scope, q: string) => {
    const term = q.trim().slice(0, 100);
    if (!term) return { q: term, items: [] as PickPatient[], more: false };
    const res = searchPatients(db, scope.branchId, term, PICK_LIMIT, null);
    const today = todayOf(scope);
    return { q: term, items: res.items.map((p) => pickOf(p, today)), more: !!res.nextCursor };
  };

  // ---- day board and week

  const buildBoard = (scope: Scope, date: string): BoardModel => {
    const tz = zoneOf(scope);
    const now = clock.now();
    const doctors = listDoctors(db, scope.branchId);
    const avail = branchAvailability(db, scope.branchId, date, date);
    const holiday = holidaysBetween(db, scope.branchId, date, date).get(date) ?? null;
    const byDoctor = new Map<string, DayAppointment[]>();
    for (const a of appointmentsBetween(db, scope.branchId, date, date)) {
      const list = byDoctor.get(a.doctorId);
      if (list) list.push(a);
      else byDoctor.set(a.doctorId, [a]);
    }
    const walkIns = new Map(
      (
        db.query(`SELECT doctor_id, count(*) AS n FROM queue_tokens WHERE branch_id = ? AND date = ? AND kind = 'walk_in' GROUP BY doctor_id`).all(scope.branchId, date) as {
          doctor_id: string;
          n: number;
        }[]
      ).map((r) => [r.doctor_id, r.n]),
    );
    return {
      date,
      today: toLocal(now, tz).date,
      prev: addDays(date, -1),
      next: addDays(date, 1),
      holiday,
      canBook: can(scope.role, 'schedule.book'),
      week: mondayOf(date),
      doctors: doctors.map((d) => ({
        id: d.id,
        name: d.name,
        specialty: d.specialty,
        slotMinutes: d.slotMinutes,
        walkIns: walkIns.get(d.id) ?? 0,
        ...planDay(d, avail.get(d.id), date, holiday, byDoctor.get(d.id) ?? [], tz, now),
      })),
    };
  };

  const buildWeek = (scope: Scope, doctor: DoctorRow, week: string): WeekModel => {
    const tz = zoneOf(scope);
    const now = clock.now();
    const today = toLocal(now, tz).date;
    const end = addDays(week, 6);
    const avail = branchAvailability(db, scope.branchId, week, end, doctor.id).get(doctor.id);
    const holidays = holidaysBetween(db, scope.branchId, week, end);
    const appts = appointmentsBetween(db, scope.branchId, week, end, doctor.id);
    const days = Array.from({ length: 7 }, (_, i) => addDays(week, i)).map((date) => {
      const plan = planDay(doctor, avail, date, holidays.get(date) ?? null, appts.filter((a) => a.date === date), tz, now);
      return {
        date,
        off: plan.off,
        sessions: plan.sessions.map((s) => {
          const counts: SlotCounts = { booked: 0, checkedIn: 0, done: 0, free: 0, cancelled: 0, noShow: 0 };
          for (const slot of s.slots) {
            if (slot.state === 'booked') counts.booked++;
            else if (slot.state === 'checked_in') counts.checkedIn++;
            else if (slot.state === 'completed') counts.done++;
            else if (slot.state === 'free') counts.free++;
          }
          return { start: s.start, end: s.end, extra: s.extra, counts, free: s.slots.filter((x) => x.state === 'free') };
        }),
      };
    });
    const thisWeek = mondayOf(today);
    return {
      doctor: { id: doctor.id, name: doctor.name, specialty: doctor.specialty, slotMinutes: doctor.slotMinutes },
      week,
      prevWeek: addDays(week, -7),
      nextWeek: addDays(week, 7),
      thisWeek,
      today,
      days,
      canBook: can(scope.role, 'schedule.book'),
    };
  };

  // ---- booking

  interface BookingQuery {
    patient_id?: string;
    doctor_id?: string;
    date?: string;
    followup_id?: string;
    start?: string;
    q?: string;
  }

  const dayNoteOf = (doctor: DoctorRow, date: string, today: string, day: { holiday: string | null; sessions: unknown[] }): string | null => {
    if (date < today) return 'That day has passed.';
    if (day.holiday) return `Holiday: ${day.holiday}. No sessions.`;
    if (!day.sessions.length) {
      const leave = db.query(`SELECT note FROM doctor_exceptions WHERE doctor_id = ? AND date = ? AND kind = 'leave'`).get(doctor.id, date) as { note: string | null } | null;
      return leave ? `${doctor.name} is on leave${leave.note ? ` (${leave.note})` : ''}.` : `${doctor.name} has no session on this day.`;
    }
    return null;
  };

  const slotArea = (scope: Scope, doctor: DoctorRow, date: string, keep: Record<string, string>, start: string | null, patientChosen: boolean, error: FormError | null): SlotArea => {
    const tz = zoneOf(scope);
    const now = clock.now();
    const today = toLocal(now, tz).date;
    const day = doctorDay(db, doctor, date, tz, now);
    const startMs = start ? new Date(start).getTime() : NaN;
    const slots = day.slots.map((s: Slot) => ({ local: s.local, start: isoWithOffset(s.start, tz), available: s.available, ...(s.why ? { why: s.why } : {}) }));
    const suggested = slots.find((s) => new Date(s.start).getTime() === startMs);
    return {
      doctorId: doctor.id,
      doctorName: doctor.name,
      date,
      today,
      prev: addDays(date, -1),
      next: addDays(date, 1),
      dayNote: dayNoteOf(doctor, date, today, day),
      slots,
      start: suggested?.start ?? null,
      patientChosen,
      keep,
      error,
    };
  };

  const bookingModel = (scope: Scope, q: BookingQuery, values: BookingModel['values'], error: FormError | null): BookingModel => {
    const today = todayOf(scope);
    let patientId = q.patient_id && isUuid(q.patient_id) ? q.patient_id : null;
    let doctorId = q.doctor_id && isUuid(q.doctor_id) ? q.doctor_id : null;
    // A follow-up brings its patient and doctor with it (the recall list's "Book").
    const followupRow = q.followup_id && isUuid(q.followup_id) ? getFollowup(db, scope.branchId, q.followup_id) : null;
    const followup = followupRow && followupRow.status === 'due' ? followupRow : null;
    if (followup) {
      patientId ??= followup.patientId;
      doctorId ??= followup.doctorId;
    }
    const patientRow = patientId ? getPatient(db, scope.branchId, patientId) : null;
    const patient = patientRow ? pickOf(patientRow, today) : null;
    const doctors = listDoctors(db, scope.branchId);
    // One doctor in the branch: nothing to choose.
    const doctor = doctors.find((d) => d.id === doctorId) ?? (doctors.length === 1 ? doctors[0] : null);
    let start: string | null = null;
    let date = today;
    if (q.start && !Number.isNaN(new Date(q.start).getTime()) && /^\d{4}-\d{2}-\d{2}T/.test(q.start)) {
      start = q.start;
      date = toLocal(new Date(q.start), zoneOf(scope)).date;
    }
    // A follow-up opens on its due date (or today, when it is overdue).
    if (!start && followup && followup.dueDate > date) date = followup.dueDate;
    date = dateParam(q.date, date);
    const search = patient ? { q: '', items: [], more: false } : searchPick(scope, q.q ?? '');
    const useFollowup = followup && patient && followup.patientId === patient.id ? { id: followup.id, dueDate: followup.dueDate } : null;
    const keep: Record<string, string> = {};
    if (patient) keep.patient_id = patient.id;
    if (useFollowup) keep.followup_id = useFollowup.id;
    return {
      csrf: pageUser(svc, scope).csrf,
      formToken: randomToken(18),
      patient,
      q: search.q,
      results: search.items,
      more: search.more,
      doctors: doctors.map((d) => ({ id: d.id, name: d.name, specialty: d.specialty })),
      doctorId: doctor?.id ?? null,
      date,
      today,
      start,
      followup: useFollowup,
      slots: doctor ? slotArea(scope, doctor, date, keep, start, !!patient, error && (error.field === 'start' || error.field === null) ? error : null) : null,
      values,
      error,
      canRegister: can(scope.role, 'patients.write'),
      canManageDoctors: can(scope.role, 'doctors.manage'),
    };
  };

  const bookingPage = (scope: Scope, request: Request, q: BookingQuery, status = 200, error: FormError | null = null, values: BookingModel['values'] = { mode: 'in_person', note: '' }) => {
    const headers: Record<string, string> = { ...NO_STORE };
    const flash = status === 200 ? flashOf(request, headers) : null;
    return html(BookingPage({ ...page(scope), flash, model: bookingModel(scope, q, values, error) }) as string, status, headers);
  };

  // ---- one appointment

  const appointmentHistory = (scope: Scope, a: AppointmentRow, tz: string): HistoryLine[] => {
    type Row = { seq: number; type: string; data: string; meta: string; at: string };
    const rows = db.query('SELECT seq, type, data, meta, at FROM events WHERE branch_id = ? AND stream = ? ORDER BY seq').all(scope.branchId, appointmentStream(a.id)) as Row[];
    const token = a.tokenId ? getToken(db, scope.branchId, a.tokenId) : null;
    if (token) {
      rows.push(
        ...(db
          .query(`SELECT seq, type, data, meta, at FROM events WHERE branch_id = ? AND stream = ? AND type <> 'queue.token_issued' AND json_extract(data, '$.token_id') = ? ORDER BY seq`)
          .all(scope.branchId, queueStream(token.doctorId, token.date), token.id) as Row[]),
      );
      rows.sort((x, y) => x.seq - y.seq);
    }
    const names = db.query('SELECT name FROM users WHERE id = ?');
    const when = (iso: string) => formatDateTime(iso, tz);
    return rows.map((r) => {
      const meta = JSON.parse(r.meta) as { actor: string | null; actor_name?: string };
      const data = JSON.parse(r.data) as Record<string, unknown>;
      const current = meta.actor ? (names.get(meta.actor) as { name: string } | null)?.name : null;
      const who = current ?? meta.actor_name ?? (meta.actor ? 'a former user' : 'the system');
      let what = r.type;
      let detail: string | null = null;
      switch (r.type) {
        case 'appointment.booked':
          what = 'Booked';
          detail = `${when(String(data.start))} · ${MODE[String(data.mode)] ?? data.mode}${data.note ? ` · ${data.note}` : ''}`;
          break;
        case 'appointment.rescheduled':
          what = 'Rescheduled';
          detail = `From ${when(String(data.from_start))} to ${when(String(data.start))}`;
          break;
        case 'appointment.cancelled':
          what = 'Cancelled';
          detail = `Reason: ${data.reason}`;
          break;
        case 'appointment.checked_in':
          what = 'Checked in';
          detail = `Token ${data.token_number}`;
          break;
        case 'appointment.no_show':
          what = 'Marked as a no-show';
          break;
        case 'queue.token_called':
          what = 'Called in';
          break;
        case 'queue.consultation_started':
          what = 'Consultation started';
          break;
        case 'queue.consultation_completed':
          what = 'Consultation completed';
          break;
        case 'queue.token_skipped':
          what = 'Skipped in the queue';
          break;
        case 'queue.token_recalled':
          what = 'Back in the queue';
          break;
      }
      return { at: r.at, when: when(r.at), what, who, detail };
    });
  };

  const appointmentPage = (
    scope: Scope,
    request: Request,
    a: AppointmentRow,
    opts: { status?: number; error?: ActionError | null; values?: AppointmentModel['values']; rescheduleDate?: string } = {},
  ) => {
    const tz = zoneOf(scope);
    const now = clock.now();
    const today = toLocal(now, tz).date;
    const patient = getPatient(db, scope.branchId, a.patientId);
    const doctor = getDoctor(db, scope.branchId, a.doctorId);
    if (!patient || !doctor) throw notFound('Appointment');
    const token = a.tokenId ? getToken(db, scope.branchId, a.tokenId) : null;
    const canBook = can(scope.role, 'schedule.book');
    let reschedule: AppointmentModel['reschedule'] = null;
    if (canBook && a.status === 'booked' && doctor.active) {
      const date = opts.rescheduleDate ?? (a.localDate < today ? today : a.localDate);
      const day = doctorDay(db, doctor, date, tz, now);
      reschedule = {
        date,
        today,
        prev: addDays(date, -1),
        next: addDays(date, 1),
        dayNote: dayNoteOf(doctor, date, today, day),
        slots: day.slots.map((s) => ({ local: s.local, start: isoWithOffset(s.start, tz), available: s.available, current: s.start.toISOString() === a.start })),
        open: !!opts.rescheduleDate || opts.error?.action === 'reschedule',
      };
    }
    const model: AppointmentModel = {
      id: a.id,
      status: a.status,
      mode: a.mode,
      source: a.source,
      note: a.note,
      cancelReason: a.cancelReason,
      patient: { ...pickOf(patient, today) },
      doctor: { id: doctor.id, name: doctor.name, specialty: doctor.specialty },
      date: a.localDate,
      time: formatTime(a.start, tz),
      endTime: formatTime(a.end, tz),
      today,
      isToday: a.localDate === today,
      started: new Date(a.start).getTime() <= now.getTime(),
      token: token ? { number: token.number, state: token.state, date: token.date } : null,
      history: appointmentHistory(scope, a, tz),
      canBook,
      csrf: pageUser(svc, scope).csrf,
      formTokens: { check_in: randomToken(18), cancel: randomToken(18), reschedule: randomToken(18), no_show: randomToken(18) },
      reschedule,
      error: opts.error ?? null,
      values: opts.values ?? { reason: '', priority: 'normal' },
    };
    const status = opts.status ?? 200;
    const headers: Record<string, string> = { ...NO_STORE };
    const flash = status === 200 ? flashOf(request, headers) : null;
    return html(AppointmentPage({ ...page(scope), flash, model }) as string, status, headers);
  };

  /** An appointment action: one transaction, a flash on success, the page with the message if refused. */
  const appointmentAction =
    (action: AppointmentAction, run: (tx: Tx, scope: Scope, a: AppointmentRow, f: Record<string, string>) => string) =>
    ({ scope, params, body, request }: { scope: Scope; params: { id: string }; body: unknown; request: Request }) => {
      const a = findAppointment(scope, params.id);
      const f = formFields(body);
      const values = { reason: (f.reason ?? '').slice(0, 600), priority: f.priority && f.priority in PRIORITY ? f.priority : 'normal' };
      try {
        const idem = idempotencyOf(scope, request, submission(f), f._form_token || undefined);
        const res = runner.runIdempotent(ctxOf(scope, request), idem, (tx) => ({ status: 200, body: { text: run(tx, scope, a, f) } }));
        return redirectWithFlash(`/appointments/${a.id}`, { kind: 'ok', text: res.body.text });
      } catch (e) {
        if (!isFormError(e)) throw e;
        const field = fieldOf(e);
        const start = action === 'reschedule' && f.start ? new Date(f.start) : null;
        const rescheduleDate = start && !Number.isNaN(start.getTime()) ? toLocal(start, zoneOf(scope)).date : undefined;
        return appointmentPage(scope, request, findAppointment(scope, a.id), {
          status: e.status,
          error: { action, message: messageOf(e), field: action === 'cancel' && field === 'reason' ? 'reason' : field },
          values,
          rescheduleDate,
        });
      }
    };

  // ---- queues

  const tokenListModel = (scope: Scope, doctorId: string, date: string, error: TokenListModel['error'] = null): TokenListModel => {
    const tz = zoneOf(scope);
    const rows = queueFor(db, scope.branchId, doctorId, date);
    const patientIds = [...new Set(rows.map((r) => r.patientId))];
    const apptIds = rows.map((r) => r.appointmentId).filter((x): x is string => !!x);
    const patients = new Map<string, { name: string; mrn: string }>();
    if (patientIds.length) {
      // Driven from the id list (primary-key lookups): `id IN (json_each)` lets SQLite pick the
      // branch index and walk every patient (and appointment) of the branch.
      const found = db.query(`SELECT p.id, p.name, p.mrn FROM json_each(?2) j CROSS JOIN patients p ON p.id = j.value WHERE p.branch_id = ?1`).all(scope.branchId, JSON.stringify(patientIds)) as {
        id: string;
        name: string;
        mrn: string;
      }[];
      for (const p of found) patients.set(p.id, p);
    }
    const apptStarts = new Map<string, string>();
    if (apptIds.length) {
      const found = db.query(`SELECT a.id, a.start FROM json_each(?2) j CROSS JOIN appointments a ON a.id = j.value WHERE a.branch_id = ?1`).all(scope.branchId, JSON.stringify(apptIds)) as {
        id: string;
        start: string;
      }[];
      for (const x of found) apptStarts.set(x.id, x.start);
    }
    const canMove = can(scope.role, 'queue.move');
    let position = 0;
    const tokens: QueueToken[] = rows.map((r: TokenRow) => {
      const p = patients.get(r.patientId);
      const forms: QueueToken['forms'] = {};
      if (canMove) for (const m of movesFor(r.state)) forms[m] = randomToken(12);
      const start = r.appointmentId ? apptStarts.get(r.appointmentId) : undefined;
      return {
        id: r.id,
        number: r.number,
        state: r.state,
        priority: r.priority,
        kind: r.kind,
        patientId: r.patientId,
        patientName: p?.name ?? 'Unknown patient',
        mrn: p?.mrn ?? '',
        appointmentId: r.appointmentId,
        appointmentTime: start ? formatTime(start, tz) : null,
        issuedTime: formatTime(r.issuedAt, tz),
        position: r.state === 'waiting' ? ++position : null,
        forms,
      };
    });
    return { doctorId, date, live: date === toLocal(clock.now(), tz).date, tokens, canMove, csrf: pageUser(svc, scope).csrf, error };
  };

  const queuePage = (
    scope: Scope,
    request: Request,
    doctor: DoctorRow,
    date: string,
    opts: { status?: number; q?: string; walkInError?: WalkInModel['error']; priority?: string; tokenError?: TokenListModel['error'] } = {},
  ) => {
    const today = todayOf(scope);
    const canWalkIn = date === today && doctor.active && can(scope.role, 'schedule.book');
    const search = canWalkIn ? searchPick(scope, opts.q ?? '') : null;
    const model: QueuePageModel = {
      doctor: { id: doctor.id, name: doctor.name, specialty: doctor.specialty },
      date,
      today,
      prev: addDays(date, -1),
      next: addDays(date, 1),
      list: tokenListModel(scope, doctor.id, date, opts.tokenError ?? null),
      walkIn: search
        ? {
            q: search.q,
            results: search.items,
            more: search.more,
            formToken: randomToken(18),
            priority: opts.priority ?? 'normal',
            error: opts.walkInError ?? null,
            canRegister: can(scope.role, 'patients.write'),
          }
        : null,
      displayLink: can(scope.role, 'doctors.manage'),
    };
    const status = opts.status ?? 200;
    const headers: Record<string, string> = { ...NO_STORE };
    const flash = status === 200 ? flashOf(request, headers) : null;
    return html(QueuePage({ ...page(scope), flash, model }) as string, status, headers);
  };

  const queueDoctors = (scope: Scope): QueueDoctor[] => {
    const tz = zoneOf(scope);
    const today = toLocal(clock.now(), tz).date;
    const doctors = listDoctors(db, scope.branchId);
    const avail = branchAvailability(db, scope.branchId, today, today);
    const holiday = holidaysBetween(db, scope.branchId, today, today).get(today) ?? null;
    const rows = db
      .query(`SELECT doctor_id, state, count(*) AS n, max(CASE WHEN state = 'called' THEN number END) AS called FROM queue_tokens WHERE branch_id = ? AND date = ? GROUP BY doctor_id, state`)
      .all(scope.branchId, today) as { doctor_id: string; state: string; n: number; called: number | null }[];
    const mine = new Set(doctorsOfUser(db, scope.branchId, scope.userId).map((d) => d.id));
    return doctors.map((d) => {
      const a = avail.get(d.id) ?? { sessions: [], exceptions: [] };
      const sessions = sessionsOn({ date: today, sessions: a.sessions, exceptions: a.exceptions, holiday });
      const of = rows.filter((r) => r.doctor_id === d.id);
      const count = (state: string) => of.find((r) => r.state === state)?.n ?? 0;
      return {
        id: d.id,
        name: d.name,
        specialty: d.specialty,
        sessions: sessions.length ? sessions.map((s) => `${s.start}–${s.end}`).join(', ') : null,
        waiting: count('waiting'),
        called: of.find((r) => r.state === 'called')?.called ?? null,
        done: count('done'),
        mine: mine.has(d.id),
      };
    });
  };

  // ---- the waiting-room display

  const displayModel = (branch: { id: string; name: string; timezone: string }, token: string): DisplayModel => {
    const now = clock.now();
    const local = toLocal(now, branch.timezone);
    const doctors = listDoctors(db, branch.id);
    const avail = branchAvailability(db, branch.id, local.date, local.date);
    const holiday = holidaysBetween(db, branch.id, local.date, local.date).get(local.date) ?? null;
    const tokens = db.query('SELECT id, doctor_id, number, state, priority FROM queue_tokens WHERE branch_id = ? AND date = ? ORDER BY number').all(branch.id, local.date) as {
      id: string;
      doctor_id: string;
      number: number;
      state: TokenRow['state'];
      priority: Priority;
    }[];
    const shown: DisplayDoctor[] = [];
    for (const d of doctors) {
      const mine = tokens.filter((x) => x.doctor_id === d.id);
      const a = avail.get(d.id) ?? { sessions: [], exceptions: [] };
      const working = sessionsOn({ date: local.date, sessions: a.sessions, exceptions: a.exceptions, holiday }).length > 0;
      if (!working && !mine.length) continue;
      const called = mine.find((x) => x.state === 'called');
      const inRoom = mine.find((x) => x.state === 'in_consultation');
      const next = waitingOrder(mine.map((x) => ({ id: x.id, number: x.number, patientId: '', appointmentId: null, priority: x.priority, state: x.state })))
        .slice(0, 4)
        .map((x) => x.number);
      shown.push({
        id: d.id,
        name: d.name,
        specialty: d.specialty,
        now: called?.number ?? inRoom?.number ?? null,
        nowState: called ? 'called' : inRoom ? 'in_consultation' : null,
        next,
      });
    }
    const clinic = clinicName(svc);
    return {
      title: clinic ? `${clinic} · ${branch.name}` : branch.name,
      time: local.time,
      doctors: shown,
      url: `/display?${new URLSearchParams({ branch: branch.id, token })}`,
    };
  };

  const Q = t.Object({
    date: t.Optional(t.String({ maxLength: 20 })),
    week: t.Optional(t.String({ maxLength: 20 })),
    q: t.Optional(t.String({ maxLength: 200 })),
    patient_id: t.Optional(t.String({ maxLength: 60 })),
    doctor_id: t.Optional(t.String({ maxLength: 60 })),
    followup_id: t.Optional(t.String({ maxLength: 60 })),
    start: t.Optional(t.String({ maxLength: 40 })),
    reschedule_date: t.Optional(t.String({ maxLength: 20 })),
    all: t.Optional(t.String({ maxLength: 5 })),
  }, { additionalProperties: true }); // a bookmark with extra parameters still opens
  const hide = { hide: true };

  return (
    new Elysia({ name: 'schedulingPages', seed: svc.kernel.origin })
      .use(guard)
      // ---- the day board, a doctor's week
      .get(
        '/board',
        ({ scope, request, query }) => {
          const board = buildBoard(scope, dateParam(query.date, todayOf(scope)));
          const headers: Record<string, string> = { ...NO_STORE };
          const flash = flashOf(request, headers);
          return html(BoardPage({ ...page(scope), flash, board }) as string, 200, headers);
        },
        { auth: 'schedule.read', query: Q, detail: hide },
      )
      .get(
        '/board/doctor/:id',
        ({ scope, request, params, query }) => {
          const doctor = findDoctor(scope, params.id);
          const week = mondayOf(dateParam(query.week ?? query.date, todayOf(scope)));
          const headers: Record<string, string> = { ...NO_STORE };
          const flash = flashOf(request, headers);
          return html(WeekPage({ ...page(scope), flash, model: buildWeek(scope, doctor, week) }) as string, 200, headers);
        },
        { auth: 'schedule.read', query: Q, detail: hide },
      )
      // ---- booking
      .get('/appointments/new', ({ scope, request, query }) => bookingPage(scope, request, query), { auth: 'schedule.book', query: Q, detail: hide })
      .get(
        '/appointments/new/patients',
        ({ scope, query }) => {
          const s = searchPick(scope, query.q ?? '');
          const keep = { doctor_id: query.doctor_id, date: query.date, start: query.start, followup_id: query.followup_id };
          return html(PatientResultsForBooking({ q: s.q, items: s.items, more: s.more, keep, canRegister: can(scope.role, 'patients.write') }) as string, 200, NO_STORE);
        },
        { auth: 'schedule.book', query: Q, detail: hide },
      )
      .get(
        '/appointments/new/slots',
        ({ scope, request, query }) => {
          if (!isHtmx(request)) return redirectWithFlash(bookingUrl({ patient_id: query.patient_id, doctor_id: query.doctor_id, date: query.date, followup_id: query.followup_id }));
          const doctor = findDoctor(scope, query.doctor_id ?? '');
          const date = dateParam(query.date, todayOf(scope));
          const patient = query.patient_id && isUuid(query.patient_id) ? getPatient(db, scope.branchId, query.patient_id) : null;
          const keep: Record<string, string> = {};
          if (patient) keep.patient_id = patient.id;
          if (query.followup_id && isUuid(query.followup_id)) keep.followup_id = query.followup_id;
          const area = slotArea(scope, doctor, date, keep, query.start ?? null, !!patient, null);
          return html(SlotButtons(area) as string, 200, { ...NO_STORE, 'hx-replace-url': bookingUrl({ ...keep, doctor_id: doctor.id, date }) });
        },
        { auth: 'schedule.book', query: Q, detail: hide },
      )
      .post(
        '/appointments',
        ({ scope, request, body }) => {
          const f = formFields(body);
          const values = { mode: f.mode === 'tele' ? 'tele' : 'in_person', note: (f.note ?? '').slice(0, 600) };
          const back: BookingQuery = { patient_id: f.patient_id, doctor_id: f.doctor_id, followup_id: f.followup_id, date: f.date };
          try {
            if (f.mode !== undefined && !(f.mode in MODE)) throw unprocessable('invalid_mode', 'Mode must be in person or tele-consultation', { field: 'mode' });
            if (!f.patient_id) throw unprocessable('unknown_patient', 'Choose the patient first', { field: 'patient_id' });
            if (!f.start) throw unprocessable('invalid_time', 'Click one of the times to book it', { field: 'start' });
            const start = new Date(f.start);
            if (!Number.isNaN(start.getTime()) && isValidDate(toLocal(start, zoneOf(scope)).date)) back.date = toLocal(start, zoneOf(scope)).date;
            const idem = idempotencyOf(scope, request, submission(f), f._form_token || undefined);
            const res = runner.runIdempotent(ctxOf(scope, request), idem, (tx) => {
              const id = bookAppointment(tx, scope, {
                patient_id: f.patient_id,
                doctor_id: f.doctor_id ?? '',
                start: f.start,
                mode: values.mode as AppointmentMode,
                note: values.note.trim() ? values.note : null,
                source: 'desk',
                followup_id: f.followup_id || null,
              });
              return { status: 201, body: { id } };
            });
            const a = getAppointment(db, scope.branchId, res.body.id);
            const tz = zoneOf(scope);
            const who = a ? getPatient(db, scope.branchId, a.patientId)?.name : null;
            const doc = a ? getDoctor(db, scope.branchId, a.doctorId)?.name : null;
            const text = a ? `Booked ${who ?? 'the patient'} with ${doc ?? 'the doctor'} on ${formatDay(a.localDate)} at ${formatTime(a.start, tz)}` : 'Booked';
            return redirectWithFlash(`/appointments/${res.body.id}`, { kind: 'ok', text });
          } catch (e) {
            if (!isFormError(e)) throw e;
            return bookingPage(scope, request, back, e.status, { message: messageOf(e), field: fieldOf(e) }, values);
          }
        },
        { auth: 'schedule.book', detail: hide },
      )
      // ---- one appointment
      .get(
        '/appointments/:id',
        ({ scope, request, params, query }) => {
          const a = findAppointment(scope, params.id);
          const rescheduleDate = query.reschedule_date ? dateParam(query.reschedule_date, '') : undefined;
          return appointmentPage(scope, request, a, { rescheduleDate });
        },
        { auth: 'schedule.read', query: Q, detail: hide },
      )
      .post(
        '/appointments/:id/check-in',
        appointmentAction('check_in', (tx, scope, a, f) => {
          const priority = f.priority ?? 'normal';
          if (!(priority in PRIORITY)) throw unprocessable('invalid_priority', 'Priority must be normal, elderly or emergency', { field: 'priority' });
          const token = checkIn(tx, scope, a.id, priority as Priority);
          return `Checked in: token ${token.number}`;
        }),
        { auth: 'schedule.book', detail: hide },
      )
      .post(
        '/appointments/:id/cancel',
        appointmentAction('cancel', (tx, scope, a, f) => {
          cancelAppointment(tx, scope, a.id, f.reason ?? '');
          return 'Cancelled the appointment';
        }),
        { auth: 'schedule.book', detail: hide },
      )
      .post(
        '/appointments/:id/reschedule',
        appointmentAction('reschedule', (tx, scope, a, f) => {
          if (!f.start) throw unprocessable('invalid_time', 'Click one of the times', { field: 'start' });
          rescheduleAppointment(tx, scope, a.id, f.start);
          const moved = getAppointment(tx.db, scope.branchId, a.id)!;
          return `Moved to ${formatDay(moved.localDate)} at ${formatTime(moved.start, zoneOf(scope))}`;
        }),
        { auth: 'schedule.book', detail: hide },
      )
      .post(
        '/appointments/:id/no-show',
        appointmentAction('no_show', (tx, scope, a) => {
          markNoShow(tx, scope, a.id);
          return 'Marked as a no-show';
        }),
        { auth: 'schedule.book', detail: hide },
      )
      // ---- queues
      .get(
        '/queue',
        ({ scope, request, query }) => {
          const doctors = queueDoctors(scope);
          const mine = doctors.filter((d) => d.mine);
          // A doctor goes straight to their own queue; ?all=1 shows everyone's.
          if (mine.length === 1 && !query.all) return redirectWithFlash(`/queue/${mine[0].id}`);
          const headers: Record<string, string> = { ...NO_STORE };
          const flash = flashOf(request, headers);
          return html(
            QueuePickerPage({ ...page(scope), flash, today: todayOf(scope), doctors, displayLink: can(scope.role, 'doctors.manage') }) as string,
            200,
            headers,
          );
        },
        { auth: 'schedule.read', query: Q, detail: hide },
      )
      .get(
        '/queue/display-link',
        ({ scope, request }) => {
          const branch = getBranch(db, scope.branchId);
          if (!branch) throw notFound('Branch');
          const url = `${new URL(request.url).origin}/display?${new URLSearchParams({ branch: branch.id, token: displayToken(svc.secret, branch.id) })}`;
          return html(DisplayLinkPage({ ...page(scope), flash: null, url, branchName: `${branch.code} · ${branch.name}` }) as string, 200, NO_STORE);
        },
        { auth: 'doctors.manage', detail: hide },
      )
      .get(
        '/queue/:doctorId',
        ({ scope, request, params, query }) => {
          const doctor = findDoctor(scope, params.doctorId);
          return queuePage(scope, request, doctor, dateParam(query.date, todayOf(scope)), { q: query.q });
        },
        { auth: 'schedule.read', query: Q, detail: hide },
      )
      .get(
        '/queue/:doctorId/tokens',
        ({ scope, params, query }) => {
          const doctor = findDoctor(scope, params.doctorId);
          return html(TokenList(tokenListModel(scope, doctor.id, dateParam(query.date, todayOf(scope)))) as string, 200, NO_STORE);
        },
        { auth: 'schedule.read', query: Q, detail: hide },
      )
      .get(
        '/queue/:doctorId/patients',
        ({ scope, params, query }) => {
          findDoctor(scope, params.doctorId);
          const s = searchPick(scope, query.q ?? '');
          return html(WalkInResults({ q: s.q, items: s.items, more: s.more, canRegister: can(scope.role, 'patients.write') }) as string, 200, NO_STORE);
        },
        { auth: 'schedule.book', query: Q, detail: hide },
      )
      .post(
        '/queue/tokens/:tokenId/:move',
        ({ scope, request, params, body }) => {
          const move = params.move as Move;
          const token = MOVES.includes(move) && isUuid(params.tokenId) ? getToken(db, scope.branchId, params.tokenId) : null;
          if (!token) throw notFound('Token');
          const f = formFields(body);
          const htmx = isHtmx(request);
          try {
            const review = (f.review_days ?? '').trim();
            let days: number | null = null;
            if (move === 'complete' && review) {
              days = /^\d{1,3}$/.test(review) ? Number(review) : NaN;
              if (!Number.isInteger(days) || days < 1 || days > 730) {
                throw unprocessable('invalid_due', 'Review in: give a whole number of days from 1 to 730, or leave it empty', { field: 'review_days' });
              }
            }
            const idem = idempotencyOf(scope, request, submission(f), f._form_token || undefined);
            const res = runner.runIdempotent(ctxOf(scope, request), idem, (tx) => {
              moveToken(tx, scope, token.id, move);
              let text = `${MOVED[move]} token ${token.number}`;
              if (days !== null) {
                const id = scheduleFollowup(tx, scope, { patient_id: token.patientId, doctor_id: token.doctorId, in_days: days });
                const due = getFollowup(tx.db, scope.branchId, id)?.dueDate;
                if (due) text += `; review due ${formatDay(due)}`;
              }
              return { status: 200, body: { text } };
            });
            const ok: Flash = { kind: 'ok', text: res.body.text };
            if (htmx) return html(MoveAnswer({ list: tokenListModel(scope, token.doctorId, token.date), message: ok }) as string, 200, NO_STORE);
            return redirectWithFlash(`/queue/${token.doctorId}?date=${token.date}`, ok);
          } catch (e) {
            if (!isFormError(e)) throw e;
            const tokenError = { tokenId: token.id, message: messageOf(e), field: fieldOf(e) === 'review_days' ? 'review_days' : null };
            if (htmx) {
              return html(MoveAnswer({ list: tokenListModel(scope, token.doctorId, token.date, tokenError), message: { kind: 'error', text: messageOf(e) } }) as string, e.status, NO_STORE);
            }
            return queuePage(scope, request, findDoctor(scope, token.doctorId), token.date, { status: e.status, tokenError });
          }
        },
        { auth: 'queue.move', detail: hide },
      )
      .post(
        '/walk-ins',
        ({ scope, request, body }) => {
          const f = formFields(body);
          const doctor = findDoctor(scope, f.doctor_id ?? '');
          const priority = f.priority && f.priority in PRIORITY ? (f.priority as Priority) : 'normal';
          try {
            if (f.priority && !(f.priority in PRIORITY)) throw unprocessable('invalid_priority', 'Priority must be normal, elderly or emergency', { field: 'priority' });
            if (!f.patient_id) throw unprocessable('unknown_patient', 'Search for the patient, then press "Give token"', { field: 'patient_id' });
            const idem = idempotencyOf(scope, request, submission(f), f._form_token || undefined);
            const res = runner.runIdempotent(ctxOf(scope, request), idem, (tx) => {
              const token = issueWalkIn(tx, scope, { patient_id: f.patient_id, doctor_id: doctor.id, priority });
              return { status: 201, body: { number: token.number } };
            });
            const who = getPatient(db, scope.branchId, f.patient_id)?.name ?? 'the patient';
            return redirectWithFlash(`/queue/${doctor.id}`, { kind: 'ok', text: `Token ${res.body.number} for ${who}` });
          } catch (e) {
            if (!isFormError(e)) throw e;
            return queuePage(scope, request, doctor, todayOf(scope), { status: e.status, walkInError: { message: messageOf(e), field: fieldOf(e) }, priority });
          }
        },
        { auth: 'schedule.book', detail: hide },
      )
      // ---- the waiting-room display: no staff login, the branch's display secret instead
      .get(
        '/display',
        ({ request, query }) => {
          const branch = query.branch ? getBranch(db, query.branch) : null;
          // Constant-time check; a wrong or missing secret looks like no page at all.
          if (!branch || !sameToken(query.token, displayToken(svc.secret, branch.id))) throw notFound('Page');
          const model = displayModel(branch, query.token!);
          const headers = { ...NO_STORE, 'x-robots-tag': 'noindex' };
          if (isHtmx(request)) return html(DisplayBoard(model) as string, 200, headers);
          return html(DisplayPage(model) as string, 200, headers);
        },
        { query: t.Object({ branch: t.Optional(t.String({ maxLength: 100 })), token: t.Optional(t.String({ maxLength: 100 })) }, { additionalProperties: true }), detail: hide },
      )
  );
}
