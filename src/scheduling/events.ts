// OPD scheduling: doctors, their weekly sessions and exceptions, branch holidays,
// appointments (booked, rescheduled, cancelled, checked in, no-show), the per-doctor daily
// queue of tokens (appointments checked in and walk-ins), and follow-up recalls.
// Times in events: sessions as local HH:MM in the branch's zone; instants as UTC ISO.

export interface Money {
  amount: number; // paise
  currency: string;
}

export interface WeeklySession {
  weekday: number; // 1 = Monday … 7 = Sunday
  start: string; // HH:MM local
  end: string;
  /** Walk-ins the doctor accepts in this session beyond the booked slots (0 = no limit set). */
  walk_in_allowance?: number;
}

export interface AvailabilityException {
  date: string; // YYYY-MM-DD local
  kind: 'leave' | 'cancelled' | 'extra' | 'block';
  start?: string; // for cancelled (optional: whole day), extra and block (required)
  end?: string;
  note?: string | null;
}

export interface DoctorProfile {
  name: string;
  specialty: string;
  registration_number: string;
  slot_minutes: number;
  fee: Money;
  languages: string[];
  user_id: string | null;
}

export type AppointmentMode = 'in_person' | 'tele';
export type AppointmentSource = 'desk' | 'phone' | 'portal' | 'api';
export type Priority = 'emergency' | 'elderly' | 'normal';
export type TokenState = 'waiting' | 'called' | 'in_consultation' | 'done' | 'skipped';

export type SchedulingEvent =
  | { type: 'doctor.registered'; data: DoctorProfile & { doctor_id: string } }
  | { type: 'doctor.profile_changed'; data: { changes: Partial<DoctorProfile> } }
  | { type: 'doctor.availability_set'; data: { sessions: WeeklySession[]; exceptions: AvailabilityException[] } }
  | { type: 'doctor.deactivated'; data: Record<string, never> }
  | { type: 'doctor.reactivated'; data: Record<string, never> }
  | { type: 'doctor.calendar_token_issued'; data: { token_hash: string } }
  | { type: 'doctor.calendar_token_revoked'; data: Record<string, never> }
  | { type: 'holiday.declared'; data: { date: string; name: string } }
  | { type: 'holiday.removed'; data: { date: string } }
  | {
      type: 'appointment.booked';
      data: {
        appointment_id: string;
        patient_id: string;
        doctor_id: string;
        start: string;
        end: string;
        local_date: string;
        mode: AppointmentMode;
        source: AppointmentSource;
        note: string | null;
        followup_id: string | null;
      };
    }
  | { type: 'appointment.rescheduled'; data: { from_start: string; start: string; end: string; local_date: string } }
  | { type: 'appointment.cancelled'; data: { reason: string } }
  | { type: 'appointment.checked_in'; data: { token_id: string; token_number: number } }
  | { type: 'appointment.no_show'; data: Record<string, never> }
  | {
      type: 'queue.token_issued';
      data: {
        token_id: string;
        number: number;
        doctor_id: string;
        date: string;
        patient_id: string;
        appointment_id: string | null;
        kind: 'appointment' | 'walk_in';
        priority: Priority;
      };
    }
  | { type: 'queue.token_called'; data: { token_id: string } }
  | { type: 'queue.consultation_started'; data: { token_id: string } }
  | { type: 'queue.consultation_completed'; data: { token_id: string } }
  | { type: 'queue.token_skipped'; data: { token_id: string } }
  | { type: 'queue.token_recalled'; data: { token_id: string } }
  | { type: 'followup.scheduled'; data: { followup_id: string; patient_id: string; doctor_id: string; due_date: string; note: string | null } }
  | { type: 'followup.booked'; data: { appointment_id: string } }
  | { type: 'followup.cancelled'; data: { reason: string | null } }
  /** Its appointment was cancelled: the follow-up is due again. */
  | { type: 'followup.reopened'; data: { appointment_id: string } };

export type EventOf<T extends SchedulingEvent['type']> = Extract<SchedulingEvent, { type: T }>;

export const SCHEDULING_EVENT_TYPES = new Set<SchedulingEvent['type']>([
  'doctor.registered', 'doctor.profile_changed', 'doctor.availability_set', 'doctor.deactivated', 'doctor.reactivated',
  'doctor.calendar_token_issued', 'doctor.calendar_token_revoked', 'holiday.declared', 'holiday.removed',
  'appointment.booked', 'appointment.rescheduled', 'appointment.cancelled', 'appointment.checked_in', 'appointment.no_show',
  'queue.token_issued', 'queue.token_called', 'queue.consultation_started', 'queue.consultation_completed',
  'queue.token_skipped', 'queue.token_recalled', 'followup.scheduled', 'followup.booked', 'followup.cancelled', 'followup.reopened',
]);

export const doctorStream = (id: string) => `doctor-${id}`;
export const holidaysStream = (branchId: string) => `holidays-${branchId}`;
export const appointmentStream = (id: string) => `appointment-${id}`;
export const queueStream = (doctorId: string, date: string) => `queue-${doctorId}-${date}`;
export const followupStream = (id: string) => `followup-${id}`;
