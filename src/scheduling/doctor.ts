// The doctor stream's decider (profile, availability, calendar feed token) and the
// branch holiday list's decider.
import type { Decider } from '../core/decider';
import { conflict, notFound } from '../core/errors';
import type { AvailabilityException, DoctorProfile, EventOf, WeeklySession } from './events';

type DoctorEvent =
  | EventOf<'doctor.registered'>
  | EventOf<'doctor.profile_changed'>
  | EventOf<'doctor.availability_set'>
  | EventOf<'doctor.deactivated'>
  | EventOf<'doctor.reactivated'>
  | EventOf<'doctor.calendar_token_issued'>
  | EventOf<'doctor.calendar_token_revoked'>;

export type DoctorState =
  | { exists: false }
  | { exists: true; active: boolean; profile: DoctorProfile; sessions: WeeklySession[]; exceptions: AvailabilityException[]; hasCalendarToken: boolean };

export type DoctorCommand =
  | { kind: 'register'; doctorId: string; profile: DoctorProfile }
  | { kind: 'change_profile'; changes: Partial<DoctorProfile> }
  | { kind: 'set_availability'; sessions: WeeklySession[]; exceptions: AvailabilityException[] }
  | { kind: 'deactivate' }
  | { kind: 'reactivate' }
  | { kind: 'issue_calendar_token'; tokenHash: string }
  | { kind: 'revoke_calendar_token' };

export const doctorDecider: Decider<DoctorState, DoctorEvent, DoctorCommand> = {
  initialState: { exists: false },
  evolve(s, e) {
    if (e.type === 'doctor.registered') {
      const { doctor_id: _id, ...profile } = e.data;
      return { exists: true, active: true, profile, sessions: [], exceptions: [], hasCalendarToken: false };
    }
    if (!s.exists) return s;
    switch (e.type) {
      case 'doctor.profile_changed':
        return { ...s, profile: { ...s.profile, ...e.data.changes } };
      case 'doctor.availability_set':
        return { ...s, sessions: e.data.sessions, exceptions: e.data.exceptions };
      case 'doctor.deactivated':
        return { ...s, active: false };
      case 'doctor.reactivated':
        return { ...s, active: true };
      case 'doctor.calendar_token_issued':
        return { ...s, hasCalendarToken: true };
      case 'doctor.calendar_token_revoked':
        return { ...s, hasCalendarToken: false };
    }
  },
  decide(c, s) {
    if (c.kind === 'register') {
      if (s.exists) throw conflict('doctor_exists', 'This doctor is already registered');
      return [{ type: 'doctor.registered', data: { doctor_id: c.doctorId, ...c.profile } }];
    }
    if (!s.exists) throw notFound('Doctor');
    switch (c.kind) {
      case 'change_profile': {
        const changes: Partial<DoctorProfile> = {};
        for (const [k, v] of Object.entries(c.changes) as [keyof DoctorProfile, unknown][]) {
          if (v !== undefined && JSON.stringify(s.profile[k]) !== JSON.stringify(v)) (changes as Record<string, unknown>)[k] = v;
        }
        return Object.keys(changes).length ? [{ type: 'doctor.profile_changed', data: { changes } }] : [];
      }
      case 'set_availability':
        return [{ type: 'doctor.availability_set', data: { sessions: c.sessions, exceptions: c.exceptions } }];
      case 'deactivate':
        if (!s.active) throw conflict('already_inactive', 'This doctor is already inactive');
        return [{ type: 'doctor.deactivated', data: {} }];
      case 'reactivate':
        if (s.active) throw conflict('already_active', 'This doctor is already active');
        return [{ type: 'doctor.reactivated', data: {} }];
      case 'issue_calendar_token':
        return [{ type: 'doctor.calendar_token_issued', data: { token_hash: c.tokenHash } }];
      case 'revoke_calendar_token':
        if (!s.hasCalendarToken) throw conflict('no_calendar_token', 'This doctor has no calendar feed to revoke');
        return [{ type: 'doctor.calendar_token_revoked', data: {} }];
    }
  },
};

type HolidayEvent = EventOf<'holiday.declared'> | EventOf<'holiday.removed'>;
export type HolidayState = { dates: Record<string, string> };
export type HolidayCommand = { kind: 'declare'; date: string; name: string } | { kind: 'remove'; date: string };

export const holidayDecider: Decider<HolidayState, HolidayEvent, HolidayCommand> = {
  initialState: { dates: {} },
  evolve(s, e) {
    const dates = { ...s.dates };
    if (e.type === 'holiday.declared') dates[e.data.date] = e.data.name;
    else delete dates[e.data.date];
    return { dates };
  },
  decide(c, s) {
    if (c.kind === 'declare') {
      if (s.dates[c.date] === c.name) return [];
      return [{ type: 'holiday.declared', data: { date: c.date, name: c.name } }];
    }
    if (!(c.date in s.dates)) throw notFound('Holiday');
    return [{ type: 'holiday.removed', data: { date: c.date } }];
  },
};
