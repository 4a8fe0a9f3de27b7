// Core tables: the event log (the source of truth) and the bookkeeping around it.
import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const events = sqliteTable(
  'events',
  {
    seq: integer('seq').primaryKey(),
    id: text('id').notNull().unique(),
    origin: text('origin').notNull(),
    originSeq: integer('origin_seq').notNull(),
    branchId: text('branch_id').notNull(),
    stream: text('stream').notNull(),
    version: integer('version').notNull(),
    type: text('type').notNull(),
    data: text('data').notNull(),
    meta: text('meta').notNull(),
    at: text('at').notNull(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [
    uniqueIndex('events_origin_seq').on(t.origin, t.originSeq),
    uniqueIndex('events_stream_version').on(t.stream, t.version),
    index('events_branch_seq').on(t.branchId, t.seq),
  ],
);

/** Answers already given to requests that carried an Idempotency-Key. Not a projection. */
export const idempotencyKeys = sqliteTable(
  'idempotency_keys',
  {
    scope: text('scope').notNull(),
    key: text('key').notNull(),
    fingerprint: text('fingerprint').notNull(),
    status: integer('status').notNull(),
    response: text('response').notNull(),
    createdAt: text('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] })],
);

/** This instance's identity (its origin id) and other local settings. Not a projection. */
export const instanceMeta = sqliteTable('instance_meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

/** Gapless per-branch number series (MRNs, later receipts), advanced by projections. */
export const counters = sqliteTable(
  'counters',
  {
    branchId: text('branch_id').notNull(),
    name: text('name').notNull(),
    value: integer('value').notNull().default(sql`0`),
  },
  (t) => [primaryKey({ columns: [t.branchId, t.name] })],
);
