// Read and bookkeeping tables of sync between branches and the hub.
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * At the hub: one row per registered branch (projection of the hub.branch_* events). Only
 * the SHA-256 of the branch token is kept; origin and joined_branch_id are bound when the
 * branch first says hello, and never change after.
 */
export const syncBranches = sqliteTable('sync_branches', {
    id: text('id').primaryKey(), // registration id
    branchId: text('branch_id').notNull(), // '*': the registry is the hub's own, chain-wide
    code: text('code').notNull().unique(),
    tokenHash: text('token_hash').unique(),
    tokenPrefix: text('token_prefix'),
    origin: text('origin').unique(),
    joinedBranchId: text('joined_branch_id').unique(),
    createdAt: text('created_at').notNull(),
    tokenIssuedAt: text('token_issued_at'),
    joinedAt: text('joined_at'),
    revokedAt: text('revoked_at'),
});

/**
 * At the hub: how each branch's pushes are going. Not a projection (it is about delivery,
 * not history): last contact, what the branch says it holds, the last refusal, the flag.
 */
export const syncPeers = sqliteTable('sync_peers', {
  origin: text('origin').primaryKey(),
  registrationId: text('registration_id').notNull(),
  headSeq: integer('head_seq').notNull(), // the branch's highest origin_seq, as it said at its last push
  headAt: text('head_at'), // when that event was recorded at the branch
  lastPushAt: text('last_push_at'),
  lastAppended: integer('last_appended').notNull(),
  batchesAccepted: integer('batches_accepted').notNull(),
  batchesRefused: integer('batches_refused').notNull(),
  lastErrorCode: text('last_error_code'),
  lastError: text('last_error'),
  lastErrorAt: text('last_error_at'),
  flaggedReason: text('flagged_reason'),
  flaggedAt: text('flagged_at'),
});

/** At a branch: the sync cursors and the last outcome, one value per key. Not a projection. */
export const syncState = sqliteTable('sync_state', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  updatedAt: text('updated_at').notNull(),
});
