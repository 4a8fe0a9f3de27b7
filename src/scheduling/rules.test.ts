// Input checks for scheduling, table-driven: doctor profiles, money, slot lengths, weekly
// sessions, dated exceptions, dates and reasons. Each refusal is a 422 with a stable code.
import { describe, expect, test } from 'bun:test';
import { DomainError } from '../core/errors';
import type { AvailabilityException, WeeklySession } from './events';
import { cleanDate, cleanMoney, cleanReason, cleanSlotMinutes, type DoctorInput, validateDoctor, validateExceptions, validateSessions } from './rules';

function refusal(fn: () => unknown): { status: number; code: string; message: string; field: unknown } {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof DomainError)) throw e;
    return { status: e.status, code: e.code, message: e.message, field: e.details?.field };
  }
  throw new Error('expected a refusal');
}

const doctor: DoctorInput = {
  name: 'Dr Meera Rao',
  specialty: 'General Medicine',
  registration_number: 'KMC 12345',
  slot_minutes: 15,
  fee: { amount: 50000, currency: 'INR' },
};

describe('validateDoctor', () => {
  test('a plain profile is kept; languages default to none, user to null', () => {
    expect(validateDoctor(doctor)).toEqual({ ...doctor, languages: [], user_id: null });
  });

  test('text is trimmed, spaces collapsed, NFC-normalised; languages de-duplicated', () => {
    const p = validateDoctor({
      ...doctor,
      name: '  Dr   Meera\tRao ',
      specialty: 'Cafe\u0301 medicine', // e + combining accent
      languages: [' English', 'Kannada', 'English ', '  '],
      user_id: 'u1',
    });
    expect(p.name).toBe('Dr Meera Rao');
    expect(p.specialty).toBe('Café medicine');
    expect(p.languages).toEqual(['English', 'Kannada']);
    expect(p.user_id).toBe('u1');
  });

  const bad: [string, Partial<DoctorInput>, string, string][] = [
    ['empty name', { name: '   ' }, 'invalid_name', 'name'],
    ['name too long', { name: 'x'.repeat(121) }, 'invalid_name', 'name'],
    ['control characters in the name', { name: 'Dr\u0000Rao' }, 'invalid_name', 'name'],
    ['empty specialty', { specialty: '' }, 'invalid_specialty', 'specialty'],
    ['specialty too long', { specialty: 's'.repeat(81) }, 'invalid_specialty', 'specialty'],
    ['empty registration number', { registration_number: ' ' }, 'invalid_registration_number', 'registration_number'],
    ['registration number too long', { registration_number: 'r'.repeat(41) }, 'invalid_registration_number', 'registration_number'],
    ['a language too long', { languages: ['l'.repeat(41)] }, 'invalid_languages', 'languages'],
    ['13 languages', { languages: Array.from({ length: 13 }, (_, i) => `L${i}`) }, 'invalid_languages', 'languages'],
    ['slot of 0 minutes', { slot_minutes: 0 }, 'invalid_slot_minutes', 'slot_minutes'],
    ['slot of 7 minutes', { slot_minutes: 7 }, 'invalid_slot_minutes', 'slot_minutes'],
    ['negative fee', { fee: { amount: -1, currency: 'INR' } }, 'invalid_amount', 'fee'],
    ['fee in lower-case currency', { fee: { amount: 100, currency: 'inr' } }, 'invalid_currency', 'fee'],
  ];
  for (const [what, change, code, field] of bad) {
    test(`${what} → ${code}`, () => {
      expect(refusal(() => validateDoctor({ ...doctor, ...change }))).toMatchObject({ status: 422, code, field });
    });
  }

  test('edge values that are valid', () => {
    expect(validateDoctor({ ...doctor, name: 'x'.repeat(120), languages: Array.from({ length: 12 }, (_, i) => `L${i}`), slot_minutes: 240, fee: { amount: 0, currency: 'INR' } }).slot_minutes).toBe(240);
    expect(validateDoctor({ ...doctor, name: 'डॉ. मीरा राव' }).name).toBe('डॉ. मीरा राव');
  });
});

describe('cleanMoney', () => {
  const cases: [string, { amount: number; currency: string }, string | null][] = [
    ['₹500 in paise', { amount: 50000, currency: 'INR' }, null],
    ['zero', { amount: 0, currency: 'INR' }, null],
    ['the maximum, ₹10,00,000', { amount: 100_000_000, currency: 'INR' }, null],
    ['another currency code', { amount: 1500, currency: 'GBP' }, null],
    ['negative', { amount: -100, currency: 'INR' }, 'invalid_amount'],
    ['fractional paise', { amount: 100.5, currency: 'INR' }, 'invalid_amount'],
    ['over the maximum', { amount: 100_000_001, currency: 'INR' }, 'invalid_amount'],
    ['NaN', { amount: Number.NaN, currency: 'INR' }, 'invalid_amount'],
    ['Infinity', { amount: Number.POSITIVE_INFINITY, currency: 'INR' }, 'invalid_amount'],
    ['a string amount', { amount: '500' as unknown as number, currency: 'INR' }, 'invalid_amount'],
    ["currency 'inr'", { amount: 100, currency: 'inr' }, 'invalid_currency'],
    ['currency of 2 letters', { amount: 100, currency: 'IN' }, 'invalid_currency'],
    ['currency symbol', { amount: 100, currency: '₹' }, 'invalid_currency'],
    ['empty currency', { amount: 100, currency: '' }, 'invalid_currency'],
  ];
  for (const [what, money, code] of cases) {
    test(`${what} → ${code ?? 'ok'}`, () => {
      if (code) expect(refusal(() => cleanMoney(money))).toMatchObject({ status: 422, code, field: 'fee' });
      else expect(cleanMoney(money)).toEqual(money);
    });
  }

  test('the field name is reported, and extra properties are dropped', () => {
    expect(refusal(() => cleanMoney({ amount: -1, currency: 'INR' }, 'deposit')).field).toBe('deposit');
    expect(cleanMoney({ amount: 1, currency: 'INR', extra: true } as never)).toEqual({ amount: 1, currency: 'INR' });
  });
});

describe('cleanSlotMinutes', () => {
  for (const ok of [5, 10, 15, 20, 30, 45, 60, 240]) test(`${ok} is valid`, () => expect(cleanSlotMinutes(ok)).toBe(ok));
  for (const bad of [0, -15, 4, 7, 12.5, 245, 300, Number.NaN]) {
    test(`${bad} → invalid_slot_minutes`, () => expect(refusal(() => cleanSlotMinutes(bad)).code).toBe('invalid_slot_minutes'));
  }
});

describe('validateSessions', () => {
  const s = (weekday: number, start: string, end: string, walk_in_allowance?: number): WeeklySession => ({ weekday, start, end, walk_in_allowance });

  test('valid sessions are sorted by weekday and start, with the walk-in allowance defaulted to 0', () => {
    expect(validateSessions([s(2, '17:00', '20:00'), s(1, '17:00', '20:00', 4), s(1, '10:00', '13:00')])).toEqual([
      { weekday: 1, start: '10:00', end: '13:00', walk_in_allowance: 0 },
      { weekday: 1, start: '17:00', end: '20:00', walk_in_allowance: 4 },
      { weekday: 2, start: '17:00', end: '20:00', walk_in_allowance: 0 },
    ]);
    expect(validateSessions([])).toEqual([]);
  });

  test('back-to-back sessions and the same hours on different days are fine', () => {
    expect(validateSessions([s(1, '10:00', '13:00'), s(1, '13:00', '14:00'), s(2, '10:00', '13:00'), s(7, '00:00', '23:59')])).toHaveLength(4);
  });

  const bad: [string, WeeklySession[], string][] = [
    ['overlap on the same weekday', [s(1, '10:00', '13:00'), s(1, '12:30', '14:00')], 'overlapping_sessions'],
    ['one inside another', [s(3, '09:00', '18:00'), s(3, '10:00', '11:00')], 'overlapping_sessions'],
    ['the same session twice', [s(5, '10:00', '13:00'), s(5, '10:00', '13:00')], 'overlapping_sessions'],
    ['weekday 0', [s(0, '10:00', '13:00')], 'invalid_weekday'],
    ['weekday 8', [s(8, '10:00', '13:00')], 'invalid_weekday'],
    ['weekday 1.5', [s(1.5, '10:00', '13:00')], 'invalid_weekday'],
    ['end before start', [s(1, '13:00', '10:00')], 'invalid_time'],
    ['end equal to start', [s(1, '10:00', '10:00')], 'invalid_time'],
    ['24:00', [s(1, '20:00', '24:00')], 'invalid_time'],
    ['"9:00"', [s(1, '9:00', '13:00')], 'invalid_time'],
    ['seconds', [s(1, '09:00:00', '13:00')], 'invalid_time'],
    ['minutes 60', [s(1, '09:60', '13:00')], 'invalid_time'],
    ['missing end', [{ weekday: 1, start: '09:00' } as WeeklySession], 'invalid_time'],
    ['negative walk-in allowance', [s(1, '10:00', '13:00', -1)], 'invalid_walk_in_allowance'],
    ['huge walk-in allowance', [s(1, '10:00', '13:00', 501)], 'invalid_walk_in_allowance'],
    ['71 sessions', Array.from({ length: 71 }, () => s(1, '10:00', '10:05')), 'too_many_sessions'],
  ];
  for (const [what, sessions, code] of bad) {
    test(`${what} → ${code}`, () => {
      expect(refusal(() => validateSessions(sessions))).toMatchObject({ status: 422, code });
    });
  }

  test('the message names the session and the clash', () => {
    expect(refusal(() => validateSessions([s(1, '10:00', '13:00'), s(1, '12:30', '14:00')])).message).toBe('Sessions 10:00–13:00 and 12:30–14:00 on weekday 1 overlap');
    expect(refusal(() => validateSessions([s(1, '10:00', '13:00'), s(1, '13:00', '10:00')]))).toMatchObject({ field: 'sessions[1]' });
    expect(refusal(() => validateSessions([s(9, '10:00', '13:00')]))).toMatchObject({ field: 'sessions.0.weekday' });
  });
});

describe('validateExceptions', () => {
  const sessions = validateSessions([
    { weekday: 1, start: '10:00', end: '13:00' },
    { weekday: 1, start: '17:00', end: '20:00' },
  ]);
  const MONDAY = '2026-11-30';
  const SUNDAY = '2026-12-06';

  test('each kind, cleaned: leave and whole-day cancellation need no times; notes trimmed', () => {
    const input: AvailabilityException[] = [
      { date: MONDAY, kind: 'leave', note: '  conference  ' },
      { date: '2026-12-07', kind: 'cancelled' },
      { date: '2026-12-14', kind: 'cancelled', start: '17:00', end: '20:00', note: null },
      { date: SUNDAY, kind: 'extra', start: '09:00', end: '12:00' },
      { date: MONDAY, kind: 'extra', start: '14:00', end: '17:00' }, // between the two sessions
      { date: '2026-12-21', kind: 'block', start: '10:30', end: '11:00', note: '' },
    ];
    expect(validateExceptions(input, sessions)).toEqual([
      { date: MONDAY, kind: 'leave', note: 'conference' },
      { date: '2026-12-07', kind: 'cancelled', note: null },
      { date: '2026-12-14', kind: 'cancelled', start: '17:00', end: '20:00', note: null },
      { date: SUNDAY, kind: 'extra', start: '09:00', end: '12:00', note: null },
      { date: MONDAY, kind: 'extra', start: '14:00', end: '17:00', note: null },
      { date: '2026-12-21', kind: 'block', start: '10:30', end: '11:00', note: null },
    ]);
  });

  test('a leave day keeps only date, kind and note (stray times dropped)', () => {
    expect(validateExceptions([{ date: MONDAY, kind: 'leave', start: '10:00', end: '11:00' }], sessions)).toEqual([{ date: MONDAY, kind: 'leave', note: null }]);
  });

  const bad: [string, AvailabilityException[], string][] = [
    ['an extra session overlapping a regular one', [{ date: MONDAY, kind: 'extra', start: '12:00', end: '14:00' }], 'overlapping_sessions'],
    ['an extra session inside a regular one', [{ date: MONDAY, kind: 'extra', start: '18:00', end: '19:00' }], 'overlapping_sessions'],
    [
      'two extra sessions overlapping each other on the same date',
      [
        { date: SUNDAY, kind: 'extra', start: '09:00', end: '11:00' },
        { date: SUNDAY, kind: 'extra', start: '10:30', end: '12:00' },
      ],
      'overlapping_sessions',
    ],
    ['an extra session without times', [{ date: SUNDAY, kind: 'extra' }], 'invalid_time'],
    ['a block without start and end', [{ date: MONDAY, kind: 'block' }], 'invalid_time'],
    ['a block with only a start', [{ date: MONDAY, kind: 'block', start: '10:00' }], 'invalid_time'],
    ['a cancelled range with only an end', [{ date: MONDAY, kind: 'cancelled', end: '12:00' }], 'invalid_time'],
    ['a cancelled range ending before it starts', [{ date: MONDAY, kind: 'cancelled', start: '12:00', end: '10:00' }], 'invalid_time'],
    ['a block at 24:00', [{ date: MONDAY, kind: 'block', start: '23:00', end: '24:00' }], 'invalid_time'],
    ['2026-02-30', [{ date: '2026-02-30', kind: 'leave' }], 'invalid_date'],
    ['2026-13-01', [{ date: '2026-13-01', kind: 'leave' }], 'invalid_date'],
    ['2025-02-29 (not a leap year)', [{ date: '2025-02-29', kind: 'leave' }], 'invalid_date'],
    ['a date without zero padding', [{ date: '2026-1-5', kind: 'leave' }], 'invalid_date'],
    ['a date with a time', [{ date: '2026-01-05T00:00', kind: 'leave' }], 'invalid_date'],
    ['an unknown kind', [{ date: MONDAY, kind: 'vacation' as 'leave' }], 'invalid_kind'],
    ['a note too long', [{ date: MONDAY, kind: 'leave', note: 'n'.repeat(201) }], 'invalid_note'],
  ];
  for (const [what, exceptions, code] of bad) {
    test(`${what} → ${code}`, () => {
      expect(refusal(() => validateExceptions(exceptions, sessions))).toMatchObject({ status: 422, code });
    });
  }

  test('extra sessions on the same date that only touch, or on different dates, are fine', () => {
    expect(
      validateExceptions(
        [
          { date: SUNDAY, kind: 'extra', start: '09:00', end: '11:00' },
          { date: SUNDAY, kind: 'extra', start: '11:00', end: '12:00' },
          { date: '2026-12-13', kind: 'extra', start: '10:00', end: '12:00' },
        ],
        sessions,
      ),
    ).toHaveLength(3);
  });

  test('2024-02-29 is a real date', () => {
    expect(validateExceptions([{ date: '2024-02-29', kind: 'leave' }], sessions)).toHaveLength(1);
  });

  test('the message says which exception and which session', () => {
    expect(refusal(() => validateExceptions([{ date: MONDAY, kind: 'leave' }, { date: MONDAY, kind: 'extra', start: '12:00', end: '14:00' }], sessions))).toMatchObject({
      message: 'exceptions[1]: the extra session overlaps the regular 10:00–13:00 session',
      field: 'exceptions[1]',
    });
  });

  test('more than 1000 exceptions → too_many_exceptions', () => {
    expect(refusal(() => validateExceptions(Array.from({ length: 1001 }, () => ({ date: MONDAY, kind: 'leave' as const })), sessions)).code).toBe('too_many_exceptions');
  });
});

describe('cleanDate and cleanReason', () => {
  test('dates', () => {
    expect(cleanDate('2026-12-25')).toBe('2026-12-25');
    expect(refusal(() => cleanDate('2026-02-30', 'due_date'))).toMatchObject({ code: 'invalid_date', field: 'due_date' });
    expect(refusal(() => cleanDate('25/12/2026')).code).toBe('invalid_date');
  });

  test('reasons: trimmed, empty → null, required when asked', () => {
    expect(cleanReason('  patient   asked ', true)).toBe('patient asked');
    expect(cleanReason('   ', false)).toBeNull();
    expect(cleanReason(undefined, false)).toBeNull();
    expect(cleanReason(null, false)).toBeNull();
    expect(refusal(() => cleanReason(' ', true))).toMatchObject({ code: 'invalid_reason', field: 'reason' });
    expect(refusal(() => cleanReason('x'.repeat(501), false)).code).toBe('invalid_reason');
    expect(refusal(() => cleanReason(null, true, 'name'))).toMatchObject({ code: 'invalid_name', message: 'Give a name' });
  });
});
