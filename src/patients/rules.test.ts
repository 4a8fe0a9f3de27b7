import { describe, expect, test } from 'bun:test';
import { DomainError } from '../core/errors';
import {
  currentAge,
  diffCorrection,
  isValidDate,
  looksLikeSamePerson,
  nameKey,
  normalizePhone,
  type PatientFields,
  type PatientInput,
  validateRegistration,
} from './rules';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError) return `${e.status} ${e.code}`;
    throw e;
  }
  return 'accepted';
}

const TODAY = '2026-03-15';
const base: PatientInput = { name: 'Asha Rao', phone: '98450 12345', sex: 'female', age_years: 34 };

describe('phone numbers', () => {
  const accepted: [string, string][] = [
    ['9845012345', '+919845012345'],
    ['98450 12345', '+919845012345'],
    ['98450-12345', '+919845012345'],
    ['(984) 501-2345', '+919845012345'],
    [' 9845012345 ', '+919845012345'],
    ['+91 98450 12345', '+919845012345'],
    ['+91-98450-12345', '+919845012345'],
    ['+919845012345', '+919845012345'],
    ['09845012345', '+919845012345'],
    ['919845012345', '+919845012345'],
    ['6000000000', '+916000000000'],
    ['+1 415 555 2671', '+14155552671'],
    ['+44 20 7946 0958', '+442079460958'],
    ['+971 50 123 4567', '+971501234567'],
  ];
  test.each(accepted)('%p is stored as %p', (raw, e164) => {
    expect(normalizePhone(raw)).toBe(e164);
  });

  const refused = [
    '',
    '   ',
    '12345',
    '5845012345', // Indian mobiles start with 6-9
    '98450123456', // 11 digits, no prefix
    '984501234', // 9 digits
    '+91 58450 12345', // +91 but not a mobile
    '+91 98450 1234', // +91 with 9 digits
    '919845012', // 91-prefixed but short
    '+12345', // too short to be anything
    '+1234567890123456', // longer than E.164 allows
    'abcdefghij',
    '98450x12345',
    '+91 98450 12345 ext 2',
  ];
  test.each(refused)('%p is refused with 422 invalid_phone', (raw) => {
    expect(codeOf(() => normalizePhone(raw))).toBe('422 invalid_phone');
  });
});

describe('names', () => {
  test('extra spaces are collapsed and the ends trimmed', () => {
    expect(validateRegistration({ ...base, name: '  Asha   Rao \t' }, TODAY).name).toBe('Asha Rao');
  });

  test('Devanagari, accented and emoji-bearing names are kept exactly', () => {
    for (const name of ['राम कुमार', 'किशोर', 'José Núñez', "O'Brien-Smith", 'Priya 🌸 Sharma', 'ಶ್ರೀನಿವಾಸ']) {
      expect(validateRegistration({ ...base, name }, TODAY).name).toBe(name);
    }
  });

  test('names with no letters, control characters or over 120 characters are refused', () => {
    for (const name of ['', '   ', '12345', '🌸🌸', '---', 'Asha\u0000Rao', 'Asha\u0007', 'A'.repeat(121)]) {
      expect(codeOf(() => validateRegistration({ ...base, name }, TODAY))).toBe('422 invalid_name');
    }
    expect(validateRegistration({ ...base, name: 'A'.repeat(120) }, TODAY).name).toHaveLength(120);
  });

  test('the search key ignores case, dots and Latin accents but keeps Indic vowel signs', () => {
    expect(nameKey('Dr. Rao  KUMAR')).toBe('dr rao kumar');
    expect(nameKey('José')).toBe('jose');
    expect(nameKey('राम कुमार')).toBe('राम कुमार');
    expect(nameKey('राम')).not.toBe(nameKey('रम'));
  });
});

describe('dates of birth and ages', () => {
  test.each([
    ['2024-02-29', true],
    ['2023-02-29', false],
    ['2026-02-30', false],
    ['2026-04-31', false],
    ['2026-13-01', false],
    ['2026-00-10', false],
    ['1990-5-7', false],
    ['07-05-1990', false],
    ['1990-05-07T00:00', false],
    ['', false],
  ])('%p is a real date: %p', (s, ok) => {
    expect(isValidDate(s)).toBe(ok);
  });

  test('a date of birth in the future, not a real date or over 130 years ago is refused', () => {
    for (const dob of ['2026-03-16', '2030-01-01', '2026-02-30', '15/03/1990', '1895-03-14']) {
      expect(codeOf(() => validateRegistration({ ...base, age_years: undefined, date_of_birth: dob }, TODAY))).toBe('422 invalid_date_of_birth');
    }
    expect(validateRegistration({ ...base, age_years: undefined, date_of_birth: TODAY }, TODAY).date_of_birth).toBe(TODAY);
  });

  test('a date of birth wins over an age, and the age is then not stored', () => {
    const f = validateRegistration({ ...base, date_of_birth: '1990-05-07', age_years: 12 }, TODAY);
    expect(f).toMatchObject({ date_of_birth: '1990-05-07', age_years: null, age_recorded_on: null });
  });

  test('an age is stored with the day it was told', () => {
    expect(validateRegistration(base, TODAY)).toMatchObject({ date_of_birth: null, age_years: 34, age_recorded_on: TODAY });
  });

  test('ages must be whole years from 0 to 130; one of age or date of birth is required', () => {
    for (const age of [-1, 131, 3.5, Number.NaN]) {
      expect(codeOf(() => validateRegistration({ ...base, age_years: age }, TODAY))).toBe('422 invalid_age');
    }
    expect(validateRegistration({ ...base, age_years: 0 }, TODAY).age_years).toBe(0);
    expect(codeOf(() => validateRegistration({ ...base, age_years: undefined }, TODAY))).toBe('422 age_required');
    expect(codeOf(() => validateRegistration({ ...base, age_years: null, date_of_birth: '' }, TODAY))).toBe('422 age_required');
  });

  test('the age shown grows with time: from the date of birth, or from the age told', () => {
    expect(currentAge({ date_of_birth: '1990-03-15', age_years: null, age_recorded_on: null }, '2026-03-15')).toBe(36);
    expect(currentAge({ date_of_birth: '1990-03-16', age_years: null, age_recorded_on: null }, '2026-03-15')).toBe(35);
    expect(currentAge({ date_of_birth: '2024-02-29', age_years: null, age_recorded_on: null }, '2025-02-28')).toBe(0);
    expect(currentAge({ date_of_birth: '2024-02-29', age_years: null, age_recorded_on: null }, '2025-03-01')).toBe(1);
    expect(currentAge({ date_of_birth: null, age_years: 34, age_recorded_on: '2024-03-15' }, '2026-03-15')).toBe(36);
    expect(currentAge({ date_of_birth: null, age_years: 34, age_recorded_on: '2024-03-16' }, '2026-03-15')).toBe(35);
  });

  test('sex must be male, female or other', () => {
    expect(codeOf(() => validateRegistration({ ...base, sex: 'unknown' as never }, TODAY))).toBe('422 invalid_sex');
  });
});

describe('ABHA numbers and emails', () => {
  test.each([
    ['12-3456-7890-1234', '12-3456-7890-1234'],
    ['12345678901234', '12-3456-7890-1234'],
    ['1234 5678 9012 34', '12-3456-7890-1234'],
    ['', null],
  ])('%p is stored as %p', (raw, stored) => {
    expect(validateRegistration({ ...base, abha_number: raw }, TODAY).abha_number).toBe(stored);
  });

  test.each(['1234567890123', '123456789012345', '12-3456-7890-123A', 'abha@sbx'])('%p is refused', (raw) => {
    expect(codeOf(() => validateRegistration({ ...base, abha_number: raw }, TODAY))).toBe('422 invalid_abha_number');
  });

  test('emails are checked and lower-cased', () => {
    expect(validateRegistration({ ...base, email: ' Asha.Rao@Example.IN ' }, TODAY).email).toBe('asha.rao@example.in');
    expect(codeOf(() => validateRegistration({ ...base, email: 'asha@' }, TODAY))).toBe('422 invalid_email');
  });
});

describe('possible duplicates', () => {
  const asha = validateRegistration(base, TODAY);
  const same = (over: PatientInput) => looksLikeSamePerson(asha, validateRegistration({ ...base, ...over }, TODAY), TODAY);

  test('same name, phone and age is the same person, however the name and phone are typed', () => {
    expect(same({})).toBe(true);
    expect(same({ name: 'asha  RAO', phone: '+91 98450-12345' })).toBe(true);
    expect(same({ age_years: 35 })).toBe(true);
  });

  test('an age two years apart, another name or another phone is someone else', () => {
    expect(same({ age_years: 36 })).toBe(false);
    expect(same({ name: 'Ravi Rao' })).toBe(false); // a family shares a phone
    expect(same({ phone: '98450 99999' })).toBe(false);
  });

  test('dates of birth must match exactly when both are known', () => {
    const a = validateRegistration({ ...base, date_of_birth: '1992-01-01' }, TODAY);
    expect(looksLikeSamePerson(a, validateRegistration({ ...base, date_of_birth: '1992-01-01' }, TODAY), TODAY)).toBe(true);
    expect(looksLikeSamePerson(a, validateRegistration({ ...base, date_of_birth: '1992-01-02' }, TODAY), TODAY)).toBe(false);
    // a known date of birth against an age told: compared as ages
    expect(looksLikeSamePerson(a, validateRegistration({ ...base, age_years: 34 }, TODAY), TODAY)).toBe(true);
  });
});

describe('corrections', () => {
  const current: PatientFields = validateRegistration({ ...base, email: 'a@b.in' }, '2025-03-15');

  test('only the fields that differ are listed, with from and to', () => {
    expect(diffCorrection(current, { phone: '98450 99999', name: 'Asha Rao' }, TODAY)).toEqual({
      phone: { from: '+919845012345', to: '+919845099999' },
    });
  });

  test('giving the same age again changes nothing (not even the day it was told)', () => {
    expect(diffCorrection(current, { age_years: 34 }, TODAY)).toEqual({});
  });

  test('a date of birth replaces the age told', () => {
    expect(diffCorrection(current, { date_of_birth: '1991-01-01' }, TODAY)).toEqual({
      date_of_birth: { from: null, to: '1991-01-01' },
      age_years: { from: 34, to: null },
      age_recorded_on: { from: '2025-03-15', to: null },
    });
  });

  test('clearing an optional field records it as null', () => {
    expect(diffCorrection(current, { email: null }, TODAY)).toEqual({ email: { from: 'a@b.in', to: null } });
  });

  test('corrections are checked like registrations', () => {
    expect(codeOf(() => diffCorrection(current, { phone: '123' }, TODAY))).toBe('422 invalid_phone');
    expect(codeOf(() => diffCorrection(current, { name: ' ' }, TODAY))).toBe('422 invalid_name');
    expect(codeOf(() => diffCorrection(current, { date_of_birth: '2027-01-01' }, TODAY))).toBe('422 invalid_date_of_birth');
  });
});
