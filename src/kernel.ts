// The kernel: one open database with its event store, projections and command runner.
// Every entry point (server, CLI commands, tests, benchmarks) gets one from openKernel().
import type { Database, Statement } from 'bun:sqlite';
import { type Clock, systemClock } from './core/clock';
import { databaseFile } from './core/config';
import { openDatabase, type OpenOptions } from './core/db';
import { EventStore } from './core/events';
import { forbidden } from './core/errors';
import { newId } from './core/ids';
import { migrate } from './core/migrate';
import { type Projection, ProjectionSet } from './core/projections';
import { CommandRunner } from './core/runner';
import { countersProjection } from './core/counters';
import { orgProjection } from './org/projection';
import { patientsProjection } from './patients/projection';
import { apiKeysProjection } from './auth/api-keys';
import { schedulingProjection } from './scheduling/projection';
import { billingProjection } from './billing/projection';
import { registryProjection } from './sync/registry';
import { announcementsProjection } from './chain/announcements';
import { directoryProjection } from './chain/directory';

/** Every domain's projection, in the order they apply. */
export const allProjections: Projection[] = [
  countersProjection,
  orgProjection,
  patientsProjection,
  apiKeysProjection,
  schedulingProjection,
  billingProjection,
  registryProjection,
  announcementsProjection,
  directoryProjection,
];

export interface Kernel {
  db: Database;
  file: string;
  origin: string;
  store: EventStore;
  projections: ProjectionSet;
  runner: CommandRunner;
  clock: Clock;
  close(): void;
}

export interface KernelOptions extends OpenOptions {
  clock?: Clock;
  /** Apply pending migrations (default). `false` opens as is (verify, export). */
  migrate?: boolean;
}

/** This instance's origin id: created with the database, kept for its life. */
export function instanceOrigin(db: Database): string {
  const row = db.query(`SELECT value FROM instance_meta WHERE key = 'origin'`).get() as { value: string } | null;
  if (row) return row.value;
  const origin = newId();
  db.run(`INSERT INTO instance_meta (key, value) VALUES ('origin', ?)`, [origin]);
  return origin;
}

/**
 * The origin under which a hub records chain-wide events (chain prices, policies,
 * announcements): a chain of its own, so branches can pull it whole and check every hash.
 * Created on first use at a hub; null elsewhere.
 */
export function chainOrigin(db: Database, create = false): string | null {
  const row = db.query(`SELECT value FROM instance_meta WHERE key = 'chain_origin'`).get() as { value: string } | null;
  if (row || !create) return row?.value ?? null;
  const origin = newId();
  db.run(`INSERT INTO instance_meta (key, value) VALUES ('chain_origin', ?)`, [origin]);
  return origin;
}

export function openKernelAt(file: string, opts: KernelOptions = {}): Kernel {
  const db = openDatabase(file, opts);
  try {
    if (opts.migrate !== false) migrate(db);
    const origin = instanceOrigin(db);
    const store = new EventStore(db, origin);
    const projections = new ProjectionSet(db, allProjections, origin);
    const clock = opts.clock ?? systemClock;
    const runner = new CommandRunner(db, store, projections, clock);
    // Prepared on first use: a database opened without migrating (verify, export) may predate the table.
    let replica: Statement | undefined;
    runner.refuseAppend = (branchId) => {
      if (branchId === '*') return null;
      replica ??= db.prepare('SELECT code FROM sync_branches WHERE joined_branch_id = ?');
      const r = replica.get(branchId) as { code: string } | null;
      return r ? forbidden(`Branch ${r.code} keeps its own records: change them at the branch; the hub only reads them`, 'branch_read_only') : null;
    };
    return { db, file, origin, store, projections, runner, clock, close: () => db.close() };
  } catch (e) {
    db.close();
    throw e;
  }
}

export function openKernel(dataDir: string, opts: KernelOptions = {}): Kernel {
  return openKernelAt(databaseFile(dataDir), opts);
}
