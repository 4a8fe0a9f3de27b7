// A real server with a pinned clock, seeded for billing tests: a doctor (fee ₹500, sessions
// every day 09:00–21:00 IST), patients, and staff of each role with API keys (API keys are
// checked against the server's clock, so they stay valid whatever the real date).
import { issueApiKey } from '../../src/auth/api-keys';
import { fixedClock } from '../../src/core/clock';
import type { Tx } from '../../src/core/runner';
import { actorOf, type Scope } from '../../src/core/scope';
import type { Role } from '../../src/org/events';
import { registerPatient } from '../../src/patients/commands';
import * as S from '../../src/scheduling/commands';
import { startServer, type TestServer } from '../helpers/server';

export type Money = { amount: number; currency: string };
export type ErrorBody = { error: { code: string; message: string; details?: Record<string, unknown> } };

export interface BillingFixture {
  s: TestServer;
  clock: ReturnType<typeof fixedClock>;
  keys: Record<'owner' | 'front_desk' | 'billing' | 'doctor' | 'admin', string>;
  userIds: Record<'owner' | 'front_desk' | 'billing' | 'doctor' | 'admin', string>;
  doctorId: string;
  patientId: string;
  ownerScope: Scope;
  run<R>(fn: (tx: Tx) => R, scope?: Scope): R;
  scopeOf(userId: string, role: Role): Scope;
  addPatient(name: string): string;
  book(start: string, mode?: 'in_person' | 'tele', patientId?: string): string;
  call<T = Record<string, unknown>>(method: string, path: string, opts?: { json?: unknown; key?: string; headers?: Record<string, string>; raw?: string }): Promise<{ status: number; body: T; headers: Headers }>;
  keyFor(userId: string): string;
  addStaff(username: string, role: Role): Promise<{ id: string; key: string }>;
}

export async function billingFixture(at = '2026-12-01T03:00:00Z'): Promise<BillingFixture> {
  const clock = fixedClock(at);
  const s = await startServer({ clock });
  const k = s.svc.kernel;
  const scopeOf = (userId: string, role: Role): Scope => ({
    userId,
    username: role,
    name: role,
    role,
    branchId: s.branchId,
    branchIds: [s.branchId],
    sessionId: 'test',
    via: 'bearer',
  });
  const ownerScope = scopeOf(s.ownerId, 'owner');
  const run = <R>(fn: (tx: Tx) => R, scope = ownerScope) => k.runner.run({ actor: actorOf(scope) }, fn);
  const keyFor = (userId: string) => run((tx) => issueApiKey(tx, s.branchId, userId, 'billing tests', null)).key;
  const addStaff = async (username: string, role: Role) => {
    const id = await s.addUser(username, role);
    return { id, key: keyFor(id) };
  };
  const staff = {
    front_desk: await addStaff('meera', 'front_desk'),
    billing: await addStaff('bina', 'billing'),
    doctor: await addStaff('drrao', 'doctor'),
    admin: await addStaff('arjun', 'admin'),
  };
  const keys = { owner: keyFor(s.ownerId), front_desk: staff.front_desk.key, billing: staff.billing.key, doctor: staff.doctor.key, admin: staff.admin.key };
  const userIds = { owner: s.ownerId, front_desk: staff.front_desk.id, billing: staff.billing.id, doctor: staff.doctor.id, admin: staff.admin.id };
  const doctorId = run((tx) => S.registerDoctor(tx, ownerScope, { name: 'Dr Rao', specialty: 'General Medicine', registration_number: 'KMC 12345', slot_minutes: 15, fee: { amount: 50000, currency: 'INR' } }));
  run((tx) => S.setAvailability(tx, ownerScope, doctorId, [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '09:00', end: '21:00' })), []));
  const addPatient = (name: string) => run((tx) => registerPatient(tx, ownerScope, { name, phone: '9845012345', sex: 'female', age_years: 30 })).patient.id;
  const patientId = addPatient('Asha Rao');
  const book = (start: string, mode: 'in_person' | 'tele' = 'in_person', pid = patientId) =>
    run((tx) => S.bookAppointment(tx, ownerScope, { patient_id: pid, doctor_id: doctorId, start, mode }));

  async function call<T>(method: string, path: string, opts: { json?: unknown; key?: string; headers?: Record<string, string>; raw?: string } = {}) {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    let body: string | undefined;
    if (opts.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.json);
    } else if (opts.raw !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = opts.raw;
    }
    const res = await s.api(path, { method, headers, body, token: opts.key ?? keys.owner });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  return { s, clock, keys, userIds, doctorId, patientId, ownerScope, run, scopeOf, addPatient, book, call, keyFor, addStaff };
}

export const inr = (amount: number): Money => ({ amount, currency: 'INR' });
