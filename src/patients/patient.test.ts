import { describe, test } from 'bun:test';
import { given } from '../../test/helpers/decider';
import type { PatientEvent } from './events';
import { patientDecider } from './patient';
import type { PatientFields } from './rules';

const fields: PatientFields = {
  name: 'Asha Rao',
  phone: '+919845012345',
  sex: 'female',
  date_of_birth: null,
  age_years: 34,
  age_recorded_on: '2026-01-10',
  email: null,
  address: null,
  abha_number: null,
};
const registered: PatientEvent = {
  type: 'patient.registered',
  data: { patient_id: 'p1', mrn: 'BLR1-000001', counter: { name: 'mrn', value: 1 }, ...fields },
};
const phoneCorrected: PatientEvent = {
  type: 'patient.demographics_corrected',
  data: { changes: { phone: { from: '+919845012345', to: '+919845099999' } }, reason: 'typo' },
};

describe('patient', () => {
  test('registering records the patient with its MRN and the counter value it took', () => {
    given(patientDecider, []).when({ kind: 'register', patientId: 'p1', mrn: 'BLR1-000001', mrnNumber: 1, fields }).then([registered]);
  });

  test('a patient is registered only once', () => {
    given(patientDecider, [registered])
      .when({ kind: 'register', patientId: 'p1', mrn: 'BLR1-000002', mrnNumber: 2, fields })
      .thenThrows('patient_exists');
  });

  test('a correction records the changes and the reason', () => {
    given(patientDecider, [registered])
      .when({ kind: 'correct', changes: phoneCorrected.data.changes, reason: 'typo' })
      .then([phoneCorrected]);
  });

  test('a correction that changes nothing is refused (422 no_changes)', () => {
    given(patientDecider, [registered, phoneCorrected]).when({ kind: 'correct', changes: {}, reason: null }).thenThrows('no_changes');
  });

  test('a patient who was never registered cannot be corrected', () => {
    given(patientDecider, []).when({ kind: 'correct', changes: { name: { from: 'a', to: 'b' } }, reason: null }).thenThrows('no_patient');
  });

  test('corrections are folded into the state: the record stays registered after several', () => {
    const nameCorrected: PatientEvent = {
      type: 'patient.demographics_corrected',
      data: { changes: { name: { from: 'Asha Rao', to: 'Asha K Rao' } }, reason: null },
    };
    given(patientDecider, [registered, phoneCorrected, nameCorrected])
      .when({ kind: 'register', patientId: 'p1', mrn: 'X', mrnNumber: 9, fields })
      .thenThrows('patient_exists');
  });
});
