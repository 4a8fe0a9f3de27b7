// Pure deciders for the clinic, branch and user streams.
import { conflict } from '../core/errors';
import type { Decider } from '../core/decider';
import type { BranchChanges, OrgEvent, Role } from './events';

type E<T extends OrgEvent['type']> = Extract<OrgEvent, { type: T }>;

// ---- clinic
export type ClinicState = { exists: false } | { exists: true; name: string };
export type ClinicCommand = { kind: 'create'; clinicId: string; name: string } | { kind: 'rename'; name: string };
type ClinicEvent = E<'clinic.created'> | E<'clinic.renamed'>;

export const clinicDecider: Decider<ClinicState, ClinicEvent, ClinicCommand> = {
  initialState: { exists: false },
  evolve(s, e) {
    switch (e.type) {
      case 'clinic.created':
        return { exists: true, name: e.data.name };
      case 'clinic.renamed':
        return s.exists ? { ...s, name: e.data.name } : s;
    }
  },
  decide(c, s) {
    if (c.kind === 'create') {
      if (s.exists) throw conflict('clinic_exists', 'The clinic is already set up');
      return [{ type: 'clinic.created', data: { clinic_id: c.clinicId, name: c.name } }];
    }
    if (!s.exists) throw conflict('no_clinic', 'The clinic is not set up yet');
    if (s.name === c.name) return [];
    return [{ type: 'clinic.renamed', data: { name: c.name } }];
  },
};

// ---- branch
export type BranchState =
  | { exists: false }
  | { exists: true; active: boolean; name: string; timezone: string; address: string | null; phone: string | null; gstin: string | null };
export type BranchCommand =
  | { kind: 'open'; data: E<'branch.opened'>['data'] }
  | { kind: 'change'; changes: BranchChanges }
  | { kind: 'deactivate' }
  | { kind: 'reactivate' };
type BranchEvent = E<'branch.opened'> | E<'branch.details_changed'> | E<'branch.deactivated'> | E<'branch.reactivated'>;

export const branchDecider: Decider<BranchState, BranchEvent, BranchCommand> = {
  initialState: { exists: false },
  evolve(s, e) {
    switch (e.type) {
      case 'branch.opened': {
        const { name, timezone, address, phone, gstin } = e.data;
        return { exists: true, active: true, name, timezone, address, phone, gstin };
      }
      case 'branch.details_changed':
        return s.exists ? { ...s, ...e.data.changes } : s;
      case 'branch.deactivated':
        return s.exists ? { ...s, active: false } : s;
      case 'branch.reactivated':
        return s.exists ? { ...s, active: true } : s;
    }
  },
  decide(c, s) {
    if (c.kind === 'open') {
      if (s.exists) throw conflict('branch_exists', 'This branch already exists');
      return [{ type: 'branch.opened', data: c.data }];
    }
    if (!s.exists) throw conflict('no_branch', 'No such branch');
    switch (c.kind) {
      case 'change': {
        const changes: BranchChanges = {};
        for (const [k, v] of Object.entries(c.changes) as [keyof BranchChanges, string | null][]) {
          if (v !== undefined && s[k] !== v) (changes as Record<string, unknown>)[k] = v;
        }
        return Object.keys(changes).length ? [{ type: 'branch.details_changed', data: { changes } }] : [];
      }
      case 'deactivate':
        if (!s.active) throw conflict('already_inactive', 'The branch is already deactivated');
        return [{ type: 'branch.deactivated', data: {} }];
      case 'reactivate':
        if (s.active) throw conflict('already_active', 'The branch is already active');
        return [{ type: 'branch.reactivated', data: {} }];
    }
  },
};

// ---- user
export type UserState =
  | { exists: false }
  | { exists: true; active: boolean; name: string; role: Role; branchIds: string[] };
export type UserCommand =
  | { kind: 'create'; data: E<'user.created'>['data'] }
  | { kind: 'update'; name?: string; role?: Role; branchIds?: string[] }
  | { kind: 'set_password'; passwordHash: string }
  | { kind: 'disable'; reason: string | null }
  | { kind: 'enable' };
type UserEvent = E<'user.created'> | E<'user.updated'> | E<'user.password_changed'> | E<'user.disabled'> | E<'user.enabled'>;

const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));

export const userDecider: Decider<UserState, UserEvent, UserCommand> = {
  initialState: { exists: false },
  evolve(s, e) {
    switch (e.type) {
      case 'user.created':
        return { exists: true, active: true, name: e.data.name, role: e.data.role, branchIds: e.data.branch_ids };
      case 'user.updated':
        if (!s.exists) return s;
        return {
          ...s,
          name: e.data.name ?? s.name,
          role: e.data.role ?? s.role,
          branchIds: e.data.branch_ids ?? s.branchIds,
        };
      case 'user.password_changed':
        return s;
      case 'user.disabled':
        return s.exists ? { ...s, active: false } : s;
      case 'user.enabled':
        return s.exists ? { ...s, active: true } : s;
    }
  },
  decide(c, s) {
    if (c.kind === 'create') {
      if (s.exists) throw conflict('user_exists', 'This user already exists');
      return [{ type: 'user.created', data: c.data }];
    }
    if (!s.exists) throw conflict('no_user', 'No such user');
    switch (c.kind) {
      case 'update': {
        const data: E<'user.updated'>['data'] = {};
        if (c.name !== undefined && c.name !== s.name) data.name = c.name;
        if (c.role !== undefined && c.role !== s.role) data.role = c.role;
        if (c.branchIds !== undefined && !sameSet(c.branchIds, s.branchIds)) data.branch_ids = c.branchIds;
        return Object.keys(data).length ? [{ type: 'user.updated', data }] : [];
      }
      case 'set_password':
        return [{ type: 'user.password_changed', data: { password_hash: c.passwordHash } }];
      case 'disable':
        if (!s.active) throw conflict('already_disabled', 'This user is already disabled');
        return [{ type: 'user.disabled', data: { reason: c.reason } }];
      case 'enable':
        if (s.active) throw conflict('already_enabled', 'This user is already active');
        return [{ type: 'user.enabled', data: {} }];
    }
  },
};
