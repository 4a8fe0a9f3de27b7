// Clinic time: sessions and dates are local to the branch's time zone; storage is UTC.
// Converting a local wall-clock time to UTC needs the zone's offset at that moment, which
// Intl gives us; DST zones (a chain's branch in London) are handled, IST has none.
const partFormats = new Map<string, Intl.DateTimeFormat>();

function parts(tz: string): Intl.DateTimeFormat {
  let f = partFormats.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      weekday: 'short',
    });
    partFormats.set(tz, f);
  }
  return f;
}

export interface LocalParts {
  date: string; // YYYY-MM-DD
  time: string; // HH:MM
  weekday: number; // 1 = Monday … 7 = Sunday
  minutes: number; // minutes since local midnight
}

const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

export function toLocal(at: Date, tz: string): LocalParts {
  const p: Record<string, string> = {};
  for (const x of parts(tz).formatToParts(at)) p[x.type] = x.value;
  const time = `${p.hour}:${p.minute}`;
  return { date: `${p.year}-${p.month}-${p.day}`, time, weekday: WEEKDAYS[p.weekday], minutes: Number(p.hour) * 60 + Number(p.minute) };
}

/** Offset of `tz` from UTC at instant `ms`, in milliseconds (IST = +19800000). */
export function offsetAt(ms: number, tz: string): number {
  const p: Record<string, string> = {};
  for (const x of parts(tz).formatToParts(new Date(ms))) p[x.type] = x.value;
  const asUtc = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/**
 * The UTC instant of a local date and time in `tz`, or null when that wall-clock time does
 * not exist there (the hour skipped when DST starts). In the repeated hour when DST ends,
 * the earlier instant is taken.
 */
export function localToUtc(date: string, time: string, tz: string): Date | null {
  const [y, m, d] = date.split('-').map(Number);
  const [hh, mm] = time.split(':').map(Number);
  const naive = Date.UTC(y, m - 1, d, hh, mm);
  // The instant lies within ±14 h of the naive reading (offsets run from -12 to +14 h), so
  // the offsets a day either side are the ones in force before and after any change near it.
  const candidates = new Set([naive - offsetAt(naive, tz), naive - offsetAt(naive - 86_400_000, tz), naive - offsetAt(naive + 86_400_000, tz)]);
  const valid = [...candidates].filter((ms) => {
    const l = toLocal(new Date(ms), tz);
    return l.date === date && l.time === time;
  });
  return valid.length ? new Date(Math.min(...valid)) : null;
}

/**
 * A converter from minutes after local midnight on `date` to UTC. On a day without a clock
 * change (every day in IST) one offset serves the whole day, which makes a month of slots
 * cheap; on a DST change day each time goes through localToUtc.
 */
export function dayToUtc(date: string, tz: string): (minutes: number) => Date | null {
  const [y, m, d] = date.split('-').map(Number);
  const midnight = Date.UTC(y, m - 1, d);
  // One offset serves the day when it holds at both ends of the day it would give: tried
  // with the offsets a day before and a day after (a change at local midnight included).
  let off = offsetAt(midnight - 86_400_000, tz);
  let holdsAtStart = offsetAt(midnight - off, tz) === off;
  if (!holdsAtStart) {
    off = offsetAt(midnight + 2 * 86_400_000, tz);
    holdsAtStart = offsetAt(midnight - off, tz) === off;
  }
  if (holdsAtStart && offsetAt(midnight + 86_400_000 - off - 60_000, tz) === off) {
    const fixed = off;
    return (minutes) => new Date(midnight + minutes * 60_000 - fixed);
  }
  return (minutes) => localToUtc(date, hhmm(minutes), tz);
}

/** ISO weekday (1 = Monday … 7 = Sunday) of a calendar date. */
export function weekdayOf(date: string): number {
  const d = new Date(`${date}T00:00:00Z`).getUTCDay();
  return d === 0 ? 7 : d;
}

export function addDays(date: string, n: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

export function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

export function hhmm(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

export const TIME_RE = /^([01]\d|2[0-3]):[0-5]\d$/;

/** An ISO-8601 instant with offset, rendered in the branch's zone: 2026-12-01T10:30:00+05:30. */
export function isoWithOffset(at: Date, tz: string): string {
  const off = offsetAt(at.getTime(), tz);
  const local = new Date(at.getTime() + off);
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off) / 60000;
  return `${local.toISOString().slice(0, 19)}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
