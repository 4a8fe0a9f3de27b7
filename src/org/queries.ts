// Read-side functions for the organisation tables.
import type { Database } from 'bun:sqlite';
import { and, asc, eq, inArray } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/bun-sqlite';
import { branches, clinics, userBranches, users } from './schema';

export type BranchRow = typeof branches.$inferSelect;
export type UserRow = typeof users.$inferSelect;
export type ClinicRow = typeof clinics.$inferSelect;

const orm = (db: Database) => drizzle(db);

export function getClinic(db: Database): ClinicRow | null {
  return orm(db).select().from(clinics).limit(1).get() ?? null;
}

export function getBranch(db: Database, id: string): BranchRow | null {
  return orm(db).select().from(branches).where(eq(branches.id, id)).get() ?? null;
}

export function getBranchByCode(db: Database, code: string): BranchRow | null {
  return orm(db).select().from(branches).where(eq(branches.code, code)).get() ?? null;
}

export function listBranches(db: Database, ids?: string[]): BranchRow[] {
  const q = orm(db).select().from(branches);
  return (ids ? q.where(inArray(branches.id, ids)) : q).orderBy(asc(branches.code)).all();
}

export function getUser(db: Database, id: string): UserRow | null {
  return orm(db).select().from(users).where(eq(users.id, id)).get() ?? null;
}

export function getUserByUsername(db: Database, username: string): UserRow | null {
  return orm(db).select().from(users).where(eq(users.username, username.trim().toLowerCase())).get() ?? null;
}

/** Owners and HQ reach every branch; everyone else the branches they were given. */
export function branchIdsOf(db: Database, user: Pick<UserRow, 'id' | 'role'>): string[] {
  if (user.role === 'owner' || user.role === 'hq') return listBranches(db).filter((b) => b.active).map((b) => b.id);
  return orm(db)
    .select({ id: userBranches.branchId })
    .from(userBranches)
    .innerJoin(branches, and(eq(branches.id, userBranches.branchId), eq(branches.active, true)))
    .where(eq(userBranches.userId, user.id))
    .all()
    .map((r) => r.id);
}

export interface UserListItem extends Omit<UserRow, 'passwordHash'> {
  branchIds: string[];
}

/** Users who belong to any of these branches (owners always listed). */
export function listUsers(db: Database, branchIdsInScope: string[]): UserListItem[] {
  const all = orm(db).select().from(users).orderBy(asc(users.username)).all();
  const memberships = orm(db).select().from(userBranches).all();
  return all
    .map(({ passwordHash: _h, ...u }) => ({ ...u, branchIds: memberships.filter((m) => m.userId === u.id).map((m) => m.branchId) }))
    .filter((u) => u.role === 'owner' || u.branchIds.some((b) => branchIdsInScope.includes(b)));
}

export function countUsers(db: Database): number {
  return (db.query('SELECT count(*) AS n FROM users').get() as { n: number }).n;
}
