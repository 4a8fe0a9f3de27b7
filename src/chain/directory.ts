// The chain's doctor directory: the doctors of the whole chain as HQ lists them (name,
// specialty, qualifications, registration number, the branches they see patients at and
// when), so a front desk can refer a patient to a colleague at another branch. Recorded at
// the hub under the chain origin with branch_id '*' and pulled by every branch like chain
// prices and announcements. Reference data only: a branch books its own doctors (the
// scheduling domain); a directory entry is not a bookable doctor.
import type { Database } from 'bun:sqlite';
import type { Decider } from '../core/decider';
import { conflict, notFound, unprocessable } from '../core/errors';
import type { StoredEvent } from '../core/events';
import { newId } from '../core/ids';
import type { Projection } from '../core/projections';
import type { Tx } from '../core/runner';

export interface DirectoryEntry {
  name: string;
  specialty: string;
  qualifications: string | null;
  registration_number: string | null;
  /** Codes of the branches the doctor sees patients at, sorted; empty = not said. */
  branch_codes: string[];
  /** When, in words: "Mon, Thu 10:00–13:00 at BLR1; Sat mornings at MYS1". */
  visiting: string | null;
}

export type DirectoryEvent =
  | { type: 'directory.doctor_listed'; data: DirectoryEntry & { id: string } }
  | { type: 'directory.doctor_updated'; data: DirectoryEntry }
  | { type: 'directory.doctor_delisted'; data: { reason: string | null } };

export const DIRECTORY_EVENT_TYPES = new Set<DirectoryEvent['type']>(['directory.doctor_listed', 'directory.doctor_updated', 'directory.doctor_delisted']);

const PREFIX = 'chaindoctor-';
export const directoryStream = (id: string) => `${PREFIX}${id}`;
const CHAIN = '*';

type State = { listed: false; delisted: boolean } | { listed: true; entry: DirectoryEntry };
type Command = { kind: 'list'; id: string; entry: DirectoryEntry } | { kind: 'update'; entry: DirectoryEntry } | { kind: 'delist'; reason: string | null };

const ENTRY_FIELDS = ['name', 'specialty', 'qualifications', 'registration_number', 'visiting'] as const;
const same = (a: DirectoryEntry, b: DirectoryEntry) => ENTRY_FIELDS.every((k) => a[k] === b[k]) && a.branch_codes.join(',') === b.branch_codes.join(',');

export const directoryDecider: Decider<State, DirectoryEvent, Command> = {
  initialState: { listed: false, delisted: false },
  evolve(s, e) {
    if (e.type === 'directory.doctor_listed') {
      const { id: _id, ...entry } = e.data;
      return { listed: true, entry };
    }
    if (e.type === 'directory.doctor_updated') return { listed: true, entry: e.data };
    return { listed: false, delisted: true };
  },
  decide(c, s) {
    if (c.kind === 'list') {
      if (s.listed || s.delisted) throw conflict('directory_entry_exists', 'This directory entry already exists');
      return [{ type: 'directory.doctor_listed', data: { id: c.id, ...c.entry } }];
    }
    if (!s.listed) {
      if ('delisted' in s && s.delisted) throw conflict('delisted', 'This doctor was taken off the directory; list them again as a new entry');
      throw notFound('Directory entry');
    }
    if (c.kind === 'update') return same(s.entry, c.entry) ? [] : [{ type: 'directory.doctor_updated', data: c.entry }];
    return [{ type: 'directory.doctor_delisted', data: { reason: c.reason } }];
  },
};

export const directoryProjection: Projection = {
  name: 'chain_doctors',
  tables: ['chain_doctors'],
  handles: DIRECTORY_EVENT_TYPES,
  primaryKeyLookupsOnly: true,
  bind(db: Database) {
    const insert = db.prepare(
      `INSERT INTO chain_doctors (id, branch_id, name, specialty, qualifications, registration_number, branch_codes, visiting, listed_at, updated_at, delisted_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)`,
    );
    const update = db.prepare('UPDATE chain_doctors SET name = ?, specialty = ?, qualifications = ?, registration_number = ?, branch_codes = ?, visiting = ?, updated_at = ? WHERE id = ?');
    const delist = db.prepare('UPDATE chain_doctors SET delisted_at = ?, updated_at = ? WHERE id = ?');
    return (ev: StoredEvent) => {
      const e = ev as unknown as DirectoryEvent & StoredEvent;
      const id = ev.stream.slice(PREFIX.length);
      if (e.type === 'directory.doctor_listed') {
        const d = e.data;
        insert.run(d.id, ev.branch_id, d.name, d.specialty, d.qualifications, d.registration_number, JSON.stringify(d.branch_codes), d.visiting, ev.at, ev.at);
      } else if (e.type === 'directory.doctor_updated') {
        const d = e.data;
        update.run(d.name, d.specialty, d.qualifications, d.registration_number, JSON.stringify(d.branch_codes), d.visiting, ev.at, id);
      } else delist.run(ev.at, ev.at, id);
    };
  },
};

// --- input ---------------------------------------------------------------------------

const CONTROL = /[\u0000-\u001f\u007f]/;

function text(v: unknown, field: string, label: string, max: number, required: boolean): string | null {
  const s = typeof v === 'string' ? v.normalize('NFC').replace(/\s+/g, ' ').trim() : '';
  if (!s) {
    if (required) throw unprocessable(`invalid_${field}`, `Give the ${label}`, { field });
    return null;
  }
  if (s.length > max) throw unprocessable(`invalid_${field}`, `The ${label} is too long (at most ${max} characters)`, { field });
  if (CONTROL.test(s)) throw unprocessable(`invalid_${field}`, `The ${label} contains control characters`, { field });
  return s;
}

export interface DirectoryInput {
  name?: unknown;
  specialty?: unknown;
  qualifications?: unknown;
  registration_number?: unknown;
  /** Branch codes, as a list or one string separated by commas or spaces. */
  branch_codes?: unknown;
  visiting?: unknown;
}

/**
 * Checks and normalises an entry. `knownCodes`: the chain's branch codes (the hub's registry);
 * a code outside it is refused, so the directory never sends a patient to a branch that is not there.
 */
export function directoryEntry(input: DirectoryInput, knownCodes: ReadonlySet<string>): DirectoryEntry {
  const raw = input.branch_codes;
  const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(/[\s,;]+/) : raw == null ? [] : null;
  if (!list || list.some((c) => typeof c !== 'string')) throw unprocessable('invalid_branch_codes', 'branch_codes must be a list of branch codes', { field: 'branch_codes' });
  const codes = [...new Set((list as string[]).map((c) => c.trim().toUpperCase()).filter(Boolean))].sort();
  if (codes.length > 50) throw unprocessable('invalid_branch_codes', 'At most 50 branches', { field: 'branch_codes' });
  const unknown = codes.filter((c) => !knownCodes.has(c));
  if (unknown.length) {
    throw unprocessable('unknown_branch', `No branch of the chain has the code ${unknown.join(', ')}`, { field: 'branch_codes', codes: unknown });
  }
  const registration = text(input.registration_number, 'registration_number', 'registration number', 40, false);
  if (registration && !/^[\p{L}\p{N}][\p{L}\p{N} ./-]*$/u.test(registration)) {
    throw unprocessable('invalid_registration_number', 'The registration number may hold only letters, digits, spaces and . / -', { field: 'registration_number' });
  }
  return {
    name: text(input.name, 'name', 'name', 120, true)!,
    specialty: text(input.specialty, 'specialty', 'specialty', 80, true)!,
    qualifications: text(input.qualifications, 'qualifications', 'qualifications', 160, false),
    registration_number: registration,
    branch_codes: codes,
    visiting: text(input.visiting, 'visiting', 'visiting hours', 300, false),
  };
}

// --- commands ------------------------------------------------------------------------

/** Lists a doctor; run it under the hub's chain origin so that branches pull it. */
export function listDirectoryDoctor(tx: Tx, entry: DirectoryEntry): string {
  const id = newId();
  tx.execute(directoryStream(id), CHAIN, directoryDecider, { kind: 'list', id, entry });
  return id;
}

export function updateDirectoryDoctor(tx: Tx, id: string, entry: DirectoryEntry): void {
  tx.execute(directoryStream(id), CHAIN, directoryDecider, { kind: 'update', entry });
}

export function delistDirectoryDoctor(tx: Tx, id: string, reason: string | null): void {
  const why = text(reason, 'reason', 'reason', 200, false);
  tx.execute(directoryStream(id), CHAIN, directoryDecider, { kind: 'delist', reason: why });
}

// --- reads ---------------------------------------------------------------------------

export interface DirectoryRow extends DirectoryEntry {
  id: string;
  listed_at: string;
  updated_at: string;
  delisted_at: string | null;
}

const COLUMNS = 'id, name, specialty, qualifications, registration_number, branch_codes, visiting, listed_at, updated_at, delisted_at';
const row = (r: Omit<DirectoryRow, 'branch_codes'> & { branch_codes: string }): DirectoryRow => ({ ...r, branch_codes: JSON.parse(r.branch_codes) as string[] });

export interface DirectoryFilter {
  /** Only doctors seeing patients at this branch code. */
  branchCode?: string | null;
  /** Name or specialty contains this (case-insensitive). */
  q?: string | null;
  includeDelisted?: boolean;
}

/** The directory by name; delisted entries only when asked. */
export function directoryDoctors(db: Database, f: DirectoryFilter = {}): DirectoryRow[] {
  const where: string[] = [];
  const args: string[] = [];
  if (!f.includeDelisted) where.push('delisted_at IS NULL');
  if (f.branchCode) {
    where.push('EXISTS (SELECT 1 FROM json_each(branch_codes) WHERE value = ?)');
    args.push(f.branchCode.toUpperCase());
  }
  const q = f.q?.trim().toLowerCase();
  if (q) {
    where.push(`(instr(lower(name), ?) > 0 OR instr(lower(specialty), ?) > 0)`);
    args.push(q, q);
  }
  const sql = `SELECT ${COLUMNS} FROM chain_doctors ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY name COLLATE NOCASE, id LIMIT 500`;
  return (db.query(sql).all(...args) as (Omit<DirectoryRow, 'branch_codes'> & { branch_codes: string })[]).map(row);
}

export function getDirectoryDoctor(db: Database, id: string): DirectoryRow | null {
  const r = db.query(`SELECT ${COLUMNS} FROM chain_doctors WHERE id = ?`).get(id) as (Omit<DirectoryRow, 'branch_codes'> & { branch_codes: string }) | null;
  return r ? row(r) : null;
}

export const directoryJson = (d: DirectoryRow) => ({
  id: d.id,
  name: d.name,
  specialty: d.specialty,
  qualifications: d.qualifications,
  registration_number: d.registration_number,
  branch_codes: d.branch_codes,
  visiting: d.visiting,
  listed_at: d.listed_at,
  updated_at: d.updated_at,
  delisted_at: d.delisted_at,
});

/** The chain's branch codes as the hub knows them: its own branches and every registered one. */
export function chainBranchCodes(db: Database): Set<string> {
  const rows = db.query('SELECT code FROM branches UNION SELECT code FROM sync_branches').all() as { code: string }[];
  return new Set(rows.map((r) => r.code));
}
