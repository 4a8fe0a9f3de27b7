// Patient commands. MRNs are numbered per branch inside the command's transaction.
import { nextCounterValue } from '../core/counters';
import { conflict, notFound } from '../core/errors';
import { newId } from '../core/ids';
import type { Tx } from '../core/runner';
import type { Scope } from '../core/scope';
import { getBranch } from '../org/queries';
import { patientStream } from './events';
import { patientDecider } from './patient';
import { type DuplicateMatch, fieldsOf, getPatient, possibleDuplicates, type PatientView, todayIn, toView } from './queries';
import { diffCorrection, type PatientInput, validateRegistration } from './rules';

function branchOf(tx: Tx, scope: Scope) {
  const branch = getBranch(tx.db, scope.branchId);
  if (!branch) throw notFound('Branch');
  return branch;
}

export function formatMrn(branchCode: string, n: number): string {
  return `${branchCode}-${String(n).padStart(6, '0')}`;
}

export interface Registration {
  patient: PatientView;
  /** Patients who look like the same person: a warning, never a merge. */
  possible_duplicates: DuplicateMatch[];
}

export function registerPatient(tx: Tx, scope: Scope, input: PatientInput): Registration {
  const branch = branchOf(tx, scope);
  const today = todayIn(branch.timezone, tx.now);
  const fields = validateRegistration(input, today);
  const duplicates = possibleDuplicates(tx.db, branch.id, fields, today);
  const n = nextCounterValue(tx.db, branch.id, 'mrn');
  const id = newId();
  tx.execute(patientStream(id), branch.id, patientDecider, { kind: 'register', patientId: id, mrn: formatMrn(branch.code, n), mrnNumber: n, fields });
  return { patient: toView(getPatient(tx.db, branch.id, id)!, today), possible_duplicates: duplicates };
}

/** Checks a registration without recording it: for the form's inline duplicate warning. */
export function checkRegistration(tx: Pick<Tx, 'db' | 'now'>, scope: Scope, input: PatientInput): DuplicateMatch[] {
  const branch = getBranch(tx.db, scope.branchId);
  if (!branch) return [];
  const today = todayIn(branch.timezone, tx.now);
  return possibleDuplicates(tx.db, branch.id, validateRegistration(input, today), today);
}

export function correctPatient(tx: Tx, scope: Scope, id: string, input: PatientInput, reason: string | null, expectedVersion?: number): PatientView {
  const branch = branchOf(tx, scope);
  const row = getPatient(tx.db, branch.id, id);
  if (!row) throw notFound('Patient');
  const today = todayIn(branch.timezone, tx.now);
  const changes = diffCorrection(fieldsOf(row), input, today);
  const { state, version } = tx.load(patientStream(id), patientDecider);
  if (expectedVersion !== undefined && expectedVersion !== version) {
    throw conflict('stale_version', 'This patient was changed by someone else since you opened it; reload and try again', {
      expected_version: expectedVersion,
      actual_version: version,
    });
  }
  const cleanReason = reason?.trim() ? reason.trim().slice(0, 500) : null;
  tx.append(patientStream(id), version, branch.id, patientDecider.decide({ kind: 'correct', changes, reason: cleanReason }, state));
  return toView(getPatient(tx.db, branch.id, id)!, today);
}
