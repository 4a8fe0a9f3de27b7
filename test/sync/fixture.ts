// A hub and branches as real HTTP servers on 127.0.0.1 in this process, each over its own
// SQLite file: the hub with its HQ branch, branches registered there with real tokens, and
// a sync agent per branch that a test drives round by round.
import type { Clock } from '../../src/core/clock';
import { systemActor } from '../../src/core/runner';
import { verify } from '../../src/core/verify';
import { silentLogger } from '../../src/http/log';
import { allProjections } from '../../src/kernel';
import { SyncAgent, type AgentOptions } from '../../src/sync/agent';
import { registerBranch } from '../../src/sync/registry';
import { startServer, type TestServer } from '../helpers/server';

export interface BranchSide {
  s: TestServer;
  token: string;
  agent: SyncAgent;
}

export const FAST: Partial<AgentOptions> = { intervalMs: 50, heartbeatMs: 60_000, backoffBaseMs: 20, backoffMaxMs: 200, requestTimeoutMs: 5_000 };

export async function startHub(): Promise<TestServer> {
  return startServer({ branchCode: 'HQ', mode: 'hub' });
}

export function register(hub: TestServer, code: string): string {
  return hub.svc.kernel.runner.run({ actor: systemActor('cli') }, (tx) => registerBranch(tx, code)).token;
}

export async function startBranch(hub: TestServer, code: string, opts: Partial<AgentOptions> = {}, url = hub.url, clock?: Clock): Promise<BranchSide> {
  const token = register(hub, code);
  const s = await startServer({ branchCode: code, clock, mode: 'branch' });
  const agent = new SyncAgent(s.svc.kernel, { url, token }, silentLogger, { ...FAST, ...opts });
  return { s, token, agent };
}

export async function registerPatients(b: TestServer, n: number, prefix = 'Patient'): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = await b.api('/api/v1/patients', { method: 'POST', json: { name: `${prefix} ${i} Kumar`, phone: `98450${String(10000 + i).slice(-5)}`, sex: i % 2 ? 'male' : 'female', age_years: 20 + (i % 50) } });
    if (res.status !== 201) throw new Error(`register failed: ${res.status} ${await res.text()}`);
    ids.push(((await res.json()) as { id: string }).id);
  }
  return ids;
}

export function eventsOf(s: TestServer, origin: string): { id: string; origin_seq: number; hash: string }[] {
  return s.svc.kernel.db.query('SELECT id, origin_seq, hash FROM events WHERE origin = ? ORDER BY origin_seq').all(origin) as { id: string; origin_seq: number; hash: string }[];
}

export function verified(s: TestServer) {
  return verify(s.svc.kernel.db, s.svc.kernel.file, allProjections);
}

export async function pushRaw(hub: TestServer, token: string, body: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${hub.url}/api/v1/sync/push`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers }, body });
}
