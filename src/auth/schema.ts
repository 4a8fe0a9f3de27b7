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
