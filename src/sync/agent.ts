// The branch's sync agent, run by `serve` in branch mode: pushes this installation's own
// events to the hub in order, in bounded batches, and pulls the chain's events down. The
// push cursor moves only on the hub's answer (its high-water mark), so a lost answer means
// a batch is sent again and skipped there: at-least-once delivery, exactly-once effect.
// Failures back off exponentially with jitter; a new commit wakes an idle agent at once.
import type { Statement } from 'bun:sqlite';
import type { EventRow } from '../core/events';
import type { Logger } from '../http/log';
import type { Kernel } from '../kernel';
import { listBranches } from '../org/queries';
import { HubClient, SyncCallError } from './client';
import type { HubLink } from './link';
import { appendReplicated } from './replicate';
import { getSyncState, setSyncState } from './state';
import { eventLine } from '../system/event-lines';
import { gzip, parseWireEvent } from './wire';

export interface AgentOptions {
  /** Pause between rounds when caught up (a commit cuts it short). */
  intervalMs: number;
  /** An idle branch still pushes an empty batch this often, so the hub knows it is alive. */
  heartbeatMs: number;
  maxBatchEvents: number;
  /** Serialized size of a batch before gzip. */
  maxBatchBytes: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  requestTimeoutMs: number;
  pullLimit: number;
  version: string;
}

export const defaultAgentOptions: AgentOptions = {
  intervalMs: 2_000,
  heartbeatMs: 15_000,
  maxBatchEvents: 2_000,
  maxBatchBytes: 2 * 1_048_576,
  backoffBaseMs: 1_000,
  backoffMaxMs: 60_000,
  requestTimeoutMs: 30_000,
  pullLimit: 1_000,
  version: 'unknown',
};

/** Exponential backoff with "equal jitter": half fixed, half random, capped. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

export interface PushBatch {
  json: string;
  count: number;
  /** The origin_seq the batch starts after. */
  after: number;
  /** json gzipped, when read ahead. */
  gzipped?: Uint8Array;
  lastOriginSeq: number;
}

/** This origin's events after `after`, as a push body of at most maxEvents / maxBytes (at least one event). */
export function readPushBatch(select: Statement, headOf: () => { origin_seq: number; at: string | null }, origin: string, after: number, maxEvents: number, maxBytes: number): PushBatch {
  const rows = select.all(origin, after, maxEvents) as EventRow[];
  const lines: string[] = [];
  let bytes = 0;
  let last = after;
  for (const r of rows) {
    const line = eventLine(r);
    if (lines.length && bytes + line.length > maxBytes) break;
    lines.push(line);
    bytes += line.length + 1;
    last = r.origin_seq;
  }
  const head = headOf();
  return { json: `{"events":[${lines.join(',')}],"head":${JSON.stringify(head)}}`, count: lines.length, after, lastOriginSeq: last };
}

export class SyncAgent {
  readonly client: HubClient;
  private readonly opts: AgentOptions;
  private running = false;
  private wake: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private failures = 0;
  private lastContact = 0;
  private greeted = false;
  /**
   * The first push after hello re-sends the last event the hub is known to hold, so that the
   * hub compares it: a database put back from an older copy that wrote again is refused as
   * history_diverged instead of silently skipping the sequence numbers the hub holds.
   */
  private anchorNext = false;
  /** Something was committed since the last round began. */
  private dirty = false;
  /** When the last pull finished (Date.now()); 0 before the first. */
  private lastPullAt = 0;
  /** True after the last round reached the hub; false after a failure. */
  connected = false;
  private readonly selectBatch: Statement;
  private readonly headStmt: Statement;

  constructor(
    private readonly k: Kernel,
    link: HubLink,
    private readonly logger: Logger,
    opts: Partial<AgentOptions> = {},
  ) {
    this.opts = { ...defaultAgentOptions, ...opts };
    this.client = new HubClient(link, this.opts.requestTimeoutMs);
    this.selectBatch = k.db.prepare('SELECT * FROM events WHERE origin = ? AND origin_seq > ? ORDER BY origin_seq LIMIT ?');
    this.headStmt = k.db.prepare('SELECT origin_seq, at FROM events WHERE origin = ? ORDER BY origin_seq DESC LIMIT 1');
    k.runner.onCommit(() => {
      this.dirty = true;
      // Not synchronously: onCommit runs before the committing request's answer is sent, and
      // the round's synchronous start (cursor, batch read, gzip) would delay that answer.
      if (this.wake) setImmediate(() => this.wake?.());
    });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let delay = this.opts.intervalMs;
      this.dirty = false;
      try {
        // A local commit brings no chain events: a round it woke pulls only when one is due.
        await this.round({ pull: Date.now() - this.lastPullAt >= this.opts.intervalMs });
        this.failures = 0;
        this.connected = true;
      } catch (e) {
        this.connected = false;
        delay = backoffDelay(this.failures++, this.opts.backoffBaseMs, this.opts.backoffMaxMs);
        this.recordError(e, delay);
      }
      if (!this.running) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, delay);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        // A commit ends an idle wait early, not a backoff: a failing hub is not hammered.
        this.wake = this.failures === 0 ? done : null;
        if (!this.running || (this.dirty && this.failures === 0)) done();
      });
      this.wake = null;
    }
  }

  private recordError(e: unknown, retryInMs: number): void {
    const err = e instanceof SyncCallError ? e : null;
    const message = err ? `${err.code}: ${err.message}` : (e as Error).message;
    setSyncState(this.k.db, { last_error: message, last_error_at: this.k.clock.now().toISOString() }, this.k.clock.now());
    this.logger.log('warn', 'sync with the hub failed', { hub: this.client.link.url, error: message, retry_in_ms: retryInMs, attempt: this.failures });
    if (err && (err.code === 'not_joined' || err.status === 0)) this.greeted = false;
  }

  private myHead(): { origin_seq: number; at: string | null } {
    return (this.headStmt.get(this.k.origin) as { origin_seq: number; at: string } | null) ?? { origin_seq: 0, at: null };
  }

  /** Says hello (binding the token and learning the hub's high-water mark) once per connection. */
  async hello(): Promise<void> {
    const branches = listBranches(this.k.db).map((b) => ({ id: b.id, code: b.code }));
    const a = await this.client.hello({ origin: this.k.origin, branches, version: this.opts.version });
    const known = getSyncState(this.k.db, 'chain_origin');
    if (known && known !== a.chain_origin) {
      throw new SyncCallError(`the hub's chain origin is ${a.chain_origin}, but this branch joined a hub whose chain is ${known}: is this the same hub?`, 409, 'different_hub');
    }
    setSyncState(
      this.k.db,
      { hub_origin: a.hub_origin, chain_origin: a.chain_origin, branch_code: a.branch_code, push_high_water: a.high_water, joined_at: getSyncState(this.k.db, 'joined_at') ?? this.k.clock.now().toISOString() },
      this.k.clock.now(),
    );
    this.greeted = true;
    this.anchorNext = true;
  }

  /** One round: push until the hub holds everything, then pull until nothing is left. */
  async round(opts: { pull?: boolean } = {}): Promise<{ pushed: number; pulled: number }> {
    if (!this.greeted) await this.hello();
    setSyncState(this.k.db, { last_attempt_at: this.k.clock.now().toISOString() }, this.k.clock.now());
    const pushed = await this.pushAll();
    let pulled = 0;
    if (opts.pull !== false) {
      pulled = await this.pullAll();
      this.lastPullAt = Date.now();
    }
    return { pushed, pulled };
  }

  private async pushAll(): Promise<number> {
    let total = 0;
    /** The batch after the one in flight, read while the hub works on that one: used only if the hub then holds exactly up to it. */
    let ahead: PushBatch | null = null;
    for (;;) {
      const cursor = Number(getSyncState(this.k.db, 'push_high_water') ?? 0);
      const mine = this.myHead().origin_seq;
      const after = this.anchorNext ? Math.max(0, Math.min(cursor, mine) - 1) : cursor;
      const batch =
        ahead && ahead.count && ahead.after === after ? ahead : readPushBatch(this.selectBatch, () => this.myHead(), this.k.origin, after, this.opts.maxBatchEvents, this.opts.maxBatchBytes);
      ahead = null;
      const heartbeatDue = Date.now() - this.lastContact >= this.opts.heartbeatMs;
      if (!batch.count && !heartbeatDue) return total;
      let answer;
      try {
        const inFlight = this.client.push(batch.json, batch.gzipped);
        // A backlog: read (and gzip) the next batch while this one travels and the hub appends it.
        if (batch.count >= this.opts.maxBatchEvents || batch.lastOriginSeq < mine) {
          ahead = readPushBatch(this.selectBatch, () => this.myHead(), this.k.origin, batch.lastOriginSeq, this.opts.maxBatchEvents, this.opts.maxBatchBytes);
          if (ahead.count) ahead.gzipped = gzip(ahead.json);
        }
        answer = await inFlight;
      } catch (e) {
        ahead = null;
        // Out of turn (an older batch arrived late, or our cursor is stale): resume where the hub is.
        if (e instanceof SyncCallError && e.code === 'sync_gap' && typeof e.details.high_water === 'number') {
          this.saveCursor(e.details.high_water);
          continue;
        }
        throw e;
      }
      this.lastContact = Date.now();
      this.anchorNext = false;
      if (answer.high_water > mine) {
        // The hub holds more of this installation's events than its database does: it was put
        // back from an older copy. Take them back (each hash checked, projections applied).
        ahead = null;
        await this.recoverOwn(mine, answer.high_water);
        continue;
      }
      this.saveCursor(answer.high_water);
      total += answer.appended;
      if (!batch.count || answer.high_water < batch.lastOriginSeq) return total;
    }
  }

  /**
   * Appends this installation's own events `mine`+1 … `highWater` from the hub, in batches, each
   * in one transaction with the cursor. They must continue this database's chain exactly: a
   * database that wrote again after being put back has diverged, and that is refused
   * (history_diverged) with nothing applied, for a person to look at.
   */
  private async recoverOwn(mine: number, highWater: number): Promise<void> {
    let head = mine;
    let recovered = 0;
    while (head < highWater) {
      const lines = await this.client.own(head, this.opts.pullLimit);
      if (!lines.length) break;
      const events = lines.map((l, i) => {
        try {
          return parseWireEvent(JSON.parse(l), i);
        } catch (e) {
          if (e instanceof SyntaxError) throw new SyncCallError(`line ${i + 1} of the hub's copy is not JSON`, 200, 'invalid_own');
          throw e;
        }
      });
      const now = this.k.clock.now();
      const r = this.k.db
        .transaction(() => {
          const res = appendReplicated(this.k, this.k.origin, events, (e) => (e.branch_id === '*' || this.ownBranchIds().has(e.branch_id) ? null : `branch_id ${e.branch_id} is not this installation's`));
          setSyncState(this.k.db, { push_high_water: res.highWater, last_push_ok_at: now.toISOString(), last_error: null, last_error_at: null }, now);
          return res;
        })
        .immediate();
      if (r.highWater <= head) break;
      head = r.highWater;
      recovered += r.appended;
    }
    if (head < highWater) {
      throw new SyncCallError(`the hub holds ${highWater} of this branch's events but gave back only up to ${head}`, 409, 'behind_hub', { high_water: highWater, head });
    }
    this.logger.log('warn', "this branch's database was behind the hub (put back from an older copy?): took its own events back from the hub", { recovered, from: mine + 1, to: head });
  }

  private ownBranchIds(): Set<string> {
    return new Set(listBranches(this.k.db).map((b) => b.id));
  }

  private saveCursor(highWater: number): void {
    const now = this.k.clock.now();
    setSyncState(this.k.db, { push_high_water: highWater, last_push_ok_at: now.toISOString(), last_error: null, last_error_at: null }, now);
  }

  private async pullAll(): Promise<number> {
    const chain = getSyncState(this.k.db, 'chain_origin');
    if (!chain) return 0;
    let total = 0;
    for (;;) {
      const after = Number(getSyncState(this.k.db, 'pull_after') ?? 0);
      const lines = await this.client.pull(after, this.opts.pullLimit);
      const now = this.k.clock.now();
      if (!lines.length) {
        setSyncState(this.k.db, { last_pull_ok_at: now.toISOString() }, now);
        return total;
      }
      let lastSeq = after;
      const events = lines.map((l, i) => {
        let v: { seq?: unknown };
        try {
          v = JSON.parse(l) as { seq?: unknown };
        } catch {
          throw new SyncCallError(`line ${i + 1} of the pull is not JSON`, 200, 'invalid_pull');
        }
        if (typeof v.seq !== 'number' || v.seq <= lastSeq) throw new SyncCallError(`line ${i + 1} of the pull has no increasing seq`, 200, 'invalid_pull');
        lastSeq = v.seq;
        return parseWireEvent(v, i);
      });
      const r = this.k.db
        .transaction(() => {
          const res = appendReplicated(this.k, chain, events, (e) => (e.branch_id === '*' ? null : 'the hub sends only chain-wide events'));
          setSyncState(this.k.db, { pull_after: lastSeq, last_pull_ok_at: now.toISOString() }, now);
          return res;
        })
        .immediate();
      total += r.appended;
      if (r.appended) this.logger.log('info', 'chain events pulled from the hub', { appended: r.appended, pull_after: lastSeq });
      if (lines.length < this.opts.pullLimit) return total;
    }
  }
}
