// The command runner: every command runs in one BEGIN IMMEDIATE transaction that loads its
// stream(s), decides, appends with the expected version and applies the projections, so a
// command commits all of its events and read-table changes or none. An idempotency key makes
// a retried command return its first answer instead of acting twice.
import type { Database, Statement } from 'bun:sqlite';
import { canonicalJson } from './canonical';
import type { Clock } from './clock';
import type { Decider } from './decider';
import { DomainError, unprocessable } from './errors';
import { type EventMeta, EventStore, type NewEvent, type StoredEvent, EVENT_SCHEMA_VERSION } from './events';
import { sha256Hex } from './ids';
import type { ProjectionSet } from './projections';

export interface Actor {
  userId: string | null;
  name?: string;
  role: string;
  via: NonNullable<EventMeta['via']>;
  /** The HTTP request acting, if any (kept in event meta for tracing). */
  requestId?: string;
}

export const systemActor = (via: Actor['via'] = 'cli'): Actor => ({ userId: null, role: 'system', via });

export interface CommandContext {
  actor: Actor;
  requestId?: string;
  idempotencyKey?: string;
  /**
   * The origin whose chain the events join; default this instance's own. A hub records
   * chain-wide events (chain prices, policies) under its chain origin, which branches pull.
   */
  origin?: string;
}

export interface Idempotency {
  /** Whose key it is (user or API key): keys of different callers never collide. */
  scope: string;
  key: string;
  /** What was asked (method, path, body): the same key with a different request is refused. */
  request: unknown;
}

export interface Tx {
  readonly db: Database;
  readonly now: Date;
  readonly events: StoredEvent[];
  load<S, E extends NewEvent>(stream: string, decider: Pick<Decider<S, E, unknown>, 'initialState' | 'evolve'>): { state: S; version: number };
  append(stream: string, expectedVersion: number, branchId: string, events: NewEvent[]): StoredEvent[];
  /** load + decide + append in one call; returns the new events. */
  execute<S, E extends NewEvent, C>(stream: string, branchId: string, decider: Decider<S, E, C>, command: C): StoredEvent[];
}

export interface StoredResponse<B> {
  status: number;
  body: B;
  replayed: boolean;
}

export class CommandRunner {
  private readonly idemGet: Statement;
  private readonly idemPut: Statement;
  private listeners: ((events: StoredEvent[]) => void)[] = [];
  /**
   * Says why this instance may not append to a branch's streams, or null when it may. Every
   * stream has one owning origin: a hub holds its branches' records but never writes them.
   */
  refuseAppend: (branchId: string) => DomainError | null = () => null;
  private queue: Pending[] = [];
  private flushScheduled = false;

  constructor(
    readonly db: Database,
    readonly store: EventStore,
    readonly projections: ProjectionSet,
    readonly clock: Clock,
  ) {
    this.idemGet = db.prepare('SELECT fingerprint, status, response FROM idempotency_keys WHERE scope = ? AND key = ?');
    this.idemPut = db.prepare(
      'INSERT INTO idempotency_keys (scope, key, fingerprint, status, response, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
  }

  /** Called after each commit with the events it appended (metrics, live pages, outbox). */
  onCommit(fn: (events: StoredEvent[]) => void): void {
    this.listeners.push(fn);
  }

  /** Runs one command in its own BEGIN IMMEDIATE transaction, synchronously. */
  run<R>(ctx: CommandContext, fn: (tx: Tx) => R): R {
    const { tx, appended } = this.makeTx(ctx);
    const result = this.db.transaction(() => fn(tx)).immediate();
    this.notify(appended);
    return result;
  }

  /**
   * Group commit: queues the command and runs it with the others that arrive before the
   * next turn of the event loop, all in one transaction, each in its own SAVEPOINT. Each
   * command still succeeds or fails alone, and each promise settles only after the shared
   * COMMIT, so an answer is never given for work that could still be lost.
   */
  submit<R>(ctx: CommandContext, fn: (tx: Tx) => R): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ ctx, fn: fn as (tx: Tx) => unknown, resolve: resolve as (v: unknown) => void, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Group-committed runIdempotent (see submit). */
  submitIdempotent<B>(ctx: CommandContext, idem: Idempotency | null, fn: (tx: Tx) => { status: number; body: B }): Promise<StoredResponse<B>> {
    if (!idem) return this.submit(ctx, (tx) => ({ ...fn(tx), replayed: false }));
    return this.submit({ ...ctx, idempotencyKey: idem.key }, (tx) => this.idempotent(tx, idem, fn));
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (!batch.length) return;
    const done: { item: Pending; result: unknown; appended: StoredEvent[] }[] = [];
    const failed: { item: Pending; error: unknown }[] = [];
    try {
      this.db
        .transaction(() => {
          for (const item of batch) {
            const { tx, appended } = this.makeTx(item.ctx);
            try {
              // A nested bun:sqlite transaction is a SAVEPOINT: a failing command rolls back alone.
              const result = this.db.transaction(() => item.fn(tx))();
              done.push({ item, result, appended });
            } catch (error) {
              failed.push({ item, error });
            }
          }
        })
        .immediate();
    } catch (error) {
      // The COMMIT itself failed: nothing of the batch is stored.
      for (const item of batch) item.reject(error);
      return;
    }
    for (const d of done) {
      this.notify(d.appended);
      d.item.resolve(d.result);
    }
    for (const f of failed) f.item.reject(f.error);
  }

  /**
   * Runs a command whose answer is an HTTP-like {status, body}. With an idempotency key,
   * the first answer is stored in the same transaction and a repeat gets it back unchanged.
   */
  runIdempotent<B>(
    ctx: CommandContext,
    idem: Idempotency | null,
    fn: (tx: Tx) => { status: number; body: B },
  ): StoredResponse<B> {
    if (!idem) return { ...this.run(ctx, fn), replayed: false };
    return this.run({ ...ctx, idempotencyKey: idem.key }, (tx) => this.idempotent(tx, idem, fn));
  }

  private idempotent<B>(tx: Tx, idem: Idempotency, fn: (tx: Tx) => { status: number; body: B }): StoredResponse<B> {
    const fingerprint = sha256Hex(canonicalJson(idem.request ?? null));
    const prior = this.idemGet.get(idem.scope, idem.key) as { fingerprint: string; status: number; response: string } | null;
    if (prior) {
      if (prior.fingerprint !== fingerprint) {
        throw unprocessable(
          'idempotency_key_reused',
          'This Idempotency-Key was already used for a different request; use a new key for a new request',
        );
      }
      return { status: prior.status, body: JSON.parse(prior.response) as B, replayed: true };
    }
    const res = fn(tx);
    this.idemPut.run(idem.scope, idem.key, fingerprint, res.status, JSON.stringify(res.body), tx.now.toISOString());
    return { ...res, replayed: false };
  }

  private notify(appended: StoredEvent[]): void {
    if (appended.length) for (const l of this.listeners) l(appended);
  }

  private makeTx(ctx: CommandContext): { tx: Tx; appended: StoredEvent[] } {
    const meta: EventMeta = {
      actor: ctx.actor.userId,
      actor_name: ctx.actor.name,
      role: ctx.actor.role,
      via: ctx.actor.via,
      request_id: ctx.requestId ?? ctx.actor.requestId,
      idempotency_key: ctx.idempotencyKey,
      v: EVENT_SCHEMA_VERSION,
    };
    const now = this.clock.now();
    const appended: StoredEvent[] = [];
    const store = this.store;
    const projections = this.projections;
    const refuse = (branchId: string) => this.refuseAppend(branchId);
    const tx: Tx = {
      db: this.db,
      now,
      events: appended,
      load(stream, decider) {
        const events = store.readStream(stream);
        let state = decider.initialState;
        for (const e of events) state = decider.evolve(state, e as never);
        return { state, version: events.length ? events[events.length - 1].version : 0 };
      },
      append(stream, expectedVersion, branchId, events) {
        if (!events.length) return [];
        const refused = refuse(branchId);
        if (refused) throw refused;
        const stored = store.append(stream, expectedVersion, branchId, events, meta, now, ctx.origin);
        for (const e of stored) projections.apply(e);
        appended.push(...stored);
        return stored;
      },
      execute(stream, branchId, decider, command) {
        const { state, version } = tx.load(stream, decider);
        return tx.append(stream, version, branchId, decider.decide(command, state));
      },
    };
    return { tx, appended };
  }
}

interface Pending {
  ctx: CommandContext;
  fn: (tx: Tx) => unknown;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

export function isDomainError(e: unknown): e is DomainError {
  return e instanceof DomainError;
}
