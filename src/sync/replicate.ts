// Appending another origin's events: the one path by which a hub takes a branch's events and
// a branch takes the hub's chain events. Events already held are skipped (dedupe by
// position and id); the rest must continue the origin's chain exactly: contiguous
// origin_seq, prev_hash = the hash before, content matching its hash. Anything else refuses
// the whole batch. Runs inside the caller's write transaction, projections included.
import { DomainError } from '../core/errors';
import { computeHash, type EventRow } from '../core/events';
import { lazyEvent } from '../core/projections';
import type { Kernel } from '../kernel';
import type { WireEvent } from './wire';

export class SyncRefusal extends DomainError {
  constructor(
    status: 409 | 422,
    code: string,
    message: string,
    details: Record<string, unknown>,
    /** True when the batch itself is suspect (altered, foreign, diverged), not merely out of turn. */
    readonly integrity: boolean,
  ) {
    super(status, code, message, details);
  }
}

export interface ReplicationResult {
  appended: number;
  skipped: number;
  /** The highest origin_seq held for the origin after this batch. */
  highWater: number;
  last: EventRow | null;
}

export function appendReplicated(
  k: Pick<Kernel, 'db' | 'store' | 'projections'>,
  origin: string,
  events: WireEvent[],
  allowEvent: (e: WireEvent, index: number) => string | null = () => null,
): ReplicationResult {
  const head = k.store.head(origin);
  const heldAt = k.db.prepare('SELECT id, hash FROM events WHERE origin = ? AND origin_seq = ?');
  let prevSeq = head.origin_seq;
  let prevHash = head.hash;
  let appended = 0;
  let skipped = 0;
  let last: EventRow | null = null;
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    const at = { index: i, id: e.id, origin_seq: e.origin_seq, high_water: head.origin_seq };
    if (e.origin !== origin) {
      throw new SyncRefusal(422, 'foreign_origin', `events[${i}] comes from origin ${e.origin}, not ${origin}: a batch carries one origin's own events`, at, true);
    }
    const refusedWhy = allowEvent(e, i);
    if (refusedWhy) throw new SyncRefusal(422, 'foreign_branch', `events[${i}]: ${refusedWhy}`, at, true);
    if (i > 0 && e.origin_seq <= events[i - 1].origin_seq) {
      throw new SyncRefusal(422, 'out_of_order', `events[${i}] (origin_seq ${e.origin_seq}) does not follow events[${i - 1}] (origin_seq ${events[i - 1].origin_seq})`, at, true);
    }
    // A sender reads its own log, which has no holes: a hole inside a batch means events were
    // taken out on the way (or a bug), not merely that the batch came out of turn.
    if (i > 0 && e.origin_seq !== events[i - 1].origin_seq + 1) {
      throw new SyncRefusal(422, 'batch_gap', `events[${i}] has origin_seq ${e.origin_seq} right after ${events[i - 1].origin_seq}: events are missing from the batch`, at, true);
    }
    if (e.origin_seq <= head.origin_seq) {
      const held = heldAt.get(origin, e.origin_seq) as { id: string; hash: string } | null;
      if (!held || held.id !== e.id || held.hash !== e.hash) {
        throw new SyncRefusal(
          409,
          'history_diverged',
          `events[${i}]: origin_seq ${e.origin_seq} is held here as a different event; the sender's log no longer matches what it sent before (restored from an older copy?)`,
          at,
          true,
        );
      }
      skipped++;
      continue;
    }
    if (e.origin_seq !== prevSeq + 1) {
      throw new SyncRefusal(409, 'sync_gap', `events[${i}] has origin_seq ${e.origin_seq} but ${prevSeq + 1} comes next; send from origin_seq ${head.origin_seq + 1}`, at, false);
    }
    if (e.prev_hash !== prevHash) {
      throw new SyncRefusal(422, 'broken_chain', `events[${i}] (origin_seq ${e.origin_seq}): prev_hash does not match the event before it`, at, true);
    }
    if (computeHash(e) !== e.hash) {
      throw new SyncRefusal(422, 'hash_mismatch', `events[${i}] (origin_seq ${e.origin_seq}): the content does not match its hash (altered)`, at, true);
    }
    let seq: number;
    try {
      seq = k.store.insertReplicated(e);
    } catch (err) {
      const msg = (err as Error).message;
      if (/UNIQUE constraint failed: events\.id/.test(msg)) {
        throw new SyncRefusal(409, 'duplicate_id', `events[${i}]: an event with id ${e.id} is already held under another position`, at, true);
      }
      if (/UNIQUE constraint failed: events\.stream, events\.version/.test(msg)) {
        throw new SyncRefusal(409, 'stream_conflict', `events[${i}]: stream ${e.stream} already has a version ${e.version} from another origin`, at, true);
      }
      throw err;
    }
    const { dataObject, ...stored } = e;
    const row: EventRow = { ...stored, seq };
    try {
      k.projections.apply(lazyEvent(row, dataObject));
    } catch (err) {
      throw new SyncRefusal(422, 'projection_failed', `events[${i}] (${e.type}) cannot be applied here: ${(err as Error).message}`, at, true);
    }
    prevSeq = e.origin_seq;
    prevHash = e.hash;
    appended++;
    last = row;
  }
  return { appended, skipped, highWater: prevSeq, last };
}
