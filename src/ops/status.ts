// System facts for the owner's status page (/admin/system) and for /metrics: version and
// schema, uptime, database and WAL size, events, disk free, backups (src/ops/backup-status.ts),
// the last projection rebuild, pre-migration copies, sessions, users and branches. Plus what
// needs attention, decided here so the page only shows it.
import type { Database } from 'bun:sqlite';
import { statfsSync, statSync } from 'node:fs';
import { sqliteVersion } from '../core/db';
import { appliedSchemaVersion, latestSchemaVersion } from '../core/migrate';
import type { Services } from '../http/services';
import { type BackupSummary, backupSummary } from './backup-status';
import { listPreMigrationSnapshots, type PreMigrationSnapshot } from './upgrade';
import { describeHub } from '../sync/link';
import { type BranchSyncStatus, branchSyncStatus, hubBranches } from '../sync/status';

// ---------------------------------------------------------------- the last rebuild

export interface RebuildRecord {
  at: string;
  seconds: number;
  events: number;
}

const LAST_REBUILD = 'last_rebuild';

/** Remembers `mymedic rebuild`'s run in instance_meta, for /metrics and the status page. */
export function recordRebuild(db: Database, r: RebuildRecord): void {
  db.run('INSERT INTO instance_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [LAST_REBUILD, JSON.stringify(r)]);
}

export function lastRebuild(db: Database): RebuildRecord | null {
  const row = db.query('SELECT value FROM instance_meta WHERE key = ?').get(LAST_REBUILD) as { value: string } | null;
  if (!row) return null;
  try {
    const r = JSON.parse(row.value) as Partial<RebuildRecord>;
    if (typeof r.at !== 'string' || typeof r.seconds !== 'number' || typeof r.events !== 'number') return null;
    return { at: r.at, seconds: r.seconds, events: r.events };
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------- files and disk

/** Bytes of the database file proper (page_count * page_size): what the WAL is checkpointed into. */
export function databaseBytes(db: Database): number {
  const c = db.query('PRAGMA page_count').get() as { page_count: number };
  const s = db.query('PRAGMA page_size').get() as { page_size: number };
  return c.page_count * s.page_size;
}

/** Bytes of the write-ahead log beside the database; 0 when there is none. */
export function walBytes(dbFile: string): number {
  try {
    return statSync(`${dbFile}-wal`).size;
  } catch {
    return 0;
  }
}

export interface DiskSpace {
  /** Bytes an unprivileged process (the service) can still write. */
  freeBytes: number;
  totalBytes: number;
}

export function diskSpace(folder: string): DiskSpace | null {
  try {
    const s = statfsSync(folder);
    return { freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
  } catch {
    return null;
  }
}

export const LOW_DISK_BYTES = 1_000_000_000;
export const LOW_DISK_FRACTION = 0.1;

export const diskIsLow = (d: DiskSpace) => d.freeBytes < LOW_DISK_BYTES || (d.totalBytes > 0 && d.freeBytes / d.totalBytes < LOW_DISK_FRACTION);

// ---------------------------------------------------------------- events

/** The highest seq: events are never deleted and seq has no gaps, so it is the count. */
export function eventsStored(db: Database): number {
  return (db.query('SELECT coalesce(max(seq), 0) AS n FROM events').get() as { n: number }).n;
}

/**
 * Events recorded at or after `since`. The log is in time order for what this server records,
 * so a binary search over seq (primary-key lookups) finds the first one without reading the
 * whole table; events pulled in later with older times are left out by the final filter.
 */
export function eventsSince(db: Database, since: Date): number {
  const cutoff = since.toISOString();
  const atOrAfter = db.prepare('SELECT seq, at FROM events WHERE seq >= ? ORDER BY seq LIMIT 1');
  let lo = 1;
  let hi = eventsStored(db) + 1; // answer in [lo, hi]: the first seq whose time is >= cutoff
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const row = atOrAfter.get(mid) as { seq: number; at: string } | null;
    if (!row) hi = mid;
    else if (row.at >= cutoff) hi = mid;
    else lo = Math.min(row.seq + 1, hi);
  }
  return (db.query('SELECT count(*) AS n FROM events WHERE seq >= ? AND at >= ?').get(lo, cutoff) as { n: number }).n;
}

// ---------------------------------------------------------------- the status page

/** How old the replica may be before the page turns red: MYMEDIC_BACKUP_MAX_AGE (90s, 10m, 1h or seconds), default 1 hour. */
export function backupMaxAgeSeconds(env: Record<string, string | undefined> = process.env): number {
  const m = /^\s*(\d+)\s*(s|m|h)?\s*$/i.exec(env.MYMEDIC_BACKUP_MAX_AGE ?? '');
  if (!m) return 3600;
  return Number(m[1]) * ({ s: 1, m: 60, h: 3600 }[(m[2] ?? 's').toLowerCase() as 's' | 'm' | 'h'] ?? 1);
}

export type AttentionKey = 'schema' | 'disk' | 'no_replica' | 'replica_unreadable' | 'replica_behind' | 'drill_failed' | 'backup_unknown' | 'sync_behind' | 'sync_flagged';

export interface Attention {
  key: AttentionKey;
  text: string;
}

export interface SystemStatus {
  now: string;
  version: string;
  schemaApplied: number;
  schemaKnown: number;
  sqlite: string;
  mode: string;
  startedAt: string;
  uptimeSeconds: number;
  dataDir: string;
  dbFile: string;
  dbBytes: number;
  walBytes: number;
  disk: (DiskSpace & { low: boolean }) | null;
  events: { total: number; lastHour: number; lastAt: string | null };
  lastRebuild: RebuildRecord | null;
  backup: BackupSummary | null;
  backupError: string | null;
  backupMaxAgeSeconds: number;
  /** Seconds since the replica was last written, when known. */
  replicaAgeSeconds: number | null;
  preMigrationSnapshots: PreMigrationSnapshot[];
  sessions: { web: number; api: number };
  users: { active: number; total: number };
  branches: { active: number; total: number };
  /** In branch mode: how this installation's sync with the hub is going. */
  sync: (BranchSyncStatus & { connected: boolean }) | null;
  /** In hub mode: how many branches are in each health (ok, behind, offline, flagged…). */
  hub: { branches: number; byHealth: Record<string, number> } | null;
  /** Red on the page, most serious first. */
  attention: Attention[];
}

/** A branch whose oldest unsent event is older than this is red on its system page. */
export const SYNC_BEHIND_SECONDS = 15 * 60;

export const formatDuration = (seconds: number): string => {
  const s = Math.max(0, Math.round(seconds));
  if (s < 90) return `${s} s`;
  if (s < 3600) return `${Math.round(s / 60)} min`;
  if (s < 48 * 3600) {
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    return m ? `${h} h ${m} min` : `${h} h`;
  }
  return `${Math.round(s / 86400)} days`;
};

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = -1;
  do {
    v /= 1024;
    i++;
  } while (v >= 1024 && i < units.length - 1);
  return `${v >= 100 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

export function backupAttention(b: BackupSummary, maxAge: number): Attention[] {
  const out: Attention[] = [];
  if (!b.replica) out.push({ key: 'no_replica', text: 'No replica configured: the database is not being copied anywhere as it changes.' });
  else if (b.lagSeconds === null) {
    out.push({ key: 'replica_unreadable', text: 'The backup replica cannot be read or holds no backup yet (is Litestream running?).' });
  } else if (b.lagSeconds > maxAge) {
    out.push({ key: 'replica_behind', text: `The backup replica is ${formatDuration(b.lagSeconds)} behind (more than ${formatDuration(maxAge)}).` });
  }
  if (b.lastDrill && !b.lastDrill.ok) out.push({ key: 'drill_failed', text: `The last restore drill failed: ${b.lastDrill.message}` });
  return out;
}

export function systemStatus(svc: Services, now = new Date()): SystemStatus {
  const { db, file } = svc.kernel;
  const dataDir = svc.config.dataDir;
  const clockNow = svc.kernel.clock.now();
  const count = (sql: string, ...args: string[]) => (db.query(sql).get(...args) as { n: number }).n;

  let backup: BackupSummary | null = null;
  let backupError: string | null = null;
  try {
    backup = backupSummary(dataDir);
  } catch (e) {
    backupError = (e as Error).message;
  }
  const maxAge = backupMaxAgeSeconds();
  const last = db.query('SELECT at FROM events ORDER BY seq DESC LIMIT 1').get() as { at: string } | null;
  const space = diskSpace(dataDir);
  const disk = space ? { ...space, low: diskIsLow(space) } : null;
  const schemaApplied = appliedSchemaVersion(db);
  const schemaKnown = latestSchemaVersion();

  const attention: Attention[] = [];
  if (schemaApplied !== schemaKnown) {
    attention.push({ key: 'schema', text: `The database is at schema ${schemaApplied}; this mymedic expects ${schemaKnown}.` });
  }
  if (backup) attention.push(...backupAttention(backup, maxAge));
  else attention.push({ key: 'backup_unknown', text: `The backup status cannot be read: ${backupError}` });
  if (disk?.low) {
    attention.push({ key: 'disk', text: `Disk space is low: ${formatBytes(disk.freeBytes)} free of ${formatBytes(disk.totalBytes)} in the data folder.` });
  }

  const sync = svc.config.mode === 'branch' ? { ...branchSyncStatus(db, svc.kernel.origin, svc.sync ? describeHub(svc.sync.client.link) : null, clockNow), connected: !!svc.sync?.connected } : null;
  if (sync && sync.lag_seconds > SYNC_BEHIND_SECONDS) {
    const why = sync.last_error ? ` The last attempt failed: ${sync.last_error}` : '';
    attention.push({ key: 'sync_behind', text: `The hub has not received this branch's last ${sync.lag_events.toLocaleString('en-IN')} events (the oldest from ${formatDuration(sync.lag_seconds)} ago). Work goes on here; it is sent when the hub can be reached.${why}` });
  }
  let hub: SystemStatus['hub'] = null;
  if (svc.config.mode === 'hub') {
    const rows = hubBranches(db, clockNow);
    const byHealth: Record<string, number> = {};
    for (const r of rows) byHealth[r.health] = (byHealth[r.health] ?? 0) + 1;
    hub = { branches: rows.length, byHealth };
    const flagged = rows.filter((r) => r.health === 'flagged').map((r) => r.code);
    if (flagged.length) attention.push({ key: 'sync_flagged', text: `The hub refused a batch from ${flagged.join(', ')} and flagged it; see mymedic hub list, then mymedic hub clear-flag CODE.` });
  }

  const nowIso = clockNow.toISOString();
  return {
    now: now.toISOString(),
    version: svc.version,
    schemaApplied,
    schemaKnown,
    sqlite: sqliteVersion(db),
    mode: svc.config.mode,
    startedAt: svc.startedAt.toISOString(),
    uptimeSeconds: Math.max(0, Math.round((now.getTime() - svc.startedAt.getTime()) / 1000)),
    dataDir,
    dbFile: file,
    dbBytes: databaseBytes(db),
    walBytes: walBytes(file),
    disk,
    events: { total: eventsStored(db), lastHour: eventsSince(db, new Date(clockNow.getTime() - 3600_000)), lastAt: last?.at ?? null },
    lastRebuild: lastRebuild(db),
    backup,
    backupError,
    backupMaxAgeSeconds: maxAge,
    replicaAgeSeconds: backup?.lastReplicatedAt ? Math.max(0, Math.round((now.getTime() - new Date(backup.lastReplicatedAt).getTime()) / 1000)) : null,
    preMigrationSnapshots: listPreMigrationSnapshots(dataDir),
    sessions: {
      web: count(`SELECT count(*) AS n FROM auth_sessions WHERE kind = 'web' AND revoked_at IS NULL AND expires_at > ?`, nowIso),
      api: count(`SELECT count(*) AS n FROM auth_sessions WHERE kind = 'api' AND revoked_at IS NULL AND expires_at > ?`, nowIso),
    },
    users: { active: count('SELECT count(*) AS n FROM users WHERE active = 1'), total: count('SELECT count(*) AS n FROM users') },
    branches: { active: count('SELECT count(*) AS n FROM branches WHERE active = 1'), total: count('SELECT count(*) AS n FROM branches') },
    sync,
    hub,
    attention,
  };
}

// ---------------------------------------------------------------- /metrics

/**
 * Gauges beside the ones `serve` registers itself (DB size, events, memory, uptime, backup
 * lag): WAL size, disk space of the data folder, the last rebuild's duration, the schema.
 */
export function addSystemGauges(svc: Services): void {
  const { db, file } = svc.kernel;
  const m = svc.metrics;
  m.gauge('mymedic_db_wal_size_bytes', 'Size of the SQLite write-ahead log (0 when none)', () => walBytes(file));
  m.gauge('mymedic_data_disk_free_bytes', 'Bytes free for the server on the file system of the data folder', () => diskSpace(svc.config.dataDir)?.freeBytes ?? Number.NaN);
  m.gauge('mymedic_data_disk_size_bytes', 'Size of the file system of the data folder', () => diskSpace(svc.config.dataDir)?.totalBytes ?? Number.NaN);
  m.gauge('mymedic_last_rebuild_seconds', 'Seconds the last `mymedic rebuild` took to replay the log into the read tables; -1 when never run', () => lastRebuild(db)?.seconds ?? -1);
  m.gauge('mymedic_schema_version', 'Database schema version applied', () => appliedSchemaVersion(db));
}
