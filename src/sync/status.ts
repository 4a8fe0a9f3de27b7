// How sync is going, for `mymedic sync status`, the admin pages, the HQ branch list and
// /metrics: at a branch, how far the hub is behind this installation; at the hub, each
// branch's last contact, lag and health.
import type { Database } from 'bun:sqlite';
import { getBranch } from '../org/queries';
import { listRegistrations } from './registry';
import { allSyncState, getPeer } from './state';

export interface BranchSyncStatus {
  joined: boolean;
  hub_url: string | null;
  branch_code: string | null;
  /** Highest origin_seq of this installation's own events. */
  head_seq: number;
  /** Highest of them the hub has confirmed holding. */
  push_high_water: number;
  lag_events: number;
  /** Age of the oldest event the hub does not have yet (0 when caught up). */
  lag_seconds: number;
  pull_after: number;
  last_push_ok_at: string | null;
  last_pull_ok_at: string | null;
  last_attempt_at: string | null;
  last_error: string | null;
  last_error_at: string | null;
}

export function branchSyncStatus(db: Database, origin: string, hubUrl: string | null, now: Date): BranchSyncStatus {
  const s = allSyncState(db);
  const head = (db.query('SELECT coalesce(max(origin_seq), 0) AS n FROM events WHERE origin = ?').get(origin) as { n: number }).n;
  const hw = Number(s.push_high_water ?? 0);
  const firstUnsent = head > hw ? (db.query('SELECT at FROM events WHERE origin = ? AND origin_seq = ?').get(origin, hw + 1) as { at: string } | null) : null;
  return {
    joined: !!s.chain_origin,
    hub_url: hubUrl,
    branch_code: s.branch_code ?? null,
    head_seq: head,
    push_high_water: hw,
    lag_events: Math.max(0, head - hw),
    lag_seconds: firstUnsent ? Math.max(0, Math.round((now.getTime() - Date.parse(firstUnsent.at)) / 1000)) : 0,
    pull_after: Number(s.pull_after ?? 0),
    last_push_ok_at: s.last_push_ok_at ?? null,
    last_pull_ok_at: s.last_pull_ok_at ?? null,
    last_attempt_at: s.last_attempt_at ?? null,
    last_error: s.last_error ?? null,
    last_error_at: s.last_error_at ?? null,
  };
}

export type BranchHealth = 'ok' | 'behind' | 'offline' | 'flagged' | 'revoked' | 'not_joined';

export interface HubBranchRow {
  registration_id: string;
  code: string;
  branch_id: string | null;
  name: string | null;
  timezone: string | null;
  joined_at: string | null;
  revoked: boolean;
  /** Highest origin_seq of the branch held here. */
  high_water: number;
  /** What the branch said it holds at its last push. */
  branch_head: number;
  lag_events: number;
  lag_seconds: number;
  last_push_at: string | null;
  health: BranchHealth;
  flagged_reason: string | null;
  flagged_at: string | null;
  last_error: string | null;
  last_error_at: string | null;
  batches_accepted: number;
  batches_refused: number;
}

/** A branch that has not pushed (not even its heartbeat) for this long is offline. */
export const OFFLINE_AFTER_SECONDS = 300;

export function hubBranches(db: Database, now: Date): HubBranchRow[] {
  const heldAt = db.prepare('SELECT origin_seq, at FROM events WHERE origin = ? ORDER BY origin_seq DESC LIMIT 1');
  return listRegistrations(db).map((reg) => {
    const peer = reg.origin ? getPeer(db, reg.origin) : null;
    const held = reg.origin ? (heldAt.get(reg.origin) as { origin_seq: number; at: string } | null) : null;
    const branch = reg.joined_branch_id ? getBranch(db, reg.joined_branch_id) : null;
    const highWater = held?.origin_seq ?? 0;
    const branchHead = Math.max(peer?.head_seq ?? 0, highWater);
    const lagEvents = branchHead - highWater;
    const lagSeconds = lagEvents > 0 && peer?.head_at && held ? Math.max(0, Math.round((Date.parse(peer.head_at) - Date.parse(held.at)) / 1000)) : 0;
    const silentFor = peer?.last_push_at ? (now.getTime() - Date.parse(peer.last_push_at)) / 1000 : Infinity;
    const health: BranchHealth = reg.revoked_at
      ? 'revoked'
      : !reg.origin
        ? 'not_joined'
        : peer?.flagged_reason
          ? 'flagged'
          : silentFor > OFFLINE_AFTER_SECONDS
            ? 'offline'
            : lagSeconds > OFFLINE_AFTER_SECONDS
              ? 'behind'
              : 'ok';
    return {
      registration_id: reg.id,
      code: reg.code,
      branch_id: reg.joined_branch_id,
      name: branch?.name ?? null,
      timezone: branch?.timezone ?? null,
      joined_at: reg.joined_at,
      revoked: !!reg.revoked_at,
      high_water: highWater,
      branch_head: branchHead,
      lag_events: lagEvents,
      lag_seconds: lagSeconds,
      last_push_at: peer?.last_push_at ?? null,
      health,
      flagged_reason: peer?.flagged_reason ?? null,
      flagged_at: peer?.flagged_at ?? null,
      last_error: peer?.last_error ?? null,
      last_error_at: peer?.last_error_at ?? null,
      batches_accepted: peer?.batches_accepted ?? 0,
      batches_refused: peer?.batches_refused ?? 0,
    };
  });
}
