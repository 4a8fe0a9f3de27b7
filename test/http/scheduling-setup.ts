// Shared set-up for the scheduling HTTP tests: a real server whose clock is pinned to
// Tuesday 2026-12-01 08:30 IST, and staff who call it with API keys (minted directly, so no
// argon2 per user and no dependence on the real date for token expiry).
import { fixedClock } from '../../src/core/clock';
import { systemActor } from '../../src/core/runner';
import { issueApiKey } from '../../src/auth/api-keys';
import { createUser } from '../../src/org/commands';
import type { Role } from '../../src/org/events';
import { startServer, type TestServer } from '../helpers/server';

/** Tuesday 1 December 2026, 08:30 in Kolkata. */
export const NOW = '2026-12-01T03:00:00Z';
export const TODAY = '2026-12-01';

export type Json = Record<string, unknown> & { id: string };
export type ErrorBody = { error: { code: string; message: string; details?: Record<string, unknown> } };

export interface Harness {
  s: TestServer;
  clock: ReturnType<typeof fixedClock>;
  /** The owner's API key. */
  owner: string;
  /** A staff account with an API key (no password anyone can use). */
  staff(username: string, role: Role, branchIds?: string[]): { userId: string; key: string };
  call(key: string, method: string, path: string, json?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; res: Response }>;
  patient(name: string, key?: string): Promise<string>;
  doctor(fields?: Record<string, unknown>, key?: string): Promise<string>;
  countOf(type: string): number;
}

export async function schedulingHarness(): Promise<Harness> {
  const clock = fixedClock(NOW);
  const s = await startServer({ clock });
  const { runner } = s.svc.kernel;
  const keyOf = (userId: string, branchId: string) => runner.run({ actor: systemActor('cli') }, (tx) => issueApiKey(tx, branchId, userId, 'tests', null)).key;
  const h: Harness = {
    s,
    clock,
    owner: keyOf(s.ownerId, s.branchId),
    staff(username, role, branchIds = [s.branchId]) {
      const userId = runner.run({ actor: systemActor('cli') }, (tx) => createUser(tx, { username, name: username, role, branchIds, passwordHash: '$argon2id$unusable' }));
      return { userId, key: keyOf(userId, branchIds[0]) };
    },
    async call(key, method, path, json, headers = {}) {
      const res = await s.api(path, { method, token: key, headers, ...(json !== undefined ? { json } : {}) });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        /* not JSON */
      }
      return { status: res.status, body, res };
    },
    async patient(name, key = h.owner) {
      const r = await h.call(key, 'POST', '/api/v1/patients', { name, phone: '9845012345', sex: 'female', age_years: 40 });
      if (r.status !== 201) throw new Error(`patient: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body.id as string;
    },
    async doctor(fields = {}, key = h.owner) {
      const r = await h.call(key, 'POST', '/api/v1/doctors', {
        name: 'Dr. Meera Rao',
        specialty: 'General medicine',
        registration_number: 'KMC-12345',
        slot_minutes: 15,
        fee: { amount: 50000, currency: 'INR' },
        ...fields,
      });
      if (r.status !== 201) throw new Error(`doctor: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body.id as string;
    },
    countOf(type) {
      return (s.svc.kernel.db.query('SELECT count(*) AS n FROM events WHERE type = ?').get(type) as { n: number }).n;
    },
  };
  return h;
}
