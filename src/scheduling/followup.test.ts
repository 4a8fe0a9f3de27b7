// The follow-up decider: scheduled (due), then booked or cancelled, once.
import { describe, expect, test } from 'bun:test';
import { given } from '../../test/helpers/decider';
import type { EventOf } from './events';
import { type FollowupCommand, followupDecider } from './followup';

const scheduled: EventOf<'followup.scheduled'> = {
  type: 'followup.scheduled',
  data: { followup_id: 'f1', patient_id: 'p1', doctor_id: 'd1', due_date: '2026-12-15', note: 'review BP' },
};
const booked: EventOf<'followup.booked'> = { type: 'followup.booked', data: { appointment_id: 'a1' } };
const cancelled: EventOf<'followup.cancelled'> = { type: 'followup.cancelled', data: { reason: 'moved away' } };

const schedule: FollowupCommand = { kind: 'schedule', followupId: 'f1', patientId: 'p1', doctorId: 'd1', dueDate: '2026-12-15', note: 'review BP' };
const book: FollowupCommand = { kind: 'book', appointmentId: 'a1' };
const cancel: FollowupCommand = { kind: 'cancel', reason: 'moved away' };

describe('follow-up', () => {
  test('scheduling records who, with whom, when and why', () => {
    given(followupDecider, []).when(schedule).then([scheduled]);
    expect([scheduled].reduce(followupDecider.evolve, followupDecider.initialState)).toEqual({ status: 'due', patientId: 'p1', doctorId: 'd1', dueDate: '2026-12-15' });
  });

  test('a follow-up is scheduled once → followup_exists', () => {
    for (const h of [[scheduled], [scheduled, booked], [scheduled, cancelled]]) {
      given(followupDecider, h).when(schedule).thenThrows('followup_exists');
    }
  });

  test('a due follow-up is booked with the appointment', () => {
    given(followupDecider, [scheduled]).when(book).then([booked]);
  });

  test('a due follow-up can be cancelled, with or without a reason', () => {
    given(followupDecider, [scheduled]).when(cancel).then([cancelled]);
    given(followupDecider, [scheduled]).when({ kind: 'cancel', reason: null }).then([{ type: 'followup.cancelled', data: { reason: null } }]);
  });

  test('booking or cancelling one that does not exist → no_followup', () => {
    given(followupDecider, []).when(book).thenThrows('no_followup');
    given(followupDecider, []).when(cancel).thenThrows('no_followup');
  });

  for (const [name, final] of [
    ['booked', booked],
    ['cancelled', cancelled],
  ] as const) {
    test(`once ${name}, neither book nor cancel (invalid_transition)`, () => {
      for (const c of [book, cancel]) {
        const e = given(followupDecider, [scheduled, final]).when(c).thenThrows('invalid_transition');
        expect(e.status).toBe(409);
        expect(e.message).toBe(`This follow-up is already ${name}`);
        expect(e.details).toEqual({ status: name });
      }
    });
  }

  test('events on an unscheduled stream leave it empty', () => {
    expect([booked, cancelled].reduce(followupDecider.evolve, followupDecider.initialState)).toEqual({ status: 'none' });
  });
});

test('a booked follow-up reopens when its appointment is cancelled; nothing else reopens', () => {
  const booked: EventOf<'followup.booked'> = { type: 'followup.booked', data: { appointment_id: 'a1' } };
  given(followupDecider, [scheduled, booked]).when({ kind: 'reopen', appointmentId: 'a1' }).then([{ type: 'followup.reopened', data: { appointment_id: 'a1' } }]);
  given(followupDecider, [scheduled]).when({ kind: 'reopen', appointmentId: 'a1' }).thenThrows('invalid_transition');
  given(followupDecider, [scheduled, cancelled]).when({ kind: 'reopen', appointmentId: 'a1' }).thenThrows('invalid_transition');
});
