// Projections: read tables kept up to date inside the command's own transaction, and
// rebuildable at any time by replaying the log. Each domain registers one.
import type { Database } from 'bun:sqlite';
import type { EventRow, StoredEvent } from './events';

export interface Projection {
  name: string;
  /** Read tables this projection owns; rebuild empties them, verify compares them. */
  tables: string[];
  /** Event types it cares about; others are skipped without parsing. */
  handles: ReadonlySet<string>;
  /** Returns a function bound to `db` (statements prepared once) that applies one event. */
  bind(db: Database): (e: StoredEvent) => void;
  /**
   * True when the projection finds rows only by primary key while applying events. Then
   * rebuild() drops its tables' other indexes for the replay and builds them once at the
   * end, which is about a third faster than updating them row by row (bench/rebuild.ts).
   */
  primaryKeyLookupsOnly?: boolean;
  /**
   * Event types applied only when this instance recorded them (accounts, API keys, the
   * clinic record): another instance's staff never sign in here, and a hub holding every
   * branch's log keeps its own clinic. Still stored, still hash-checked.
   */
  localOnly?: ReadonlySet<string>;
}

export class ProjectionSet {
  private readonly appliers: { handles: ReadonlySet<string>; localOnly: ReadonlySet<string> | undefined; apply: (e: StoredEvent) => void }[];
  /**
   * @param origin this instance's origin: events of other origins skip the projections'
   * localOnly types. Omitted, every event applies (a database of one origin).
   */
  constructor(
    readonly db: Database,
    readonly projections: Projection[],
    readonly origin?: string,
  ) {
    this.appliers = projections.map((p) => ({ handles: p.handles, localOnly: p.localOnly, apply: p.bind(db) }));
  }

  apply(e: StoredEvent): void {
    const foreign = this.origin !== undefined && e.origin !== this.origin;
    for (const a of this.appliers) {
      if (!a.handles.has(e.type)) continue;
      if (foreign && a.localOnly?.has(e.type)) continue;
      a.apply(e);
    }
  }

  tables(): string[] {
    return this.projections.flatMap((p) => p.tables);
  }

  /** Empties every read table and replays the whole log, in one transaction. Returns events replayed. */
  rebuild(): number {
    const interesting = new Set(this.projections.flatMap((p) => [...p.handles]));
    let n = 0;
    this.db.transaction(() => {
      for (const t of this.tables()) this.db.run(`DELETE FROM "${t}"`);
      const deferred = this.secondaryIndexes();
      for (const ix of deferred) this.db.run(`DROP INDEX "${ix.name}"`);
      const rows = this.db.prepare('SELECT * FROM events ORDER BY seq').iterate() as IterableIterator<EventRow>;
      for (const r of rows) {
        n++;
        if (!interesting.has(r.type)) continue;
        this.apply(lazyEvent(r));
      }
      // A unique index that no longer builds means the log itself breaks an invariant: the
      // transaction fails and the read tables stay as they were.
      for (const ix of deferred) this.db.run(ix.sql);
    }).immediate();
    return n;
  }

  /** Explicit (non-automatic) indexes of the tables of projections that look rows up by key only. */
  private secondaryIndexes(): { name: string; sql: string }[] {
    const tables = this.projections.filter((p) => p.primaryKeyLookupsOnly).flatMap((p) => p.tables);
    if (!tables.length) return [];
    return this.db
      .query(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (${tables.map(() => '?').join(',')})`)
      .all(...tables) as { name: string; sql: string }[];
  }
}

/**
 * Parses data at once (every projection reads it) and meta only when asked. A plain literal
 * with a getter, not a spread plus Object.defineProperty: the latter turns every event into a
 * slow dictionary-mode object, which cost rebuild() about a third of its speed
 * (bench/rebuild.ts). Listing the fields also makes the compiler flag a column added later.
 * `data`: the row's data already parsed (a replicated event fresh off the wire), so it is not
 * parsed twice.
 */
export function lazyEvent(r: EventRow, data?: Record<string, unknown>): StoredEvent {
  let meta: StoredEvent['meta'] | undefined;
  return {
    seq: r.seq,
    id: r.id,
    origin: r.origin,
    origin_seq: r.origin_seq,
    branch_id: r.branch_id,
    stream: r.stream,
    version: r.version,
    type: r.type,
    data: data ?? (JSON.parse(r.data) as Record<string, unknown>),
    get meta() {
      return (meta ??= JSON.parse(r.meta) as StoredEvent['meta']);
    },
    at: r.at,
    prev_hash: r.prev_hash,
    hash: r.hash,
  };
}
