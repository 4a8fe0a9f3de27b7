// Slot computation, pure: a doctor's sessions for a date (weekly sessions, minus leave,
// holidays and cancelled ranges, plus extra sessions), cut into slots of slot_minutes, each
// marked available unless booked, blocked or already past.
import type { AvailabilityException, WeeklySession } from './events';
import { dayToUtc, hhmm, minutesOf, weekdayOf } from './time';

export interface DaySession {
  start: string; // HH:MM local
  end: string;
  extra: boolean;
  walkInAllowance: number;
}

export interface Slot {
  start: Date;
  end: Date;
  local: string; // HH:MM
  available: boolean;
  why?: 'booked' | 'blocked' | 'past';
}

export interface DayInput {
  date: string;
  sessions: readonly WeeklySession[];
  exceptions: readonly AvailabilityException[];
  holiday: string | null;
}

const overlaps = (aStart: number, aEnd: number, bStart: number, bEnd: number) => aStart < bEnd && bStart < aEnd;

/** The sessions a doctor works on a date, in start order; [] on leave or a holiday. */
export function sessionsOn(d: DayInput): DaySession[] {
  if (d.holiday) return [];
  const todays = d.exceptions.filter((e) => e.date === d.date);
  if (todays.some((e) => e.kind === 'leave')) return [];
  const weekday = weekdayOf(d.date);
  const regular: DaySession[] = d.sessions
    .filter((s) => s.weekday === weekday)
    .map((s) => ({ start: s.start, end: s.end, extra: false, walkInAllowance: s.walk_in_allowance ?? 0 }));
  const extra: DaySession[] = todays
    .filter((e) => e.kind === 'extra' && e.start && e.end)
    .map((e) => ({ start: e.start!, end: e.end!, extra: true, walkInAllowance: 0 }));
  const cancelled = todays.filter((e) => e.kind === 'cancelled');
  const kept = regular.filter(
    (s) => !cancelled.some((c) => !c.start || !c.end || overlaps(minutesOf(s.start), minutesOf(s.end), minutesOf(c.start), minutesOf(c.end))),
  );
  return [...kept, ...extra].sort((a, b) => minutesOf(a.start) - minutesOf(b.start));
}

export interface SlotInput extends DayInput {
  timezone: string;
  slotMinutes: number;
  /** UTC ISO starts of live appointments. */
  booked: ReadonlySet<string>;
  now: Date;
}

export function slotsOn(d: SlotInput): Slot[] {
  const blocks = d.exceptions.filter((e) => e.date === d.date && e.kind === 'block' && e.start && e.end);
  const out: Slot[] = [];
  const toUtc = dayToUtc(d.date, d.timezone);
  for (const session of sessionsOn(d)) {
    const endMin = minutesOf(session.end);
    for (let m = minutesOf(session.start); m + d.slotMinutes <= endMin; m += d.slotMinutes) {
      const local = hhmm(m);
      const start = toUtc(m);
      if (!start) continue; // a wall-clock time skipped by DST
      // slot_minutes of real time: across a clock change the wall-clock end would make the
      // slot an hour shorter (dropped) or longer (75 minutes) than it is.
      const end = new Date(start.getTime() + d.slotMinutes * 60_000);
      let why: Slot['why'];
      if (d.booked.has(start.toISOString())) why = 'booked';
      else if (blocks.some((b) => overlaps(m, m + d.slotMinutes, minutesOf(b.start!), minutesOf(b.end!)))) why = 'blocked';
      else if (start.getTime() <= d.now.getTime()) why = 'past';
      out.push({ start, end, local, available: !why, ...(why ? { why } : {}) });
    }
  }
  return out;
}
