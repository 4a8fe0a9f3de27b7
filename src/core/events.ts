// The event store: one append-only table, the only thing a command ever writes.
// Each origin (instance) keeps a SHA-256 hash chain over its own events, so tampering
// with history is detectable; UNIQUE(stream, version) gives optimistic concurrency.
import type { Database, Statement } from 'bun:sqlite';
import { canonicalJson } from './canonical';
import { ConcurrencyError } from './errors';
import { newId, sha256Hex } from './ids';

export const GENESIS_HASH = '0'.repeat(64);
/** Schema version written into meta.v; bump it and add an upcaster when an event's shape changes. */
export const EVENT_SCHEMA_VERSION = 1;

export interface EventMeta {
  actor: string | null; // user id; null for the system (CLI, setup)
  actor_name?: string;
  role?: string;
  via?: 'http' | 'cli' | 'setup' | 'sync' | 'system';
  request_id?: string;
  idempotency_key?: string;
  v: number;
}

export interface NewEvent {
  type: string;
  data: object;
}

export interface StoredEvent<T = Record<string, unknown>> {
  seq: number;
  id: string;
  origin: string;
  origin_seq: number;
  branch_id: string;
  stream: string;
  version: number;
  type: string;
  data: T;
  meta: EventMeta;
  at: string;
  prev_hash: string;
  hash: string;
}

/** A row as stored, data and meta still JSON text. */
export interface EventRow {
  seq: number;
  id: string;
  origin: string;
  origin_seq: number;
  branch_id: string;
  stream: string;
  version: number;
  type: string;
  data: string;
  meta: string;
  at: string;
  prev_hash: string;
  hash: string;
}

/**
 * The text hashed for an event: canonical JSON of every field but seq and the hashes.
 * data and meta are stored canonical already, so this is plain concatenation.
 */
export function hashInput(r: Omit<EventRow, 'seq' | 'hash'>): string {
  return (
    r.prev_hash +
    '{"at":' + JSON.stringify(r.at) +
    ',"branch_id":' + JSON.stringify(r.branch_id) +
    ',"data":' + r.data +
    ',"id":' + JSON.stringify(r.id) +
    ',"meta":' + r.meta +
    ',"origin":' + JSON.stringify(r.origin) +
    ',"origin_seq":' + r.origin_seq +
    ',"stream":' + JSON.stringify(r.stream) +
    ',"type":' + JSON.stringify(r.type) +
    ',"version":' + r.version + '}'
  );
}

export function computeHash(r: Omit<EventRow, 'seq' | 'hash'>): string {
  return sha256Hex(hashInput(r));
}

export function parseEventRow<T = Record<string, unknown>>(r: EventRow): StoredEvent<T> {
  return { ...r, data: JSON.parse(r.data) as T, meta: JSON.parse(r.meta) as EventMeta };
}

export class EventStore {
  private readonly versionStmt: Statement;
  private readonly readStreamStmt: Statement;
  private readonly headStmt: Statement;
  private readonly insertStmt: Statement;

  constructor(
    readonly db: Database,
    readonly origin: string,
  ) {
    this.versionStmt = db.prepare('SELECT max(version) AS v FROM events WHERE stream = ?');
    this.readStreamStmt = db.prepare('SELECT * FROM events WHERE stream = ? ORDER BY version');
    this.headStmt = db.prepare('SELECT origin_seq, hash FROM events WHERE origin = ? ORDER BY origin_seq DESC LIMIT 1');
    this.insertStmt = db.prepare(
      `INSERT INTO events (id, origin, origin_seq, branch_id, stream, version, type, data, meta, at, prev_hash, hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  /** The last event this instance holds of an origin (origin_seq 0 and the genesis hash when none). */
  head(origin: string): { origin_seq: number; hash: string } {
    return (this.headStmt.get(origin) as { origin_seq: number; hash: string } | null) ?? { origin_seq: 0, hash: GENESIS_HASH };
  }

  /**
   * Stores an event recorded by another instance exactly as it came (its id, origin, hashes);
   * only seq is local. The caller has checked its place in its origin's chain. Inside a write
   * transaction.
   */
  insertReplicated(r: Omit<EventRow, 'seq'>): number {
    const res = this.insertStmt.run(r.id, r.origin, r.origin_seq, r.branch_id, r.stream, r.version, r.type, r.data, r.meta, r.at, r.prev_hash, r.hash);
    return Number(res.lastInsertRowid);
  }

  streamVersion(stream: string): number {
    return (this.versionStmt.get(stream) as { v: number | null }).v ?? 0;
  }

  readStream(stream: string): StoredEvent[] {
    return (this.readStreamStmt.all(stream) as EventRow[]).map((r) => parseEventRow(r));
  }

  /** Must run inside a write transaction. Throws ConcurrencyError if the stream moved. */
  append(
    stream: string,
    expectedVersion: number,
    branchId: string,
    events: NewEvent[],
    meta: EventMeta,
    at: Date,
    origin: string = this.origin,
  ): StoredEvent[] {
    const actual = this.streamVersion(stream);
    if (actual !== expectedVersion) throw new ConcurrencyError(stream, expectedVersion, actual);
    const head = this.head(origin);
    let originSeq = head.origin_seq;
    let prevHash = head.hash;
    const atIso = at.toISOString();
    const metaJson = canonicalJson(meta);
    const out: StoredEvent[] = [];
    let version = expectedVersion;
    for (const e of events) {
      originSeq += 1;
      version += 1;
      const row = {
        id: newId(),
        origin,
        origin_seq: originSeq,
        branch_id: branchId,
        stream,
        version,
        type: e.type,
        data: canonicalJson(e.data),
        meta: metaJson,
        at: atIso,
        prev_hash: prevHash,
      };
      const hash = computeHash(row);
      const res = this.insertStmt.run(
        row.id, row.origin, row.origin_seq, row.branch_id, row.stream, row.version, row.type,
        row.data, row.meta, row.at, row.prev_hash, hash,
      );
      // Projections get the data exactly as a replay will read it back (canonical key order,
      // undefined fields gone), so the live read tables and a rebuild cannot drift apart.
      out.push({ ...row, seq: Number(res.lastInsertRowid), data: JSON.parse(row.data) as Record<string, unknown>, meta, hash });
      prevHash = hash;
    }
    return out;
  }
}
