// A kernel over a real SQLite file in a fresh temp folder, for tests below the HTTP layer.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../src/core/clock';
import { systemActor } from '../../src/core/runner';
import type { Scope } from '../../src/core/scope';
import { openKernel, type Kernel } from '../../src/kernel';
import { setUpClinic } from '../../src/org/commands';

export function tempDir(prefix = 'mymedic-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface TestKernel extends Kernel {
  dir: string;
  dispose(): void;
}

export function testKernel(opts: { clock?: Clock } = {}): TestKernel {
  const dir = tempDir();
  const k = openKernel(dir, opts);
  return {
    ...k,
    dir,
    dispose() {
      k.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// A fixed, cheap hash keeps kernel-level tests fast; HTTP tests use real argon2id.
export const FAKE_HASH = '$argon2id$v=19$m=65536,t=2,p=1$test$test';

/** A clinic with one branch (BLR1) and its owner; returns ids and an owner scope. */
export function seedClinic(k: Kernel, code = 'BLR1') {
  const ids = k.runner.run({ actor: systemActor('setup') }, (tx) =>
    setUpClinic(tx, {
      clinicName: 'Test Clinic',
      branch: { code, name: `Branch ${code}`, timezone: 'Asia/Kolkata' },
      owner: { username: 'owner', name: 'Owner', passwordHash: FAKE_HASH },
    }),
  );
  const scope: Scope = {
    userId: ids.ownerId,
    username: 'owner',
    name: 'Owner',
    role: 'owner',
    branchId: ids.branchId,
    branchIds: [ids.branchId],
    sessionId: 'test',
    via: 'bearer',
  };
  return { ...ids, scope };
}
