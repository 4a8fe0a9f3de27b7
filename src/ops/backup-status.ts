// What the owner needs to know about backups at a glance (the system status page, /metrics,
// `mymedic backup status`): the replica, how far behind it is, the last snapshot and the
// last restore drill.
//
// Lag: when the live log has an event newer than the replica's last write, the replica has
// been behind since that write, so lag = now - last replica write; otherwise it is 0. It is
// an upper bound on the work a restore would lose. A file replica is read from its folder
// (exact times); other replicas through `litestream generations` (whole seconds), refreshed
// in the background for the server so a page never waits on the network.
import { existsSync } from 'node:fs';
import { databaseFile } from '../core/config';
import { openLiveForReading, readState } from './backup';
import { findConfigFile, type LitestreamConfig, queryGenerations, readConfig, readFileReplica, type ReplicaState } from './litestream';

export interface BackupSummary {
  /** Where Litestream replicates to, e.g. { kind: 'file', url: '/mnt/nas/mymedic' }, or null. */
  replica: { kind: 'file' | 'sftp' | 's3'; url: string } | null;
  /** Replica position (Litestream generation/index) and when it was last written. */
  position: string | null;
  lastReplicatedAt: string | null;
  /** Seconds the replica is behind the live database, when known. */
  lagSeconds: number | null;
  /** The newest local snapshot file (`mymedic backup now`). */
  lastSnapshot: { file: string; at: string; bytes: number } | null;
  /** The last restore drill (`mymedic backup drill`). */
  lastDrill: { at: string; ok: boolean; message: string } | null;
}

export interface BackupStatus extends BackupSummary {
  configFile: string | null;
  generation: string | null;
  lastEventAt: string | null;
  liveEvents: number | null;
  /** Why the replica's state is unknown (config unreadable, folder missing, litestream failed). */
  replicaError: string | null;
  lastSnapshotEvents: number | null;
}

export const DEFAULT_MAX_LAG_SECONDS = 600;

interface Cached {
  at: number;
  state: ReplicaState | null;
  error: string | null;
  pending?: boolean;
}
const fileCache = new Map<string, Cached>();
const remoteCache = new Map<string, Cached>();
const FILE_TTL_MS = 2_000;
const REMOTE_TTL_MS = 60_000;

/** Forgets what was read from replicas (tests; after changing the config). */
export function clearBackupCache(): void {
  fileCache.clear();
  remoteCache.clear();
}

function liveHead(dataDir: string): { lastEventAt: Date | null; events: number | null } {
  const file = databaseFile(dataDir);
  if (!existsSync(file)) return { lastEventAt: null, events: null };
  try {
    const db = openLiveForReading(file);
    try {
      const row = db.query('SELECT seq, at FROM events ORDER BY seq DESC LIMIT 1').get() as { seq: number; at: string } | null;
      return { lastEventAt: row ? new Date(row.at) : null, events: row?.seq ?? 0 };
    } finally {
      db.close();
    }
  } catch {
    return { lastEventAt: null, events: null };
  }
}

export function lagOf(replica: ReplicaState | null, lastEventAt: Date | null, now: Date, resolutionMs: number): number | null {
  if (!replica) return null;
  if (!lastEventAt || lastEventAt.getTime() <= replica.updatedAt.getTime() + resolutionMs) return 0;
  return Math.max(0, Math.round((now.getTime() - replica.updatedAt.getTime()) / 1000));
}

function fileReplicaCached(folder: string): Cached {
  const hit = fileCache.get(folder);
  if (hit && Date.now() - hit.at < FILE_TTL_MS) return hit;
  let c: Cached;
  try {
    c = { at: Date.now(), state: readFileReplica(folder), error: null };
  } catch (e) {
    c = { at: Date.now(), state: null, error: (e as Error).message };
  }
  fileCache.set(folder, c);
  return c;
}

function remoteKey(config: LitestreamConfig): string {
  return `${config.file}\n${config.dbPath}`;
}

async function refreshRemote(config: LitestreamConfig): Promise<Cached> {
  const key = remoteKey(config);
  const previous = remoteCache.get(key);
  if (previous) previous.pending = true;
  let c: Cached;
  try {
    c = { at: Date.now(), state: await queryGenerations(config), error: null };
  } catch (e) {
    c = { at: Date.now(), state: previous?.state ?? null, error: (e as Error).message };
  }
  remoteCache.set(key, c);
  return c;
}

function loadConfig(dataDir: string, configFile?: string): { config: LitestreamConfig | null; configFile: string | null; error: string | null } {
  const file = findConfigFile(dataDir, configFile);
  if (!file) return { config: null, configFile: null, error: null };
  try {
    const config = readConfig(file, dataDir);
    if (!config.dbPath) return { config: null, configFile: file, error: `the Litestream config ${file} does not list ${databaseFile(dataDir)}` };
    return { config, configFile: file, error: config.replica ? null : `the Litestream config ${file} has no replica for ${config.dbPath}` };
  } catch (e) {
    return { config: null, configFile: file, error: (e as Error).message };
  }
}

function assemble(dataDir: string, loaded: ReturnType<typeof loadConfig>, replica: Cached | null, now: Date): BackupStatus {
  const { config } = loaded;
  const state = readState(dataDir);
  const live = liveHead(dataDir);
  const ref = config?.replica ?? null;
  const resolution = ref?.kind === 'file' ? 0 : 1000;
  const rs = replica?.state ?? null;
  let replicaError = loaded.error ?? replica?.error ?? null;
  if (ref && !rs && !replicaError) replicaError = 'the replica holds no backup yet (is Litestream running?)';
  return {
    replica: ref ? { kind: ref.kind, url: ref.url } : null,
    position: rs?.position ?? null,
    lastReplicatedAt: rs ? rs.updatedAt.toISOString() : null,
    lagSeconds: ref ? lagOf(rs, live.lastEventAt, now, resolution) : null,
    lastSnapshot: state.lastSnapshot ? { file: state.lastSnapshot.file, at: state.lastSnapshot.at, bytes: state.lastSnapshot.bytes } : null,
    lastDrill: state.lastDrill ? { at: state.lastDrill.at, ok: state.lastDrill.ok, message: state.lastDrill.message } : null,
    configFile: loaded.configFile,
    generation: rs?.generation ?? null,
    lastEventAt: live.lastEventAt?.toISOString() ?? null,
    liveEvents: live.events,
    replicaError,
    lastSnapshotEvents: state.lastSnapshot?.events ?? null,
  };
}

/** The full picture, waiting for Litestream when the replica is remote (`backup status`). */
export async function readBackupStatus(dataDir: string, opts: { configFile?: string; now?: Date } = {}): Promise<BackupStatus> {
  const loaded = loadConfig(dataDir, opts.configFile);
  const ref = loaded.config?.replica;
  let replica: Cached | null = null;
  if (ref?.kind === 'file') {
    fileCache.delete(ref.url);
    replica = fileReplicaCached(ref.url);
  } else if (ref && loaded.config) {
    replica = await refreshRemote(loaded.config);
  }
  return assemble(dataDir, loaded, replica, opts.now ?? new Date());
}

/** Without waiting: for the status page and /metrics. A remote replica's state may be a minute old. */
export function backupSummary(dataDir: string): BackupSummary {
  const s = backupStatusNow(dataDir);
  return {
    replica: s.replica,
    position: s.position,
    lastReplicatedAt: s.lastReplicatedAt,
    lagSeconds: s.lagSeconds,
    lastSnapshot: s.lastSnapshot,
    lastDrill: s.lastDrill,
  };
}

export function backupStatusNow(dataDir: string, now = new Date()): BackupStatus {
  const loaded = loadConfig(dataDir);
  const ref = loaded.config?.replica;
  let replica: Cached | null = null;
  if (ref?.kind === 'file') replica = fileReplicaCached(ref.url);
  else if (ref && loaded.config) {
    const cached = remoteCache.get(remoteKey(loaded.config)) ?? null;
    if (!cached || (!cached.pending && Date.now() - cached.at > REMOTE_TTL_MS)) {
      if (!cached) remoteCache.set(remoteKey(loaded.config), { at: Date.now(), state: null, error: 'not read yet', pending: true });
      void refreshRemote(loaded.config);
    }
    replica = remoteCache.get(remoteKey(loaded.config)) ?? null;
  }
  return assemble(dataDir, loaded, replica, now);
}

/**
 * For /metrics: -1 without a replica, NaN when one is configured but cannot be read or holds
 * nothing yet (alert on `x > 600 or x != x`).
 */
export function backupLagGauge(dataDir: string): number {
  const s = backupSummary(dataDir);
  if (!s.replica) return -1;
  return s.lagSeconds ?? Number.NaN;
}

/** Healthy = the replica (when configured) is readable and within maxLag, some backup exists, the last drill passed. */
export function problemsOf(s: BackupStatus, maxLagSeconds: number): string[] {
  const problems: string[] = [];
  if (s.replicaError) problems.push(s.replicaError);
  if (s.replica && s.lagSeconds !== null && s.lagSeconds > maxLagSeconds) {
    problems.push(`the replica is ${s.lagSeconds} s behind the live database (more than ${maxLagSeconds} s)`);
  }
  if (!s.replica && !s.replicaError && !s.lastSnapshot) {
    problems.push('no backup: no Litestream replica is configured and no snapshot was taken (mymedic backup now)');
  }
  if (s.lastSnapshot && !existsSync(s.lastSnapshot.file)) problems.push(`the last snapshot ${s.lastSnapshot.file} no longer exists`);
  if (s.lastDrill && !s.lastDrill.ok) problems.push(`the last restore drill failed: ${s.lastDrill.message}`);
  return problems;
}
