// Checks for scheduling input: doctor profiles, weekly sessions, exceptions, dates.
import { unprocessable } from '../core/errors';
import { isValidDate } from '../patients/rules';
import type { AvailabilityException, DoctorProfile, Money, WeeklySession } from './events';
import { minutesOf, TIME_RE, weekdayOf } from './time';

const clean = (s: string) => s.normalize('NFC').replace(/\s+/g, ' ').trim();

function text(v: string, field: string, max: number, required = true): string {
  const s = clean(v);
  if (required && !s) throw unprocessable(`invalid_${field}`, `${field.replace('_', ' ')} is required`, { field });
  if (s.length > max) throw unprocessable(`invalid_${field}`, `${field.replace('_', ' ')} is too long (at most ${max} characters)`, { field });
  if (/[\u0000-\u001f\u007f]/.test(s)) throw unprocessable(`invalid_${field}`, `${field.replace('_', ' ')} contains control characters`, { field });
  return s;
}

export function cleanMoney(m: Money, field = 'fee'): Money {
  if (!Number.isInteger(m.amount) || m.amount < 0 || m.amount > 100_000_000) {
    throw unprocessable('invalid_amount', `${field} must be a whole number of paise from 0 to 10,00,000 rupees`, { field });
  }
  if (!/^[A-Z]{3}$/.test(m.currency)) throw unprocessable('invalid_currency', 'currency must be a 3-letter code such as INR', { field });
  return { amount: m.amount, currency: m.currency };
}

export function cleanSlotMinutes(n: number): number {
  if (!Number.isInteger(n) || n < 5 || n > 240 || n % 5 !== 0) {
    throw unprocessable('invalid_slot_minutes', 'slot_minutes must be a whole number of minutes from 5 to 240, in steps of 5', { field: 'slot_minutes' });
  }
  return n;
}

export interface DoctorInput {
  name: string;
  specialty: string;
  registration_number: string;
  slot_minutes: number;
  fee: Money;
  languages?: string[];
  user_id?: string | null;
}

export function validateDoctor(d: DoctorInput): DoctorProfile {
  const languages = (d.languages ?? []).map((l) => text(l, 'languages', 40, false)).filter(Boolean);
  if (languages.length > 12) throw unprocessable('invalid_languages', 'At most 12 languages', { field: 'languages' });
  return {
    name: text(d.name, 'name', 120),
    specialty: text(d.specialty, 'specialty', 80),
    registration_number: text(d.registration_number, 'registration_number', 40),
    slot_minutes: cleanSlotMinutes(d.slot_minutes),
    fee: cleanMoney(d.fee),
    languages: [...new Set(languages)],
    user_id: d.user_id ?? null,
  };
}

function cleanRange(start: string | undefined, end: string | undefined, where: string): { start: string; end: string } {
  if (!start || !end || !TIME_RE.test(start) || !TIME_RE.test(end)) {
    throw unprocessable('invalid_time', `${where}: start and end must be times like 09:30`, { field: where });
  }
  if (minutesOf(start) >= minutesOf(end)) throw unprocessable('invalid_time', `${where}: the end (${end}) must be after the start (${start})`, { field: where });
  return { start, end };
}

export function validateSessions(sessions: WeeklySession[]): WeeklySession[] {
  if (sessions.length > 70) throw unprocessable('too_many_sessions', 'At most 70 weekly sessions', { field: 'sessions' });
  const out = sessions.map((s, i) => {
    if (!Number.isInteger(s.weekday) || s.weekday < 1 || s.weekday > 7) {
      throw unprocessable('invalid_weekday', `sessions[${i}]: weekday must be 1 (Monday) to 7 (Sunday)`, { field: `sessions.${i}.weekday` });
    }
    const allowance = s.walk_in_allowance ?? 0;
    if (!Number.isInteger(allowance) || allowance < 0 || allowance > 500) {
      throw unprocessable('invalid_walk_in_allowance', `sessions[${i}]: walk_in_allowance must be 0 to 500`, { field: `sessions.${i}.walk_in_allowance` });
    }
    return { weekday: s.weekday, ...cleanRange(s.start, s.end, `sessions[${i}]`), walk_in_allowance: allowance };
  });
  for (let i = 0; i < out.length; i++) {
    for (let j = i + 1; j < out.length; j++) {
      const a = out[i];
      const b = out[j];
      if (a.weekday === b.weekday && minutesOf(a.start) < minutesOf(b.end) && minutesOf(b.start) < minutesOf(a.end)) {
        throw unprocessable('overlapping_sessions', `Sessions ${a.start}–${a.end} and ${b.start}–${b.end} on weekday ${a.weekday} overlap`, { field: 'sessions' });
      }
    }
  }
  return out.sort((a, b) => a.weekday - b.weekday || minutesOf(a.start) - minutesOf(b.start));
}

export function validateExceptions(exceptions: AvailabilityException[], sessions: WeeklySession[]): AvailabilityException[] {
  if (exceptions.length > 1000) throw unprocessable('too_many_exceptions', 'At most 1000 exceptions', { field: 'exceptions' });
  const out = exceptions.map((e, i): AvailabilityException => {
    const where = `exceptions[${i}]`;
    if (!isValidDate(e.date)) throw unprocessable('invalid_date', `${where}: date must be a real date, YYYY-MM-DD`, { field: `exceptions.${i}.date` });
    const note = e.note ? text(e.note, 'note', 200, false) || null : null;
    switch (e.kind) {
      case 'leave':
        return { date: e.date, kind: 'leave', note };
      case 'cancelled':
        return e.start || e.end ? { date: e.date, kind: 'cancelled', ...cleanRange(e.start, e.end, where), note } : { date: e.date, kind: 'cancelled', note };
      case 'block':
        return { date: e.date, kind: 'block', ...cleanRange(e.start, e.end, where), note };
      case 'extra': {
        const r = cleanRange(e.start, e.end, where);
        const clash = sessions.find(
          (s) => s.weekday === weekdayOf(e.date) && minutesOf(s.start) < minutesOf(r.end) && minutesOf(r.start) < minutesOf(s.end),
        );
        if (clash) throw unprocessable('overlapping_sessions', `${where}: the extra session overlaps the regular ${clash.start}–${clash.end} session`, { field: where });
        return { date: e.date, kind: 'extra', ...r, note };
      }
      default:
        throw unprocessable('invalid_kind', `${where}: kind must be leave, cancelled, extra or block`, { field: `exceptions.${i}.kind` });
    }
  });
  // Two extra sessions on one date must not overlap either (their slots would be listed twice).
  out.forEach((a, i) => {
    const b = out.find((x, j) => j < i && x.kind === 'extra' && a.kind === 'extra' && x.date === a.date && minutesOf(x.start!) < minutesOf(a.end!) && minutesOf(a.start!) < minutesOf(x.end!));
    if (b) throw unprocessable('overlapping_sessions', `exceptions[${i}]: the extra session overlaps the extra ${b.start}–${b.end} session on ${a.date}`, { field: `exceptions[${i}]` });
  });
  return out;
}

export function cleanDate(date: string, field = 'date'): string {
  if (!isValidDate(date)) throw unprocessable('invalid_date', `${field} must be a real date, YYYY-MM-DD`, { field });
  return date;
}

export function cleanReason(reason: string | undefined | null, required: boolean, field = 'reason'): string | null {
  const s = reason ? text(reason, field, 500, false) : '';
  if (required && !s) throw unprocessable(`invalid_${field}`, `Give a ${field}`, { field });
  return s || null;
}
