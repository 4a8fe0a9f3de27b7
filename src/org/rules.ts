// Checks for organisation input: branch codes, usernames, passwords, time zones.
import { unprocessable } from '../core/errors';
import { ROLES, type Role } from './events';

/** Receipt numbers are CODE/YY-YY/NNNNN and GST allows 16 characters: codes have 1–4. */
export function cleanBranchCode(raw: string): string {
  const code = raw.trim().toUpperCase();
  if (!/^[A-Z0-9]{1,4}$/.test(code)) {
    throw unprocessable('invalid_branch_code', 'Branch code must be 1 to 4 letters or digits (it starts every receipt number), e.g. BLR1', {
      field: 'code',
    });
  }
  return code;
}

export function cleanUsername(raw: string): string {
  const u = raw.trim().toLowerCase();
  if (!/^[a-z0-9][a-z0-9._-]{2,31}$/.test(u)) {
    throw unprocessable('invalid_username', 'Username must be 3 to 32 characters: letters, digits, dot, dash or underscore', {
      field: 'username',
    });
  }
  return u;
}

const COMMON = new Set(['password', 'password1', '12345678', '123456789', '1234567890', 'qwertyuiop', 'iloveyou', 'admin123', 'welcome1', 'mymedic123']);

export function checkPassword(pw: string): string {
  if (pw.length < 8) throw unprocessable('weak_password', 'Password must have at least 8 characters', { field: 'password' });
  if (pw.length > 200) throw unprocessable('weak_password', 'Password is too long (at most 200 characters)', { field: 'password' });
  if (COMMON.has(pw.toLowerCase())) throw unprocessable('weak_password', 'This password is too common; choose another', { field: 'password' });
  return pw;
}

export function cleanRole(raw: string): Role {
  if (!(ROLES as readonly string[]).includes(raw)) {
    throw unprocessable('invalid_role', `Role must be one of: ${ROLES.join(', ')}`, { field: 'role' });
  }
  return raw as Role;
}

export function cleanTimezone(raw: string): string {
  const tz = raw.trim();
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
  } catch {
    throw unprocessable('invalid_timezone', `Unknown time zone ${tz}; use an IANA name like Asia/Kolkata`, { field: 'timezone' });
  }
  if (!tz.includes('/') && tz !== 'UTC') throw unprocessable('invalid_timezone', `Use an IANA time zone name like Asia/Kolkata`, { field: 'timezone' });
  return tz;
}

export function cleanLabel(raw: string, field: string, max = 120): string {
  const s = raw.normalize('NFC').replace(/\s+/g, ' ').trim();
  if (!s) throw unprocessable(`invalid_${field}`, `${field} is required`, { field });
  if (s.length > max) throw unprocessable(`invalid_${field}`, `${field} is too long (at most ${max} characters)`, { field });
  if (/[\u0000-\u001f\u007f]/.test(s)) throw unprocessable(`invalid_${field}`, `${field} contains control characters`, { field });
  return s;
}

/** GSTIN: 15 characters, state code, PAN, entity, Z, checksum. */
export function cleanGstin(raw: string | null | undefined): string | null {
  if (!raw || !raw.trim()) return null;
  const g = raw.trim().toUpperCase();
  if (!/^\d{2}[A-Z]{5}\d{4}[A-Z][1-9A-Z]Z[0-9A-Z]$/.test(g)) {
    throw unprocessable('invalid_gstin', 'GSTIN must be 15 characters like 29ABCDE1234F1Z5', { field: 'gstin' });
  }
  return g;
}

export async function hashPassword(pw: string): Promise<string> {
  return Bun.password.hash(checkPassword(pw), { algorithm: 'argon2id' });
}
