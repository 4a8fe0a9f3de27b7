// The iCalendar generator: text escaping, line folding (UTF-8 safe), CRLF, time zones.
// Where the output's meaning matters it is read back with ical.js, an independent parser.
import { describe, expect, test } from 'bun:test';
import ICAL from 'ical.js';
import { type CalendarEvent, escapeText, foldLine, formatLocal, formatOffset, formatUtc, PRODID, renderCalendar, transitionsIn, vtimezone } from './ical';

const bytes = (s: string) => new TextEncoder().encode(s);
const unfold = (s: string) => s.replace(/\r\n[ \t]/g, '');

/** Physical lines of iCalendar text, split on CRLF at the byte level and decoded strictly. */
function physicalLines(text: string): string[] {
  const b = bytes(text);
  const lines: string[] = [];
  let start = 0;
  for (let i = 0; i < b.length - 1; i++) {
    if (b[i] === 13 && b[i + 1] === 10) {
      lines.push(new TextDecoder('utf-8', { fatal: true }).decode(b.slice(start, i)));
      start = i + 2;
      i++;
    }
  }
  lines.push(new TextDecoder('utf-8', { fatal: true }).decode(b.slice(start)));
  return lines;
}

describe('escapeText', () => {
  test('backslash, semicolon, comma and newlines are escaped; backslash first', () => {
    expect(escapeText('a\\b;c,d\ne')).toBe('a\\\\b\\;c\\,d\\ne');
    expect(escapeText('x\r\ny\rz')).toBe('x\\ny\\nz');
    expect(escapeText('\\n')).toBe('\\\\n');
  });
  test('colons and quotes stay; control characters other than tab are dropped', () => {
    expect(escapeText('Note: "fasting"')).toBe('Note: "fasting"');
    expect(escapeText('a\u0000b\u0007c\td\u007f')).toBe('abc\td');
  });
  test('ical.js reads the escaped text back as it was', () => {
    const text = 'Dr. Rao; follow-up, fasting\nBring reports \\ old ECG';
    const ics = renderCalendar({
      name: 'X',
      timezone: 'Asia/Kolkata',
      years: { from: 2026, to: 2026 },
      events: [event({ summary: text, description: text })],
    });
    const vevent = new ICAL.Component(ICAL.parse(ics)).getFirstSubcomponent('vevent')!;
    expect(vevent.getFirstPropertyValue('summary')).toBe(text);
    expect(vevent.getFirstPropertyValue('description')).toBe(text);
  });
});

describe('foldLine', () => {
  test('a short line is left alone', () => {
    expect(foldLine('SUMMARY:hello')).toBe('SUMMARY:hello');
    const exactly75 = `SUMMARY:${'x'.repeat(67)}`;
    expect(bytes(exactly75).length).toBe(75);
    expect(foldLine(exactly75)).toBe(exactly75);
  });

  test('ASCII: lines of at most 75 octets, continuations start with one space, unfolding restores the line', () => {
    const line = `DESCRIPTION:${'abcdefghij'.repeat(30)}`;
    const folded = foldLine(line);
    const lines = folded.split('\r\n');
    expect(lines.length).toBeGreaterThan(4);
    for (const l of lines) expect(bytes(l).length).toBeLessThanOrEqual(75);
    expect(bytes(lines[0]).length).toBe(75);
    for (const l of lines.slice(1)) expect(l.startsWith(' ')).toBe(true);
    expect(unfold(folded)).toBe(line);
  });

  test('Devanagari names: never split inside a character nor between a consonant and its vowel sign', () => {
    const name = 'श्रीमती राधिका कृष्णमूर्ति अय्यंगार, किशोर कुमार शर्मा, ज्ञानेश्वरी देशपांडे';
    const line = `SUMMARY:${name} (MRN BLR1-000123) · ${name}`;
    const folded = foldLine(line);
    const lines = physicalLines(folded); // throws if any line is not whole UTF-8
    expect(lines.length).toBeGreaterThan(3);
    for (const l of lines) expect(bytes(l).length).toBeLessThanOrEqual(75);
    // A continuation never starts with a combining mark (a vowel sign or virama torn from its consonant).
    for (const l of lines.slice(1)) expect(/^ \p{M}/u.test(l)).toBe(false);
    expect(unfold(folded)).toBe(line);
  });

  test('emoji and other astral characters are never cut between surrogates', () => {
    const line = `SUMMARY:${'😀'.repeat(40)}`;
    const lines = physicalLines(foldLine(line));
    for (const l of lines) {
      expect(bytes(l).length).toBeLessThanOrEqual(75);
      expect(l.includes('\uFFFD')).toBe(false);
    }
    expect(unfold(foldLine(line))).toBe(line);
  });

  test('a grapheme longer than a line is split between code points', () => {
    const cluster = `a${'\u0301'.repeat(60)}`; // 1 + 120 octets in one grapheme
    const line = `SUMMARY:${cluster}`;
    const lines = physicalLines(foldLine(line));
    for (const l of lines) expect(bytes(l).length).toBeLessThanOrEqual(75);
    expect(unfold(foldLine(line))).toBe(line);
  });
});

function event(over: Partial<CalendarEvent> = {}): CalendarEvent {
  return {
    uid: '0190aaaa-0000-7000-8000-000000000001@mymedic',
    stamp: new Date('2026-11-30T10:00:00Z'),
    start: new Date('2026-12-01T04:30:00Z'),
    end: new Date('2026-12-01T04:45:00Z'),
    summary: 'राधा शर्मा (MRN BLR1-000001) · In person',
    status: 'CONFIRMED',
    sequence: 1,
    lastModified: new Date('2026-11-30T10:00:00Z'),
    ...over,
  };
}

describe('dates and offsets', () => {
  test('UTC and local DATE-TIME forms', () => {
    expect(formatUtc(new Date('2026-12-01T04:30:05Z'))).toBe('20261201T043005Z');
    expect(formatLocal(new Date('2026-12-01T04:30:00Z'), 'Asia/Kolkata')).toBe('20261201T100000');
    expect(formatLocal(new Date('2026-07-15T09:00:00Z'), 'Europe/London')).toBe('20260715T100000');
    expect(formatLocal(new Date('2026-12-15T09:00:00Z'), 'Europe/London')).toBe('20261215T090000');
  });
  test('offsets', () => {
    expect(formatOffset(19_800_000)).toBe('+0530');
    expect(formatOffset(0)).toBe('+0000');
    expect(formatOffset(-4 * 3_600_000)).toBe('-0400');
    expect(formatOffset(20_700_000)).toBe('+0545');
  });
  test('London changes its clocks on the last Sundays of March and October at 01:00 UTC', () => {
    expect(transitionsIn('Europe/London', 2026)).toEqual([
      { at: Date.parse('2026-03-29T01:00:00Z'), from: 0, to: 3_600_000 },
      { at: Date.parse('2026-10-25T01:00:00Z'), from: 3_600_000, to: 0 },
    ]);
    expect(transitionsIn('Asia/Kolkata', 2026)).toEqual([]);
  });
});

describe('VTIMEZONE', () => {
  test('Asia/Kolkata: one STANDARD at +0530, no DST', () => {
    const v = vtimezone('Asia/Kolkata', 2026, 2027)!;
    expect(v).toEqual([
      'BEGIN:VTIMEZONE',
      'TZID:Asia/Kolkata',
      'BEGIN:STANDARD',
      'DTSTART:19700101T000000',
      'TZOFFSETFROM:+0530',
      'TZOFFSETTO:+0530',
      'TZNAME:IST',
      'END:STANDARD',
      'END:VTIMEZONE',
    ]);
  });

  test('Europe/London: DAYLIGHT and STANDARD with yearly last-Sunday rules, starting the year before', () => {
    const v = vtimezone('Europe/London', 2026, 2027)!.join('\n');
    expect(v).toContain('BEGIN:DAYLIGHT\nDTSTART:20250330T010000\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\nTZOFFSETFROM:+0000\nTZOFFSETTO:+0100');
    expect(v).toContain('BEGIN:STANDARD\nDTSTART:20251026T020000\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0000');
  });

  test('a year where the rule changed (US 2007) gets one observance per transition, and ical.js reads times right', () => {
    const v = vtimezone('America/New_York', 2007, 2007)!;
    expect(v.some((l) => l.startsWith('RRULE'))).toBe(false);
    expect(v.filter((l) => l === 'BEGIN:DAYLIGHT').length).toBe(2);
    // 2006: first Sunday of April; 2007: second Sunday of March.
    expect(v).toContain('DTSTART:20060402T020000');
    expect(v).toContain('DTSTART:20070311T020000');
    const ics = renderCalendar({
      name: 'NY',
      timezone: 'America/New_York',
      years: { from: 2007, to: 2007 },
      events: [event({ start: new Date('2007-03-20T14:00:00Z'), end: new Date('2007-03-20T14:30:00Z') })],
    });
    const cal = new ICAL.Component(ICAL.parse(ics));
    ICAL.TimezoneService.register(cal.getFirstSubcomponent('vtimezone')!);
    try {
      const start = new ICAL.Event(cal.getFirstSubcomponent('vevent')!).startDate;
      expect(start.toString()).toBe('2007-03-20T10:00:00'); // EDT already (new rule)
      expect(start.toJSDate().toISOString()).toBe('2007-03-20T14:00:00.000Z');
    } finally {
      ICAL.TimezoneService.remove('America/New_York');
    }
  });

  test('an unknown zone has none (the feed falls back to UTC times)', () => {
    expect(vtimezone('Mars/Olympus_Mons', 2026, 2026)).toBeNull();
    const ics = renderCalendar({ name: 'X', timezone: 'Mars/Olympus_Mons', years: { from: 2026, to: 2026 }, events: [event()] });
    expect(ics).not.toContain('VTIMEZONE');
    expect(ics).toContain('\r\nDTSTART:20261201T043000Z\r\n');
    expect(ics).toContain('\r\nX-WR-TIMEZONE:UTC\r\n');
  });
});

describe('renderCalendar', () => {
  const ics = renderCalendar({
    name: 'Dr. Meera Rao · Sunrise Clinic, Indiranagar',
    timezone: 'Asia/Kolkata',
    years: { from: 2026, to: 2027 },
    events: [event(), event({ uid: 'two@mymedic', status: 'CANCELLED', sequence: 3, description: 'Cancelled: patient travelling' })],
    refreshMinutes: 15,
  });

  test('every line ends in CRLF, none is longer than 75 octets, there is no bare LF or CR', () => {
    expect(ics.endsWith('END:VCALENDAR\r\n')).toBe(true);
    expect(/[^\r]\n/.test(ics)).toBe(false);
    expect(/\r[^\n]/.test(ics)).toBe(false);
    for (const l of physicalLines(ics.slice(0, -2))) expect(bytes(l).length).toBeLessThanOrEqual(75);
  });

  test('calendar properties and the events', () => {
    const lines = unfold(ics).split('\r\n');
    expect(lines.slice(0, 5)).toEqual(['BEGIN:VCALENDAR', 'VERSION:2.0', `PRODID:${PRODID}`, 'CALSCALE:GREGORIAN', 'METHOD:PUBLISH']);
    expect(lines).toContain('X-WR-CALNAME:Dr. Meera Rao · Sunrise Clinic\\, Indiranagar');
    expect(lines).toContain('X-WR-TIMEZONE:Asia/Kolkata');
    expect(lines).toContain('DTSTART;TZID=Asia/Kolkata:20261201T100000');
    expect(lines).toContain('DTEND;TZID=Asia/Kolkata:20261201T101500');
    expect(lines).toContain('DTSTAMP:20261130T100000Z');
    expect(lines).toContain('STATUS:CANCELLED');
    expect(lines).toContain('SEQUENCE:3');
    expect(lines).toContain('DESCRIPTION:Cancelled: patient travelling');
  });

  test('ical.js parses it; the start converted to UTC is the booked instant', () => {
    const cal = new ICAL.Component(ICAL.parse(ics));
    expect(cal.getFirstPropertyValue('version')).toBe('2.0');
    expect(cal.getFirstPropertyValue('prodid')).toBe(PRODID);
    const vtz = cal.getFirstSubcomponent('vtimezone')!;
    expect(vtz.getFirstPropertyValue('tzid')).toBe('Asia/Kolkata');
    const tz = new ICAL.Timezone(vtz);
    const ev = new ICAL.Event(cal.getAllSubcomponents('vevent')[0]);
    expect(ev.uid).toBe('0190aaaa-0000-7000-8000-000000000001@mymedic');
    expect(ev.summary).toBe('राधा शर्मा (MRN BLR1-000001) · In person');
    const start = ev.startDate;
    start.zone = tz;
    expect(start.toJSDate().toISOString()).toBe('2026-12-01T04:30:00.000Z');
  });
});
