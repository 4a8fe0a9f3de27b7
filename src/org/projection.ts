// Applies organisation events to the clinics, branches, users and user_branches tables.
import type { Database } from 'bun:sqlite';
import type { StoredEvent } from '../core/events';
import type { Projection } from '../core/projections';
import { ORG_EVENT_TYPES, type OrgEvent } from './events';

const idOf = (stream: string) => stream.slice(stream.indexOf('-') + 1);

export const orgProjection: Projection = {
  name: 'org',
  tables: ['clinics', 'branches', 'users', 'user_branches'],
  primaryKeyLookupsOnly: true,
  handles: ORG_EVENT_TYPES,
  // A hub holds every branch's log: their clinic records and staff accounts stay theirs
  // (branch.* events do apply, so the hub knows each branch's code, name and time zone).
  localOnly: new Set(['clinic.created', 'clinic.renamed', 'user.created', 'user.updated', 'user.password_changed', 'user.disabled', 'user.enabled']),
  bind(db: Database) {
    const insertClinic = db.prepare('INSERT INTO clinics (id, branch_id, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)');
    const renameClinic = db.prepare('UPDATE clinics SET name = ?, updated_at = ? WHERE id = ?');
    const insertBranch = db.prepare(
      `INSERT INTO branches (id, branch_id, code, name, timezone, address, phone, gstin, active, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
    );
    const setBranchActive = db.prepare('UPDATE branches SET active = ?, updated_at = ? WHERE id = ?');
    const insertUser = db.prepare(
      `INSERT INTO users (id, branch_id, username, name, role, password_hash, active, created_at, updated_at, password_changed_at)
       VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?)`,
    );
    const setPassword = db.prepare('UPDATE users SET password_hash = ?, password_changed_at = ?, updated_at = ? WHERE id = ?');
    const setUserActive = db.prepare('UPDATE users SET active = ?, updated_at = ? WHERE id = ?');
    const clearBranches = db.prepare('DELETE FROM user_branches WHERE user_id = ?');
    const addBranch = db.prepare('INSERT INTO user_branches (user_id, branch_id) VALUES (?, ?)');
    const touchUser = db.prepare('UPDATE users SET updated_at = ? WHERE id = ?');

    return (ev: StoredEvent) => {
      const e = ev as unknown as OrgEvent & StoredEvent;
      const id = idOf(ev.stream);
      switch (e.type) {
        case 'clinic.created':
          insertClinic.run(e.data.clinic_id, ev.branch_id, e.data.name, ev.at, ev.at);
          break;
        case 'clinic.renamed':
          renameClinic.run(e.data.name, ev.at, id);
          break;
        case 'branch.opened': {
          const d = e.data;
          insertBranch.run(d.branch_id, d.branch_id, d.code, d.name, d.timezone, d.address, d.phone, d.gstin, ev.at, ev.at);
          break;
        }
        case 'branch.details_changed': {
          const cols = Object.keys(e.data.changes).filter((k) => ['name', 'timezone', 'address', 'phone', 'gstin'].includes(k));
          if (!cols.length) break;
          const set = cols.map((c) => `${c} = ?`).join(', ');
          const values = cols.map((c) => (e.data.changes as Record<string, string | null>)[c]);
          db.prepare(`UPDATE branches SET ${set}, updated_at = ? WHERE id = ?`).run(...values, ev.at, id);
          break;
        }
        case 'branch.deactivated':
          setBranchActive.run(0, ev.at, id);
          break;
        case 'branch.reactivated':
          setBranchActive.run(1, ev.at, id);
          break;
        case 'user.created': {
          const d = e.data;
          insertUser.run(d.user_id, ev.branch_id, d.username, d.name, d.role, d.password_hash, ev.at, ev.at, ev.at);
          for (const b of d.branch_ids) addBranch.run(d.user_id, b);
          break;
        }
        case 'user.updated': {
          const d = e.data;
          if (d.name !== undefined) db.prepare('UPDATE users SET name = ? WHERE id = ?').run(d.name, id);
          if (d.role !== undefined) db.prepare('UPDATE users SET role = ? WHERE id = ?').run(d.role, id);
          if (d.branch_ids !== undefined) {
            clearBranches.run(id);
            for (const b of d.branch_ids) addBranch.run(id, b);
          }
          touchUser.run(ev.at, id);
          break;
        }
        case 'user.password_changed':
          setPassword.run(e.data.password_hash, ev.at, ev.at, id);
          break;
        case 'user.disabled':
          setUserActive.run(0, ev.at, id);
          break;
        case 'user.enabled':
          setUserActive.run(1, ev.at, id);
          break;
      }
    };
  },
};
