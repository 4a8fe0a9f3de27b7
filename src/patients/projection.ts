// Applies patient events to the patients table.
import type { StoredEvent } from '../core/events';
import type { Projection } from '../core/projections';
import { PATIENT_EVENT_TYPES, type PatientEvent } from './events';
import { nameKey } from './rules';

const COLUMNS = ['name', 'phone', 'sex', 'date_of_birth', 'age_years', 'age_recorded_on', 'email', 'address', 'abha_number'] as const;

export const patientsProjection: Projection = {
  name: 'patients',
  tables: ['patients'],
  primaryKeyLookupsOnly: true,
  handles: PATIENT_EVENT_TYPES,
  bind(db) {
    const insert = db.prepare(
      `INSERT INTO patients (id, branch_id, mrn, name, name_key, phone, sex, date_of_birth, age_years, age_recorded_on,
         email, address, abha_number, version, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const updates = new Map(
      COLUMNS.map((c) => [c, db.prepare(`UPDATE patients SET ${c} = ? WHERE id = ?`)] as const),
    );
    const setNameKey = db.prepare('UPDATE patients SET name_key = ? WHERE id = ?');
    const touch = db.prepare('UPDATE patients SET version = ?, updated_at = ? WHERE id = ?');
    return (ev: StoredEvent) => {
      const e = ev as unknown as PatientEvent & StoredEvent;
      switch (e.type) {
        case 'patient.registered': {
          const d = e.data;
          insert.run(
            d.patient_id, ev.branch_id, d.mrn, d.name, nameKey(d.name), d.phone, d.sex, d.date_of_birth, d.age_years,
            d.age_recorded_on, d.email, d.address, d.abha_number, ev.version, ev.at, ev.at,
          );
          break;
        }
        case 'patient.demographics_corrected': {
          const id = ev.stream.slice('patient-'.length);
          for (const [k, v] of Object.entries(e.data.changes)) {
            updates.get(k as (typeof COLUMNS)[number])?.run(v!.to as string | number | null, id);
            if (k === 'name') setNameKey.run(nameKey(v!.to as string), id);
          }
          touch.run(ev.version, ev.at, id);
          break;
        }
      }
    };
  },
};
