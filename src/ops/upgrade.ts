// Upgrades: before a new build migrates an existing database, it keeps a copy of the database
// as it was, so going back to the previous build is always possible.
//
// 1. The migrations run in one write transaction (src/core/migrate.ts). Inside it, before the
//    first change, a second connection copies the database with VACUUM INTO: the writer's
//    lock keeps anyone else from committing, so the copy is exactly what the migrations start
//    from, and the server is not yet serving.
// 2. The copy goes to DATA/backups/.pre-migrate-….tmp-PID, is checked (quick_check, schema
//    version), fsynced, then renamed to DATA/backups/pre-migrate-<from>-to-<to>-<UTC time>.db.
//    If it cannot be written (disk full), nothing is migrated.
// 3. The last three such files are kept. A start that fails the same way again (systemd
//    restarting a server whose migration fails) reuses the newest copy when it has the
//    database's schema and events, instead of writing one more.
// 4. A failed migration rolls the whole run back. The build then refuses to serve: its code
//    expects the new schema, and the old schema is served by the old build (install.sh
//    --rollback). The message names both ways out and the copy.
import { Database } from 'bun:sqlite';
import { chmodSync, chownSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { sha256Hex } from '../core/ids';
import { appliedSchemaVersion, type Migration, MigrationFailedError, type MigrationPlan, migrate } from '../core/migrate';

export const KEEP_PRE_MIGRATION_SNAPSHOTS = 3;

export const snapshotFolder = (dataDir: string) => join(dataDir, 'backups');

export interface PreMigrationSnapshot {
  file: string;
  from: number;
  to: number;
  /** When the copy was taken (UTC, from its name). */
  at: string;
  bytes: number;
}

export interface UpgradeResult {
  from: number;
  to: number;
  applied: string[];
  /** The copy of the database before the migrations; null when nothing was pending or the database was new. */
  snapshot: (PreMigrationSnapshot & { reused: boolean }) | null;
}

/** Migrations failed and were rolled back: the database is as it was, at schema `from`. */
export class UpgradeFailedError extends Error {
  constructor(
    readonly failure: MigrationFailedError,
    readonly from: number,
    readonly to: number,
    readonly snapshot: PreMigrationSnapshot | null,
  ) {
    super(failure.message);
    this.name = 'UpgradeFailedError';
  }

  /** What the sysadmin reads: what happened, that nothing changed, and the two ways out. */
  explain(version: string): string {
    return [
      `error: ${this.failure.message}`,
      `Nothing was changed: the migrations run in one transaction, which was rolled back; the database is still at schema ${this.from}.`,
      `This mymedic (${version}) needs schema ${this.to} and will not serve schema ${this.from}. Either:`,
      `  - go back to the previous mymedic, which serves schema ${this.from}: install.sh --rollback (it keeps the previous binary as mymedic.previous), or`,
      `  - keep this one and report the message above; the database as it was before this attempt is saved at`,
      `    ${this.snapshot ? this.snapshot.file : '(no copy: the database was new)'}`,
    ].join('\n');
  }
}

/** The pre-migration copy could not be made; nothing was migrated. */
export class SnapshotFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SnapshotFailedError';
  }
}

const NAME = /^pre-migrate-(\d+)-to-(\d+)-(\d{8}T\d{6}Z)(?:-(\d+))?\.db$/;

const stampOf = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
const isoOf = (stamp: string) => `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(9, 11)}:${stamp.slice(11, 13)}:${stamp.slice(13, 15)}Z`;

/** The pre-migration copies in DATA/backups, newest first. */
export function listPreMigrationSnapshots(dataDir: string): PreMigrationSnapshot[] {
  const folder = snapshotFolder(dataDir);
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return [];
  }
  const found: (PreMigrationSnapshot & { seq: number })[] = [];
  for (const name of names) {
    const m = NAME.exec(name);
    if (!m) continue;
    const file = join(folder, name);
    let bytes: number;
    try {
      bytes = statSync(file).size;
    } catch {
      continue;
    }
    found.push({ file, from: Number(m[1]), to: Number(m[2]), at: isoOf(m[3]), bytes, seq: Number(m[4] ?? 0) });
  }
  found.sort((a, b) => (a.at === b.at ? b.seq - a.seq : a.at < b.at ? 1 : -1));
  return found.map(({ seq: _, ...s }) => s);
}

/** Deletes all but the newest `keep` pre-migration copies; returns the files removed. */
export function prunePreMigrationSnapshots(dataDir: string, keep = KEEP_PRE_MIGRATION_SNAPSHOTS): string[] {
  const old = listPreMigrationSnapshots(dataDir).slice(keep);
  for (const s of old) rmSync(s.file, { force: true });
  return old.map((s) => s.file);
}

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Run as root (`mymedic migrate` by hand), files get the data folder's owner so the service can read them. */
function ownLikeFolder(path: string, folder: string): void {
  if (process.getuid?.() !== 0) return;
  const st = statSync(folder);
  chownSync(path, st.uid, st.gid);
}

/** What a reused copy must share with the live database: schema (every table, index, trigger) and events. */
interface Fingerprint {
  schema: number;
  tables: string;
  events: number;
  lastHash: string | null;
}

function fingerprintOf(db: Database): Fingerprint {
  const hasEvents = db.query(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'`).get();
  const last = hasEvents ? (db.query('SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | null) : null;
  const tables = db.query(`SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name`).all();
  return { schema: appliedSchemaVersion(db), tables: sha256Hex(JSON.stringify(tables)), events: last?.seq ?? 0, lastHash: last?.hash ?? null };
}

const sameFingerprint = (a: Fingerprint, b: Fingerprint) => a.schema === b.schema && a.tables === b.tables && a.events === b.events && a.lastHash === b.lastHash;

/** The newest copy for the same step, when it holds the same events as the live database. */
function reusable(dataDir: string, plan: MigrationPlan, live: Fingerprint): PreMigrationSnapshot | null {
  const newest = listPreMigrationSnapshots(dataDir)[0];
  if (!newest || newest.from !== plan.from || newest.to !== plan.to) return null;
  try {
    const db = new Database(newest.file, { readonly: true });
    try {
      return sameFingerprint(fingerprintOf(db), live) ? newest : null;
    } finally {
      db.close();
    }
  } catch {
    return null; // unreadable: take a fresh one
  }
}

/**
 * Copies the database at `liveFile` (read through a new connection) to
 * DATA/backups/pre-migrate-<from>-to-<to>-<time>.db: temp file, check, fsync, rename.
 */
export function takePreMigrationSnapshot(liveFile: string, dataDir: string, plan: MigrationPlan, now = new Date()): PreMigrationSnapshot & { reused: boolean } {
  const folder = snapshotFolder(dataDir);
  const source = new Database(liveFile, { readonly: true });
  let tmp = '';
  try {
    source.run('PRAGMA busy_timeout = 5000');
    const live = fingerprintOf(source);
    const again = reusable(dataDir, plan, live);
    if (again) return { ...again, reused: true };
    try {
      mkdirSync(folder, { recursive: true, mode: 0o700 });
    } catch (e) {
      throw new SnapshotFailedError(`cannot create ${folder}: ${(e as Error).message}`);
    }
    const stamp = stampOf(now);
    let name = `pre-migrate-${plan.from}-to-${plan.to}-${stamp}.db`;
    for (let i = 1; existsSync(join(folder, name)); i++) name = `pre-migrate-${plan.from}-to-${plan.to}-${stamp}-${i}.db`;
    const target = join(folder, name);
    tmp = join(folder, `.${name}.tmp-${process.pid}`);
    rmSync(tmp, { force: true });
    try {
      source.run('VACUUM INTO ?', [tmp]);
    } catch (e) {
      throw new SnapshotFailedError(`cannot write a copy of the database into ${folder}: ${(e as Error).message}`);
    }
    const copy = new Database(tmp, { readonly: true });
    try {
      const check = (copy.query('PRAGMA quick_check').all() as { quick_check: string }[]).map((r) => r.quick_check);
      if (check.length !== 1 || check[0] !== 'ok') throw new SnapshotFailedError(`the copy in ${tmp} fails PRAGMA quick_check: ${check.slice(0, 3).join('; ')}`);
      if (!sameFingerprint(fingerprintOf(copy), live)) throw new SnapshotFailedError(`the copy in ${tmp} does not match the database it was taken from`);
    } finally {
      copy.close();
    }
    chmodSync(tmp, 0o600); // patient records
    ownLikeFolder(tmp, dataDir);
    fsyncPath(tmp);
    renameSync(tmp, target);
    fsyncPath(folder);
    return { file: target, from: plan.from, to: plan.to, at: isoOf(stamp), bytes: statSync(target).size, reused: false };
  } finally {
    source.close();
    if (tmp) rmSync(tmp, { force: true });
  }
}

/**
 * Applies the pending migrations to `db` (the data folder's database) after copying it as it
 * was. A new database (no schema yet) is migrated without a copy. Throws UpgradeFailedError
 * when a migration fails (nothing applied), SnapshotFailedError when the copy cannot be made
 * (nothing applied), SchemaTooNewError as migrate() does.
 */
export function migrateWithSnapshot(db: Database, dataDir: string, opts: { migrations?: Migration[]; now?: Date; keep?: number } = {}): UpgradeResult {
  let plan: MigrationPlan | null = null;
  let snapshot: UpgradeResult['snapshot'] = null;
  let applied: string[];
  try {
    applied = migrate(db, opts.migrations, {
      beforeApply: (p) => {
        plan = p;
        if (p.from >= 0) snapshot = takePreMigrationSnapshot(db.filename, dataDir, p, opts.now);
      },
    });
  } catch (e) {
    if (e instanceof MigrationFailedError && plan) {
      const p = plan as MigrationPlan;
      throw new UpgradeFailedError(e, p.from, p.to, snapshot);
    }
    throw e;
  } finally {
    if (snapshot) prunePreMigrationSnapshots(dataDir, opts.keep ?? KEEP_PRE_MIGRATION_SNAPSHOTS);
  }
  const done = plan as MigrationPlan | null;
  const from = done?.from ?? appliedSchemaVersion(db);
  return { from, to: done?.to ?? from, applied, snapshot };
}

/** One line for the log or the terminal. */
export function describeSnapshot(s: PreMigrationSnapshot & { reused: boolean }): string {
  return s.reused
    ? `the database before migrating (schema ${s.from}) is already saved at ${s.file}`
    : `saved the database before migrating (schema ${s.from} -> ${s.to}) to ${s.file}`;
}

/** The message for a failed upgrade (migration or pre-migration copy); null for other errors. */
export function upgradeFailureMessage(e: unknown, version: string): string | null {
  if (e instanceof UpgradeFailedError) return e.explain(version);
  if (e instanceof SnapshotFailedError) {
    return (
      `error: cannot save the database before migrating it: ${e.message}\n` +
      'Nothing was migrated. Make room (older copies are in DATA/backups) and start again, or go back to the previous mymedic: install.sh --rollback'
    );
  }
  return null;
}
