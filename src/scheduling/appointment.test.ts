// The appointment decider: every command from every state, legal and illegal. No database.
import { describe, expect, test } from 'bun:test';
import { given } from '../../test/helpers/decider';
import { type AppointmentCommand, appointmentDecider, type AppointmentState } from './appointment';
import type { EventOf } from './events';

const bookCmd: Extract<AppointmentCommand, { kind: 'book' }> = {
  kind: 'book',
  appointmentId: 'a1',
  patientId: 'p1',
  doctorId: 'd1',
  start: '2026-12-01T05:00:00.000Z', // 10:30 IST
  end: '2026-12-01T05:15:00.000Z',
  localDate: '2026-12-01',
  mode: 'in_person',
  source: 'desk',
  note: 'fever',
  followupId: null,
};
const booked: EventOf<'appointment.booked'> = {
  type: 'appointment.booked',
  data: {
    appointment_id: 'a1',
    patient_id: 'p1',
    doctor_id: 'd1',
    start: '2026-12-01T05:00:00.000Z',
    end: '2026-12-01T05:15:00.000Z',
    local_date: '2026-12-01',
    mode: 'in_person',
    source: 'desk',
    note: 'fever',
    followup_id: null,
  },
};
const rescheduled: EventOf<'appointment.rescheduled'> = {
  type: 'appointment.rescheduled',
  data: { from_start: '2026-12-01T05:00:00.000Z', start: '2026-12-02T05:30:00.000Z', end: '2026-12-02T05:45:00.000Z', local_date: '2026-12-02' },
};
const cancelled: EventOf<'appointment.cancelled'> = { type: 'appointment.cancelled', data: { reason: 'patient asked' } };
const checkedIn: EventOf<'appointment.checked_in'> = { type: 'appointment.checked_in', data: { token_id: 't1', token_number: 3 } };
const noShow: EventOf<'appointment.no_show'> = { type: 'appointment.no_show', data: {} };

const BEFORE = '2026-12-01T04:00:00.000Z'; // an hour before the start
const AFTER = '2026-12-01T05:20:00.000Z';

const reschedule: AppointmentCommand = { kind: 'reschedule', start: '2026-12-02T05:30:00.000Z', end: '2026-12-02T05:45:00.000Z', localDate: '2026-12-02', now: BEFORE };
const cancel: AppointmentCommand = { kind: 'cancel', reason: 'patient asked' };
const checkIn: AppointmentCommand = { kind: 'check_in', tokenId: 't1', tokenNumber: 3, today: '2026-12-01' };
const markNoShow: AppointmentCommand = { kind: 'no_show', now: AFTER };

describe('book', () => {
  test('records the booking with every field', () => {
    given(appointmentDecider, []).when(bookCmd).then([booked]);
  });

  test('records the follow-up it fulfils, the mode and the source', () => {
    given(appointmentDecider, [])
      .when({ ...bookCmd, mode: 'tele', source: 'portal', note: null, followupId: 'f1' })
      .then([{ type: 'appointment.booked', data: { ...booked.data, mode: 'tele', source: 'portal', note: null, followup_id: 'f1' } }]);
  });

  test('an appointment is booked only once, whatever its state', () => {
    for (const history of [[booked], [booked, cancelled], [booked, checkedIn], [booked, noShow], [booked, rescheduled]]) {
      given(appointmentDecider, history).when(bookCmd).thenThrows('appointment_exists');
    }
  });

  test('booked state folds in the slot, the patient and the doctor', () => {
    const s = [booked].reduce(appointmentDecider.evolve, appointmentDecider.initialState);
    expect(s).toEqual({ status: 'booked', doctorId: 'd1', patientId: 'p1', start: booked.data.start, end: booked.data.end, localDate: '2026-12-01', mode: 'in_person' });
  });
});

describe('commands on an appointment that does not exist', () => {
  for (const c of [reschedule, cancel, checkIn, markNoShow]) {
    test(`${c.kind} → no_appointment`, () => {
      given(appointmentDecider, []).when(c).thenThrows('no_appointment');
    });
  }
});

describe('reschedule', () => {
  test('moves a booked appointment and records where it was', () => {
    given(appointmentDecider, [booked]).when(reschedule).then([rescheduled]);
  });

  test('can be rescheduled again; from_start is the latest slot', () => {
    given(appointmentDecider, [booked, rescheduled])
      .when({ ...reschedule, start: '2026-12-03T05:30:00.000Z', end: '2026-12-03T05:45:00.000Z', localDate: '2026-12-03' })
      .then([
        {
          type: 'appointment.rescheduled',
          data: { from_start: '2026-12-02T05:30:00.000Z', start: '2026-12-03T05:30:00.000Z', end: '2026-12-03T05:45:00.000Z', local_date: '2026-12-03' },
        },
      ]);
  });

  test('to the slot it already holds is refused (same_slot)', () => {
    given(appointmentDecider, [booked]).when({ ...reschedule, start: booked.data.start, end: booked.data.end, localDate: '2026-12-01' }).thenThrows('same_slot');
    given(appointmentDecider, [booked, rescheduled]).when(reschedule).thenThrows('same_slot');
  });

  test('a rescheduled appointment checks in on its new day, not the old one', () => {
    given(appointmentDecider, [booked, rescheduled]).when(checkIn).thenThrows('not_today');
    given(appointmentDecider, [booked, rescheduled])
      .when({ ...checkIn, today: '2026-12-02' })
      .then([checkedIn]);
  });
});

describe('cancel', () => {
  test('cancels a booked appointment with the reason', () => {
    given(appointmentDecider, [booked]).when(cancel).then([cancelled]);
  });

  test('a rescheduled appointment can be cancelled', () => {
    given(appointmentDecider, [booked, rescheduled]).when(cancel).then([cancelled]);
  });
});

describe('check in', () => {
  test('on its day records the token', () => {
    given(appointmentDecider, [booked]).when(checkIn).then([checkedIn]);
  });

  test('on another day is refused (not_today), before or after', () => {
    const e = given(appointmentDecider, [booked]).when({ ...checkIn, today: '2026-11-30' }).thenThrows('not_today');
    expect(e.status).toBe(409);
    expect(e.message).toContain('2026-12-01');
    given(appointmentDecider, [booked]).when({ ...checkIn, today: '2026-12-02' }).thenThrows('not_today');
  });
});

describe('no-show', () => {
  test('after the start is recorded', () => {
    given(appointmentDecider, [booked]).when(markNoShow).then([noShow]);
  });

  test('exactly at the start is allowed', () => {
    given(appointmentDecider, [booked]).when({ kind: 'no_show', now: booked.data.start }).then([noShow]);
  });

  test('before the start is refused (not_yet)', () => {
    given(appointmentDecider, [booked]).when({ kind: 'no_show', now: BEFORE }).thenThrows('not_yet');
    given(appointmentDecider, [booked]).when({ kind: 'no_show', now: '2026-12-01T04:59:59.999Z' }).thenThrows('not_yet');
  });

  test('uses the rescheduled start', () => {
    // After moving to the next day, "after the old start" is not yet after the new one.
    given(appointmentDecider, [booked, rescheduled]).when(markNoShow).thenThrows('not_yet');
    given(appointmentDecider, [booked, rescheduled]).when({ kind: 'no_show', now: '2026-12-02T06:00:00.000Z' }).then([noShow]);
  });
});

describe('after the end of the road, every change is an invalid transition (409)', () => {
  const finals: [string, EventOf<'appointment.cancelled' | 'appointment.checked_in' | 'appointment.no_show'>, string][] = [
    ['cancelled', cancelled, 'cancelled'],
    ['checked in', checkedIn, 'already checked in'],
    ['no-show', noShow, 'marked as a no-show'],
  ];
  const commands: [AppointmentCommand, string][] = [
    [reschedule, 'Cannot reschedule'],
    [cancel, 'Cannot cancel'],
    [checkIn, 'Cannot check in'],
    [markNoShow, 'Cannot mark as a no-show'],
  ];
  for (const [name, final, words] of finals) {
    for (const [c, verb] of commands) {
      test(`${name}: ${c.kind} → invalid_transition`, () => {
        const e = given(appointmentDecider, [booked, final]).when(c).thenThrows('invalid_transition');
        expect(e.status).toBe(409);
        expect(e.message).toBe(`${verb} an appointment that is ${words}`);
        expect(e.details).toEqual({ status: [booked, final].reduce(appointmentDecider.evolve, appointmentDecider.initialState).status });
      });
    }
  }

  test('the state names its final status', () => {
    const at = (...events: Parameters<typeof appointmentDecider.evolve>[1][]) =>
      (events.reduce(appointmentDecider.evolve, appointmentDecider.initialState) as Exclude<AppointmentState, { status: 'none' }>).status;
    expect(at(booked, cancelled)).toBe('cancelled');
    expect(at(booked, checkedIn)).toBe('checked_in');
    expect(at(booked, noShow)).toBe('no_show');
    expect(at(booked, rescheduled)).toBe('booked');
  });
});

test('events on a stream that was never booked leave it empty', () => {
  expect([cancelled, checkedIn].reduce(appointmentDecider.evolve, appointmentDecider.initialState)).toEqual({ status: 'none' });
});
