// Per-doctor iCalendar feed: GET /calendar/{doctor_id}.ics?token=… for the doctor's phone or
// desktop calendar. There is no login: the secret token (24 random bytes, issued and revoked
// on the doctor's admin page) is the credential. Only its sha256 is stored; it is compared in
// constant time. A wrong, missing or revoked token, or an unknown doctor, all answer the same
// bare 404. The feed holds the doctor's appointments from 30 days ago to 180 days ahead, the
// cancelled ones marked CANCELLED so subscribed calendars drop them. It shows the patient's
// name and MRN only (no phone, no clinical detail): it ends up on a personal device.
import { timingSafeEqual } from 'node:crypto';
import { Elysia } from 'elysia';
import type { Database } from 'bun:sqlite';
import { isUuid, sha256Hex } from '../core/ids';
import type { authGuard } from '../http/guard';
import type { Services } from '../http/services';
import { getBranch, getClinic } from '../org/queries';
import { type CalendarEvent, renderCalendar } from './ical';
import { addDays, toLocal } from './time';

/** How far back and ahead the feed reaches, in days. */
export const FEED_DAYS_BACK = 30;
export const FEED_DAYS_AHEAD = 180;

const TOKEN_RE = /^[A-Za-z0-9_-]{16,128}$/;
const FILE_RE = /^([0-9a-f-]{36})\.ics$/;

/** The feed's path for a doctor and token (the page makes it absolute with the request's host). */
export function calendarFeedPath(doctorId: string, token: string): string {
  return `/calendar/${doctorId}.ics?token=${encodeURIComponent(token)}`;
}

interface FeedDoctor {
  id: string;
  branch_id: string;
  name: string;
  calendar_token_hash: string | null;
}

interface FeedAppointment {
  id: string;
  start: string;
  end: string;
  mode: 'in_person' | 'tele';
  status: 'booked' | 'checked_in' | 'completed' | 'cancelled' | 'no_show';
  note: string | null;
  cancel_reason: string | null;
  version: number;
  created_at: string;
  updated_at: string;
  patient_name: string | null;
  mrn: string | null;
}

// A hash no token has, compared when there is none, so a missing doctor costs the same.
const NO_HASH = Buffer.from('0'.repeat(64), 'hex');

/** Does `token` hash to the stored hash? Constant time in the token's content. */
export function tokenMatches(token: string, storedHash: string | null): boolean {
  const given = Buffer.from(sha256Hex(token), 'hex');
  const stored = storedHash && /^[0-9a-f]{64}$/.test(storedHash) ? Buffer.from(storedHash, 'hex') : NO_HASH;
  return timingSafeEqual(given, stored) && stored !== NO_HASH;
}

function feedAppointments(db: Database, doctor: FeedDoctor, from: string, to: string): FeedAppointment[] {
  return db
    .query(
      `SELECT a.id, a.start, a."end", a.mode, a.status, a.note, a.cancel_reason, a.version, a.created_at, a.updated_at,
              p.name AS patient_name, p.mrn
         FROM appointments a
         LEFT JOIN patients p ON p.id = a.patient_id AND p.branch_id = a.branch_id
        WHERE a.doctor_id = ? AND a.branch_id = ? AND a.local_date >= ? AND a.local_date <= ?
        ORDER BY a.start, a.id`,
    )
    .all(doctor.id, doctor.branch_id, from, to) as FeedAppointment[];
}

const MODE_LABEL: Record<FeedAppointment['mode'], string> = { in_person: 'In person', tele: 'Tele-consultation' };

export function appointmentEvent(a: FeedAppointment): CalendarEvent {
  const who = a.patient_name ? `${a.patient_name}${a.mrn ? ` (MRN ${a.mrn})` : ''}` : 'Patient';
  const prefix = a.status === 'cancelled' ? 'Cancelled: ' : a.status === 'no_show' ? 'No-show: ' : '';
  const description = [a.note, a.status === 'cancelled' && a.cancel_reason ? `Cancelled: ${a.cancel_reason}` : null].filter(Boolean).join('\n');
  return {
    uid: `${a.id}@mymedic`,
    stamp: new Date(a.updated_at),
    start: new Date(a.start),
    end: new Date(a.end),
    summary: `${prefix}${who} · ${MODE_LABEL[a.mode]}`,
    description: description || null,
    status: a.status === 'cancelled' ? 'CANCELLED' : 'CONFIRMED',
    sequence: a.version,
    created: new Date(a.created_at),
    lastModified: new Date(a.updated_at),
  };
}

const notFound = () => new Response('Not found\n', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' } });

export function calendarRoutes(svc: Services, guard: ReturnType<typeof authGuard>) {
  const { db, clock } = svc.kernel;
  const doctorQuery = db.query('SELECT id, branch_id, name, calendar_token_hash FROM doctors WHERE id = ?');
  return new Elysia({ name: 'calendarRoutes', seed: svc.kernel.origin }).use(guard).get(
    '/calendar/:file',
    ({ params, query }) => {
      const id = FILE_RE.exec(params.file)?.[1];
      const token = typeof query.token === 'string' ? query.token : '';
      if (!id || !isUuid(id) || !TOKEN_RE.test(token)) return notFound();
      const doctor = doctorQuery.get(id) as FeedDoctor | null;
      if (!tokenMatches(token, doctor?.calendar_token_hash ?? null) || !doctor) return notFound();
      const branch = getBranch(db, doctor.branch_id);
      if (!branch) return notFound();
      const now = clock.now();
      const today = toLocal(now, branch.timezone).date;
      const from = addDays(today, -FEED_DAYS_BACK);
      const to = addDays(today, FEED_DAYS_AHEAD);
      const clinic = getClinic(db)?.name ?? 'MyMedic';
      const body = renderCalendar({
        name: `${doctor.name} · ${clinic} ${branch.name}`,
        timezone: branch.timezone,
        years: { from: Number(from.slice(0, 4)), to: Number(to.slice(0, 4)) },
        events: feedAppointments(db, doctor, from, to).map(appointmentEvent),
        refreshMinutes: 15,
      });
      return new Response(body, {
        headers: {
          'content-type': 'text/calendar; charset=utf-8',
          'content-disposition': `inline; filename="mymedic-${doctor.id}.ics"`,
          'cache-control': 'no-store',
        },
      });
    },
    { detail: { hide: true } },
  );
}
