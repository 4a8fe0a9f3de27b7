// Delivery bookkeeping (not history, so not events): at a branch, the cursors and the last
// outcome of pushing and pulling (sync_state); at the hub, each branch's last contact, what it
// says it holds, its last refused batch and its flag (sync_peers).
import type { Database } from 'bun:sqlite';

export type SyncKey =
  | 'push_high_water' // the hub's answer: highest origin_seq of ours it holds
  | 'pull_after' // hub seq of the last chain event pulled
  | 'hub_origin'
  | 'chain_origin'
  | 'branch_code'
  | 'joined_at'
  | 'last_push_ok_at'
  | 'last_pull_ok_at'
  | 'last_attempt_at'
  | 'last_error'
  | 'last_error_at';

export function getSyncState(db: Database, key: SyncKey): string | null {
  return (db.query('SELECT value FROM sync_state WHERE key = ?').get(key) as { value: string } | null)?.value ?? null;
}

export function setSyncState(db: Database, values: Partial<Record<SyncKey, string | number | null>>, now: Date): void {
  const put = db.prepare('INSERT INTO sync_state (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at');
  const del = db.prepare('DELETE FROM sync_state WHERE key = ?');
  for (const [k, v] of Object.entries(values)) {
    if (v === null || v === undefined) del.run(k);
    else put.run(k, String(v), now.toISOString());
  }
}

export function allSyncState(db: Database): Partial<Record<SyncKey, string>> {
  const rows = db.query('SELECT key, value FROM sync_state').all() as { key: SyncKey; value: string }[];
  return Object.fromEntries(rows.map((r) => [r.key, r.value]));
}

export interface PeerRow {
  origin: string;
  registration_id: string;
  head_seq: number;
  head_at: string | null;
  last_push_at: string | null;
  last_appended: number;
  batches_accepted: number;
  batches_refused: number;
  last_error_code: string | null;
  last_error: string | null;
  last_error_at: string | null;
  flagged_reason: string | null;
  flagged_at: string | null;
}

export function getPeer(db: Database, origin: string): PeerRow | null {
  return db.query('SELECT * FROM sync_peers WHERE origin = ?').get(origin) as PeerRow | null;
}

export function listPeers(db: Database): PeerRow[] {
  return db.query('SELECT * FROM sync_peers').all() as PeerRow[];
}

function ensurePeer(db: Database, origin: string, registrationId: string): void {
  db.run(
    `INSERT INTO sync_peers (origin, registration_id, head_seq, last_appended, batches_accepted, batches_refused)
     VALUES (?, ?, 0, 0, 0, 0) ON CONFLICT (origin) DO NOTHING`,
    [origin, registrationId],
  );
}

/** A push was taken (inside its transaction). */
export function recordAccepted(db: Database, origin: string, registrationId: string, head: { origin_seq: number; at: string | null } | null, appended: number, now: Date): void {
  ensurePeer(db, origin, registrationId);
  db.run(
    `UPDATE sync_peers SET last_push_at = ?, last_appended = ?, batches_accepted = batches_accepted + 1,
       head_seq = max(head_seq, coalesce(?, head_seq)), head_at = CASE WHEN ? >= head_seq THEN coalesce(?, head_at) ELSE head_at END
     WHERE origin = ?`,
    [now.toISOString(), appended, head?.origin_seq ?? null, head?.origin_seq ?? -1, head?.at ?? null, origin],
  );
}

/** A push was refused (after its transaction rolled back); integrity problems flag the branch. */
export function recordRefused(db: Database, origin: string, registrationId: string, code: string, message: string, flag: boolean, now: Date): void {
  ensurePeer(db, origin, registrationId);
  const at = now.toISOString();
  db.run(
    `UPDATE sync_peers SET batches_refused = batches_refused + 1, last_error_code = ?, last_error = ?, last_error_at = ?,
       flagged_reason = CASE WHEN ? THEN ? ELSE flagged_reason END, flagged_at = CASE WHEN ? THEN ? ELSE flagged_at END
     WHERE origin = ?`,
    [code, message.slice(0, 500), at, flag ? 1 : 0, `${code}: ${message}`.slice(0, 500), flag ? 1 : 0, at, origin],
  );
}

export function clearFlag(db: Database, origin: string): boolean {
  return db.run('UPDATE sync_peers SET flagged_reason = NULL, flagged_at = NULL WHERE origin = ? AND flagged_reason IS NOT NULL', [origin]).changes > 0;
}
