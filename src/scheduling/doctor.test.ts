// The doctor decider (profile, availability, active flag, calendar feed token) and the
// branch holiday decider. No database.
import { describe, expect, test } from 'bun:test';
import { given } from '../../test/helpers/decider';
import { doctorDecider, holidayDecider } from './doctor';
import type { DoctorProfile, EventOf } from './events';

type DoctorEvent = Parameters<typeof doctorDecider.evolve>[1];

const profile: DoctorProfile = {
  name: 'Dr Meera Rao',
  specialty: 'General Medicine',
  registration_number: 'KMC 12345',
  slot_minutes: 15,
  fee: { amount: 50000, currency: 'INR' },
  languages: ['English', 'Kannada'],
  user_id: null,
};
const registered: EventOf<'doctor.registered'> = { type: 'doctor.registered', data: { doctor_id: 'd1', ...profile } };
const deactivated: DoctorEvent = { type: 'doctor.deactivated', data: {} };
const reactivated: DoctorEvent = { type: 'doctor.reactivated', data: {} };
const tokenIssued: DoctorEvent = { type: 'doctor.calendar_token_issued', data: { token_hash: 'h1' } };
const tokenRevoked: DoctorEvent = { type: 'doctor.calendar_token_revoked', data: {} };
const sessions = [
  { weekday: 1, start: '10:00', end: '13:00', walk_in_allowance: 5 },
  { weekday: 1, start: '17:00', end: '20:00', walk_in_allowance: 0 },
];
const exceptions = [{ date: '2026-12-25', kind: 'leave' as const, note: 'Christmas' }];

const stateOf = (events: DoctorEvent[]) => events.reduce(doctorDecider.evolve, doctorDecider.initialState);

describe('register', () => {
  test('records the profile with the id', () => {
    given(doctorDecider, []).when({ kind: 'register', doctorId: 'd1', profile }).then([registered]);
    expect(stateOf([registered])).toEqual({ exists: true, active: true, profile, sessions: [], exceptions: [], hasCalendarToken: false });
  });

  test('only once → doctor_exists', () => {
    given(doctorDecider, [registered]).when({ kind: 'register', doctorId: 'd1', profile }).thenThrows('doctor_exists');
  });

  test('every other command on an unregistered doctor → not_found', () => {
    for (const c of [
      { kind: 'change_profile', changes: { name: 'X' } },
      { kind: 'set_availability', sessions, exceptions },
      { kind: 'deactivate' },
      { kind: 'reactivate' },
      { kind: 'issue_calendar_token', tokenHash: 'h' },
      { kind: 'revoke_calendar_token' },
    ] as const) {
      expect(given(doctorDecider, []).when(c).thenThrows('not_found').status).toBe(404);
    }
  });
});

describe('profile change', () => {
  test('records only the fields that differ', () => {
    given(doctorDecider, [registered])
      .when({ kind: 'change_profile', changes: { ...profile, specialty: 'Paediatrics', fee: { amount: 60000, currency: 'INR' } } })
      .then([{ type: 'doctor.profile_changed', data: { changes: { specialty: 'Paediatrics', fee: { amount: 60000, currency: 'INR' } } } }]);
  });

  test('arrays and objects compare by value; undefined fields are ignored', () => {
    given(doctorDecider, [registered])
      .when({ kind: 'change_profile', changes: { languages: ['English', 'Kannada'], fee: { amount: 50000, currency: 'INR' }, name: undefined } })
      .then([]);
    given(doctorDecider, [registered])
      .when({ kind: 'change_profile', changes: { languages: ['Kannada', 'English', 'Hindi'] } })
      .then([{ type: 'doctor.profile_changed', data: { changes: { languages: ['Kannada', 'English', 'Hindi'] } } }]);
  });

  test('a change to the same values records nothing, also after an earlier change', () => {
    given(doctorDecider, [registered]).when({ kind: 'change_profile', changes: profile }).then([]);
    const changed: DoctorEvent = { type: 'doctor.profile_changed', data: { changes: { slot_minutes: 20, user_id: 'u1' } } };
    given(doctorDecider, [registered, changed]).when({ kind: 'change_profile', changes: { slot_minutes: 20, user_id: 'u1' } }).then([]);
    given(doctorDecider, [registered, changed])
      .when({ kind: 'change_profile', changes: { slot_minutes: 15, user_id: null } })
      .then([{ type: 'doctor.profile_changed', data: { changes: { slot_minutes: 15, user_id: null } } }]);
  });

  test('an inactive doctor’s profile can still be corrected', () => {
    given(doctorDecider, [registered, deactivated])
      .when({ kind: 'change_profile', changes: { name: 'Dr Meera K Rao' } })
      .then([{ type: 'doctor.profile_changed', data: { changes: { name: 'Dr Meera K Rao' } } }]);
  });
});

describe('availability', () => {
  test('records the sessions and exceptions as given; the state holds the latest', () => {
    const set: DoctorEvent = { type: 'doctor.availability_set', data: { sessions, exceptions } };
    given(doctorDecider, [registered]).when({ kind: 'set_availability', sessions, exceptions }).then([set]);
    const cleared: DoctorEvent = { type: 'doctor.availability_set', data: { sessions: [], exceptions: [] } };
    given(doctorDecider, [registered, set]).when({ kind: 'set_availability', sessions: [], exceptions: [] }).then([cleared]);
    const s = stateOf([registered, set]);
    expect(s.exists && [s.sessions, s.exceptions]).toEqual([sessions, exceptions]);
    const t = stateOf([registered, set, cleared]);
    expect(t.exists && [t.sessions, t.exceptions]).toEqual([[], []]);
  });
});

describe('active flag', () => {
  test('deactivate an active doctor; twice is refused', () => {
    given(doctorDecider, [registered]).when({ kind: 'deactivate' }).then([deactivated]);
    const e = given(doctorDecider, [registered, deactivated]).when({ kind: 'deactivate' }).thenThrows('already_inactive');
    expect(e.status).toBe(409);
  });

  test('reactivate an inactive doctor; an active one is refused', () => {
    given(doctorDecider, [registered, deactivated]).when({ kind: 'reactivate' }).then([reactivated]);
    given(doctorDecider, [registered]).when({ kind: 'reactivate' }).thenThrows('already_active');
    given(doctorDecider, [registered, deactivated, reactivated]).when({ kind: 'reactivate' }).thenThrows('already_active');
    given(doctorDecider, [registered, deactivated, reactivated]).when({ kind: 'deactivate' }).then([deactivated]);
  });
});

describe('calendar feed token', () => {
  test('issue records the hash; issuing again replaces it', () => {
    given(doctorDecider, [registered]).when({ kind: 'issue_calendar_token', tokenHash: 'h1' }).then([tokenIssued]);
    given(doctorDecider, [registered, tokenIssued])
      .when({ kind: 'issue_calendar_token', tokenHash: 'h2' })
      .then([{ type: 'doctor.calendar_token_issued', data: { token_hash: 'h2' } }]);
  });

  test('revoke only when there is one', () => {
    given(doctorDecider, [registered, tokenIssued]).when({ kind: 'revoke_calendar_token' }).then([tokenRevoked]);
    given(doctorDecider, [registered]).when({ kind: 'revoke_calendar_token' }).thenThrows('no_calendar_token');
    given(doctorDecider, [registered, tokenIssued, tokenRevoked]).when({ kind: 'revoke_calendar_token' }).thenThrows('no_calendar_token');
    given(doctorDecider, [registered, tokenIssued, tokenRevoked]).when({ kind: 'issue_calendar_token', tokenHash: 'h1' }).then([tokenIssued]);
  });
});

describe('holidays', () => {
  const declared = (date: string, name: string) => ({ type: 'holiday.declared' as const, data: { date, name } });
  const removed = (date: string) => ({ type: 'holiday.removed' as const, data: { date } });

  test('declare a date', () => {
    given(holidayDecider, []).when({ kind: 'declare', date: '2026-10-02', name: 'Gandhi Jayanti' }).then([declared('2026-10-02', 'Gandhi Jayanti')]);
  });

  test('declaring it again with the same name records nothing; with a new name, renames', () => {
    const h = [declared('2026-10-02', 'Gandhi Jayanti')];
    given(holidayDecider, h).when({ kind: 'declare', date: '2026-10-02', name: 'Gandhi Jayanti' }).then([]);
    given(holidayDecider, h).when({ kind: 'declare', date: '2026-10-02', name: 'Gandhi Jayanti (clinic closed)' }).then([declared('2026-10-02', 'Gandhi Jayanti (clinic closed)')]);
  });

  test('remove a declared date; an unknown one → not_found', () => {
    const h = [declared('2026-10-02', 'Gandhi Jayanti'), declared('2026-11-08', 'Diwali')];
    given(holidayDecider, h).when({ kind: 'remove', date: '2026-11-08' }).then([removed('2026-11-08')]);
    given(holidayDecider, h).when({ kind: 'remove', date: '2026-12-25' }).thenThrows('not_found');
    given(holidayDecider, [...h, removed('2026-11-08')]).when({ kind: 'remove', date: '2026-11-08' }).thenThrows('not_found');
    given(holidayDecider, [...h, removed('2026-11-08')]).when({ kind: 'declare', date: '2026-11-08', name: 'Diwali' }).then([declared('2026-11-08', 'Diwali')]);
  });

  test('the state is the set of dates with names', () => {
    const s = [declared('2026-10-02', 'A'), declared('2026-11-08', 'B'), removed('2026-10-02'), declared('2026-11-08', 'C')].reduce(
      holidayDecider.evolve,
      holidayDecider.initialState,
    );
    expect(s).toEqual({ dates: { '2026-11-08': 'C' } });
    expect(holidayDecider.initialState).toEqual({ dates: {} });
  });
});
