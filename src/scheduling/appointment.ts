// The appointment stream's decider. Cross-stream rules (the slot is free, the slot exists
// in the doctor's sessions) are checked by the command in the same transaction.
import type { Decider } from '../core/decider';
import { conflict } from '../core/errors';
import type { AppointmentMode, AppointmentSource, EventOf } from './events';

type AppointmentEvent =
  | EventOf<'appointment.booked'>
  | EventOf<'appointment.rescheduled'>
  | EventOf<'appointment.cancelled'>
  | EventOf<'appointment.checked_in'>
  | EventOf<'appointment.no_show'>;

export type AppointmentStatus = 'booked' | 'checked_in' | 'cancelled' | 'no_show';

export type AppointmentState =
  | { status: 'none' }
  | { status: AppointmentStatus; doctorId: string; patientId: string; start: string; end: string; localDate: string; mode: AppointmentMode };

export type AppointmentCommand =
  | {
      kind: 'book';
      appointmentId: string;
      patientId: string;
      doctorId: string;
      start: string;
      end: string;
      localDate: string;
      mode: AppointmentMode;
      source: AppointmentSource;
      note: string | null;
      followupId: string | null;
    }
  | { kind: 'reschedule'; start: string; end: string; localDate: string; now: string }
  | { kind: 'cancel'; reason: string }
  | { kind: 'check_in'; tokenId: string; tokenNumber: number; today: string }
  | { kind: 'no_show'; now: string };

const verb: Record<AppointmentStatus, string> = {
  booked: 'booked',
  checked_in: 'already checked in',
  cancelled: 'cancelled',
  no_show: 'marked as a no-show',
};

function illegal(s: { status: AppointmentStatus }, action: string): never {
  throw conflict('invalid_transition', `Cannot ${action} an appointment that is ${verb[s.status]}`, { status: s.status });
}

export const appointmentDecider: Decider<AppointmentState, AppointmentEvent, AppointmentCommand> = {
  initialState: { status: 'none' },
  evolve(s, e) {
    if (e.type === 'appointment.booked') {
      const d = e.data;
      return { status: 'booked', doctorId: d.doctor_id, patientId: d.patient_id, start: d.start, end: d.end, localDate: d.local_date, mode: d.mode };
    }
    if (s.status === 'none') return s;
    switch (e.type) {
      case 'appointment.rescheduled':
        return { ...s, start: e.data.start, end: e.data.end, localDate: e.data.local_date };
      case 'appointment.cancelled':
        return { ...s, status: 'cancelled' };
      case 'appointment.checked_in':
        return { ...s, status: 'checked_in' };
      case 'appointment.no_show':
        return { ...s, status: 'no_show' };
    }
  },
  decide(c, s) {
    if (c.kind === 'book') {
      if (s.status !== 'none') throw conflict('appointment_exists', 'This appointment already exists');
      return [
        {
          type: 'appointment.booked',
          data: {
            appointment_id: c.appointmentId,
            patient_id: c.patientId,
            doctor_id: c.doctorId,
            start: c.start,
            end: c.end,
            local_date: c.localDate,
            mode: c.mode,
            source: c.source,
            note: c.note,
            followup_id: c.followupId,
          },
        },
      ];
    }
    if (s.status === 'none') throw conflict('no_appointment', 'No such appointment');
    switch (c.kind) {
      case 'reschedule':
        if (s.status !== 'booked') illegal(s, 'reschedule');
        if (s.start === c.start) throw conflict('same_slot', 'The appointment is already at that time');
        return [{ type: 'appointment.rescheduled', data: { from_start: s.start, start: c.start, end: c.end, local_date: c.localDate } }];
      case 'cancel':
        if (s.status !== 'booked') illegal(s, 'cancel');
        return [{ type: 'appointment.cancelled', data: { reason: c.reason } }];
      case 'check_in':
        if (s.status !== 'booked') illegal(s, 'check in');
        if (s.localDate !== c.today) throw conflict('not_today', `This appointment is on ${s.localDate}; patients check in on the day`, { date: s.localDate });
        return [{ type: 'appointment.checked_in', data: { token_id: c.tokenId, token_number: c.tokenNumber } }];
      case 'no_show':
        if (s.status !== 'booked') illegal(s, 'mark as a no-show');
        if (s.start > c.now) throw conflict('not_yet', 'The appointment has not started yet; it cannot be a no-show');
        return [{ type: 'appointment.no_show', data: {} }];
    }
  },
};
