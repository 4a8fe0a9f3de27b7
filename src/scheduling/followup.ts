// A follow-up recall: "review in N days". Due until an appointment is booked for it.
import type { Decider } from '../core/decider';
import { conflict } from '../core/errors';
import type { EventOf } from './events';

type FollowupEvent = EventOf<'followup.scheduled'> | EventOf<'followup.booked'> | EventOf<'followup.cancelled'> | EventOf<'followup.reopened'>;

export type FollowupState = { status: 'none' } | { status: 'due' | 'booked' | 'cancelled'; patientId: string; doctorId: string; dueDate: string };

export type FollowupCommand =
  | { kind: 'schedule'; followupId: string; patientId: string; doctorId: string; dueDate: string; note: string | null }
  | { kind: 'book'; appointmentId: string }
  | { kind: 'cancel'; reason: string | null }
  | { kind: 'reopen'; appointmentId: string };

export const followupDecider: Decider<FollowupState, FollowupEvent, FollowupCommand> = {
  initialState: { status: 'none' },
  evolve(s, e) {
    switch (e.type) {
      case 'followup.scheduled':
        return { status: 'due', patientId: e.data.patient_id, doctorId: e.data.doctor_id, dueDate: e.data.due_date };
      case 'followup.booked':
        return s.status === 'none' ? s : { ...s, status: 'booked' };
      case 'followup.cancelled':
        return s.status === 'none' ? s : { ...s, status: 'cancelled' };
      case 'followup.reopened':
        return s.status === 'none' ? s : { ...s, status: 'due' };
    }
  },
  decide(c, s) {
    if (c.kind === 'schedule') {
      if (s.status !== 'none') throw conflict('followup_exists', 'This follow-up already exists');
      return [{ type: 'followup.scheduled', data: { followup_id: c.followupId, patient_id: c.patientId, doctor_id: c.doctorId, due_date: c.dueDate, note: c.note } }];
    }
    if (s.status === 'none') throw conflict('no_followup', 'No such follow-up');
    if (c.kind === 'reopen') {
      if (s.status !== 'booked') throw conflict('invalid_transition', `This follow-up is ${s.status}, not booked`, { status: s.status });
      return [{ type: 'followup.reopened', data: { appointment_id: c.appointmentId } }];
    }
    if (s.status !== 'due') throw conflict('invalid_transition', `This follow-up is already ${s.status}`, { status: s.status });
    if (c.kind === 'book') return [{ type: 'followup.booked', data: { appointment_id: c.appointmentId } }];
    return [{ type: 'followup.cancelled', data: { reason: c.reason } }];
  },
};
