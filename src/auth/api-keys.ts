// Long-lived API keys: an admin mints one for a staff (or service) account; the key acts
// as that account, is shown once, and only its SHA-256 is kept. Issuing and revoking are
// events with the actor, like every other change.
import type { Database } from 'bun:sqlite';
import type { Decider } from '../core/decider';
import { conflict, notFound, unprocessable } from '../core/errors';
import type { StoredEvent } from '../core/events';
import { newId, randomToken, sha256Hex } from '../core/ids';
import type { Projection } from '../core/projections';
import type { Tx } from '../core/runner';

export const API_KEY_PREFIX = 'mmk_';

export type ApiKeyEvent =
  | { type: 'api_key.issued'; data: { key_id: string; user_id: string; name: string; key_hash: string; prefix: string; expires_at: string | null } }
  | { type: 'api_key.revoked'; data: { reason: string | null } };

export const API_KEY_EVENT_TYPES = new Set<ApiKeyEvent['type']>(['api_key.issued', 'api_key.revoked']);
export const apiKeyStream = (id: string) => `apikey-${id}`;

type ApiKeyState = { exists: false } | { exists: true; revoked: boolean };
type ApiKeyCommand = { kind: 'issue'; data: Extract<ApiKeyEvent, { type: 'api_key.issued' }>['data'] } | { kind: 'revoke'; reason: string | null };

export const apiKeyDecider: Decider<ApiKeyState, ApiKeyEvent, ApiKeyCommand> = {
  initialState: { exists: false },
  evolve(s, e) {
    if (e.type === 'api_key.issued') return { exists: true, revoked: false };
    return s.exists ? { ...s, revoked: true } : s;
  },
  decide(c, s) {
    if (c.kind === 'issue') {
      if (s.exists) throw conflict('api_key_exists', 'This API key already exists');
      return [{ type: 'api_key.issued', data: c.data }];
    }
    if (!s.exists) throw notFound('API key');
    if (s.revoked) throw conflict('already_revoked', 'This API key is already revoked');
    return [{ type: 'api_key.revoked', data: { reason: c.reason } }];
  },
};

export const apiKeysProjection: Projection = {
  name: 'api_keys',
  tables: ['api_keys'],
  primaryKeyLookupsOnly: true,
  handles: API_KEY_EVENT_TYPES,
  localOnly: API_KEY_EVENT_TYPES, // another instance's keys never open this one
  bind(db) {
    const insert = db.prepare(
      'INSERT INTO api_keys (id, branch_id, user_id, name, key_hash, prefix, created_at, created_by, expires_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)',
    );
    const revoke = db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ?');
    return (ev: StoredEvent) => {
      const e = ev as unknown as ApiKeyEvent & StoredEvent;
      if (e.type === 'api_key.issued') {
        const d = e.data;
        insert.run(d.key_id, ev.branch_id, d.user_id, d.name, d.key_hash, d.prefix, ev.at, ev.meta.actor, d.expires_at);
      } else {
        revoke.run(ev.at, ev.stream.slice('apikey-'.length));
      }
    };
  },
};

export interface ApiKeyRow {
  id: string;
  branch_id: string;
  user_id: string;
  name: string;
  prefix: string;
  created_at: string;
  created_by: string | null;
  expires_at: string | null;
  revoked_at: string | null;
}

export function isApiKey(token: string): boolean {
  return token.startsWith(API_KEY_PREFIX);
}

/** The key's row if it is live (not revoked, not expired). */
export function activeApiKey(db: Database, token: string, now: Date): ApiKeyRow | null {
  const row = db.query('SELECT * FROM api_keys WHERE key_hash = ?').get(sha256Hex(token)) as ApiKeyRow | null;
  if (!row || row.revoked_at || (row.expires_at && row.expires_at <= now.toISOString())) return null;
  return row;
}

export function getApiKey(db: Database, id: string): ApiKeyRow | null {
  return db.query('SELECT id, branch_id, user_id, name, prefix, created_at, created_by, expires_at, revoked_at FROM api_keys WHERE id = ?').get(id) as ApiKeyRow | null;
}

export function apiKeysOfUsers(db: Database, userIds: string[]): ApiKeyRow[] {
  if (!userIds.length) return [];
  return db
    .query(
      `SELECT id, branch_id, user_id, name, prefix, created_at, created_by, expires_at, revoked_at FROM api_keys
       WHERE user_id IN (${userIds.map(() => '?').join(',')}) ORDER BY created_at DESC`,
    )
    .all(...userIds) as ApiKeyRow[];
}

/** Mints a key for `userId`; returns the key itself, which is never stored or shown again. */
export function issueApiKey(tx: Tx, branchId: string, userId: string, name: string, expiresInDays: number | null): { id: string; key: string; expires_at: string | null } {
  const label = name.normalize('NFC').replace(/\s+/g, ' ').trim();
  if (!label || label.length > 80) throw unprocessable('invalid_name', 'Give the key a name of 1 to 80 characters (what uses it)', { field: 'name' });
  if (expiresInDays !== null && (!Number.isInteger(expiresInDays) || expiresInDays < 1 || expiresInDays > 3650)) {
    throw unprocessable('invalid_expiry', 'expires_in_days must be a whole number from 1 to 3650', { field: 'expires_in_days' });
  }
  const id = newId();
  const key = API_KEY_PREFIX + randomToken(32);
  const expires_at = expiresInDays === null ? null : new Date(tx.now.getTime() + expiresInDays * 86400_000).toISOString();
  tx.execute(apiKeyStream(id), branchId, apiKeyDecider, {
    kind: 'issue',
    data: { key_id: id, user_id: userId, name: label, key_hash: sha256Hex(key), prefix: key.slice(0, API_KEY_PREFIX.length + 6), expires_at },
  });
  return { id, key, expires_at };
}

export function revokeApiKey(tx: Tx, id: string, reason: string | null): void {
  const row = getApiKey(tx.db, id);
  if (!row) throw notFound('API key');
  tx.execute(apiKeyStream(id), row.branch_id, apiKeyDecider, { kind: 'revoke', reason });
}
