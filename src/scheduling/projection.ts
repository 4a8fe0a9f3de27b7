// Applies scheduling events to the doctors, availability, holiday, appointment, queue and
// follow-up tables.
import type { Database } from 'bun:sqlite';
import type { StoredEvent } from '../core/events';
import type { Projection } from '../core/projections';
import { SCHEDULING_EVENT_TYPES, type SchedulingEvent } from './events';

const idAfter = (prefix: string, stream: string) => stream.slice(prefix.length);

export const schedulingProjection: Projection = {
  name: 'scheduling',
  tables: ['doctors', 'doctor_sessions', 'doctor_exceptions', 'branch_holidays', 'appointments', 'queue_tokens', 'followups'],
  handles: SCHEDULING_EVENT_TYPES,
  bind(db: Database) {
    const insertDoctor = db.prepare(
      `INSERT INTO doctors (id, branch_id, name, specialty, registration_number, slot_minutes, fee_paise, currency, languages, user_id, active, calendar_token_hash, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, NULL, ?, ?)`,
    );
    const setDoctorActive = db.prepare('UPDATE doctors SET active = ?, updated_at = ? WHERE id = ?');
    const setCalendarToken = db.prepare('UPDATE doctors SET calendar_token_hash = ?, updated_at = ? WHERE id = ?');
    const clearSessions = db.prepare('DELETE FROM doctor_sessions WHERE doctor_id = ?');
    const clearExceptions = db.prepare('DELETE FROM doctor_exceptions WHERE doctor_id = ?');
    const insertSession = db.prepare('INSERT INTO doctor_sessions (doctor_id, branch_id, weekday, start, "end", walk_in_allowance) VALUES (?, ?, ?, ?, ?, ?)');
    const insertException = db.prepare(
      'INSERT OR REPLACE INTO doctor_exceptions (doctor_id, branch_id, date, kind, start, "end", note) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    const touchDoctor = db.prepare('UPDATE doctors SET updated_at = ? WHERE id = ?');
    const upsertHoliday = db.prepare('INSERT OR REPLACE INTO branch_holidays (branch_id, date, name) VALUES (?, ?, ?)');
    const deleteHoliday = db.prepare('DELETE FROM branch_holidays WHERE branch_id = ? AND date = ?');
    const insertAppointment = db.prepare(
      `INSERT INTO appointments (id, branch_id, patient_id, doctor_id, start, "end", local_date, mode, status, source, note, cancel_reason, token_id, booked_by, version, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'booked', ?, ?, NULL, NULL, ?, ?, ?, ?)`,
    );
    const reschedule = db.prepare('UPDATE appointments SET start = ?, "end" = ?, local_date = ?, version = ?, updated_at = ? WHERE id = ?');
    const setAppointmentStatus = db.prepare('UPDATE appointments SET status = ?, version = ?, updated_at = ? WHERE id = ?');
    const cancel = db.prepare(`UPDATE appointments SET status = 'cancelled', cancel_reason = ?, version = ?, updated_at = ? WHERE id = ?`);
    const checkIn = db.prepare(`UPDATE appointments SET status = 'checked_in', token_id = ?, version = ?, updated_at = ? WHERE id = ?`);
    const completeAppointmentOf = db.prepare(
      `UPDATE appointments SET status = 'completed', updated_at = ? WHERE id = (SELECT appointment_id FROM queue_tokens WHERE id = ?) AND status = 'checked_in'`,
    );
    const insertToken = db.prepare(
      `INSERT INTO queue_tokens (id, branch_id, doctor_id, date, number, patient_id, appointment_id, kind, priority, state, issued_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'waiting', ?, ?)`,
    );
    const tokenState = {
      'queue.token_called': db.prepare(`UPDATE queue_tokens SET state = 'called', called_at = ?, updated_at = ? WHERE id = ?`),
      'queue.consultation_started': db.prepare(`UPDATE queue_tokens SET state = 'in_consultation', started_at = ?, updated_at = ? WHERE id = ?`),
      'queue.consultation_completed': db.prepare(`UPDATE queue_tokens SET state = 'done', completed_at = ?, updated_at = ? WHERE id = ?`),
      'queue.token_skipped': db.prepare(`UPDATE queue_tokens SET state = 'skipped', updated_at = ? WHERE id = ?`),
      'queue.token_recalled': db.prepare(`UPDATE queue_tokens SET state = 'waiting', updated_at = ? WHERE id = ?`),
    } as const;
    const insertFollowup = db.prepare(
      `INSERT INTO followups (id, branch_id, patient_id, doctor_id, due_date, note, status, appointment_id, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, 'due', NULL, ?, ?)`,
    );
    const bookFollowup = db.prepare(`UPDATE followups SET status = 'booked', appointment_id = ?, updated_at = ? WHERE id = ?`);
    const reopenFollowup = db.prepare(`UPDATE followups SET status = 'due', appointment_id = NULL, updated_at = ? WHERE id = ?`);
    const cancelFollowup = db.prepare(`UPDATE followups SET status = 'cancelled', updated_at = ? WHERE id = ?`);

    return (ev: StoredEvent) => {
      const e = ev as unknown as SchedulingEvent & StoredEvent;
      const at = ev.at;
      switch (e.type) {
        case 'doctor.registered': {
          const d = e.data;
          insertDoctor.run(d.doctor_id, ev.branch_id, d.name, d.specialty, d.registration_number, d.slot_minutes, d.fee.amount, d.fee.currency, JSON.stringify(d.languages), d.user_id, at, at);
          break;
        }
        case 'doctor.profile_changed': {
          const id = idAfter('doctor-', ev.stream);
          const c = e.data.changes;
          const cols: [string, unknown][] = [];
          if (c.name !== undefined) cols.push(['name', c.name]);
          if (c.specialty !== undefined) cols.push(['specialty', c.specialty]);
          if (c.registration_number !== undefined) cols.push(['registration_number', c.registration_number]);
          if (c.slot_minutes !== undefined) cols.push(['slot_minutes', c.slot_minutes]);
          if (c.fee !== undefined) cols.push(['fee_paise', c.fee.amount], ['currency', c.fee.currency]);
          if (c.languages !== undefined) cols.push(['languages', JSON.stringify(c.languages)]);
          if (c.user_id !== undefined) cols.push(['user_id', c.user_id]);
          if (cols.length) {
            db.prepare(`UPDATE doctors SET ${cols.map(([k]) => `${k} = ?`).join(', ')}, updated_at = ? WHERE id = ?`).run(
              ...(cols.map(([, v]) => v) as (string | number | null)[]),
              at,
              id,
            );
          }
          break;
        }
        case 'doctor.availability_set': {
          const id = idAfter('doctor-', ev.stream);
          clearSessions.run(id);
          clearExceptions.run(id);
          for (const s of e.data.sessions) insertSession.run(id, ev.branch_id, s.weekday, s.start, s.end, s.walk_in_allowance ?? 0);
          for (const x of e.data.exceptions) insertException.run(id, ev.branch_id, x.date, x.kind, x.start ?? '', x.end ?? '', x.note ?? null);
          touchDoctor.run(at, id);
          break;
        }
        case 'doctor.deactivated':
          setDoctorActive.run(0, at, idAfter('doctor-', ev.stream));
          break;
        case 'doctor.reactivated':
          setDoctorActive.run(1, at, idAfter('doctor-', ev.stream));
          break;
        case 'doctor.calendar_token_issued':
          setCalendarToken.run(e.data.token_hash, at, idAfter('doctor-', ev.stream));
          break;
        case 'doctor.calendar_token_revoked':
          setCalendarToken.run(null, at, idAfter('doctor-', ev.stream));
          break;
        case 'holiday.declared':
          upsertHoliday.run(ev.branch_id, e.data.date, e.data.name);
          break;
        case 'holiday.removed':
          deleteHoliday.run(ev.branch_id, e.data.date);
          break;
        case 'appointment.booked': {
          const d = e.data;
          insertAppointment.run(d.appointment_id, ev.branch_id, d.patient_id, d.doctor_id, d.start, d.end, d.local_date, d.mode, d.source, d.note, ev.meta.actor, ev.version, at, at);
          break;
        }
        case 'appointment.rescheduled':
          reschedule.run(e.data.start, e.data.end, e.data.local_date, ev.version, at, idAfter('appointment-', ev.stream));
          break;
        case 'appointment.cancelled':
          cancel.run(e.data.reason, ev.version, at, idAfter('appointment-', ev.stream));
          break;
        case 'appointment.checked_in':
          checkIn.run(e.data.token_id, ev.version, at, idAfter('appointment-', ev.stream));
          break;
        case 'appointment.no_show':
          setAppointmentStatus.run('no_show', ev.version, at, idAfter('appointment-', ev.stream));
          break;
        case 'queue.token_issued': {
          const d = e.data;
          insertToken.run(d.token_id, ev.branch_id, d.doctor_id, d.date, d.number, d.patient_id, d.appointment_id, d.kind, d.priority, at, at);
          break;
        }
        case 'queue.token_called':
        case 'queue.consultation_started':
        case 'queue.consultation_completed':
          tokenState[e.type].run(at, at, e.data.token_id);
          if (e.type === 'queue.consultation_completed') completeAppointmentOf.run(at, e.data.token_id);
          break;
        case 'queue.token_skipped':
        case 'queue.token_recalled':
          tokenState[e.type].run(at, e.data.token_id);
          break;
        case 'followup.scheduled': {
          const d = e.data;
          insertFollowup.run(d.followup_id, ev.branch_id, d.patient_id, d.doctor_id, d.due_date, d.note, at, at);
          break;
        }
        case 'followup.booked':
          bookFollowup.run(e.data.appointment_id, at, idAfter('followup-', ev.stream));
          break;
        case 'followup.reopened':
          reopenFollowup.run(at, idAfter('followup-', ev.stream));
          break;
        case 'followup.cancelled':
          cancelFollowup.run(at, idAfter('followup-', ev.stream));
          break;
      }
    };
  },
};
