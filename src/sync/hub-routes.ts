// The hub's side of sync, for branches only (a branch token is the credential):
//   POST /api/v1/sync/hello  binds the token to the branch installation, answers the hub's origins
//   POST /api/v1/sync/push   appends the branch's own events (gzip allowed), answers the high-water mark
//   GET  /api/v1/sync/pull   the hub's chain events after a hub seq, as NDJSON
//   GET  /api/v1/sync/own    the branch's own events the hub holds after an origin_seq (recovery after a restore)
import { Elysia, t } from 'elysia';
import { badRequest, DomainError, unauthorized } from '../core/errors';
import type { EventRow } from '../core/events';
import { isUuid } from '../core/ids';
import { systemActor } from '../core/runner';
import type { Services } from '../http/services';
import { chainOrigin } from '../kernel';
import { eventLine } from '../system/event-lines';
import { bindRegistration, type RegistrationRow, registrationByToken } from './registry';
import { appendReplicated, SyncRefusal } from './replicate';
import { recordAccepted, recordRefused } from './state';
import { inflateBody, parsePushBody } from './wire';

/** Largest push body on the wire (gzip): the app's 1 MB request limit, checked before reading. */
const MAX_PUSH_WIRE_BYTES = 1_000_000;

/** `after` and `limit` of a pull-like query; 400 when they are not integers in range. */
function pageOf(query: { after?: string; limit?: string }, afterIs: string): { after: number; limit: number } {
  const after = query.after === undefined ? 0 : Number(query.after);
  const limit = query.limit === undefined ? 1000 : Number(query.limit);
  if (!Number.isInteger(after) || after < 0) throw badRequest('invalid_after', `after must be a non-negative integer (${afterIs})`);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10000) throw badRequest('invalid_limit', 'limit must be an integer from 1 to 10000');
  return { after, limit };
}

const ndjson = (rows: EventRow[]) => new Response(rows.map((r) => eventLine(r) + '\n').join(''), { headers: { 'content-type': 'application/x-ndjson; charset=utf-8' } });

export function hubRoutes(svc: Services) {
  const k = svc.kernel;
  const { db } = k;
  const registrations = new WeakMap<Request, RegistrationRow>();

  /** The branch presenting the token; 401 for a missing, unknown or revoked one. */
  const authenticateBranch = (request: Request): RegistrationRow => {
    const m = /^Bearer\s+(\S+)$/i.exec(request.headers.get('authorization') ?? '');
    if (!m) throw unauthorized('A branch token is required (Authorization: Bearer mmb_…)', 'unauthorized');
    const reg = registrationByToken(db, m[1]);
    if (!reg) throw unauthorized('This branch token is not valid or was revoked', 'invalid_token');
    if (svc.config.mode !== 'hub') throw new DomainError(404, 'not_a_hub', 'This server is not a hub');
    return reg;
  };
  const joined = (reg: RegistrationRow) => {
    if (!reg.origin || !reg.joined_branch_id) throw new DomainError(409, 'not_joined', `Branch ${reg.code} has not joined yet: run \`mymedic join\` at the branch`);
    return { ...reg, origin: reg.origin, joined_branch_id: reg.joined_branch_id };
  };

  return new Elysia({ name: 'sync-hub', seed: k.origin })
    .macro({
      branchToken: (on: boolean) => ({
        // transform runs before body validation: a caller without a token gets 401, not 400.
        transform({ request }) {
          if (on) registrations.set(request, authenticateBranch(request));
        },
        resolve({ request }) {
          return { registration: registrations.get(request)! };
        },
      }),
    })
    .post(
      '/api/v1/sync/hello',
      ({ registration, body }) => {
        const mine = body.branches.find((b) => b.code.toUpperCase() === registration.code);
        if (!mine) {
          throw new DomainError(422, 'branch_code_mismatch', `This token is for branch ${registration.code}, and this installation has no branch with that code`, {
            expected: registration.code,
            found: body.branches.map((b) => b.code),
          });
        }
        if (!isUuid(body.origin) || !isUuid(mine.id)) throw badRequest('invalid_request', 'origin and branch ids must be UUIDs');
        const chain = chainOrigin(db, true)!;
        k.runner.run({ actor: { ...systemActor('system'), name: `branch ${registration.code}` } }, (tx) => bindRegistration(tx, registration, body.origin, mine.id));
        return {
          hub_origin: k.origin,
          chain_origin: chain,
          branch_code: registration.code,
          branch_id: mine.id,
          high_water: k.store.head(body.origin).origin_seq,
        };
      },
      {
        branchToken: true,
        body: t.Object({
          origin: t.String({ maxLength: 64 }),
          branches: t.Array(t.Object({ id: t.String({ maxLength: 64 }), code: t.String({ maxLength: 8 }) }), { maxItems: 100 }),
          version: t.Optional(t.String({ maxLength: 64 })),
        }),
        detail: {
          tags: ['sync'],
          summary: 'A branch introduces itself (branch token only)',
          description:
            'Binds the branch token to the installation (its origin) and its branch with the registered code, once and for good; a token already bound elsewhere gets 409 `token_bound_elsewhere`. Answers the hub origin, the chain origin whose events `/sync/pull` serves, and the high-water mark of the branch’s events held here.',
        },
      },
    )
    .post(
      '/api/v1/sync/push',
      async ({ registration, request }) => {
        const reg = joined(registration);
        const raw = new Uint8Array(await request.arrayBuffer());
        if (raw.byteLength > MAX_PUSH_WIRE_BYTES) throw new DomainError(413, 'payload_too_large', `The request body is too large (at most ${MAX_PUSH_WIRE_BYTES} bytes)`);
        const push = parsePushBody(inflateBody(raw, request.headers.get('content-encoding')));
        const now = k.clock.now();
        try {
          const r = db
            .transaction(() => {
              const res = appendReplicated(k, reg.origin, push.events, (e) =>
                e.branch_id === reg.joined_branch_id || e.branch_id === '*' ? null : `branch_id ${e.branch_id} is not branch ${reg.code}'s`,
              );
              recordAccepted(db, reg.origin, reg.id, push.head, res.appended, now);
              return res;
            })
            .immediate();
          if (r.appended) svc.metrics.syncEventsReceived.inc({ branch: reg.code }, r.appended);
          return { high_water: r.highWater, appended: r.appended, skipped: r.skipped };
        } catch (e) {
          if (e instanceof SyncRefusal) {
            recordRefused(db, reg.origin, reg.id, e.code, e.message, e.integrity, now);
            svc.logger.log('warn', 'sync batch refused', { branch: reg.code, code: e.code, message: e.message, flagged: e.integrity });
            throw new SyncRefusal(e.status as 409 | 422, e.code, e.message, { ...e.details, high_water: k.store.head(reg.origin).origin_seq }, e.integrity);
          }
          throw e;
        }
      },
      {
        branchToken: true,
        parse: 'none',
        detail: {
          tags: ['sync'],
          summary: 'A branch pushes its own events (branch token only)',
          description: [
            'Body `{"events":[…],"head":{"origin_seq","at"}}`: the branch’s own events exactly as `/api/v1/events` lists them, in origin order, at most 10,000 per push and 1 MB on the wire; `Content-Encoding: gzip` is welcome. `head` (optional) says what the branch holds, for the hub’s lag figures.',
            'Events the hub already holds are skipped; the rest must continue the branch’s chain. 200 `{"high_water","appended","skipped"}`.',
            'Refused, with nothing of the batch applied and `details.high_water` to resume from: 409 `sync_gap` (send from high_water + 1), 409 `history_diverged`, 409 `duplicate_id`, 422 `broken_chain`, `batch_gap` (events missing inside the batch), `hash_mismatch`, `foreign_origin`, `foreign_branch`, `out_of_order`, `projection_failed`. All but `sync_gap` flag the branch at the hub: a batch that merely starts past the hub’s high-water mark (the hub was put back from a backup, or a stale cursor) is not suspect, and the branch resends from `high_water + 1` by itself; it is recorded as the branch’s last error.',
          ].join('\n\n'),
        },
      },
    )
    .get(
      '/api/v1/sync/pull',
      ({ query }) => {
        const { after, limit } = pageOf(query, 'a hub seq');
        const chain = chainOrigin(db);
        return ndjson(chain ? (db.query('SELECT * FROM events WHERE origin = ? AND seq > ? ORDER BY seq LIMIT ?').all(chain, after, limit) as EventRow[]) : []);
      },
      {
        branchToken: true,
        query: t.Object({ after: t.Optional(t.String()), limit: t.Optional(t.String()) }),
        detail: {
          tags: ['sync'],
          summary: 'A branch pulls the chain’s events (branch token only)',
          description:
            'The hub-owned events (`branch_id` `*`: chain price list, policies, announcements) recorded after hub seq `after`, as NDJSON in the format of `/api/v1/events`; each line’s `seq` is the hub seq to pass as `after` next time. They form one hash chain (the chain origin), which the branch checks whole.',
        },
      },
    )
    .get(
      '/api/v1/sync/own',
      ({ registration, query }) => {
        const reg = joined(registration);
        const { after, limit } = pageOf(query, 'an origin_seq of the branch');
        return ndjson(db.query('SELECT * FROM events WHERE origin = ? AND origin_seq > ? ORDER BY origin_seq LIMIT ?').all(reg.origin, after, limit) as EventRow[]);
      },
      {
        branchToken: true,
        query: t.Object({ after: t.Optional(t.String()), limit: t.Optional(t.String()) }),
        detail: {
          tags: ['sync'],
          summary: 'A branch takes back its own events (branch token only)',
          description:
            'The events of the calling branch’s installation the hub holds after origin_seq `after`, in origin order, as NDJSON in the format of `/api/v1/events`. A branch put back from an older copy of its database (that has not written since) appends them again, checking every hash: nothing it had sent is lost.',
        },
      },
    );
}
