// The patient stream's decider.
import type { Decider } from '../core/decider';
import { conflict, unprocessable } from '../core/errors';
import type { PatientEvent } from './events';
import type { FieldChanges, PatientFields } from './rules';

export type PatientState = { exists: false } | { exists: true; mrn: string; fields: PatientFields };

export type PatientCommand =
  | { kind: 'register'; patientId: string; mrn: string; mrnNumber: number; fields: PatientFields }
  | { kind: 'correct'; changes: FieldChanges; reason: string | null };

export const patientDecider: Decider<PatientState, PatientEvent, PatientCommand> = {
  initialState: { exists: false },
  evolve(s, e) {
    switch (e.type) {
      case 'patient.registered': {
        const { patient_id: _id, mrn, counter: _c, ...fields } = e.data;
        return { exists: true, mrn, fields };
      }
      case 'patient.demographics_corrected': {
        if (!s.exists) return s;
        const fields = { ...s.fields };
        for (const [k, v] of Object.entries(e.data.changes)) (fields as Record<string, unknown>)[k] = v!.to;
        return { ...s, fields };
      }
    }
  },
  decide(c, s) {
    if (c.kind === 'register') {
      if (s.exists) throw conflict('patient_exists', 'This patient is already registered');
      return [
        {
          type: 'patient.registered',
          data: { patient_id: c.patientId, mrn: c.mrn, counter: { name: 'mrn', value: c.mrnNumber }, ...c.fields },
        },
      ];
    }
    if (!s.exists) throw conflict('no_patient', 'No such patient');
    if (!Object.keys(c.changes).length) throw unprocessable('no_changes', 'Nothing to correct: every field already has that value');
    return [{ type: 'patient.demographics_corrected', data: { changes: c.changes, reason: c.reason } }];
  },
};
