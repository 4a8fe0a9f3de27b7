// Pages to manage a branch's doctors (profile, linked staff account, weekly sessions and
// exceptions, calendar subscription link), its holidays, and the recall list of follow-ups.
// Server-rendered forms that work without JavaScript; a refused command re-renders its form
// (422) with the message next to the field or row it is about, and nothing is appended.
import { Elysia } from 'elysia';
import { type AvailabilityProps, AvailabilityPage, type ExceptionRowValues, ExceptionRow, type PreviewDay, type SessionRowValues, SessionRow } from '../../views/doctors/availability';
import { WEEKDAY_NAMES } from '../../views/doctors/common';
import { type DoctorFormValues, DoctorPage, type DoctorPageProps, DoctorsPage, NewDoctorPage, type UserOption } from '../../views/doctors/doctors';
import { HolidaysPage } from '../../views/doctors/holidays';
import { type RecallItem, RecallsPage } from '../../views/doctors/recalls';
import type { FormError } from '../../views/admin/parts';
import { DomainError, notFound, unprocessable } from '../core/errors';
import { isUuid, randomToken } from '../core/ids';
import { actorOf, type Scope } from '../core/scope';
import type { authGuard } from '../http/guard';
import { idempotencyOf } from '../http/idempotency';
import { clinicName, formFields, html, pageUser, redirectWithFlash, takeFlash } from '../http/page';
import { can } from '../http/permissions';
import { infoOf } from '../http/request-info';
import type { Services } from '../http/services';
import { getBranch, listUsers } from '../org/queries';
import { getPatient } from '../patients/queries';
import { isValidDate } from '../patients/rules';
import { calendarFeedPath } from './calendar';
import { cancelFollowup, changeDoctor, declareHoliday, issueCalendarToken, registerDoctor, removeHoliday, revokeCalendarToken, setAvailability, setDoctorActive } from './commands';
import type { AvailabilityException, WeeklySession } from './events';
import { appointmentsOn, availabilityOf, doctorDay, type DoctorRow, followupsDue, getDoctor, getFollowup, holidaysOf, listDoctors } from './queries';
import type { DoctorInput } from './rules';
import { addDays, toLocal } from './time';

const NO_STORE = { 'cache-control': 'no-store' };
const RECALL_LIMIT = 500;
/** Rows a form may carry: the domain's own limits (70 sessions, 1000 exceptions) plus blanks. */
const MAX_ROWS = 1100;

/** A command's refusal as a form error; anything else (404, bugs) goes on to the error page. */
function refusal(e: unknown): FormError {
  if (e instanceof DomainError && e.status < 500 && e.status !== 404 && e.status !== 401 && e.status !== 403) {
    const field = e.details?.field;
    return { message: e.message, field: typeof field === 'string' ? field : null };
  }
  throw e;
}

// ---- form parsing

/** "₹1,250.50", "1250", "Rs. 500" → paise; anything else is refused at the field. */
export function parseRupees(raw: string | undefined): number {
  const s = (raw ?? '').replace(/^\s*(₹|rs\.?|inr)\s*/i, '').replace(/[,\s]/g, '');
  const m = /^(\d{1,7})(?:\.(\d{1,2}))?$/.exec(s);
  if (!m) throw unprocessable('invalid_amount', 'Fee must be an amount in rupees, like 500 or 650.50', { field: 'fee' });
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

const rupeesOf = (paise: number) => (paise % 100 === 0 ? String(paise / 100) : (paise / 100).toFixed(2));

function slotMinutesOf(raw: string | undefined): number {
  const s = (raw ?? '').trim();
  if (!/^\d{1,4}$/.test(s)) throw unprocessable('invalid_slot_minutes', 'Slot length must be a whole number of minutes from 5 to 240, in steps of 5', { field: 'slot_minutes' });
  return Number(s);
}

const languagesOf = (raw: string | undefined) =>
  (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

const DOCTOR_FORM_FIELDS = ['name', 'specialty', 'registration_number', 'slot_minutes', 'fee', 'languages', 'user_id'] as const;

function doctorValuesOf(f: Record<string, string>): DoctorFormValues {
  const v: DoctorFormValues = {};
  for (const k of DOCTOR_FORM_FIELDS) if (f[k] !== undefined) v[k] = f[k].slice(0, 600);
  return v;
}

function doctorValuesOfRow(d: DoctorRow): DoctorFormValues {
  return {
    name: d.name,
    specialty: d.specialty,
    registration_number: d.registrationNumber,
    slot_minutes: String(d.slotMinutes),
    fee: rupeesOf(d.feePaise),
    languages: (JSON.parse(d.languages) as string[]).join(', '),
    user_id: d.userId ?? '',
  };
}

/** Rows of a repeated group, `<prefix>_<key>_<field>`, in the order the form sent them. */
function rowsOf(f: Record<string, string>, prefix: 's' | 'x'): Map<string, Record<string, string>> {
  const rows = new Map<string, Record<string, string>>();
  const re = new RegExp(`^${prefix}_([A-Za-z0-9]{1,16})_([a-z_]{1,10})$`);
  for (const [name, value] of Object.entries(f)) {
    const m = re.exec(name);
    if (!m) continue;
    let row = rows.get(m[1]);
    if (!row) {
      if (rows.size >= MAX_ROWS) throw unprocessable('too_many_rows', 'The form has too many rows', { field: prefix === 's' ? 'sessions' : 'exceptions' });
      rows.set(m[1], (row = {}));
    }
    row[m[2]] = value.slice(0, 300);
  }
  return rows;
}

const newRowKey = () => randomToken(6).replace(/[^A-Za-z0-9]/g, '0');
const blankSession = (): SessionRowValues => ({ key: newRowKey(), weekday: '', start: '', end: '', walk_in: '' });
const blankException = (): ExceptionRowValues => ({ key: newRowKey(), date: '', kind: 'leave', start: '', end: '', note: '', past: false });

interface ParsedAvailability {
  sessionRows: SessionRowValues[];
  exceptionRows: ExceptionRowValues[];
  sessions: WeeklySession[];
  exceptions: AvailabilityException[];
  /** Row key of each entry of `sessions` / `exceptions`, to put a refusal next to its row. */
  sessionKeys: string[];
  exceptionKeys: string[];
}

function parseAvailability(f: Record<string, string>): ParsedAvailability {
  const out: ParsedAvailability = { sessionRows: [], exceptionRows: [], sessions: [], exceptions: [], sessionKeys: [], exceptionKeys: [] };
  for (const [key, r] of rowsOf(f, 's')) {
    if (r.remove === '1') continue;
    const row: SessionRowValues = { key, weekday: (r.weekday ?? '').trim(), start: (r.start ?? '').trim(), end: (r.end ?? '').trim(), walk_in: (r.walk_in ?? '').trim() };
    out.sessionRows.push(row);
    if (!row.start && !row.end) continue; // a blank row
    const walkIn = row.walk_in === '' ? 0 : /^\d{1,4}$/.test(row.walk_in) ? Number(row.walk_in) : Number.NaN;
    out.sessions.push({ weekday: /^\d$/.test(row.weekday) ? Number(row.weekday) : 0, start: row.start.slice(0, 5), end: row.end.slice(0, 5), walk_in_allowance: walkIn });
    out.sessionKeys.push(key);
  }
  for (const [key, r] of rowsOf(f, 'x')) {
    if (r.remove === '1') continue;
    const row: ExceptionRowValues = {
      key,
      date: (r.date ?? '').trim(),
      kind: (r.kind ?? '').trim(),
      start: (r.start ?? '').trim(),
      end: (r.end ?? '').trim(),
      note: (r.note ?? '').trim(),
      past: r.past === '1',
    };
    out.exceptionRows.push(row);
    if (!row.date && !row.start && !row.end && !row.note) continue;
    out.exceptions.push({
      date: row.date,
      kind: row.kind as AvailabilityException['kind'],
      ...(row.start ? { start: row.start.slice(0, 5) } : {}),
      ...(row.end ? { end: row.end.slice(0, 5) } : {}),
      note: row.note || null,
    });
    out.exceptionKeys.push(key);
  }
  return out;
}

/** Where a refusal of setAvailability belongs: a row (by key) and a message worded for the page. */
function placeAvailabilityError(e: FormError, parsed: ParsedAvailability): { rowKey: string | null; rowMessage: string; message: string } {
  const m = /^(sessions|exceptions)(?:\[(\d+)\]|\.(\d+)\.)/.exec(e.field ?? '');
  const dayNames = (s: string) => s.replace(/\bon weekday ([1-7])\b/g, (_, d: string) => `on ${WEEKDAY_NAMES[Number(d)]}`);
  const bare = dayNames(e.message.replace(/^(sessions|exceptions)\[\d+\]:\s*/, ''));
  if (!m) return { rowKey: null, rowMessage: bare, message: bare };
  const kind = m[1] as 'sessions' | 'exceptions';
  const index = Number(m[2] ?? m[3]);
  const key = (kind === 'sessions' ? parsed.sessionKeys : parsed.exceptionKeys)[index] ?? null;
  const rows = kind === 'sessions' ? parsed.sessionRows : parsed.exceptionRows.filter((r) => !r.past);
  const position = rows.findIndex((r) => r.key === key) + 1;
  const where = kind === 'sessions' ? 'Weekly sessions' : 'Exceptions';
  return { rowKey: key, rowMessage: bare, message: position > 0 ? `${where}, row ${position}: ${bare}` : `${where}: ${bare}` };
}

export function doctorAdminPages(svc: Services, guard: ReturnType<typeof authGuard>) {
  const { db, runner, clock } = svc.kernel;

  const zoneOf = (scope: Scope) => getBranch(db, scope.branchId)?.timezone ?? 'Asia/Kolkata';
  const todayOf = (scope: Scope) => toLocal(clock.now(), zoneOf(scope)).date;
  const base = (scope: Scope, request: Request, headers: Record<string, string>) => ({
    user: pageUser(svc, scope),
    clinicName: clinicName(svc),
    flash: takeFlash(request, headers),
  });

  /** A doctor of the caller's branch; another branch's, or a malformed id, is simply not found. */
  const findDoctor = (scope: Scope, id: string): DoctorRow => {
    const d = isUuid(id) ? getDoctor(db, scope.branchId, id) : null;
    if (!d) throw notFound('Doctor');
    return d;
  };

  /** Staff accounts a doctor profile may be linked to: active, role doctor, in this branch. */
  const doctorAccounts = (scope: Scope, current: string | null = null): UserOption[] =>
    listUsers(db, [scope.branchId])
      .filter((u) => (u.role === 'doctor' && u.active && u.branchIds.includes(scope.branchId)) || u.id === current)
      .map((u) => ({ id: u.id, label: `${u.name} (${u.username})${u.active ? '' : ' — disabled'}` }));

  const linkedUserOf = (scope: Scope, raw: string | undefined, current: string | null): string | null => {
    const id = (raw ?? '').trim();
    if (!id) return null;
    if (id === current) return id;
    if (!doctorAccounts(scope).some((u) => u.id === id)) {
      throw unprocessable('invalid_user_id', 'Choose an active staff account with the Doctor role in this branch', { field: 'user_id' });
    }
    return id;
  };

  const doctorInputOf = (scope: Scope, f: Record<string, string>, current: DoctorRow | null): DoctorInput => ({
    name: f.name ?? '',
    specialty: f.specialty ?? '',
    registration_number: f.registration_number ?? '',
    slot_minutes: slotMinutesOf(f.slot_minutes),
    fee: { amount: parseRupees(f.fee), currency: current?.currency ?? 'INR' },
    languages: languagesOf(f.languages),
    user_id: linkedUserOf(scope, f.user_id, current?.userId ?? null),
  });

  // ---- doctors

  const newDoctorPage = (scope: Scope, request: Request, values: DoctorFormValues, err: FormError | null, status: number) => {
    const headers: Record<string, string> = { ...NO_STORE };
    return html(
      NewDoctorPage({ ...base(scope, request, headers), values, users: doctorAccounts(scope), formToken: randomToken(18), err }) as string,
      status,
      headers,
    );
  };

  const doctorPage = (
    scope: Scope,
    request: Request,
    d: DoctorRow,
    opts: { status?: number; values?: DoctorFormValues; err?: DoctorPageProps['err']; feedUrl?: string } = {},
  ) => {
    const headers: Record<string, string> = { ...NO_STORE };
    return html(
      DoctorPage({
        ...base(scope, request, headers),
        doctor: { id: d.id, name: d.name, active: d.active, hasCalendarFeed: d.calendarTokenHash !== null },
        values: opts.values ?? doctorValuesOfRow(d),
        users: doctorAccounts(scope, d.userId),
        err: opts.err,
        feedUrl: opts.feedUrl,
      }) as string,
      opts.status ?? 200,
      headers,
    );
  };

  /** The server's address as the browser reached it, for links that leave the browser (the calendar app). */
  const originOf = (request: Request): string => {
    const url = new URL(request.url);
    const host = request.headers.get('host') ?? '';
    const safeHost = /^([A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(:\d{1,5})?$/.test(host) ? host : url.host;
    const forwarded = svc.config.trustProxy ? request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim() : undefined;
    const proto = forwarded === 'https' || forwarded === 'http' ? forwarded : url.protocol.replace(':', '');
    return `${proto}://${safeHost}`;
  };

  // ---- availability

  const preview = (scope: Scope, d: DoctorRow): PreviewDay[] => {
    const tz = zoneOf(scope);
    const now = clock.now();
    const today = toLocal(now, tz).date;
    const availability = availabilityOf(db, d.id);
    const days: PreviewDay[] = [];
    for (let i = 0; i < 7; i++) {
      const date = addDays(today, i);
      const day = doctorDay(db, d, date, tz, now, availability);
      days.push({
        date,
        holiday: day.holiday,
        leave: availability.exceptions.some((x) => x.date === date && x.kind === 'leave'),
        sessions: day.sessions.map((s) => {
          const inSession = day.slots.filter((x) => x.local >= s.start && x.local < s.end);
          return { start: s.start, end: s.end, extra: s.extra, slots: inSession.length, free: inSession.filter((x) => x.available).length };
        }),
      });
    }
    return days;
  };

  const savedRows = (scope: Scope, d: DoctorRow) => {
    const today = todayOf(scope);
    const a = availabilityOf(db, d.id);
    const sessionRows: SessionRowValues[] = a.sessions.map((s) => ({
      key: newRowKey(),
      weekday: String(s.weekday),
      start: s.start,
      end: s.end,
      walk_in: String(s.walk_in_allowance ?? 0),
    }));
    const exceptionRows: ExceptionRowValues[] = a.exceptions.map((x) => ({
      key: newRowKey(),
      date: x.date,
      kind: x.kind,
      start: x.start ?? '',
      end: x.end ?? '',
      note: x.note ?? '',
      past: x.date < today,
    }));
    return { sessionRows, exceptionRows };
  };

  const availabilityPage = (
    scope: Scope,
    request: Request,
    d: DoctorRow,
    rows: { sessionRows: SessionRowValues[]; exceptionRows: ExceptionRowValues[] },
    opts: { status?: number; error?: string | null; rowErrors?: Record<string, string>; extraSessions?: number; extraExceptions?: number } = {},
  ) => {
    const headers: Record<string, string> = { ...NO_STORE };
    // Blank rows to fill in without JavaScript: three of each, or more when asked.
    const sessions = [...rows.sessionRows, ...Array.from({ length: opts.extraSessions ?? 3 }, blankSession)];
    const exceptions = [...rows.exceptionRows, ...Array.from({ length: opts.extraExceptions ?? 3 }, blankException)];
    const props: AvailabilityProps = {
      ...base(scope, request, headers),
      doctor: { id: d.id, name: d.name, slotMinutes: d.slotMinutes, active: d.active },
      sessions,
      exceptions,
      rowErrors: opts.rowErrors ?? {},
      error: opts.error,
      preview: preview(scope, d),
      timeZone: zoneOf(scope),
    };
    return html(AvailabilityPage(props) as string, opts.status ?? 200, headers);
  };

  // ---- holidays

  const holidaysPage = (scope: Scope, request: Request, opts: { status?: number; values?: { date?: string; name?: string }; err?: FormError | null } = {}) => {
    const headers: Record<string, string> = { ...NO_STORE };
    const today = todayOf(scope);
    return html(
      HolidaysPage({ ...base(scope, request, headers), holidays: holidaysOf(db, scope.branchId, today), values: opts.values ?? {}, err: opts.err, today }) as string,
      opts.status ?? 200,
      headers,
    );
  };

  // ---- recalls

  const recallFilter = (scope: Scope, q: { doctor_id?: string; until?: string }) => {
    const doctorId = q.doctor_id && isUuid(q.doctor_id) && getDoctor(db, scope.branchId, q.doctor_id) ? q.doctor_id : '';
    const until = q.until && isValidDate(q.until) ? q.until : addDays(todayOf(scope), 7);
    return { doctorId, until };
  };

  const recallsPage = (scope: Scope, request: Request, filter: { doctorId: string; until: string }, opts: { status?: number; err?: { id: string; message: string } } = {}) => {
    const headers: Record<string, string> = { ...NO_STORE };
    const today = todayOf(scope);
    const doctors = listDoctors(db, scope.branchId, true);
    const names = new Map(doctors.map((d) => [d.id, d.name]));
    const due = followupsDue(db, scope.branchId, filter.until, filter.doctorId || undefined);
    const dayMs = 86_400_000;
    const items: RecallItem[] = due.slice(0, RECALL_LIMIT).map((f) => {
      const p = getPatient(db, scope.branchId, f.patientId);
      return {
        id: f.id,
        patientId: f.patientId,
        patient: p ? { id: p.id, name: p.name, mrn: p.mrn, phone: p.phone } : null,
        doctor: { id: f.doctorId, name: names.get(f.doctorId) ?? 'Unknown doctor' },
        dueDate: f.dueDate,
        overdueDays: Math.round((Date.parse(`${today}T00:00:00Z`) - Date.parse(`${f.dueDate}T00:00:00Z`)) / dayMs),
        note: f.note,
      };
    });
    return html(
      RecallsPage({
        ...base(scope, request, headers),
        items,
        truncated: due.length > RECALL_LIMIT,
        doctors: doctors.map((d) => ({ id: d.id, name: d.name, active: d.active })),
        filter,
        canBook: can(scope.role, 'schedule.book'),
        err: opts.err,
      }) as string,
      opts.status ?? 200,
      headers,
    );
  };

  const recallsUrl = (filter: { doctorId: string; until: string }) => {
    const q = new URLSearchParams();
    if (filter.doctorId) q.set('doctor_id', filter.doctorId);
    q.set('until', filter.until);
    return `/recalls?${q}`;
  };

  const MANAGE = { auth: 'doctors.manage' as const, detail: { hide: true } };

  return (
    new Elysia({ name: 'doctorAdminPages', seed: svc.kernel.origin })
      .use(guard)
      // ---- doctors
      .get(
        '/admin/doctors',
        ({ scope, request }) => {
          const headers: Record<string, string> = { ...NO_STORE };
          const users = new Map(listUsers(db, [scope.branchId]).map((u) => [u.id, `${u.name} (${u.username})`]));
          const doctors = listDoctors(db, scope.branchId, true).map((d) => ({
            id: d.id,
            name: d.name,
            specialty: d.specialty,
            registrationNumber: d.registrationNumber,
            slotMinutes: d.slotMinutes,
            feePaise: d.feePaise,
            currency: d.currency,
            languages: JSON.parse(d.languages) as string[],
            linkedUser: d.userId ? (users.get(d.userId) ?? 'another branch’s account') : null,
            active: d.active,
          }));
          return html(DoctorsPage({ ...base(scope, request, headers), doctors }) as string, 200, headers);
        },
        MANAGE,
      )
      .get('/admin/doctors/new', ({ scope, request }) => newDoctorPage(scope, request, { slot_minutes: '15' }, null, 200), MANAGE)
      .post(
        '/admin/doctors/new',
        ({ scope, request, body }) => {
          const f = formFields(body);
          const values = doctorValuesOf(f);
          try {
            const input = doctorInputOf(scope, f, null);
            const { _csrf: _c, ...submitted } = f;
            const idem = idempotencyOf(scope, request, submitted, f._form_token || undefined);
            const res = runner.runIdempotent({ actor: actorOf(scope), requestId: infoOf(request).id }, idem, (tx) => ({
              status: 201,
              body: { id: registerDoctor(tx, scope, input) },
            }));
            const d = findDoctor(scope, res.body.id);
            return redirectWithFlash(`/admin/doctors/${d.id}/availability`, { kind: 'ok', text: `${d.name} added. Now set their weekly sessions.` });
          } catch (e) {
            return newDoctorPage(scope, request, values, refusal(e), 422);
          }
        },
        MANAGE,
      )
      .get('/admin/doctors/:id', ({ scope, request, params }) => doctorPage(scope, request, findDoctor(scope, params.id)), MANAGE)
      .post(
        '/admin/doctors/:id',
        ({ scope, request, params, body }) => {
          const d = findDoctor(scope, params.id);
          const f = formFields(body);
          try {
            const input = doctorInputOf(scope, f, d);
            runner.run({ actor: actorOf(scope), requestId: infoOf(request).id }, (tx) => changeDoctor(tx, scope, d.id, input));
          } catch (e) {
            return doctorPage(scope, request, d, { status: 422, values: doctorValuesOf(f), err: { ...refusal(e), form: 'profile' } });
          }
          return redirectWithFlash(`/admin/doctors/${d.id}`, { kind: 'ok', text: 'Profile saved' });
        },
        MANAGE,
      )
      .post(
        '/admin/doctors/:id/deactivate',
        ({ scope, request, params }) => {
          const d = findDoctor(scope, params.id);
          try {
            runner.run({ actor: actorOf(scope), requestId: infoOf(request).id }, (tx) => setDoctorActive(tx, scope, d.id, false));
          } catch (e) {
            return doctorPage(scope, request, d, { status: 422, err: { ...refusal(e), form: 'status' } });
          }
          return redirectWithFlash(`/admin/doctors/${d.id}`, { kind: 'ok', text: `${d.name} is inactive: no new bookings` });
        },
        MANAGE,
      )
      .post(
        '/admin/doctors/:id/reactivate',
        ({ scope, request, params }) => {
          const d = findDoctor(scope, params.id);
          try {
            runner.run({ actor: actorOf(scope), requestId: infoOf(request).id }, (tx) => setDoctorActive(tx, scope, d.id, true));
          } catch (e) {
            return doctorPage(scope, request, d, { status: 422, err: { ...refusal(e), form: 'status' } });
          }
          return redirectWithFlash(`/admin/doctors/${d.id}`, { kind: 'ok', text: `${d.name} is active again` });
        },
        MANAGE,
      )
      .post(
        '/admin/doctors/:id/calendar-token',
        ({ scope, request, params }) => {
          const d = findDoctor(scope, params.id);
          const token = runner.run({ actor: actorOf(scope), requestId: infoOf(request).id }, (tx) => issueCalendarToken(tx, scope, d.id));
          // Shown in this answer only (not via a redirect: the secret must not sit in a cookie).
          return doctorPage(scope, request, findDoctor(scope, d.id), { feedUrl: originOf(request) + calendarFeedPath(d.id, token) });
        },
        MANAGE,
      )
      .post(
        '/admin/doctors/:id/calendar-token/revoke',
        ({ scope, request, params }) => {
          const d = findDoctor(scope, params.id);
          try {
            runner.run({ actor: actorOf(scope), requestId: infoOf(request).id }, (tx) => revokeCalendarToken(tx, scope, d.id));
          } catch (e) {
            return doctorPage(scope, request, d, { status: 422, err: { ...refusal(e), form: 'calendar' } });
          }
          return redirectWithFlash(`/admin/doctors/${d.id}`, { kind: 'ok', text: 'Calendar subscription link revoked: it no longer works' });
        },
        MANAGE,
      )
      // ---- availability
      .get('/admin/doctors/:id/availability', ({ scope, request, params }) => {
        const d = findDoctor(scope, params.id);
        return availabilityPage(scope, request, d, savedRows(scope, d));
      }, MANAGE)
      .get(
        '/admin/doctors/:id/availability/row',
        ({ scope, params, query }) => {
          findDoctor(scope, params.id);
          // One more blank row, for htmx's "add a row" (the page numbers rows only for screen readers).
          const row = query.kind === 'exception' ? ExceptionRow({ r: blankException(), n: 0 }) : SessionRow({ r: blankSession(), n: 0 });
          return html(row as string, 200, NO_STORE);
        },
        MANAGE,
      )
      .post(
        '/admin/doctors/:id/availability',
        ({ scope, request, params, body }) => {
          const d = findDoctor(scope, params.id);
          const f = formFields(body);
          let parsed: ParsedAvailability;
          try {
            parsed = parseAvailability(f);
          } catch (e) {
            return availabilityPage(scope, request, d, savedRows(scope, d), { status: 422, error: refusal(e).message });
          }
          if (f.add_rows === 'sessions' || f.add_rows === 'exceptions') {
            // "More rows" without JavaScript: the form again as typed, nothing saved yet.
            const more = { extraSessions: f.add_rows === 'sessions' ? 6 : 1, extraExceptions: f.add_rows === 'exceptions' ? 6 : 1 };
            return availabilityPage(scope, request, d, parsed, more);
          }
          try {
            runner.run({ actor: actorOf(scope), requestId: infoOf(request).id }, (tx) => setAvailability(tx, scope, d.id, parsed.sessions, parsed.exceptions));
          } catch (e) {
            const placed = placeAvailabilityError(refusal(e), parsed);
            const rowErrors: Record<string, string> = placed.rowKey ? { [placed.rowKey]: placed.rowMessage } : {};
            return availabilityPage(scope, request, d, parsed, { status: 422, error: placed.message, rowErrors, extraSessions: 1, extraExceptions: 1 });
          }
          return redirectWithFlash(`/admin/doctors/${d.id}/availability`, { kind: 'ok', text: `Sessions and exceptions of ${d.name} saved` });
        },
        MANAGE,
      )
      // ---- holidays
      .get('/admin/holidays', ({ scope, request }) => holidaysPage(scope, request), MANAGE)
      .post(
        '/admin/holidays',
        ({ scope, request, body }) => {
          const f = formFields(body);
          const values = { date: (f.date ?? '').slice(0, 20), name: (f.name ?? '').slice(0, 300) };
          try {
            runner.run({ actor: actorOf(scope), requestId: infoOf(request).id }, (tx) => declareHoliday(tx, scope, values.date.trim(), values.name));
          } catch (e) {
            return holidaysPage(scope, request, { status: 422, values, err: refusal(e) });
          }
          const booked = appointmentsOn(db, scope.branchId, { date: values.date.trim() }).filter((a) => ['booked', 'checked_in'].includes(a.status)).length;
          return redirectWithFlash(
            '/admin/holidays',
            booked
              ? { kind: 'warn', text: `Holiday added. ${booked} appointment${booked === 1 ? ' is' : 's are'} booked that day: reschedule or cancel ${booked === 1 ? 'it' : 'them'}.` }
              : { kind: 'ok', text: 'Holiday added' },
          );
        },
        MANAGE,
      )
      .post(
        '/admin/holidays/remove',
        ({ scope, request, body }) => {
          const date = (formFields(body).date ?? '').trim().slice(0, 20);
          try {
            runner.run({ actor: actorOf(scope), requestId: infoOf(request).id }, (tx) => removeHoliday(tx, scope, date));
          } catch (e) {
            if (e instanceof DomainError && e.status === 404) return redirectWithFlash('/admin/holidays', { kind: 'warn', text: 'That holiday was already removed' });
            return holidaysPage(scope, request, { status: 422, err: refusal(e) });
          }
          return redirectWithFlash('/admin/holidays', { kind: 'ok', text: 'Holiday removed' });
        },
        MANAGE,
      )
      // ---- recalls
      .get(
        '/recalls',
        ({ scope, request, query }) => recallsPage(scope, request, recallFilter(scope, query as { doctor_id?: string; until?: string })),
        { auth: 'schedule.read', detail: { hide: true } },
      )
      .post(
        '/recalls/:id/cancel',
        ({ scope, request, params, body }) => {
          const f = formFields(body);
          const filter = recallFilter(scope, f);
          const followup = isUuid(params.id) ? getFollowup(db, scope.branchId, params.id) : null;
          if (!followup) throw notFound('Follow-up');
          const reason = (f.reason ?? '').trim();
          try {
            if (!reason) throw unprocessable('reason_required', 'Give a reason for cancelling this recall', { field: 'reason' });
            runner.run({ actor: actorOf(scope), requestId: infoOf(request).id }, (tx) => cancelFollowup(tx, scope, followup.id, reason));
          } catch (e) {
            return recallsPage(scope, request, filter, { status: 422, err: { id: followup.id, message: refusal(e).message } });
          }
          const p = getPatient(db, scope.branchId, followup.patientId);
          return redirectWithFlash(recallsUrl(filter), { kind: 'ok', text: `Recall of ${p?.name ?? 'the patient'} cancelled` });
        },
        { auth: 'schedule.book', detail: { hide: true } },
      )
  );
}

