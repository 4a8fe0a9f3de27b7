// Read-side functions for the patient registry. Every one takes the caller's branch.
import type { Database } from 'bun:sqlite';
import { and, asc, eq, gt, or, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { orm, preparedQuery } from '../core/orm';
import { localDate } from '../core/clock';
import type { EventRow } from '../core/events';
import { patientStream } from './events';
import { currentAge, looksLikeSamePerson, nameKey, type PatientFields, phoneDigits } from './rules';
import { patients } from './schema';

export type PatientRow = typeof patients.$inferSelect;

/** The patient as the API and pages show it. */
export interface PatientView {
  id: string;
  mrn: string;
  branch_id: string;
  name: string;
  phone: string;
  sex: 'male' | 'female' | 'other';
  date_of_birth: string | null;
  age_years: number | null;
  age_is_estimated: boolean;
  email: string | null;
  address: string | null;
  abha_number: string | null;
  version: number;
  created_at: string;
  updated_at: string;
}

export function fieldsOf(p: PatientRow): PatientFields {
  return {
    name: p.name,
    phone: p.phone,
    sex: p.sex,
    date_of_birth: p.dateOfBirth,
    age_years: p.ageYears,
    age_recorded_on: p.ageRecordedOn,
    email: p.email,
    address: p.address,
    abha_number: p.abhaNumber,
  };
}

export function toView(p: PatientRow, today: string): PatientView {
  return {
    id: p.id,
    mrn: p.mrn,
    branch_id: p.branchId,
    name: p.name,
    phone: p.phone,
    sex: p.sex,
    date_of_birth: p.dateOfBirth,
    age_years: currentAge(fieldsOf(p), today),
    age_is_estimated: !p.dateOfBirth,
    email: p.email,
    address: p.address,
    abha_number: p.abhaNumber,
    version: p.version,
    created_at: p.createdAt,
    updated_at: p.updatedAt,
  };
}

export function todayIn(timezone: string, now = new Date()): string {
  return localDate(now, timezone);
}

export function getPatient(db: Database, branchId: string, id: string): PatientRow | null {
  const q = preparedQuery(db, 'getPatient', (o) =>
    o.select().from(patients).where(and(eq(patients.branchId, sql.placeholder('branchId')), eq(patients.id, sql.placeholder('id')))).prepare(),
  );
  return q.get({ branchId, id }) ?? null;
}

export interface PatientPage {
  items: PatientRow[];
  nextCursor: string | null;
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => '\\' + c);
}

/** LIKE with a backslash escape: SQLite has no default escape character, so without it \_ matches "\" and any one character. */
const like = (column: SQLWrapper, pattern: string): SQL => sql`${column} LIKE ${pattern} ESCAPE '\\'`;

/**
 * Search as you type: digits match phone numbers (anywhere) and MRNs; words match names
 * (every word, as a word prefix). Results ordered by name then id; cursor = last id seen.
 */
export function searchPatients(db: Database, branchId: string, q: string, limit: number, cursor: string | null): PatientPage {
  const term = q.trim().slice(0, 100);
  const conds: (SQL | undefined)[] = [eq(patients.branchId, branchId)];
  if (term) {
    const digits = phoneDigits(term);
    const alternatives: (SQL | undefined)[] = [like(patients.mrn, `%${escapeLike(term.toUpperCase())}%`)];
    if (digits.length >= 3 && digits.length >= term.replace(/[\s+\-()]/g, '').length) {
      alternatives.push(like(patients.phone, `%${escapeLike(digits.length > 10 ? digits.slice(-10) : digits)}%`));
    }
    const words = nameKey(term).split(' ').filter(Boolean);
    if (words.length) {
      alternatives.push(
        and(...words.map((w) => or(like(patients.nameKey, `${escapeLike(w)}%`, ), like(patients.nameKey, `% ${escapeLike(w)}%`)))),
      );
    }
    conds.push(or(...alternatives));
  }
  // Keyset pagination on (name_key, id).
  if (cursor) {
    const [k, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [string, string];
    conds.push(or(gt(patients.nameKey, k), and(eq(patients.nameKey, k), gt(patients.id, id))));
  }
  const rows = orm(db)
    .select()
    .from(patients)
    .where(and(...conds))
    .orderBy(asc(patients.nameKey), asc(patients.id))
    .limit(limit + 1)
    .all();
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  const last = items[items.length - 1];
  return { items, nextCursor: more && last ? Buffer.from(JSON.stringify([last.nameKey, last.id])).toString('base64url') : null };
}

export function isValidCursor(cursor: string): boolean {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as unknown;
    return Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'string');
  } catch {
    return false;
  }
}

export interface DuplicateMatch {
  id: string;
  mrn: string;
  name: string;
  phone: string;
  date_of_birth: string | null;
  age_years: number | null;
}

/** Patients of this branch who look like the same person (see looksLikeSamePerson). */
export function possibleDuplicates(db: Database, branchId: string, f: PatientFields, today: string, excludeId?: string): DuplicateMatch[] {
  // By phone only (a family shares a handful of records at most), then the rule in code.
  const q = preparedQuery(db, 'patientsByPhone', (o) =>
    o.select().from(patients).where(and(eq(patients.branchId, sql.placeholder('branchId')), eq(patients.phone, sql.placeholder('phone')))).prepare(),
  );
  return q
    .all({ branchId, phone: f.phone })
    .filter((p) => p.id !== excludeId && looksLikeSamePerson(fieldsOf(p), f, today))
    .map((p) => ({ id: p.id, mrn: p.mrn, name: p.name, phone: p.phone, date_of_birth: p.dateOfBirth, age_years: currentAge(fieldsOf(p), today) }));
}

export interface HistoryEntry {
  at: string;
  type: string;
  actor: string | null;
  actor_name: string | null;
  data: Record<string, unknown>;
}

/** The patient's record of changes, oldest first, straight from the event log. */
export function patientHistory(db: Database, branchId: string, id: string): HistoryEntry[] {
  const rows = db
    .query('SELECT * FROM events WHERE stream = ? AND branch_id = ? ORDER BY version')
    .all(patientStream(id), branchId) as EventRow[];
  const names = db.prepare('SELECT name FROM users WHERE id = ?');
  return rows.map((r) => {
    const meta = JSON.parse(r.meta) as { actor: string | null; actor_name?: string };
    const current = meta.actor ? (names.get(meta.actor) as { name: string } | null)?.name : null;
    return { at: r.at, type: r.type, actor: meta.actor, actor_name: current ?? meta.actor_name ?? null, data: JSON.parse(r.data) };
  });
}

/** Figures for the start page: patients in the branch, registered today (branch's day). */
export function branchStats(db: Database, branchId: string, now: Date): { patients: number; registeredToday: number } {
  const tz = (db.query('SELECT timezone FROM branches WHERE id = ?').get(branchId) as { timezone: string } | null)?.timezone ?? 'Asia/Kolkata';
  const today = todayIn(tz, now);
  const rows = db.query('SELECT created_at FROM patients WHERE branch_id = ? AND created_at >= ?').all(branchId, new Date(now.getTime() - 86400_000 * 2).toISOString()) as { created_at: string }[];
  const total = (db.query('SELECT count(*) AS n FROM patients WHERE branch_id = ?').get(branchId) as { n: number }).n;
  return { patients: total, registeredToday: rows.filter((r) => todayIn(tz, new Date(r.created_at)) === today).length };
}
