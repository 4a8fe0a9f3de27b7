// Patient registry: who the clinic's patients are. Owns registration, MRNs (per branch) and
// demographic corrections. Phone numbers are shared within families: never merge on phone.
import type { FieldChanges, PatientFields } from './rules';

export type PatientEvent =
  | { type: 'patient.registered'; data: PatientFields & { patient_id: string; mrn: string; counter: { name: 'mrn'; value: number } } }
  | { type: 'patient.demographics_corrected'; data: { changes: FieldChanges; reason: string | null } };

export const PATIENT_EVENT_TYPES = new Set<PatientEvent['type']>(['patient.registered', 'patient.demographics_corrected']);
export const patientStream = (id: string) => `patient-${id}`;
