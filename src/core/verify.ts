// `mymedic verify`: walks every origin's hash chain, then rebuilds every projection into a
// scratch database from the log and compares it with the live read tables.
import type { Database } from 'bun:sqlite';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from './db';
import { computeHash, type EventRow, GENESIS_HASH } from './events';
import { migrate } from './migrate';
import { type Projection, ProjectionSet } from './projections';

export interface ChainProblem {
  seq: number;
  id: string;
  origin: string;
  origin_seq: number;
  problem: string;
}

export interface VerifyReport {
  ok: boolean;
  events: number;
  origins: number;
  chainProblem: ChainProblem | null;
  projectionProblem: { table: string; problem: string; row: unknown } | null;
}

/** Returns the first event that breaks its origin's chain, or null when every chain holds. */
export function checkChains(db: Database): { events: number; origins: number; problem: ChainProblem | null } {
  const heads = new Map<string, { seq: number; hash: string }>();
  const stored = db.prepare('SELECT seq FROM events WHERE origin = ? AND origin_seq = ?');
  let n = 0;
  for (const r of db.prepare('SELECT * FROM events ORDER BY seq').iterate() as IterableIterator<EventRow>) {
    n++;
    const head = heads.get(r.origin) ?? { seq: 0, hash: GENESIS_HASH };
    const at = { seq: r.seq, id: r.id, origin: r.origin, origin_seq: r.origin_seq };
    if (r.origin_seq !== head.seq + 1) {
      // A skipped origin_seq that sits later in the log was moved, not lost: say which.
      const expected = r.origin_seq > head.seq ? (stored.get(r.origin, head.seq + 1) as { seq: number } | null) : null;
      const problem =
        r.origin_seq <= head.seq
          ? `out of order: origin_seq ${r.origin_seq} comes after ${head.seq}`
          : expected
            ? `out of order: origin_seq ${r.origin_seq} comes before ${head.seq + 1} (stored later, at seq ${expected.seq})`
            : `missing events: origin_seq ${head.seq + 1}..${r.origin_seq - 1} of this origin are not in the log`;
      return { events: n, origins: heads.size, problem: { ...at, problem } };
    }
    if (r.prev_hash !== head.hash) return { events: n, origins: heads.size, problem: { ...at, problem: 'prev_hash does not match the previous event of this origin' } };
    if (computeHash(r) !== r.hash) return { events: n, origins: heads.size, problem: { ...at, problem: 'content does not match its hash (altered)' } };
    heads.set(r.origin, { seq: r.origin_seq, hash: r.hash });
  }
  return { events: n, origins: heads.size, problem: null };
}

/** Rebuilds the projections into a scratch copy and compares table by table. */
export function compareProjections(file: string, projections: Projection[]): VerifyReport['projectionProblem'] {
  const dir = mkdtempSync(join(tmpdir(), 'mymedic-verify-'));
  const scratch = openDatabase(join(dir, 'scratch.db'));
  try {
    migrate(scratch);
    scratch.run('ATTACH DATABASE ? AS live', [file]);
    scratch.run('INSERT INTO main.events SELECT * FROM live.events');
    const origin = scratch.query(`SELECT value FROM live.instance_meta WHERE key = 'origin'`).get() as { value: string } | null;
    new ProjectionSet(scratch, projections, origin?.value).rebuild();
    for (const p of projections) {
      for (const t of p.tables) {
        const extra = scratch.query(`SELECT * FROM live."${t}" EXCEPT SELECT * FROM main."${t}" LIMIT 1`).get();
        if (extra) return { table: t, problem: 'the live table has a row that replaying the log does not produce', row: extra };
        const missing = scratch.query(`SELECT * FROM main."${t}" EXCEPT SELECT * FROM live."${t}" LIMIT 1`).get();
        if (missing) return { table: t, problem: 'replaying the log produces a row the live table lacks', row: missing };
      }
    }
    return null;
  } finally {
    scratch.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function verify(db: Database, file: string, projections: Projection[]): VerifyReport {
  const chains = checkChains(db);
  const projectionProblem = chains.problem ? null : compareProjections(file, projections);
  return {
    ok: !chains.problem && !projectionProblem,
    events: chains.events,
    origins: chains.origins,
    chainProblem: chains.problem,
    projectionProblem,
  };
}
