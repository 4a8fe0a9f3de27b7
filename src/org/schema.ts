// Read tables of the organisation: the clinic, its branches, its staff.
import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const clinics = sqliteTable('clinics', {
  id: text('id').primaryKey(),
  branchId: text('branch_id').notNull(), // always '*': the clinic is chain-wide
  name: text('name').notNull(),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
});

export const branches = sqliteTable('branches', {
  id: text('id').primaryKey(),
  branchId: text('branch_id').notNull(), // = id: a branch's record belongs to itself
  code: text('code').notNull().unique(),
  name: text('name').notNull(),
  timezone: text('timezone').notNull(),
  address: text('address'),
  phone: text('phone'),
  gstin: text('gstin'),
  active: integer('active', { mode: 'boolean' }).notNull(),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
});

export const users = sqliteTable(
  'users',
  {
    id: text('id').primaryKey(),
    branchId: text('branch_id').notNull(), // the branch that created the account
    username: text('username').notNull().unique(),
    name: text('name').notNull(),
    role: text('role').notNull(),
    passwordHash: text('password_hash').notNull(),
    active: integer('active', { mode: 'boolean' }).notNull(),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
    passwordChangedAt: text('password_changed_at').notNull(),
  },
  (t) => [index('users_role').on(t.role)],
);

export const userBranches = sqliteTable(
  'user_branches',
  {
    userId: text('user_id').notNull(),
    branchId: text('branch_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.branchId] }), index('user_branches_branch').on(t.branchId)],
);
