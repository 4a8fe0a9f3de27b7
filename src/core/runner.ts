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

  run<R>(ctx: CommandContext, fn: (tx: Tx) => R): R {
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
        const stored = store.append(stream, expectedVersion, branchId, events, meta, now);
        for (const e of stored) projections.apply(e);
        appended.push(...stored);
        return stored;
      },
      execute(stream, branchId, decider, command) {
        const { state, version } = tx.load(stream, decider);
        return tx.append(stream, version, branchId, decider.decide(command, state));
      },
    };
    const result = this.db.transaction(() => fn(tx)).immediate();
    if (appended.length) for (const l of this.listeners) l(appended);
    return result;
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
    const fingerprint = sha256Hex(canonicalJson(idem.request ?? null));
    return this.run({ ...ctx, idempotencyKey: idem.key }, (tx) => {
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
    });
  }
}

export function isDomainError(e: unknown): e is DomainError {
  return e instanceof DomainError;
}
