// Pure rules of the registry: how names, phones, ages and ABHA numbers are checked and
// normalised, and what counts as a possible duplicate. No database here.
import { unprocessable } from '../core/errors';

export const SEXES = ['male', 'female', 'other'] as const;
export type Sex = (typeof SEXES)[number];

export interface PatientFields {
  name: string;
  phone: string;
  sex: Sex;
  date_of_birth: string | null;
  age_years: number | null;
  age_recorded_on: string | null;
  email: string | null;
  address: string | null;
  abha_number: string | null;
}

export interface PatientInput {
  name?: string;
  phone?: string;
  sex?: Sex;
  date_of_birth?: string | null;
  age_years?: number | null;
  email?: string | null;
  address?: string | null;
  abha_number?: string | null;
}

const CONTROL = /[\u0000-\u001f\u007f]/;

export function cleanName(raw: string): string {
  const name = raw.normalize('NFC').replace(/\s+/g, ' ').trim();
  if (!name) throw unprocessable('invalid_name', 'Name is required', { field: 'name' });
  // A lone surrogate is not text: SQLite would store U+FFFD while the event keeps the escape.
  if (!name.isWellFormed()) throw unprocessable('invalid_name', 'Name contains characters that are not valid text', { field: 'name' });
  if (name.length > 120) throw unprocessable('invalid_name', 'Name is too long (at most 120 characters)', { field: 'name' });
  if (CONTROL.test(name)) throw unprocessable('invalid_name', 'Name must not contain control characters', { field: 'name' });
  if (!/\p{L}/u.test(name)) throw unprocessable('invalid_name', 'Name must contain letters', { field: 'name' });
  return name;
}

/** Lower-case, without dots and extra spaces: "Dr. Rao  Kumar" and "rao kumar" compare by it. */
export function nameKey(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, (m) => (/[\u0300-\u036f]/.test(m) ? '' : m)) // drop Latin accents, keep Indic vowel signs
    .toLowerCase()
    .replace(/[.,'’"()-]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .normalize('NFC');
}

/** Indian numbers to +91XXXXXXXXXX; others must be given with their + country code. */
export function normalizePhone(raw: string): string {
  const s = raw.trim().replace(/[\s\-().]/g, '');
  let e164: string | null = null;
  if (/^\+\d{8,15}$/.test(s)) e164 = s;
  else if (/^[6-9]\d{9}$/.test(s)) e164 = '+91' + s;
  else if (/^0[6-9]\d{9}$/.test(s)) e164 = '+91' + s.slice(1);
  else if (/^91[6-9]\d{9}$/.test(s)) e164 = '+' + s;
  if (!e164 || (e164.startsWith('+91') && !/^\+91[6-9]\d{9}$/.test(e164))) {
    throw unprocessable('invalid_phone', 'Phone must be a 10-digit Indian mobile number, or an international number starting with +', {
      field: 'phone',
    });
  }
  return e164;
}

/** The digits a person types to find a number: "98765 43210" → "9876543210". */
export function phoneDigits(raw: string): string {
  return raw.replace(/\D/g, '');
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isValidDate(s: string): boolean {
  const m = DATE_RE.exec(s);
  if (!m) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

export function yearsBetween(from: string, to: string): number {
  const [fy, fm, fd] = from.split('-').map(Number);
  const [ty, tm, td] = to.split('-').map(Number);
  let years = ty - fy;
  if (tm < fm || (tm === fm && td < fd)) years -= 1;
  return years;
}

/** Age today: from the date of birth, or from the age told at registration plus the years since. */
export function currentAge(p: Pick<PatientFields, 'date_of_birth' | 'age_years' | 'age_recorded_on'>, today: string): number | null {
  if (p.date_of_birth) return yearsBetween(p.date_of_birth, today);
  if (p.age_years !== null && p.age_recorded_on) return p.age_years + Math.max(0, yearsBetween(p.age_recorded_on, today));
  return p.age_years;
}

function cleanDob(dob: string, today: string): string {
  if (!isValidDate(dob)) throw unprocessable('invalid_date_of_birth', 'Date of birth must be a real date, YYYY-MM-DD', { field: 'date_of_birth' });
  if (dob > today) throw unprocessable('invalid_date_of_birth', 'Date of birth cannot be in the future', { field: 'date_of_birth' });
  if (yearsBetween(dob, today) > 130) throw unprocessable('invalid_date_of_birth', 'Date of birth is more than 130 years ago', { field: 'date_of_birth' });
  return dob;
}

function cleanAge(age: number): number {
  if (!Number.isInteger(age) || age < 0 || age > 130) throw unprocessable('invalid_age', 'Age must be a whole number of years from 0 to 130', { field: 'age_years' });
  return age;
}

function optionalText(v: string | null | undefined, field: string, max: number): string | null {
  if (v === undefined || v === null) return null;
  const s = v.normalize('NFC').trim();
  if (!s) return null;
  if (s.length > max) throw unprocessable(`invalid_${field}`, `${field} is too long (at most ${max} characters)`, { field });
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(s) || !s.isWellFormed()) {
    throw unprocessable(`invalid_${field}`, `${field} contains control characters or invalid text`, { field });
  }
  return s;
}

function cleanEmail(v: string | null | undefined): string | null {
  const s = optionalText(v, 'email', 254);
  if (s && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s)) throw unprocessable('invalid_email', 'Email address is not valid', { field: 'email' });
  return s ? s.toLowerCase() : null;
}

/** ABHA number: 14 digits, stored as XX-XXXX-XXXX-XXXX. */
function cleanAbha(v: string | null | undefined): string | null {
  const s = optionalText(v, 'abha_number', 32);
  if (!s) return null;
  const digits = s.replace(/[\s-]/g, '');
  if (!/^\d{14}$/.test(digits)) throw unprocessable('invalid_abha_number', 'ABHA number must have 14 digits', { field: 'abha_number' });
  return `${digits.slice(0, 2)}-${digits.slice(2, 6)}-${digits.slice(6, 10)}-${digits.slice(10)}`;
}

/** Checks a registration; `today` is the branch's local date. */
export function validateRegistration(input: PatientInput, today: string): PatientFields {
  if (input.name === undefined) throw unprocessable('invalid_name', 'Name is required', { field: 'name' });
  if (input.phone === undefined) throw unprocessable('invalid_phone', 'Phone is required', { field: 'phone' });
  if (input.sex === undefined || !SEXES.includes(input.sex)) throw unprocessable('invalid_sex', 'Sex must be male, female or other', { field: 'sex' });
  const hasDob = input.date_of_birth !== undefined && input.date_of_birth !== null && input.date_of_birth !== '';
  const hasAge = input.age_years !== undefined && input.age_years !== null;
  if (!hasDob && !hasAge) throw unprocessable('age_required', 'Give a date of birth or an age in years', { field: 'date_of_birth' });
  const dob = hasDob ? cleanDob(input.date_of_birth!, today) : null;
  return {
    name: cleanName(input.name),
    phone: normalizePhone(input.phone),
    sex: input.sex,
    date_of_birth: dob,
    age_years: dob ? null : cleanAge(input.age_years!),
    age_recorded_on: dob ? null : today,
    email: cleanEmail(input.email),
    address: optionalText(input.address, 'address', 500),
    abha_number: cleanAbha(input.abha_number),
  };
}

export type FieldChanges = Partial<{ [K in keyof PatientFields]: { from: PatientFields[K]; to: PatientFields[K] } }>;

/** The corrections a PATCH asks for, validated, as {field: {from, to}}; unchanged fields left out. */
export function diffCorrection(current: PatientFields, input: PatientInput, today: string): FieldChanges {
  const next: PatientFields = { ...current };
  if (input.name !== undefined) next.name = cleanName(input.name);
  if (input.phone !== undefined) next.phone = normalizePhone(input.phone);
  if (input.sex !== undefined) {
    if (!SEXES.includes(input.sex)) throw unprocessable('invalid_sex', 'Sex must be male, female or other', { field: 'sex' });
    next.sex = input.sex;
  }
  if (input.date_of_birth) {
    next.date_of_birth = cleanDob(input.date_of_birth, today);
    next.age_years = null;
    next.age_recorded_on = null;
  } else if (input.age_years !== undefined && input.age_years !== null) {
    next.date_of_birth = null;
    next.age_years = cleanAge(input.age_years);
    next.age_recorded_on = today;
  } else if (input.date_of_birth === null && input.age_years === undefined && current.date_of_birth) {
    throw unprocessable('age_required', 'Give an age in years when clearing the date of birth', { field: 'date_of_birth' });
  }
  if (input.email !== undefined) next.email = cleanEmail(input.email);
  if (input.address !== undefined) next.address = optionalText(input.address, 'address', 500);
  if (input.abha_number !== undefined) next.abha_number = cleanAbha(input.abha_number);
  if (next.age_years !== null && next.age_years === current.age_years && next.date_of_birth === current.date_of_birth) {
    next.age_recorded_on = current.age_recorded_on; // the age itself did not change
  }
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const k of Object.keys(next) as (keyof PatientFields)[]) {
    if (next[k] !== current[k]) changes[k] = { from: current[k], to: next[k] };
  }
  return changes as FieldChanges;
}

/** Same person? Same name, same phone, and the same date of birth or an age within a year. */
export function looksLikeSamePerson(a: PatientFields, b: PatientFields, today: string): boolean {
  if (nameKey(a.name) !== nameKey(b.name) || a.phone !== b.phone) return false;
  if (a.date_of_birth && b.date_of_birth) return a.date_of_birth === b.date_of_birth;
  const ageA = currentAge(a, today);
  const ageB = currentAge(b, today);
  return ageA !== null && ageB !== null && Math.abs(ageA - ageB) <= 1;
}
