// iCalendar (RFC 5545) text for a doctor's subscription feed, pure: no database, no clock.
// Content lines end in CRLF and are folded at 75 octets without splitting a character (nor,
// where it fits, a grapheme: a Devanagari consonant keeps its vowel sign on one line).
//
// Time zones: events carry DTSTART;TZID=<branch zone> with a VTIMEZONE generated from the
// platform's zone data (Intl, via offsetAt). For each year the feed touches (and the year
// before, so the earliest event is after the first onset) the offset transitions are found
// by scanning day by day and bisecting to the minute. A zone without transitions (IST) gets
// one STANDARD; a zone whose transitions follow the same "nth/last weekday of a month" rule
// every year (Europe/London: last Sunday of March and of October) gets STANDARD + DAYLIGHT
// with RRULEs; any other pattern gets one STANDARD/DAYLIGHT per transition, which is as
// valid and exact over the years listed. A zone name Intl does not know falls back to UTC
// times (…Z) with no VTIMEZONE.
import { offsetAt } from './time';

export const PRODID = '-//MyMedic//Clinic Server//EN';

export interface CalendarEvent {
  uid: string;
  /** DTSTAMP: when this version of the event was written. */
  stamp: Date;
  start: Date;
  end: Date;
  summary: string;
  description?: string | null;
  status: 'CONFIRMED' | 'TENTATIVE' | 'CANCELLED';
  sequence: number;
  created?: Date;
  lastModified: Date;
}

export interface CalendarFeed {
  name: string;
  timezone: string;
  /** Years the events fall in (inclusive); the VTIMEZONE covers them. */
  years: { from: number; to: number };
  events: CalendarEvent[];
  /** Suggested refresh interval for clients, in minutes. */
  refreshMinutes?: number;
}

// ---- text

/** A TEXT value escaped per RFC 5545 §3.3.11; control characters other than tab are dropped. */
export function escapeText(s: string): string {
  return s
    .replace(/\r\n|\r|\n/g, '\n')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '')
    .replace(/[\\;,\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

const encoder = new TextEncoder();
const octets = (s: string) => encoder.encode(s).length;
const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/**
 * One content line folded at 75 octets (RFC 5545 §3.1): continuation lines start with a
 * space, lines joined with CRLF (no trailing CRLF). Breaks fall between graphemes; a grapheme
 * longer than a whole line is broken between code points, never inside one.
 */
export function foldLine(line: string): string {
  if (octets(line) <= 75) return line;
  const units: string[] = [];
  for (const { segment } of graphemes.segment(line)) {
    if (octets(segment) <= 74) units.push(segment);
    else units.push(...Array.from(segment));
  }
  const out: string[] = [];
  let current = '';
  let size = 0;
  let limit = 75;
  for (const u of units) {
    const n = octets(u);
    if (size + n > limit) {
      out.push(current);
      current = ' ';
      size = 1;
      limit = 75;
    }
    current += u;
    size += n;
  }
  out.push(current);
  return out.join('\r\n');
}

/** A parameter value, quoted when it holds characters a bare one may not. */
function paramValue(v: string): string {
  const clean = v.replace(/["\u0000-\u001f\u007f]/g, '');
  return /[;:,]/.test(clean) ? `"${clean}"` : clean;
}

export function contentLine(name: string, value: string, params: Record<string, string> = {}): string {
  const p = Object.entries(params)
    .map(([k, v]) => `;${k}=${paramValue(v)}`)
    .join('');
  return foldLine(`${name}${p}:${value}`);
}

// ---- dates

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** 20261201T033000Z */
export function formatUtc(d: Date): string {
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`;
}

/** The wall-clock time of an instant at a UTC offset (ms), as a floating DATE-TIME: 20261201T090000. */
function formatAtOffset(ms: number, offsetMs: number): string {
  return formatUtc(new Date(ms + offsetMs)).slice(0, -1);
}

/** The wall-clock time of an instant in `tz`, for DTSTART;TZID=…: 20261201T090000. */
export function formatLocal(d: Date, tz: string): string {
  return formatAtOffset(d.getTime(), offsetAt(d.getTime(), tz));
}

/** A UTC offset for TZOFFSETFROM/TO: +0530, -0400, +0000. */
export function formatOffset(ms: number): string {
  const sign = ms < 0 ? '-' : '+';
  const total = Math.round(Math.abs(ms) / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return `${sign}${pad(h)}${pad(m)}${s ? pad(s) : ''}`;
}

// ---- time zones

export function isKnownZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export interface Transition {
  /** First instant of the new offset. */
  at: number;
  from: number;
  to: number;
}

const DAY = 86_400_000;
const MINUTE = 60_000;

/** The offset changes of `tz` during a calendar year (UTC), to the minute. */
export function transitionsIn(tz: string, year: number): Transition[] {
  const out: Transition[] = [];
  const end = Date.UTC(year + 1, 0, 1);
  let t = Date.UTC(year, 0, 1);
  let off = offsetAt(t, tz);
  while (t < end) {
    const next = Math.min(t + DAY, end);
    const nextOff = offsetAt(next, tz);
    if (nextOff !== off) {
      // Bisect to the first minute with the new offset.
      let lo = t;
      let hi = next;
      while (hi - lo > MINUTE) {
        const mid = lo + Math.floor((hi - lo) / 2 / MINUTE) * MINUTE;
        if (offsetAt(mid, tz) === off) lo = mid;
        else hi = mid;
      }
      out.push({ at: hi, from: off, to: offsetAt(hi, tz) });
    }
    t = next;
    off = nextOff;
  }
  return out;
}

const WEEKDAY_CODES = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];

interface Onset {
  kind: 'STANDARD' | 'DAYLIGHT';
  /** Local wall-clock time of the onset, in the offset before it: DTSTART. */
  local: string;
  from: number;
  to: number;
  /** The yearly rule it follows, e.g. FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU. */
  rule: string;
  /** What must be equal for two years to share the rule. */
  key: string;
}

function onsetOf(t: Transition): Onset {
  const wall = new Date(t.at + t.from);
  const y = wall.getUTCFullYear();
  const m = wall.getUTCMonth() + 1;
  const d = wall.getUTCDate();
  const daysInMonth = new Date(Date.UTC(y, m, 0)).getUTCDate();
  const nth = d + 7 > daysInMonth ? -1 : Math.ceil(d / 7);
  const rule = `FREQ=YEARLY;BYMONTH=${m};BYDAY=${nth}${WEEKDAY_CODES[wall.getUTCDay()]}`;
  const local = formatAtOffset(t.at, t.from);
  const kind = t.to > t.from ? 'DAYLIGHT' : 'STANDARD';
  return { kind, local, from: t.from, to: t.to, rule, key: `${kind}|${rule}|${local.slice(8)}|${t.from}|${t.to}` };
}

/** A short name such as IST, BST, GMT; null when the platform only knows "GMT+5:45". */
function zoneAbbreviation(tz: string, at: number): string | null {
  for (const locale of ['en-US', 'en-GB', 'en-IN']) {
    const name = new Intl.DateTimeFormat(locale, { timeZone: tz, timeZoneName: 'short' }).formatToParts(new Date(at)).find((p) => p.type === 'timeZoneName')?.value;
    if (name && /^[A-Z]{2,5}$/.test(name) && !(name === 'GMT' && offsetAt(at, tz) !== 0)) return name;
  }
  return null;
}

function observance(kind: Onset['kind'], dtstart: string, from: number, to: number, name: string | null, rule?: string): string[] {
  return [
    `BEGIN:${kind}`,
    `DTSTART:${dtstart}`,
    ...(rule ? [`RRULE:${rule}`] : []),
    `TZOFFSETFROM:${formatOffset(from)}`,
    `TZOFFSETTO:${formatOffset(to)}`,
    ...(name ? [contentLine('TZNAME', escapeText(name))] : []),
    `END:${kind}`,
  ];
}

const vtimezoneCache = new Map<string, string[]>();

/** The VTIMEZONE lines of `tz` valid for events in years `from`…`to`; null for an unknown zone. */
export function vtimezone(tz: string, from: number, to: number): string[] | null {
  if (!isKnownZone(tz)) return null;
  const cacheKey = `${tz}|${from}|${to}`;
  const hit = vtimezoneCache.get(cacheKey);
  if (hit) return hit;
  const years: number[] = [];
  for (let y = from - 1; y <= to; y++) years.push(y);
  const perYear = years.map((y) => transitionsIn(tz, y).map(onsetOf));
  const all = perYear.flat();
  const lines = ['BEGIN:VTIMEZONE', contentLine('TZID', tz)];
  if (!all.length) {
    const off = offsetAt(Date.UTC(from, 0, 1), tz);
    lines.push(...observance('STANDARD', '19700101T000000', off, off, zoneAbbreviation(tz, Date.UTC(from, 0, 1))));
  } else {
    const first = perYear[0];
    const regular =
      first.length === 2 &&
      first[0].kind !== first[1].kind &&
      perYear.every((onsets) => onsets.length === 2 && onsets.every((o, i) => o.key === first[i].key));
    if (regular) {
      for (const o of first) lines.push(...observance(o.kind, o.local, o.from, o.to, abbreviationAfter(tz, o), o.rule));
    } else {
      for (const o of all) lines.push(...observance(o.kind, o.local, o.from, o.to, abbreviationAfter(tz, o)));
    }
  }
  lines.push('END:VTIMEZONE');
  if (vtimezoneCache.size > 100) vtimezoneCache.clear();
  vtimezoneCache.set(cacheKey, lines);
  return lines;
}

/** The zone's short name just after an onset (the local time is in the old offset). */
function abbreviationAfter(tz: string, o: Onset): string | null {
  const [, y, mo, d, h, mi] = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})/.exec(o.local)!.map(Number);
  const at = Date.UTC(y, mo - 1, d, h, mi) - o.from;
  return zoneAbbreviation(tz, at + MINUTE);
}

// ---- the calendar

export function renderCalendar(feed: CalendarFeed): string {
  const tzLines = vtimezone(feed.timezone, feed.years.from, feed.years.to);
  const when = (d: Date): [string, Record<string, string>] => (tzLines ? [formatLocal(d, feed.timezone), { TZID: feed.timezone }] : [formatUtc(d), {}]);
  const lines: string[] = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    `PRODID:${PRODID}`,
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    contentLine('X-WR-CALNAME', escapeText(feed.name)),
    contentLine('X-WR-TIMEZONE', tzLines ? feed.timezone : 'UTC'),
  ];
  if (feed.refreshMinutes) {
    lines.push(`REFRESH-INTERVAL;VALUE=DURATION:PT${feed.refreshMinutes}M`, `X-PUBLISHED-TTL:PT${feed.refreshMinutes}M`);
  }
  if (tzLines) lines.push(...tzLines);
  for (const e of feed.events) {
    const [start, startParams] = when(e.start);
    const [end, endParams] = when(e.end);
    lines.push(
      'BEGIN:VEVENT',
      contentLine('UID', e.uid),
      `DTSTAMP:${formatUtc(e.stamp)}`,
      contentLine('DTSTART', start, startParams),
      contentLine('DTEND', end, endParams),
      contentLine('SUMMARY', escapeText(e.summary)),
      ...(e.description ? [contentLine('DESCRIPTION', escapeText(e.description))] : []),
      `STATUS:${e.status}`,
      `SEQUENCE:${Math.max(0, Math.floor(e.sequence))}`,
      ...(e.created ? [`CREATED:${formatUtc(e.created)}`] : []),
      `LAST-MODIFIED:${formatUtc(e.lastModified)}`,
      `TRANSP:${e.status === 'CANCELLED' ? 'TRANSPARENT' : 'OPAQUE'}`,
      'END:VEVENT',
    );
  }
  lines.push('END:VCALENDAR');
  return lines.join('\r\n') + '\r\n';
}
