// Clinic time: local wall-clock ↔ UTC in the branch's zone, checked over whole years
// against a brute-force table built from Intl alone (every 5 minutes of the year, local
// time → the earliest instant showing it).
import { describe, expect, test } from 'bun:test';
import { addDays, dayToUtc, hhmm, isoWithOffset, localToUtc, minutesOf, offsetAt, TIME_RE, toLocal, weekdayOf } from './time';

const TIMES = ['00:00', '00:30', '01:00', '01:30', '02:00', '02:30', '03:00', '09:15', '12:00', '17:45', '23:30', '23:55'];

/** Every local "YYYY-MM-DD HH:MM" (5-minute steps) of `year` → the earliest UTC ms showing it. */
const tables = new Map<string, Map<string, number>>();
function truthTable(tz: string, year: number): Map<string, number> {
  const cached = tables.get(`${tz} ${year}`);
  if (cached) return cached;
  const fmt = new Intl.DateTimeFormat('en-CA', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
  const out = new Map<string, number>();
  for (let t = Date.UTC(year - 1, 11, 30); t < Date.UTC(year + 1, 0, 2); t += 5 * 60_000) {
    const p: Record<string, string> = {};
    for (const x of fmt.formatToParts(t)) p[x.type] = x.value;
    const key = `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
    if (!out.has(key)) out.set(key, t);
  }
  tables.set(`${tz} ${year}`, out);
  return out;
}

function daysOf(year: number): string[] {
  const out: string[] = [];
  for (let d = `${year}-01-01`; d.startsWith(String(year)); d = addDays(d, 1)) out.push(d);
  return out;
}

describe('toLocal', () => {
  test('IST is UTC+05:30 all year, with the local date and weekday', () => {
    expect(toLocal(new Date('2026-12-01T04:30:00Z'), 'Asia/Kolkata')).toEqual({ date: '2026-12-01', time: '10:00', weekday: 2, minutes: 600 });
    expect(toLocal(new Date('2026-06-01T04:30:00Z'), 'Asia/Kolkata')).toEqual({ date: '2026-06-01', time: '10:00', weekday: 1, minutes: 600 });
    // 20:00Z on a Sunday is already Monday in India.
    expect(toLocal(new Date('2026-11-29T20:00:00Z'), 'Asia/Kolkata')).toEqual({ date: '2026-11-30', time: '01:30', weekday: 1, minutes: 90 });
  });

  test('midnight is 00:00, never 24:00', () => {
    expect(toLocal(new Date('2026-11-30T18:30:00Z'), 'Asia/Kolkata').time).toBe('00:00');
    expect(toLocal(new Date('2026-01-01T00:00:00Z'), 'Europe/London')).toEqual({ date: '2026-01-01', time: '00:00', weekday: 4, minutes: 0 });
  });

  test('London is GMT in winter and BST in summer', () => {
    expect(toLocal(new Date('2026-01-12T10:00:00Z'), 'Europe/London').time).toBe('10:00');
    expect(toLocal(new Date('2026-07-13T10:00:00Z'), 'Europe/London').time).toBe('11:00');
  });
});

describe('offsetAt', () => {
  test('IST +5:30; London 0 then +1 at 01:00Z on 2026-03-29 and back at 01:00Z on 2026-10-25', () => {
    expect(offsetAt(Date.UTC(2026, 0, 1), 'Asia/Kolkata')).toBe(19_800_000);
    expect(offsetAt(Date.UTC(2026, 6, 1), 'Asia/Kolkata')).toBe(19_800_000);
    expect(offsetAt(Date.UTC(2026, 2, 29, 0, 59, 59), 'Europe/London')).toBe(0);
    expect(offsetAt(Date.UTC(2026, 2, 29, 1), 'Europe/London')).toBe(3_600_000);
    expect(offsetAt(Date.UTC(2026, 9, 25, 0, 59, 59), 'Europe/London')).toBe(3_600_000);
    expect(offsetAt(Date.UTC(2026, 9, 25, 1), 'Europe/London')).toBe(0);
  });

  test('sub-second instants give the same offset', () => {
    expect(offsetAt(Date.UTC(2026, 0, 1) + 999, 'Asia/Kolkata')).toBe(19_800_000);
    expect(offsetAt(Date.UTC(2026, 6, 1) + 1, 'Europe/London')).toBe(3_600_000);
  });
});

describe('localToUtc', () => {
  test('IST: 10:00 local is 04:30Z', () => {
    expect(localToUtc('2026-12-07', '10:00', 'Asia/Kolkata')!.toISOString()).toBe('2026-12-07T04:30:00.000Z');
    expect(localToUtc('2026-12-07', '00:00', 'Asia/Kolkata')!.toISOString()).toBe('2026-12-06T18:30:00.000Z');
  });

  test('London: the skipped hour does not exist; in the repeated hour the earlier instant is taken', () => {
    expect(localToUtc('2026-03-29', '00:59', 'Europe/London')!.toISOString()).toBe('2026-03-29T00:59:00.000Z');
    expect(localToUtc('2026-03-29', '01:00', 'Europe/London')).toBeNull();
    expect(localToUtc('2026-03-29', '01:30', 'Europe/London')).toBeNull();
    expect(localToUtc('2026-03-29', '02:00', 'Europe/London')!.toISOString()).toBe('2026-03-29T01:00:00.000Z');
    expect(localToUtc('2026-10-25', '01:30', 'Europe/London')!.toISOString()).toBe('2026-10-25T00:30:00.000Z'); // BST, not 01:30Z GMT
    expect(localToUtc('2026-10-25', '02:00', 'Europe/London')!.toISOString()).toBe('2026-10-25T02:00:00.000Z');
  });

  // Zones of a chain abroad with larger offsets: the skipped and repeated hours lie further
  // from the naive UTC reading of the local time.
  test('New York and Sydney on their clock-change days', () => {
    expect(localToUtc('2026-03-08', '01:59', 'America/New_York')!.toISOString()).toBe('2026-03-08T06:59:00.000Z');
    expect(localToUtc('2026-03-08', '02:30', 'America/New_York')).toBeNull();
    expect(localToUtc('2026-03-08', '03:00', 'America/New_York')!.toISOString()).toBe('2026-03-08T07:00:00.000Z');
    expect(localToUtc('2026-03-08', '10:00', 'America/New_York')!.toISOString()).toBe('2026-03-08T14:00:00.000Z');
    expect(localToUtc('2026-11-01', '01:30', 'America/New_York')!.toISOString()).toBe('2026-11-01T05:30:00.000Z');
    expect(localToUtc('2026-04-04', '18:00', 'Australia/Sydney')!.toISOString()).toBe('2026-04-04T07:00:00.000Z');
    expect(localToUtc('2026-04-05', '00:00', 'Australia/Sydney')!.toISOString()).toBe('2026-04-04T13:00:00.000Z');
    expect(localToUtc('2026-04-05', '02:30', 'Australia/Sydney')!.toISOString()).toBe('2026-04-04T15:30:00.000Z');
    expect(localToUtc('2026-10-04', '02:30', 'Australia/Sydney')).toBeNull();
  });

  for (const tz of ['Asia/Kolkata', 'Europe/London', 'America/New_York', 'Australia/Sydney']) {
    test(`${tz}: local → UTC → local round-trips at several times on every day of 2026`, () => {
      const truth = truthTable(tz, 2026);
      let checked = 0;
      for (const date of daysOf(2026)) {
        for (const time of TIMES) {
          const utc = localToUtc(date, time, tz);
          const expected = truth.get(`${date} ${time}`);
          expect({ date, time, utc: utc?.getTime() ?? null }).toEqual({ date, time, utc: expected ?? null });
          if (utc) {
            const back = toLocal(utc, tz);
            expect([back.date, back.time, back.weekday]).toEqual([date, time, weekdayOf(date)]);
            checked++;
          }
        }
      }
      // IST never skips a time; the DST zones skip an hour on one day (times 01:00/01:30 or 02:00/02:30).
      expect(checked).toBe(365 * TIMES.length - (tz === 'Asia/Kolkata' ? 0 : 2));
    });

    test(`${tz}: UTC → local → UTC round-trips every 30 minutes of 2026 (the repeated hour to its earlier instant)`, () => {
      for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2027, 0, 1); t += 30 * 60_000) {
        const l = toLocal(new Date(t), tz);
        const back = localToUtc(l.date, l.time, tz)!.getTime();
        if (back !== t) {
          // Only the second pass through a repeated hour maps back to the first, one hour earlier.
          expect({ t, back: t - back }).toEqual({ t, back: 3_600_000 });
          expect(offsetAt(back, tz) - offsetAt(t, tz)).toBe(3_600_000);
        }
      }
    });
  }
});

describe('dayToUtc (the per-day converter slots use)', () => {
  // Lord Howe changes by 30 minutes; Santiago changes at local midnight (00:00 does not exist).
  for (const tz of ['Asia/Kolkata', 'Europe/London', 'America/New_York', 'Australia/Sydney', 'Australia/Lord_Howe', 'America/Santiago']) {
    test(`${tz}: agrees with the brute-force table on every 5 minutes of every day of 2026`, () => {
      const truth = truthTable(tz, 2026);
      const wrong: string[] = [];
      for (const date of daysOf(2026)) {
        const f = dayToUtc(date, tz);
        for (let m = 0; m < 1440; m += 5) {
          const got = f(m)?.getTime() ?? null;
          const want = truth.get(`${date} ${hhmm(m)}`) ?? null;
          if (got !== want) wrong.push(`${date} ${hhmm(m)}: ${got && new Date(got).toISOString()} ≠ ${want && new Date(want).toISOString()}`);
        }
      }
      expect(wrong.slice(0, 5)).toEqual([]);
    });
  }
});

describe('isoWithOffset', () => {
  test('+05:30 in IST, +00:00 in a London winter, +01:00 in a London summer', () => {
    expect(isoWithOffset(new Date('2026-12-01T05:00:00Z'), 'Asia/Kolkata')).toBe('2026-12-01T10:30:00+05:30');
    expect(isoWithOffset(new Date('2026-01-12T10:00:00Z'), 'Europe/London')).toBe('2026-01-12T10:00:00+00:00');
    expect(isoWithOffset(new Date('2026-07-13T10:00:00Z'), 'Europe/London')).toBe('2026-07-13T11:00:00+01:00');
  });

  test('a negative offset, and the date rolling over', () => {
    expect(isoWithOffset(new Date('2026-01-12T03:00:00Z'), 'America/New_York')).toBe('2026-01-11T22:00:00-05:00');
    expect(isoWithOffset(new Date('2026-11-30T19:00:00Z'), 'Asia/Kolkata')).toBe('2026-12-01T00:30:00+05:30');
    expect(isoWithOffset(new Date('2026-01-01T00:00:00Z'), 'Asia/Kathmandu')).toBe('2026-01-01T05:45:00+05:45');
  });

  test('reads back as the same instant', () => {
    for (const tz of ['Asia/Kolkata', 'Europe/London', 'America/New_York']) {
      for (let t = Date.UTC(2026, 0, 1, 0, 7); t < Date.UTC(2027, 0, 1); t += 7 * 3_600_000 + 13 * 60_000) {
        expect(new Date(isoWithOffset(new Date(t), tz)).getTime()).toBe(Math.floor(t / 1000) * 1000);
      }
    }
  });
});

describe('calendar helpers', () => {
  test('weekdayOf is the ISO weekday of the calendar date, 1 = Monday … 7 = Sunday', () => {
    expect(['2026-11-30', '2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04', '2026-12-05', '2026-12-06'].map(weekdayOf)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(weekdayOf('2026-03-29')).toBe(7);
    expect(weekdayOf('2024-02-29')).toBe(4);
  });

  test('addDays crosses months, years and leap days', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addDays('2026-03-28', 1)).toBe('2026-03-29'); // a DST day is still one day
    expect(addDays('2026-01-01', 365)).toBe('2027-01-01');
  });

  test('minutesOf and hhmm are inverses', () => {
    for (let m = 0; m < 1440; m++) expect(minutesOf(hhmm(m))).toBe(m);
    expect(hhmm(1440)).toBe('24:00');
    expect(minutesOf('09:05')).toBe(545);
  });

  test('TIME_RE accepts HH:MM from 00:00 to 23:59 only', () => {
    for (const ok of ['00:00', '09:30', '23:59', '12:00']) expect(TIME_RE.test(ok)).toBe(true);
    for (const bad of ['24:00', '9:00', '09:60', '09:5', '0900', '09:00:00', ' 09:00', '']) expect(TIME_RE.test(bad)).toBe(false);
  });
});
