// Opening the SQLite file: pragmas in the order Litestream and PocketBase use them, and a
// refusal to run on SQLite builds with the WAL-reset corruption bug (fixed in 3.51.3).
import { Database } from 'bun:sqlite';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export const MIN_SQLITE = '3.51.3';

export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

export function sqliteVersion(db: Database): string {
  return (db.query('select sqlite_version() as v').get() as { v: string }).v;
}

export function assertSqliteVersion(version: string): void {
  if (compareVersions(version, MIN_SQLITE) < 0) {
    throw new Error(
      `SQLite ${version} is too old: versions before ${MIN_SQLITE} can corrupt a WAL database on reset. Use a newer build of mymedic.`,
    );
  }
}

/** WAL pages between automatic checkpoints at a hub, which appends batches of thousands of events (SQLite's default: 1,000). */
export const HUB_WAL_AUTOCHECKPOINT_PAGES = 10_000;

export interface OpenOptions {
  readonly?: boolean;
  /** Litestream owns checkpoints while it replicates; the app then stops auto-checkpointing. */
  leaveCheckpointsToLitestream?: boolean;
}

export function openDatabase(file: string, opts: OpenOptions = {}): Database {
  if (file !== ':memory:' && !opts.readonly) mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file, opts.readonly ? { readonly: true } : { create: true, readwrite: true, strict: true });
  assertSqliteVersion(sqliteVersion(db));
  // busy_timeout first, so the pragmas below wait for a lock instead of failing.
  db.run('PRAGMA busy_timeout = 5000');
  if (!opts.readonly) {
    db.run('PRAGMA journal_mode = WAL');
    db.run('PRAGMA synchronous = NORMAL');
  }
  db.run('PRAGMA foreign_keys = ON');
  db.run('PRAGMA temp_store = MEMORY');
  db.run('PRAGMA cache_size = -32000');
  if (opts.leaveCheckpointsToLitestream) db.run('PRAGMA wal_autocheckpoint = 0');
  return db;
}
