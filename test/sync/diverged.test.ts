// A branch put back from an older copy of its database goes on writing: its new events take
// sequence numbers the hub already holds as other events. The hub refuses them as
// history_diverged (409), keeps what it had, and flags the branch for a person to look at.
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { join } from 'node:path';
import { actorOf, type Scope } from '../../src/core/scope';
import { silentLogger } from '../../src/http/log';
import { openKernelAt, type Kernel } from '../../src/kernel';
import { registerPatient } from '../../src/patients/commands';
import { SyncAgent } from '../../src/sync/agent';
import { hubBranches } from '../../src/sync/status';
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

test('an older copy that has not written yet is told so, and the hub is not flagged for it', async () => {
  const hub2 = await startHub();
  const c = await startBranch(hub2, 'MYS1');
  try {
    const k = c.s.svc.kernel;
    await registerPatients(c.s, 2, 'First');
    const copy = join(c.s.dir, 'older-copy.db');
    k.db.run(`VACUUM INTO '${copy}'`);
    await registerPatients(c.s, 2, 'Second');
    await c.agent.round();
    const older = openKernelAt(copy);
    try {
      const agent = new SyncAgent(older, { url: hub2.url, token: c.token }, silentLogger, FAST);
      await expect(agent.round()).rejects.toMatchObject({ status: 409, code: 'behind_hub' });
      expect(hubBranches(hub2.svc.kernel.db, new Date()).find((r) => r.code === 'MYS1')!.health).not.toBe('flagged');
    } finally {
      older.close();
    }
  } finally {
    await c.s.stop();
    await hub2.stop();
  }
});
