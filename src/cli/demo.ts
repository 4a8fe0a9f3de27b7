// `mymedic serve --demo`: on an empty data folder, a demo clinic to click around in —
// an owner, a front desk and a doctor account, and a few patients. Never for real data:
// the passwords are printed and documented.
import { systemActor } from '../core/runner';
import type { Scope } from '../core/scope';
import type { Kernel } from '../kernel';
import { createUser, setUpClinic } from '../org/commands';
import { getClinic } from '../org/queries';
import { hashPassword } from '../org/rules';
import { registerPatient } from '../patients/commands';

export const DEMO_ACCOUNTS = [
  { username: 'owner', password: 'demo-owner-1', role: 'owner', name: 'Dr. Meera Iyer' },
  { username: 'desk', password: 'demo-desk-1', role: 'front_desk', name: 'Ravi Kumar' },
  { username: 'doctor', password: 'demo-doctor-1', role: 'doctor', name: 'Dr. Arjun Rao' },
] as const;

const DEMO_PATIENTS = [
  { name: 'Asha Rao', phone: '9845012345', sex: 'female', age_years: 34 },
  { name: 'Suresh Rao', phone: '9845012345', sex: 'male', age_years: 38 },
  { name: 'राम कुमार', phone: '9900112233', sex: 'male', date_of_birth: '1961-08-15' },
  { name: 'Fatima Sheikh', phone: '9812345678', sex: 'female', date_of_birth: '1990-02-11', email: 'fatima@example.in' },
  { name: 'Joseph D’Souza', phone: '9123456780', sex: 'male', age_years: 67, address: '12 Church Street, Bengaluru' },
] as const;

/** Creates the demo clinic if the folder has none. Returns false when a clinic exists. */
export async function seedDemoClinic(kernel: Kernel): Promise<boolean> {
  if (getClinic(kernel.db)) return false;
  const hashes = await Promise.all(DEMO_ACCOUNTS.map((a) => hashPassword(a.password)));
  kernel.runner.run({ actor: systemActor('setup') }, (tx) => {
    const owner = DEMO_ACCOUNTS[0];
    const ids = setUpClinic(tx, {
      clinicName: 'Demo Clinic',
      branch: { code: 'DEMO', name: 'Koramangala', timezone: 'Asia/Kolkata', address: '80 Feet Road, Koramangala, Bengaluru', phone: '080 4000 1234' },
      owner: { username: owner.username, name: owner.name, passwordHash: hashes[0] },
    });
    DEMO_ACCOUNTS.slice(1).forEach((a, i) =>
      createUser(tx, { username: a.username, name: a.name, role: a.role, branchIds: [ids.branchId], passwordHash: hashes[i + 1] }),
    );
    const scope: Scope = { userId: ids.ownerId, username: owner.username, name: owner.name, role: 'owner', branchId: ids.branchId, branchIds: [ids.branchId], sessionId: 'demo', via: 'bearer' };
    for (const p of DEMO_PATIENTS) registerPatient(tx, scope, { ...p });
  });
  return true;
}
