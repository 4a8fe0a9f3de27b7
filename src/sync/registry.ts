// The hub's registry of branches: `mymedic hub add-branch CODE` registers a code and issues
// a token (shown once, kept as SHA-256); the branch's first hello binds the token to the
// branch's origin and branch id for good; a token can be revoked or replaced.
import type { Database } from 'bun:sqlite';
import type { Decider } from '../core/decider';
import { conflict, notFound } from '../core/errors';
import type { StoredEvent } from '../core/events';
import { newId, randomToken, sha256Hex } from '../core/ids';
import type { Projection } from '../core/projections';
import type { Tx } from '../core/runner';
import { CHAIN_WIDE } from '../org/events';
import { getBranchByCode } from '../org/queries';
import { cleanBranchCode } from '../org/rules';
import { BRANCH_TOKEN_PREFIX, REGISTRY_EVENT_TYPES, type RegistryEvent, registrationStream } from './events';

type E<T extends RegistryEvent['type']> = Extract<RegistryEvent, { type: T }>;

export type RegistrationState =
  | { exists: false }
  | { exists: true; code: string; tokenLive: boolean; origin: string | null; branchId: string | null };

export type RegistrationCommand =
  | { kind: 'register'; registrationId: string; code: string; tokenHash: string; prefix: string }
  | { kind: 'issue_token'; tokenHash: string; prefix: string }
  | { kind: 'revoke'; reason: string | null }
  | { kind: 'join'; origin: string; branchId: string };

export const registrationDecider: Decider<RegistrationState, RegistryEvent, RegistrationCommand> = {
  initialState: { exists: false },
  evolve(s, e) {
    switch (e.type) {
      case 'hub.branch_registered':
        return { exists: true, code: e.data.code, tokenLive: false, origin: null, branchId: null };
      case 'hub.branch_token_issued':
        return s.exists ? { ...s, tokenLive: true } : s;
      case 'hub.branch_token_revoked':
        return s.exists ? { ...s, tokenLive: false } : s;
      case 'hub.branch_joined':
        return s.exists ? { ...s, origin: e.data.origin, branchId: e.data.branch_id } : s;
    }
  },
  decide(c, s) {
    if (c.kind === 'register') {
      if (s.exists) throw conflict('branch_registered', `Branch ${s.code} is already registered`);
      return [
        { type: 'hub.branch_registered', data: { registration_id: c.registrationId, code: c.code } },
        { type: 'hub.branch_token_issued', data: { token_hash: c.tokenHash, prefix: c.prefix } },
      ];
    }
    if (!s.exists) throw notFound('Branch registration');
    switch (c.kind) {
      case 'issue_token':
        return [{ type: 'hub.branch_token_issued', data: { token_hash: c.tokenHash, prefix: c.prefix } }];
      case 'revoke':
        if (!s.tokenLive) throw conflict('already_revoked', `Branch ${s.code} has no live token`);
        return [{ type: 'hub.branch_token_revoked', data: { reason: c.reason } }];
      case 'join':
        if (s.origin === c.origin && s.branchId === c.branchId) return [];
        if (s.origin) throw conflict('token_bound_elsewhere', `The token of ${s.code} already belongs to another installation (origin ${s.origin})`);
        return [{ type: 'hub.branch_joined', data: { origin: c.origin, branch_id: c.branchId } }];
    }
  },
};

export const registryProjection: Projection = {
  name: 'sync_registry',
  tables: ['sync_branches'],
  primaryKeyLookupsOnly: true,
  handles: REGISTRY_EVENT_TYPES,
  localOnly: REGISTRY_EVENT_TYPES, // a hub's registry is its own
  bind(db: Database) {
    const insert = db.prepare('INSERT INTO sync_branches (id, branch_id, code, created_at) VALUES (?, ?, ?, ?)');
    const token = db.prepare('UPDATE sync_branches SET token_hash = ?, token_prefix = ?, token_issued_at = ?, revoked_at = NULL WHERE id = ?');
    const revoke = db.prepare('UPDATE sync_branches SET token_hash = NULL, revoked_at = ? WHERE id = ?');
    const join = db.prepare('UPDATE sync_branches SET origin = ?, joined_branch_id = ?, joined_at = ? WHERE id = ?');
    return (ev: StoredEvent) => {
      const e = ev as unknown as RegistryEvent & StoredEvent;
      const id = ev.stream.slice('hubbranch-'.length);
      switch (e.type) {
        case 'hub.branch_registered':
          insert.run(e.data.registration_id, ev.branch_id, e.data.code, ev.at);
          break;
        case 'hub.branch_token_issued':
          token.run(e.data.token_hash, e.data.prefix, ev.at, id);
          break;
        case 'hub.branch_token_revoked':
          revoke.run(ev.at, id);
          break;
        case 'hub.branch_joined':
          join.run(e.data.origin, e.data.branch_id, ev.at, id);
          break;
      }
    };
  },
};

export interface RegistrationRow {
  id: string;
  code: string;
  token_prefix: string | null;
  origin: string | null;
  joined_branch_id: string | null;
  created_at: string;
  token_issued_at: string | null;
  joined_at: string | null;
  revoked_at: string | null;
}

const COLUMNS = 'id, code, token_prefix, origin, joined_branch_id, created_at, token_issued_at, joined_at, revoked_at';

export function registrationByToken(db: Database, token: string): RegistrationRow | null {
  if (!token.startsWith(BRANCH_TOKEN_PREFIX)) return null;
  return db.query(`SELECT ${COLUMNS} FROM sync_branches WHERE token_hash = ?`).get(sha256Hex(token)) as RegistrationRow | null;
}

export function registrationByCode(db: Database, code: string): RegistrationRow | null {
  return db.query(`SELECT ${COLUMNS} FROM sync_branches WHERE code = ?`).get(code.trim().toUpperCase()) as RegistrationRow | null;
}

export function listRegistrations(db: Database): RegistrationRow[] {
  return db.query(`SELECT ${COLUMNS} FROM sync_branches ORDER BY code`).all() as RegistrationRow[];
}

/** True when this branch's records are kept at a branch that syncs here (the hub only reads them). */
export function isReplicaBranch(db: Database, branchId: string): boolean {
  return !!db.query('SELECT 1 FROM sync_branches WHERE joined_branch_id = ?').get(branchId);
}

function newToken() {
  const token = BRANCH_TOKEN_PREFIX + randomToken(32);
  return { token, tokenHash: sha256Hex(token), prefix: token.slice(0, BRANCH_TOKEN_PREFIX.length + 6) };
}

/** Registers a branch code at the hub; returns the token, which is never stored or shown again. */
export function registerBranch(tx: Tx, rawCode: string): { id: string; code: string; token: string } {
  const code = cleanBranchCode(rawCode);
  if (registrationByCode(tx.db, code)) throw conflict('branch_registered', `Branch ${code} is already registered; \`mymedic hub rotate-token ${code}\` issues a new token`);
  if (getBranchByCode(tx.db, code)) throw conflict('branch_code_taken', `Branch code ${code} is already used by a branch of this hub`);
  const id = newId();
  const t = newToken();
  tx.execute(registrationStream(id), CHAIN_WIDE, registrationDecider, { kind: 'register', registrationId: id, code, tokenHash: t.tokenHash, prefix: t.prefix });
  return { id, code, token: t.token };
}

/** A new token for a registered branch; the old one stops working at once. */
export function rotateBranchToken(tx: Tx, code: string): { token: string } {
  const reg = registrationByCode(tx.db, code);
  if (!reg) throw notFound(`Branch registration ${code.toUpperCase()}`);
  const t = newToken();
  tx.execute(registrationStream(reg.id), CHAIN_WIDE, registrationDecider, { kind: 'issue_token', tokenHash: t.tokenHash, prefix: t.prefix });
  return { token: t.token };
}

export function revokeBranchToken(tx: Tx, code: string, reason: string | null): void {
  const reg = registrationByCode(tx.db, code);
  if (!reg) throw notFound(`Branch registration ${code.toUpperCase()}`);
  tx.execute(registrationStream(reg.id), CHAIN_WIDE, registrationDecider, { kind: 'revoke', reason });
}

/** Binds the registration to the branch installation that first presents its token. */
export function bindRegistration(tx: Tx, reg: RegistrationRow, origin: string, branchId: string): void {
  const other = tx.db.query('SELECT code FROM sync_branches WHERE (origin = ? OR joined_branch_id = ?) AND id <> ?').get(origin, branchId, reg.id) as { code: string } | null;
  if (other) throw conflict('already_joined', `This installation already joined the hub as branch ${other.code}`);
  tx.execute(registrationStream(reg.id), CHAIN_WIDE, registrationDecider, { kind: 'join', origin, branchId });
}
