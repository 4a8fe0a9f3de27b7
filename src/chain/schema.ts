// Read tables of what a chain's hub publishes to every branch, beyond prices and policies.
import { index, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** Notices from HQ to every branch's staff (projection of announcement.* events, branch_id '*'). */
export const announcements = sqliteTable(
  'announcements',
  {
    id: text('id').primaryKey(),
    branchId: text('branch_id').notNull(), // always '*': chain-wide
    title: text('title').notNull(),
    body: text('body').notNull(),
    /** Last local day it is shown (YYYY-MM-DD), or null until withdrawn. */
    showUntil: text('show_until'),
    postedBy: text('posted_by'),
    postedAt: text('posted_at').notNull(),
    withdrawnAt: text('withdrawn_at'),
  },
  (t) => [index('announcements_posted').on(t.postedAt)],
);

/** The chain's doctor directory (projection of directory.* events, branch_id '*'). */
export const chainDoctors = sqliteTable('chain_doctors', {
  id: text('id').primaryKey(),
  branchId: text('branch_id').notNull(), // always '*': chain-wide
  name: text('name').notNull(),
  specialty: text('specialty').notNull(),
  qualifications: text('qualifications'),
  registrationNumber: text('registration_number'),
  /** JSON array of branch codes, sorted. */
  branchCodes: text('branch_codes').notNull(),
  visiting: text('visiting'),
  listedAt: text('listed_at').notNull(),
  updatedAt: text('updated_at').notNull(),
  delistedAt: text('delisted_at'),
});
