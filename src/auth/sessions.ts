// Sessions: a signed JWT (cookie for the browser, bearer for the API) names a session row;
// the row makes it revocable (logout, disabled user) before the token expires.
import type { Database } from 'bun:sqlite';
import { newId, sha256Hex } from '../core/ids';
import { forbidden, tooManyRequests, unauthorized } from '../core/errors';
import { getUserByUsername, type UserRow } from '../org/queries';
import type { LoginThrottle } from './throttle';

export interface SessionRow {
  id: string;
  user_id: string;
  kind: 'web' | 'api';
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
}

export function createSession(db: Database, userId: string, kind: 'web' | 'api', hours: number, now: Date, ip: string, userAgent: string | null): SessionRow {
  const row: SessionRow = {
    id: newId(),
    user_id: userId,
    kind,
    created_at: now.toISOString(),
    expires_at: new Date(now.getTime() + hours * 3600_000).toISOString(),
    revoked_at: null,
  };
  db.run('INSERT INTO auth_sessions (id, user_id, kind, created_at, expires_at, revoked_at, ip, user_agent) VALUES (?, ?, ?, ?, ?, NULL, ?, ?)', [
    row.id, userId, kind, row.created_at, row.expires_at, ip, userAgent?.slice(0, 300) ?? null,
  ]);
  return row;
}

export function activeSession(db: Database, id: string, now: Date): SessionRow | null {
  const s = db.query('SELECT * FROM auth_sessions WHERE id = ?').get(id) as SessionRow | null;
  if (!s || s.revoked_at || s.expires_at <= now.toISOString()) return null;
  return s;
}

export function revokeSession(db: Database, id: string, now: Date): void {
  db.run('UPDATE auth_sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', [now.toISOString(), id]);
}

/** Ends every session of an account now (it was disabled). */
export function revokeSessionsOf(db: Database, userId: string, now: Date): void {
  db.run('UPDATE auth_sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL', [now.toISOString(), userId]);
}

/** Deletes sessions that ended more than a day ago, so the table stays small. */
export function pruneSessions(db: Database, now: Date): void {
  const cutoff = new Date(now.getTime() - 86400_000).toISOString();
  db.run('DELETE FROM auth_sessions WHERE expires_at < ? OR (revoked_at IS NOT NULL AND revoked_at < ?)', [cutoff, cutoff]);
}

// Verified against when the account does not exist, so both paths take the same time.
let dummyHash: Promise<string> | null = null;

/**
 * Checks a username and password. Every failure gets the same message, whether the account
 * is unknown, disabled or the password wrong; repeated failures are throttled (429).
 */
export async function checkCredentials(db: Database, throttle: LoginThrottle, username: string, password: string, ip: string): Promise<UserRow> {
  const wait = throttle.retryAfter(username, ip);
  if (wait > 0) throw tooManyRequests(`Too many failed sign-ins. Try again in ${Math.ceil(wait / 60)} minute(s).`, wait);
  const user = getUserByUsername(db, username);
  dummyHash ??= Bun.password.hash(sha256Hex(String(Math.random())), { algorithm: 'argon2id' });
  const ok = await Bun.password.verify(password.slice(0, 200), user?.passwordHash ?? (await dummyHash)).catch(() => false);
  if (!user || !ok || !user.active) {
    throttle.fail(username, ip);
    throw unauthorized('Wrong username or password', 'invalid_credentials');
  }
  throttle.succeed(username);
  return user;
}

export function assertActive(user: UserRow | null): asserts user is UserRow {
  if (!user) throw unauthorized('Your session has ended; sign in again', 'session_expired');
  if (!user.active) throw forbidden('This account is disabled', 'account_disabled');
}
