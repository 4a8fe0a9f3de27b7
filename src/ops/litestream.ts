// Litestream, seen from the app: where its binary and config are, which replica the config
// gives this database, what that replica holds, and whether `serve` runs under it.
//
// Litestream v0.3.13 (the one shipped) needs the app to use WAL and a busy_timeout (5 s
// recommended) because it takes short write locks to checkpoint; it holds a long read
// transaction so nobody else can checkpoint past what it has copied, and it asks
// high-write applications to turn off autocheckpoints so they do not race it. It carries
// its own SQLite (3.42.0): see README "Backups and restore".
import type { Database } from 'bun:sqlite';
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { databaseFile } from '../core/config';

export const SYSTEM_CONFIG = '/etc/mymedic/litestream.yml';

export type ReplicaKind = 'file' | 'sftp' | 's3';

export interface ReplicaRef {
  kind: ReplicaKind;
  /** For a file replica the folder; otherwise a URL without credentials. */
  url: string;
  /** The replica's name in the config (Litestream's -replica), when it has one. */
  name: string | null;
}

export interface LitestreamConfig {
  file: string;
  /** The db entry for this data folder's database, or null when the config does not list it. */
  dbPath: string | null;
  replica: ReplicaRef | null;
  /** Every database the config lists (to say what it holds when ours is missing). */
  dbPaths: string[];
}

/**
 * The Litestream config that applies to a data folder: $MYMEDIC_LITESTREAM_CONFIG, else
 * DATA/litestream.yml, else /etc/mymedic/litestream.yml; null when none exists.
 */
export function findConfigFile(dataDir: string, explicit?: string, env: Record<string, string | undefined> = process.env): string | null {
  if (explicit) return resolve(explicit);
  if (env.MYMEDIC_LITESTREAM_CONFIG) return resolve(env.MYMEDIC_LITESTREAM_CONFIG);
  const local = join(dataDir, 'litestream.yml');
  if (existsSync(local)) return local;
  if (existsSync(SYSTEM_CONFIG)) return SYSTEM_CONFIG;
  return null;
}

/** Litestream expands $VAR and ${VAR} in its config before parsing (unless -no-expand-env). */
function expandEnv(text: string, env: Record<string, string | undefined>): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_, a: string | undefined, b: string | undefined) => env[(a ?? b)!] ?? '');
}

type Yaml = Record<string, unknown>;

function replicaOf(r: Yaml, baseDir: string): ReplicaRef {
  const name = typeof r.name === 'string' ? r.name : null;
  const url = typeof r.url === 'string' ? r.url : null;
  const type = typeof r.type === 'string' ? r.type : url ? url.split(':')[0] : 'file';
  if (type === 'file') {
    const path = url ? fileUrlPath(url) : String(r.path ?? '');
    if (!path) throw new Error('a file replica needs a path');
    return { kind: 'file', url: isAbsolute(path) ? path : resolve(baseDir, path), name };
  }
  if (type === 's3') {
    if (url) return { kind: 's3', url: stripCredentials(url), name };
    const bucket = String(r.bucket ?? '');
    const path = String(r.path ?? '').replace(/^\/+/, '');
    return { kind: 's3', url: `s3://${bucket}/${path}`, name };
  }
  if (type === 'sftp') {
    if (url) return { kind: 'sftp', url: stripCredentials(url), name };
    const user = r.user ? `${String(r.user)}@` : '';
    const path = String(r.path ?? '');
    return { kind: 'sftp', url: `sftp://${user}${String(r.host ?? '')}${path.startsWith('/') ? '' : '/'}${path}`, name };
  }
  throw new Error(`replica type ${type} is not one mymedic reports on (file, sftp, s3)`);
}

function stripCredentials(url: string): string {
  try {
    const u = new URL(url);
    u.password = '';
    u.search = '';
    return u.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//');
  }
}

export function fileUrlPath(url: string): string {
  return url.startsWith('file://') ? decodeURIComponent(new URL(url).pathname) : url.replace(/^file:/, '');
}

/** Reads the config and picks the entry for DATA/mymedic.db (or the only entry). */
export function readConfig(file: string, dataDir: string | null, env: Record<string, string | undefined> = process.env): LitestreamConfig {
  let doc: Yaml;
  try {
    doc = (Bun.YAML.parse(expandEnv(readFileSync(file, 'utf8'), env)) ?? {}) as Yaml;
  } catch (e) {
    throw new Error(`cannot read the Litestream config ${file}: ${(e as Error).message}`);
  }
  const baseDir = dirname(file);
  const dbs = Array.isArray(doc.dbs) ? (doc.dbs as Yaml[]) : [];
  const dbPaths = dbs.map((d) => resolve(baseDir, String(d.path ?? '')));
  const ours = dataDir ? resolve(databaseFile(dataDir)) : null;
  let index = ours ? dbPaths.findIndex((p) => samePath(p, ours)) : -1;
  if (index < 0 && !ours && dbs.length === 1) index = 0;
  if (index < 0) return { file, dbPath: null, replica: null, dbPaths };
  const entry = dbs[index];
  const list = Array.isArray(entry.replicas) ? (entry.replicas as Yaml[]) : entry.replica ? [entry.replica as Yaml] : [];
  let replica: ReplicaRef | null = null;
  if (list.length) {
    try {
      replica = replicaOf(list[0], baseDir);
    } catch (e) {
      throw new Error(`the Litestream config ${file}: ${(e as Error).message}`);
    }
  }
  return { file, dbPath: dbPaths[index], replica, dbPaths };
}

function samePath(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}

/**
 * The real Litestream executable: $MYMEDIC_LITESTREAM_BIN, else `litestream` beside this
 * executable (the release folder / install location), else on PATH, else the one from the
 * npm package in development. The npm package's node wrapper (node_modules/.bin) is skipped:
 * it drops Litestream's exit code and would survive a kill of itself.
 */
export function litestreamBinary(env: Record<string, string | undefined> = process.env): string | null {
  if (env.MYMEDIC_LITESTREAM_BIN) return env.MYMEDIC_LITESTREAM_BIN;
  const candidates = [join(dirname(process.execPath), 'litestream'), Bun.which('litestream', { PATH: env.PATH ?? '' })];
  for (const c of candidates) {
    if (c && existsSync(c) && !realpathSync(c).endsWith('.js')) return c;
  }
  const arch = process.arch === 'arm64' ? 'arm64' : 'x64';
  const dev = join(import.meta.dir, '..', '..', 'node_modules', '@flydotio', `litestream-${process.platform}-${arch}`, 'litestream');
  return existsSync(dev) ? dev : null;
}

export function requireLitestream(): string {
  const bin = litestreamBinary();
  if (!bin) {
    throw new Error('the litestream executable was not found: put it beside mymedic or on PATH, or set MYMEDIC_LITESTREAM_BIN');
  }
  return bin;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runLitestream(args: string[], timeoutMs = 0, env?: Record<string, string | undefined>): Promise<RunResult> {
  const p = Bun.spawn([requireLitestream(), ...args], { stdin: 'ignore', stdout: 'pipe', stderr: 'pipe', env: env ?? process.env });
  const timer = timeoutMs ? setTimeout(() => p.kill(), timeoutMs) : null;
  const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  if (timer) clearTimeout(timer);
  return { code, stdout, stderr };
}

/**
 * The environment Litestream needs for a config: install.sh keeps replica credentials
 * (LITESTREAM_ACCESS_KEY_ID, MYMEDIC_SFTP_PASSWORD, ...) in mymedic.env beside the config,
 * which the service reads but a shell does not. Its KEY=VALUE lines are added when this
 * user can read it (root); what the environment already holds wins.
 */
export function envForConfig(configFile: string, env: Record<string, string | undefined> = process.env): Record<string, string | undefined> {
  const merged = { ...env };
  let text: string;
  try {
    text = readFileSync(join(dirname(configFile), 'mymedic.env'), 'utf8');
  } catch {
    return merged;
  }
  for (const line of text.split('\n')) {
    const m = line.match(/^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/);
    if (m && merged[m[1]] === undefined) merged[m[1]] = m[2].trim().replace(/^(["'])(.*)\1$/, '$2');
  }
  return merged;
}

/** The last ERROR line Litestream logged, without its timestamp, for a one-line message. */
export function litestreamError(r: RunResult): string {
  const lines = (r.stderr + '\n' + r.stdout).split('\n').map((l) => l.trim()).filter(Boolean);
  const error = [...lines].reverse().find((l) => /ERROR|error/.test(l)) ?? lines.at(-1) ?? `exit code ${r.code}`;
  const m = error.match(/error="([^"]*)"/);
  return m ? m[1] : error.replace(/^\S+ \S+ ERROR /, '').replace(/^time=\S+ level=ERROR msg=/, '');
}

export interface ReplicaState {
  generation: string;
  /** Litestream's position: generation/index:offset of the newest WAL segment (or snapshot). */
  position: string;
  /** When the replica was last written. */
  updatedAt: Date;
  snapshots: number;
}

/**
 * What a file replica folder holds, read from its layout (generations/<id>/snapshots/
 * <index>.snapshot.lz4 and generations/<id>/wal/<index>_<offset>.wal.lz4): the generation
 * written last. Null when it holds no generation yet.
 */
export function readFileReplica(folder: string): ReplicaState | null {
  const gens = join(folder, 'generations');
  if (!existsSync(folder)) throw new Error(`the replica folder ${folder} does not exist (is the disk mounted?)`);
  if (!existsSync(gens)) return null;
  let best: ReplicaState | null = null;
  for (const generation of readdirSync(gens)) {
    if (!/^[0-9a-f]{16}$/.test(generation)) continue;
    const snaps = listNames(join(gens, generation, 'snapshots'), /^([0-9a-f]{8,16})\.snapshot\.lz4$/);
    const wals = listNames(join(gens, generation, 'wal'), /^([0-9a-f]{8,16})_([0-9a-f]{8,16})\.wal\.lz4$/);
    // Names sort by position (fixed-width hex), so the last one is the newest.
    const lastWal = wals.at(-1);
    const lastSnap = snaps.at(-1);
    const newest = [lastWal && join(gens, generation, 'wal', lastWal), lastSnap && join(gens, generation, 'snapshots', lastSnap)]
      .filter((p): p is string => Boolean(p))
      .map((p) => statSync(p).mtime)
      .sort((a, b) => b.getTime() - a.getTime())[0];
    if (!newest) continue;
    const position = lastWal
      ? `${generation}/${lastWal.replace(/^([0-9a-f]+)_([0-9a-f]+).*$/, '$1:$2')}`
      : `${generation}/${lastSnap!.replace(/\.snapshot\.lz4$/, '')}:0`;
    if (!best || newest > best.updatedAt) best = { generation, position, updatedAt: newest, snapshots: snaps.length };
  }
  return best;
}

function listNames(dir: string, pattern: RegExp): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => pattern.test(n))
    .sort();
}

/**
 * Any replica, through `litestream generations -config FILE DB`: the generation with the
 * latest end. Its times have a resolution of one second.
 */
export async function queryGenerations(config: LitestreamConfig, timeoutMs = 30_000): Promise<ReplicaState | null> {
  if (!config.dbPath) throw new Error(`the Litestream config ${config.file} does not list this database`);
  const args = ['generations', '-config', config.file];
  if (config.replica?.name) args.push('-replica', config.replica.name);
  const r = await runLitestream([...args, config.dbPath], timeoutMs, envForConfig(config.file));
  if (r.code !== 0) throw new Error(`litestream generations failed: ${litestreamError(r)}`);
  return parseGenerations(r.stdout);
}

/** Parses `litestream generations` output: "name generation lag start end" rows. */
export function parseGenerations(text: string): ReplicaState | null {
  let best: ReplicaState | null = null;
  for (const line of text.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 5 || !/^[0-9a-f]{16}$/.test(cols[1])) continue;
    const end = new Date(cols[4]);
    if (Number.isNaN(end.getTime())) continue;
    if (!best || end > best.updatedAt) best = { generation: cols[1], position: cols[1], updatedAt: end, snapshots: 0 };
  }
  return best;
}

/** The Litestream arguments that name a replica as a restore source. */
export function replicaUrlFor(ref: ReplicaRef): string {
  return ref.kind === 'file' ? `file://${ref.url}` : ref.url;
}

/**
 * Whether `serve` should leave checkpoints to Litestream: asked for (--litestream,
 * MYMEDIC_LITESTREAM=1, LITESTREAM=1 or a MYMEDIC_LITESTREAM_CONFIG), or started by
 * `litestream replicate -exec` (its parent process is litestream). MYMEDIC_LITESTREAM=0
 * says no whatever else holds.
 */
export function runsUnderLitestream(flag: boolean | undefined, env: Record<string, string | undefined> = process.env): { yes: boolean; why: string } {
  const truthy = (v: string | undefined) => v !== undefined && ['1', 'true', 'yes', 'on'].includes(v.toLowerCase());
  const falsy = (v: string | undefined) => v !== undefined && ['0', 'false', 'no', 'off'].includes(v.toLowerCase());
  if (flag) return { yes: true, why: '--litestream' };
  if (falsy(env.MYMEDIC_LITESTREAM)) return { yes: false, why: 'MYMEDIC_LITESTREAM=0' };
  if (truthy(env.MYMEDIC_LITESTREAM)) return { yes: true, why: 'MYMEDIC_LITESTREAM' };
  if (truthy(env.LITESTREAM)) return { yes: true, why: 'LITESTREAM' };
  // install.sh's unit sets it for the server it runs under `litestream replicate -exec`.
  if (env.MYMEDIC_LITESTREAM_CONFIG) return { yes: true, why: 'MYMEDIC_LITESTREAM_CONFIG' };
  if (parentIsLitestream()) return { yes: true, why: 'started by litestream replicate -exec' };
  return { yes: false, why: '' };
}

function parentIsLitestream(): boolean {
  try {
    return readFileSync(`/proc/${process.ppid}/comm`, 'utf8').trim() === 'litestream';
  } catch {
    return false;
  }
}

/**
 * With autocheckpoints off, a WAL grows until Litestream checkpoints it. Should Litestream
 * die, this keeps the WAL from filling the disk: past `limitBytes` the app runs a PASSIVE
 * checkpoint itself, which never blocks and never resets a WAL a reader (Litestream) still
 * needs. Litestream's own RESTART checkpoint starts at 10,000 pages (~40 MB), far below.
 */
export function guardWalSize(db: Database, file: string, onCheckpoint: (walBytes: number) => void, limitBytes = 512 * 1_048_576, everyMs = 60_000): () => void {
  const timer = setInterval(() => {
    try {
      const wal = statSync(file + '-wal').size;
      if (wal > limitBytes) {
        db.run('PRAGMA wal_checkpoint(PASSIVE)');
        onCheckpoint(wal);
      }
    } catch {
      // no WAL file (checkpointed and removed): nothing to guard
    }
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
