// Slot computation, pure: weekly sessions minus leave, holidays and cancellations, plus extra
// sessions, cut into slots in the branch's zone; IST (no DST) and Europe/London (DST).
import { describe, expect, test } from 'bun:test';
import type { AvailabilityException, WeeklySession } from './events';
import { type Slot, type SlotInput, sessionsOn, slotsOn } from './slots';

const MONDAY = '2026-11-30';
const TUESDAY = '2026-12-01';
const SUNDAY = '2026-12-06';
const LONG_AGO = new Date('2020-01-01T00:00:00Z');

const morning: WeeklySession = { weekday: 1, start: '10:00', end: '13:00' };
const evening: WeeklySession = { weekday: 1, start: '17:00', end: '20:00', walk_in_allowance: 6 };

function input(over: Partial<SlotInput> = {}): SlotInput {
  return {
    date: MONDAY,
    sessions: [morning],
    exceptions: [],
    holiday: null,
    timezone: 'Asia/Kolkata',
    slotMinutes: 15,
    booked: new Set(),
    now: LONG_AGO,
    ...over,
  };
}

const iso = (slots: Slot[]) => slots.map((s) => s.start.toISOString());
const locals = (slots: Slot[]) => slots.map((s) => s.local);
const ex = (e: Partial<AvailabilityException> & Pick<AvailabilityException, 'kind'>): AvailabilityException => ({ date: MONDAY, ...e });

describe('IST (Asia/Kolkata, no DST)', () => {
  test('a Monday 10:00–13:00 session with 15-minute slots: 12 slots from 04:30Z', () => {
    const slots = slotsOn(input());
    expect(slots).toHaveLength(12);
    expect(slots[0]).toEqual({ start: new Date('2026-11-30T04:30:00Z'), end: new Date('2026-11-30T04:45:00Z'), local: '10:00', available: true });
    expect(slots[11].start.toISOString()).toBe('2026-11-30T07:15:00.000Z');
    expect(slots[11].end.toISOString()).toBe('2026-11-30T07:30:00.000Z'); // 13:00 IST
    expect(locals(slots)).toEqual(['10:00', '10:15', '10:30', '10:45', '11:00', '11:15', '11:30', '11:45', '12:00', '12:15', '12:30', '12:45']);
    for (const [i, s] of slots.entries()) {
      expect(s.end.getTime() - s.start.getTime()).toBe(15 * 60_000);
      if (i) expect(s.start.getTime()).toBe(slots[i - 1].end.getTime());
    }
  });

  test('only on the session’s weekday', () => {
    expect(slotsOn(input({ date: TUESDAY }))).toEqual([]);
    expect(slotsOn(input({ date: '2026-12-07' }))).toHaveLength(12); // the next Monday
  });

  test('two sessions a day, in start order whatever order they are given in', () => {
    const slots = slotsOn(input({ sessions: [evening, morning] }));
    expect(slots).toHaveLength(24);
    expect(slots[12].local).toBe('17:00');
    expect(slots[12].start.toISOString()).toBe('2026-11-30T11:30:00.000Z');
    expect(sessionsOn(input({ sessions: [evening, morning] }))).toEqual([
      { start: '10:00', end: '13:00', extra: false, walkInAllowance: 0 },
      { start: '17:00', end: '20:00', extra: false, walkInAllowance: 6 },
    ]);
  });

  test('a slot length that does not divide the session: the tail is dropped (10:00–10:50, 15 min → 3)', () => {
    const slots = slotsOn(input({ sessions: [{ weekday: 1, start: '10:00', end: '10:50' }] }));
    expect(locals(slots)).toEqual(['10:00', '10:15', '10:30']);
    expect(slots[2].end.toISOString()).toBe('2026-11-30T05:15:00.000Z'); // 10:45, inside the session
    expect(slotsOn(input({ slotMinutes: 20 }))).toHaveLength(9);
    expect(slotsOn(input({ slotMinutes: 240 }))).toEqual([]); // longer than the session
  });

  test('a leave day has no sessions and no slots', () => {
    const d = input({ sessions: [morning, evening], exceptions: [ex({ kind: 'leave', note: 'conference' })] });
    expect(sessionsOn(d)).toEqual([]);
    expect(slotsOn(d)).toEqual([]);
    // Leave on another date changes nothing.
    expect(slotsOn(input({ exceptions: [ex({ kind: 'leave', date: '2026-12-07' })] }))).toHaveLength(12);
  });

  test('a holiday has no sessions and no slots, extra sessions included', () => {
    const d = input({ holiday: 'Guru Nanak Jayanti', exceptions: [ex({ kind: 'extra', start: '15:00', end: '16:00' })] });
    expect(sessionsOn(d)).toEqual([]);
    expect(slotsOn(d)).toEqual([]);
  });

  test('a cancelled session without a range cancels the whole day', () => {
    expect(slotsOn(input({ sessions: [morning, evening], exceptions: [ex({ kind: 'cancelled' })] }))).toEqual([]);
  });

  test('a cancelled range drops only the sessions it overlaps', () => {
    const d = input({ sessions: [morning, evening], exceptions: [ex({ kind: 'cancelled', start: '17:30', end: '18:00' })] });
    expect(sessionsOn(d).map((s) => s.start)).toEqual(['10:00']);
    expect(slotsOn(d)).toHaveLength(12);
    // Touching is not overlapping: a cancellation 13:00–17:00 leaves both.
    expect(slotsOn(input({ sessions: [morning, evening], exceptions: [ex({ kind: 'cancelled', start: '13:00', end: '17:00' })] }))).toHaveLength(24);
    // One range over both drops both.
    expect(slotsOn(input({ sessions: [morning, evening], exceptions: [ex({ kind: 'cancelled', start: '12:00', end: '18:00' })] }))).toEqual([]);
  });

  test('an extra session adds slots on its date, also on a day without regular sessions', () => {
    const extra = ex({ kind: 'extra', date: SUNDAY, start: '09:00', end: '10:00' });
    const d = input({ date: SUNDAY, exceptions: [extra] });
    expect(sessionsOn(d)).toEqual([{ start: '09:00', end: '10:00', extra: true, walkInAllowance: 0 }]);
    expect(iso(slotsOn(d))).toEqual(['2026-12-06T03:30:00.000Z', '2026-12-06T03:45:00.000Z', '2026-12-06T04:00:00.000Z', '2026-12-06T04:15:00.000Z']);
    // Next to the regular ones, in order.
    const monday = slotsOn(input({ exceptions: [ex({ kind: 'extra', start: '08:00', end: '09:00' })] }));
    expect(monday).toHaveLength(16);
    expect(monday[0].local).toBe('08:00');
    // Not on other dates.
    expect(slotsOn(input({ date: SUNDAY, exceptions: [ex({ kind: 'extra', date: '2026-12-13', start: '09:00', end: '10:00' })] }))).toEqual([]);
  });

  test('an extra session survives a whole-day cancellation of the regular ones', () => {
    const d = input({ exceptions: [ex({ kind: 'cancelled' }), ex({ kind: 'extra', start: '14:00', end: '15:00' })] });
    expect(locals(slotsOn(d))).toEqual(['14:00', '14:15', '14:30', '14:45']);
  });

  test('a block range marks the slots it overlaps as blocked', () => {
    const slots = slotsOn(input({ exceptions: [ex({ kind: 'block', start: '10:30', end: '11:00' })] }));
    expect(slots).toHaveLength(12);
    expect(slots.filter((s) => !s.available).map((s) => [s.local, s.why])).toEqual([
      ['10:30', 'blocked'],
      ['10:45', 'blocked'],
    ]);
    // A block inside one slot blocks that slot; a block between slots touches none.
    const partial = slotsOn(input({ exceptions: [ex({ kind: 'block', start: '10:35', end: '10:40' })] }));
    expect(partial.filter((s) => s.why === 'blocked').map((s) => s.local)).toEqual(['10:30']);
    expect(slotsOn(input({ exceptions: [ex({ kind: 'block', date: TUESDAY, start: '10:00', end: '13:00' })] })).every((s) => s.available)).toBe(true);
  });

  test('booked starts are marked booked', () => {
    const slots = slotsOn(input({ booked: new Set(['2026-11-30T05:00:00.000Z', '2026-11-30T07:15:00.000Z', '2026-11-30T05:05:00.000Z']) }));
    expect(slots.filter((s) => !s.available).map((s) => [s.local, s.why])).toEqual([
      ['10:30', 'booked'],
      ['12:45', 'booked'],
    ]);
    expect(slots).toHaveLength(12);
  });

  test('past slots are marked past relative to now; a slot starting now is past', () => {
    const slots = slotsOn(input({ now: new Date('2026-11-30T05:00:00Z') })); // 10:30 IST
    expect(slots.filter((s) => s.why === 'past').map((s) => s.local)).toEqual(['10:00', '10:15', '10:30']);
    expect(slots.filter((s) => s.available)).toHaveLength(9);
    expect(slotsOn(input({ now: new Date('2026-11-30T05:00:01Z') })).filter((s) => s.available)[0].local).toBe('10:45');
    expect(slotsOn(input({ now: new Date('2026-12-01T00:00:00Z') })).every((s) => s.why === 'past')).toBe(true);
  });

  test('booked wins over blocked, blocked over past', () => {
    const slots = slotsOn(
      input({
        booked: new Set(['2026-11-30T04:30:00.000Z']),
        exceptions: [ex({ kind: 'block', start: '10:00', end: '10:30' })],
        now: new Date('2026-11-30T06:00:00Z'),
      }),
    );
    expect(slots.slice(0, 3).map((s) => s.why)).toEqual(['booked', 'blocked', 'past']);
  });

  test('the weekday is the branch-local weekday, not the UTC one', () => {
    // Monday 00:30–01:30 IST is Sunday 19:00–20:00 UTC.
    const late = { weekday: 1, start: '00:30', end: '01:30' };
    expect(iso(slotsOn(input({ sessions: [late], slotMinutes: 30 })))).toEqual(['2026-11-29T19:00:00.000Z', '2026-11-29T19:30:00.000Z']);
    expect(slotsOn(input({ date: '2026-11-29', sessions: [late], slotMinutes: 30 }))).toEqual([]);
    // Monday 20:00 in New York is Tuesday 01:00 UTC, and still a Monday session.
    const ny = slotsOn(input({ timezone: 'America/New_York', sessions: [{ weekday: 1, start: '20:00', end: '21:00' }], slotMinutes: 30 }));
    expect(iso(ny)).toEqual(['2026-12-01T01:00:00.000Z', '2026-12-01T01:30:00.000Z']);
  });
});

describe('Europe/London (DST)', () => {
  const london = (over: Partial<SlotInput>) => input({ timezone: 'Europe/London', ...over });

  test('a winter (GMT) and a summer (BST) Monday map the same session to different UTC hours', () => {
    const winter = slotsOn(london({ date: '2026-01-12' }));
    const summer = slotsOn(london({ date: '2026-07-13' }));
    expect(winter).toHaveLength(12);
    expect(summer).toHaveLength(12);
    expect(winter[0].start.toISOString()).toBe('2026-01-12T10:00:00.000Z');
    expect(summer[0].start.toISOString()).toBe('2026-07-13T09:00:00.000Z');
    expect(locals(winter)).toEqual(locals(summer));
  });

  const sunday = { weekday: 7, start: '00:30', end: '02:30' };

  test('DST start (Sunday 2026-03-29): no slots in the skipped hour 01:00–02:00', () => {
    const slots = slotsOn(london({ date: '2026-03-29', sessions: [sunday] }));
    expect(slots.map((s) => [s.local, s.start.toISOString(), s.end.toISOString()])).toEqual([
      ['00:30', '2026-03-29T00:30:00.000Z', '2026-03-29T00:45:00.000Z'],
      // Ends at 01:00 GMT, which the wall clock shows as 02:00 BST: still a 15-minute slot.
      ['00:45', '2026-03-29T00:45:00.000Z', '2026-03-29T01:00:00.000Z'],
      ['02:00', '2026-03-29T01:00:00.000Z', '2026-03-29T01:15:00.000Z'],
      ['02:15', '2026-03-29T01:15:00.000Z', '2026-03-29T01:30:00.000Z'],
    ]);
    expect(slots.some((s) => s.local.startsWith('01:'))).toBe(false);
  });

  test('DST end (Sunday 2026-10-25): the repeated hour gives no duplicate or overlapping slots', () => {
    const slots = slotsOn(london({ date: '2026-10-25', sessions: [sunday] }));
    expect(slots.map((s) => [s.local, s.start.toISOString()])).toEqual([
      ['00:30', '2026-10-24T23:30:00.000Z'],
      ['00:45', '2026-10-24T23:45:00.000Z'],
      ['01:00', '2026-10-25T00:00:00.000Z'], // the first 01:00 (BST)
      ['01:15', '2026-10-25T00:15:00.000Z'],
      ['01:30', '2026-10-25T00:30:00.000Z'],
      ['01:45', '2026-10-25T00:45:00.000Z'],
      ['02:00', '2026-10-25T02:00:00.000Z'], // GMT again
      ['02:15', '2026-10-25T02:15:00.000Z'],
    ]);
    expect(new Set(iso(slots)).size).toBe(slots.length);
    for (const [i, s] of slots.entries()) {
      expect(s.end.getTime() - s.start.getTime()).toBe(15 * 60_000); // never a 75-minute slot
      if (i) expect(s.start.getTime()).toBeGreaterThanOrEqual(slots[i - 1].end.getTime());
    }
  });

  test('a normal daytime session on both change days is unaffected apart from the offset', () => {
    const day = { weekday: 7, start: '10:00', end: '11:00' };
    expect(iso(slotsOn(london({ date: '2026-03-29', sessions: [day] })))[0]).toBe('2026-03-29T09:00:00.000Z');
    expect(iso(slotsOn(london({ date: '2026-10-25', sessions: [day] })))[0]).toBe('2026-10-25T10:00:00.000Z');
    // And the day before each change.
    expect(iso(slotsOn(london({ date: '2026-03-28', sessions: [{ ...day, weekday: 6 }] })))[0]).toBe('2026-03-28T10:00:00.000Z');
    expect(iso(slotsOn(london({ date: '2026-10-24', sessions: [{ ...day, weekday: 6 }] })))[0]).toBe('2026-10-24T09:00:00.000Z');
  });

  test('booked and past are compared as UTC instants in London too', () => {
    const slots = slotsOn(london({ date: '2026-07-13', booked: new Set(['2026-07-13T09:15:00.000Z']), now: new Date('2026-07-13T09:00:00Z') }));
    expect(slots.slice(0, 3).map((s) => s.why)).toEqual(['past', 'booked', undefined]);
  });
});

test('a month of slots for a busy doctor is quick (the benchmark target is < 5 ms)', () => {
  const sessions = [1, 2, 3, 4, 5, 6].flatMap((weekday) => [
    { weekday, start: '09:00', end: '13:00' },
    { weekday, start: '16:00', end: '20:00' },
  ]);
  for (const timezone of ['Asia/Kolkata', 'Europe/London']) {
    const run = () => {
      let n = 0;
      for (let day = 1; day <= 31; day++) n += slotsOn(input({ timezone, date: `2026-03-${String(day).padStart(2, '0')}`, sessions, slotMinutes: 10 })).length;
      return n;
    };
    run();
    const t0 = performance.now();
    expect(run()).toBeGreaterThan(1000);
    expect(performance.now() - t0).toBeLessThan(50); // generous for a loaded CI machine
  }
});
