// Sessions and bearer tokens. Operational state, not history: not rebuilt from events.
import { index, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const authSessions = sqliteTable(
  'auth_sessions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    kind: text('kind', { enum: ['web', 'api'] }).notNull(),
    createdAt: text('created_at').notNull(),
    expiresAt: text('expires_at').notNull(),
    revokedAt: text('revoked_at'),
    ip: text('ip'),
    userAgent: text('user_agent'),
  },
  (t) => [index('auth_sessions_user').on(t.userId)],
);

/** Long-lived API keys for integrators; only a hash of the key is kept. A projection. */
export const apiKeys = sqliteTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    branchId: text('branch_id').notNull(),
    userId: text('user_id').notNull(),
    name: text('name').notNull(),
    keyHash: text('key_hash').notNull().unique(),
    prefix: text('prefix').notNull(),
    createdAt: text('created_at').notNull(),
    createdBy: text('created_by'),
    expiresAt: text('expires_at'),
    revokedAt: text('revoked_at'),
  },
  (t) => [index('api_keys_user').on(t.userId)],
);
