// A branch put back from an older copy of its database goes on writing: its new events take
// sequence numbers the hub already holds as other events. The hub refuses them as
// history_diverged (409), keeps what it had, and flags the branch for a person to look at.
// One put back that has not written yet takes its own events back from the hub.
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { join } from 'node:path';
import { actorOf, type Scope } from '../../src/core/scope';
import { silentLogger } from '../../src/http/log';
import { allProjections, openKernelAt, type Kernel } from '../../src/kernel';
import { registerPatient } from '../../src/patients/commands';
import { SyncAgent } from '../../src/sync/agent';
import { hubBranches } from '../../src/sync/status';
import { verify } from '../../src/core/verify';
import type { TestServer } from '../helpers/server';
import { type BranchSide, eventsOf, FAST, registerPatients, startBranch, startHub } from './fixture';

let hub: TestServer;
let b: BranchSide;
let restored: Kernel | null = null;

beforeAll(async () => {
  hub = await startHub();
  b = await startBranch(hub, 'BLR1');
});
afterAll(async () => {
  restored?.close();
  await b.s.stop();
  await hub.stop();
});

test('an older copy writing again is refused as history_diverged: nothing applied, the branch flagged', async () => {
  const k = b.s.svc.kernel;
  await registerPatients(b.s, 3, 'Early');
  await b.agent.round();
  const copy = join(b.s.dir, 'older-copy.db');
  k.db.run(`VACUUM INTO '${copy}'`);
  await registerPatients(b.s, 2, 'Later');
  await b.agent.round();
  const held = eventsOf(hub, k.origin);
  expect(held.length).toBe(eventsOf(b.s, k.origin).length);

  // The disk died; the sysadmin put back the older copy and the desk carried on.
  restored = openKernelAt(copy);
  expect(restored.origin).toBe(k.origin);
  const scope: Scope = { userId: b.s.ownerId, username: 'owner', name: 'Olivia Owner', role: 'owner', branchId: b.s.branchId, branchIds: [b.s.branchId], sessionId: 'x', via: 'bearer' };
  restored.runner.run({ actor: actorOf(scope) }, (tx) => registerPatient(tx, scope, { name: 'After Restore', phone: '9845012345', sex: 'male', age_years: 40 }));
  const agent = new SyncAgent(restored, { url: hub.url, token: b.token }, silentLogger, FAST);
  await expect(agent.round()).rejects.toMatchObject({ status: 409, code: 'history_diverged' });

  expect(eventsOf(hub, k.origin)).toEqual(held);
  const row = hubBranches(hub.svc.kernel.db, new Date()).find((r) => r.code === 'BLR1')!;
  expect(row.health).toBe('flagged');
  expect(row.flagged_reason).toContain('history_diverged');
});

test('an older copy that has not written yet takes its own events back from the hub, hashes checked; nothing is lost, the hub not flagged', async () => {
  const hub2 = await startHub();
  const c = await startBranch(hub2, 'MYS1');
  try {
    const k = c.s.svc.kernel;
    await registerPatients(c.s, 2, 'First');
    const copy = join(c.s.dir, 'older-copy.db');
    k.db.run(`VACUUM INTO '${copy}'`);
    await registerPatients(c.s, 3, 'Second');
    await c.agent.round();
    const held = eventsOf(hub2, k.origin);
    const older = openKernelAt(copy);
    try {
      const count = () => (older.db.query("SELECT count(*) AS n FROM patients WHERE name LIKE 'Second %'").get() as { n: number }).n;
      expect(count()).toBe(0);
      const agent = new SyncAgent(older, { url: hub2.url, token: c.token }, silentLogger, FAST);
      await agent.round();
      const mine = older.db.query('SELECT id, origin_seq, hash FROM events WHERE origin = ? ORDER BY origin_seq').all(k.origin);
      expect(mine).toEqual(held);
      expect(count()).toBe(3); // the projections too
      expect(verify(older.db, older.file, allProjections).ok).toBe(true);
      expect(hubBranches(hub2.svc.kernel.db, new Date()).find((r) => r.code === 'MYS1')!.health).not.toBe('flagged');
      // And it goes on: its next event continues the chain the hub holds.
      const scope: Scope = { userId: c.s.ownerId, username: 'owner', name: 'Olivia Owner', role: 'owner', branchId: c.s.branchId, branchIds: [c.s.branchId], sessionId: 'x', via: 'bearer' };
      older.runner.run({ actor: actorOf(scope) }, (tx) => registerPatient(tx, scope, { name: 'After Recovery', phone: '9845012345', sex: 'male', age_years: 40 }));
      expect((await agent.round()).pushed).toBe(1);
      expect(eventsOf(hub2, k.origin).length).toBe(held.length + 1);
    } finally {
      older.close();
    }
  } finally {
    await c.s.stop();
    await hub2.stop();
  }
});

test('the hub gives a branch back only its own events, to its own token', async () => {
  const res = await fetch(`${hub.url}/api/v1/sync/own?after=0`);
  expect(res.status).toBe(401);
  const own = await fetch(`${hub.url}/api/v1/sync/own?after=0&limit=5`, { headers: { authorization: `Bearer ${b.token}` } });
  expect(own.status).toBe(200);
  const lines = (await own.text()).trim().split('\n').map((l) => JSON.parse(l) as { origin: string; origin_seq: number });
  expect(lines.length).toBe(5);
  expect(new Set(lines.map((l) => l.origin))).toEqual(new Set([b.s.svc.kernel.origin]));
  expect(lines.map((l) => l.origin_seq)).toEqual([1, 2, 3, 4, 5]);
  expect((await fetch(`${hub.url}/api/v1/sync/own?after=-1`, { headers: { authorization: `Bearer ${b.token}` } })).status).toBe(400);
});
