// Announcements: notices HQ posts at the hub for every branch's staff (a new price list from
// Monday, a holiday, a recall of a drug batch). Recorded under the hub's chain origin with
// branch_id '*', pulled by branches like chain prices, shown on each branch's start page
// until their last day or until withdrawn.
import type { Database } from 'bun:sqlite';
import type { Decider } from '../core/decider';
import { conflict, notFound, unprocessable } from '../core/errors';
import type { StoredEvent } from '../core/events';
import { newId } from '../core/ids';
import type { Projection } from '../core/projections';
import type { Tx } from '../core/runner';

export type AnnouncementEvent =
  | { type: 'announcement.posted'; data: { id: string; title: string; body: string; show_until: string | null; posted_by: string | null } }
  | { type: 'announcement.withdrawn'; data: Record<string, never> };

export const ANNOUNCEMENT_EVENT_TYPES = new Set<AnnouncementEvent['type']>(['announcement.posted', 'announcement.withdrawn']);

export const announcementStream = (id: string) => `announcement-${id}`;
const CHAIN = '*';

type State = { exists: false } | { exists: true; withdrawn: boolean };
type Command = { kind: 'post'; data: Extract<AnnouncementEvent, { type: 'announcement.posted' }>['data'] } | { kind: 'withdraw' };

export const announcementDecider: Decider<State, AnnouncementEvent, Command> = {
  initialState: { exists: false },
  evolve(s, e) {
    if (e.type === 'announcement.posted') return { exists: true, withdrawn: false };
    return s.exists ? { ...s, withdrawn: true } : s;
  },
  decide(c, s) {
    if (c.kind === 'post') {
      if (s.exists) throw conflict('announcement_exists', 'This announcement was already posted');
      return [{ type: 'announcement.posted', data: c.data }];
    }
    if (!s.exists) throw notFound('Announcement');
    if (s.withdrawn) throw conflict('already_withdrawn', 'This announcement was already withdrawn');
    return [{ type: 'announcement.withdrawn', data: {} }];
  },
};

export const announcementsProjection: Projection = {
  name: 'announcements',
  tables: ['announcements'],
  handles: ANNOUNCEMENT_EVENT_TYPES,
  primaryKeyLookupsOnly: true,
  bind(db: Database) {
    const insert = db.prepare('INSERT INTO announcements (id, branch_id, title, body, show_until, posted_by, posted_at, withdrawn_at) VALUES (?, ?, ?, ?, ?, ?, ?, NULL)');
    const withdraw = db.prepare('UPDATE announcements SET withdrawn_at = ? WHERE id = ?');
    return (ev: StoredEvent) => {
      const e = ev as unknown as AnnouncementEvent & StoredEvent;
      if (e.type === 'announcement.posted') insert.run(e.data.id, ev.branch_id, e.data.title, e.data.body, e.data.show_until, e.data.posted_by, ev.at);
      else withdraw.run(ev.at, ev.stream.slice('announcement-'.length));
    };
  },
};

const clean = (v: unknown, field: string, max: number, multiline: boolean): string => {
  const raw = typeof v === 'string' ? v.normalize('NFC') : '';
  const s = (multiline ? raw.replace(/\r\n?/g, '\n').replace(/[ \t]+/g, ' ').replace(/\n{3,}/g, '\n\n') : raw.replace(/\s+/g, ' ')).trim();
  if (!s) throw unprocessable(`invalid_${field}`, `Give a ${field}`, { field });
  if (s.length > max) throw unprocessable(`invalid_${field}`, `The ${field} is too long (at most ${max} characters)`, { field });
  if (/[\u0000-\u0009\u000b-\u001f\u007f]/.test(s)) throw unprocessable(`invalid_${field}`, `The ${field} contains control characters`, { field });
  return s;
};

export interface AnnouncementInput {
  title: string;
  body: string;
  show_until?: string | null;
}

/** Posts an announcement; run it under the hub's chain origin so that branches pull it. */
export function postAnnouncement(tx: Tx, input: AnnouncementInput, postedBy: string | null, today: string): string {
  const title = clean(input.title, 'title', 120, false);
  const body = clean(input.body, 'body', 2000, true);
  const until = input.show_until ?? null;
  if (until !== null && (!/^\d{4}-\d{2}-\d{2}$/.test(until) || Number.isNaN(Date.parse(`${until}T00:00:00Z`)))) {
    throw unprocessable('invalid_date', 'show_until must be a real date as YYYY-MM-DD', { field: 'show_until' });
  }
  if (until !== null && until < today) throw unprocessable('invalid_date', 'show_until is in the past', { field: 'show_until' });
  const id = newId();
  tx.execute(announcementStream(id), CHAIN, announcementDecider, { kind: 'post', data: { id, title, body, show_until: until, posted_by: postedBy } });
  return id;
}

export function withdrawAnnouncement(tx: Tx, id: string): void {
  tx.execute(announcementStream(id), CHAIN, announcementDecider, { kind: 'withdraw' });
}

export interface AnnouncementRow {
  id: string;
  title: string;
  body: string;
  show_until: string | null;
  posted_by: string | null;
  posted_at: string;
  withdrawn_at: string | null;
}

/** Announcements shown on `today` (local date): not withdrawn, last day not passed; newest first. */
export function currentAnnouncements(db: Database, today: string, limit = 5): AnnouncementRow[] {
  return db
    .query(
      `SELECT id, title, body, show_until, posted_by, posted_at, withdrawn_at FROM announcements
       WHERE withdrawn_at IS NULL AND (show_until IS NULL OR show_until >= ?) ORDER BY posted_at DESC LIMIT ?`,
    )
    .all(today, limit) as AnnouncementRow[];
}

export function getAnnouncement(db: Database, id: string): AnnouncementRow | null {
  return (db.query('SELECT id, title, body, show_until, posted_by, posted_at, withdrawn_at FROM announcements WHERE id = ?').get(id) as AnnouncementRow | null) ?? null;
}

/** Every announcement, newest first (for the hub's list). */
export function allAnnouncements(db: Database, limit = 100): AnnouncementRow[] {
  return db.query('SELECT id, title, body, show_until, posted_by, posted_at, withdrawn_at FROM announcements ORDER BY posted_at DESC LIMIT ?').all(limit) as AnnouncementRow[];
}
