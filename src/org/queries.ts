// Read-side functions for the organisation tables.
import type { Database } from 'bun:sqlite';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { orm, preparedQuery } from '../core/orm';
import { branches, clinics, userBranches, users } from './schema';

export type BranchRow = typeof branches.$inferSelect;
export type UserRow = typeof users.$inferSelect;
export type ClinicRow = typeof clinics.$inferSelect;

export function getClinic(db: Database): ClinicRow | null {
  return orm(db).select().from(clinics).limit(1).get() ?? null;
}

export function getBranch(db: Database, id: string): BranchRow | null {
  const q = preparedQuery(db, 'getBranch', (o) => o.select().from(branches).where(eq(branches.id, sql.placeholder('id'))).prepare());
  return q.get({ id }) ?? null;
}

export function getBranchByCode(db: Database, code: string): BranchRow | null {
  return orm(db).select().from(branches).where(eq(branches.code, code)).get() ?? null;
}

export function listBranches(db: Database, ids?: string[]): BranchRow[] {
  const q = orm(db).select().from(branches);
  return (ids ? q.where(inArray(branches.id, ids)) : q).orderBy(asc(branches.code)).all();
}

export function getUser(db: Database, id: string): UserRow | null {
  const q = preparedQuery(db, 'getUser', (o) => o.select().from(users).where(eq(users.id, sql.placeholder('id'))).prepare());
  return q.get({ id }) ?? null;
}

export function getUserByUsername(db: Database, username: string): UserRow | null {
  return orm(db).select().from(users).where(eq(users.username, username.trim().toLowerCase())).get() ?? null;
}

/** Owners and HQ reach every branch; everyone else the branches they were given. */
export function branchIdsOf(db: Database, user: Pick<UserRow, 'id' | 'role'>): string[] {
  if (user.role === 'owner' || user.role === 'hq') {
    const all = preparedQuery(db, 'activeBranchIds', (o) =>
      o.select({ id: branches.id }).from(branches).where(eq(branches.active, true)).orderBy(asc(branches.code)).prepare(),
    );
    return all.all().map((r) => r.id);
  }
  const mine = preparedQuery(db, 'userBranchIds', (o) =>
    o
      .select({ id: userBranches.branchId })
      .from(userBranches)
      .innerJoin(branches, and(eq(branches.id, userBranches.branchId), eq(branches.active, true)))
      .where(eq(userBranches.userId, sql.placeholder('userId')))
      .orderBy(asc(branches.code))
      .prepare(),
  );
  return mine.all({ userId: user.id }).map((r) => r.id);
}

export interface UserListItem extends Omit<UserRow, 'passwordHash'> {
  branchIds: string[];
}

/** Users who belong to any of these branches (owners and HQ, who reach every branch, always listed). */
export function listUsers(db: Database, branchIdsInScope: string[]): UserListItem[] {
  const all = orm(db).select().from(users).orderBy(asc(users.username)).all();
  const memberships = orm(db).select().from(userBranches).all();
  return all
    .map(({ passwordHash: _h, ...u }) => ({ ...u, branchIds: memberships.filter((m) => m.userId === u.id).map((m) => m.branchId) }))
    .filter((u) => u.role === 'owner' || u.role === 'hq' || u.branchIds.some((b) => branchIdsInScope.includes(b)));
}

export function countUsers(db: Database): number {
  return (db.query('SELECT count(*) AS n FROM users').get() as { n: number }).n;
}

export interface UserHistoryItem {
  type: string;
  /** The event's data; password hashes are never included. */
  data: Record<string, unknown>;
  meta: { actor: string | null; actor_name?: string; role?: string; via?: string };
  at: string;
}

/** A staff account's events, oldest first, without password hashes. */
export function userHistory(db: Database, id: string): UserHistoryItem[] {
  const rows = db.query(`SELECT type, data, meta, at FROM events WHERE stream = 'user-'||? ORDER BY version`).all(id) as { type: string; data: string; meta: string; at: string }[];
  return rows.map((r) => {
    const { password_hash: _h, ...data } = JSON.parse(r.data) as Record<string, unknown>;
    return { type: r.type, data, meta: JSON.parse(r.meta), at: r.at };
  });
}

/** The branches an account was given (without the owner/HQ rule of branchIdsOf). */
export function membershipsOf(db: Database, userId: string): string[] {
  return (db.query('SELECT branch_id FROM user_branches WHERE user_id = ?').all(userId) as { branch_id: string }[]).map((r) => r.branch_id);
}

export function activeOwnersOtherThan(db: Database, userId: string): number {
  return (db.query(`SELECT count(*) AS n FROM users WHERE role = 'owner' AND active = 1 AND id <> ?`).get(userId) as { n: number }).n;
}
