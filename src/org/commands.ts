// Organisation commands: set up the clinic, open branches, manage staff accounts.
// Passwords are hashed before the transaction (argon2id is slow on purpose).
import { conflict, forbidden, notFound, unprocessable } from '../core/errors';
import { newId } from '../core/ids';
import type { Tx } from '../core/runner';
import { revokeSessionsOf } from '../auth/sessions';
import { branchDecider, clinicDecider, userDecider } from './deciders';
import { branchStream, CHAIN_WIDE, clinicStream, type Role, userStream } from './events';
import { getBranch, getBranchByCode, getClinic, getUser, getUserByUsername, activeOwnersOtherThan, membershipsOf } from './queries';
import { cleanBranchCode, cleanGstin, cleanLabel, cleanTimezone, cleanUsername } from './rules';

export interface BranchInput {
  code: string;
  name: string;
  timezone?: string;
  address?: string | null;
  phone?: string | null;
  gstin?: string | null;
}

export function openBranch(tx: Tx, input: BranchInput): string {
  const code = cleanBranchCode(input.code);
  if (getBranchByCode(tx.db, code)) throw conflict('branch_code_taken', `Branch code ${code} is already used`, { field: 'code' });
  const id = newId();
  tx.execute(branchStream(id), id, branchDecider, {
    kind: 'open',
    data: {
      branch_id: id,
      code,
      name: cleanLabel(input.name, 'name'),
      timezone: cleanTimezone(input.timezone ?? 'Asia/Kolkata'),
      address: input.address?.trim() ? cleanLabel(input.address, 'address', 500) : null,
      phone: input.phone?.trim() ? cleanLabel(input.phone, 'phone', 32) : null,
      gstin: cleanGstin(input.gstin),
    },
  });
  return id;
}

export function changeBranch(tx: Tx, id: string, input: Partial<Omit<BranchInput, 'code'>>): void {
  if (!getBranch(tx.db, id)) throw notFound('Branch');
  tx.execute(branchStream(id), id, branchDecider, {
    kind: 'change',
    changes: {
      name: input.name === undefined ? undefined : cleanLabel(input.name, 'name'),
      timezone: input.timezone === undefined ? undefined : cleanTimezone(input.timezone),
      address: input.address === undefined ? undefined : input.address?.trim() ? cleanLabel(input.address, 'address', 500) : null,
      phone: input.phone === undefined ? undefined : input.phone?.trim() ? cleanLabel(input.phone, 'phone', 32) : null,
      gstin: input.gstin === undefined ? undefined : cleanGstin(input.gstin),
    },
  });
}

export interface NewUser {
  username: string;
  name: string;
  role: Role;
  branchIds: string[];
  passwordHash: string;
}

export function createUser(tx: Tx, u: NewUser): string {
  const username = cleanUsername(u.username);
  if (getUserByUsername(tx.db, username)) throw conflict('username_taken', `Username ${username} is already taken`, { field: 'username' });
  if (u.role !== 'owner' && u.role !== 'hq' && !u.branchIds.length) {
    throw unprocessable('branch_required', 'Give the user at least one branch', { field: 'branch_ids' });
  }
  for (const b of u.branchIds) if (!getBranch(tx.db, b)) throw unprocessable('unknown_branch', `Unknown branch ${b}`, { field: 'branch_ids' });
  const id = newId();
  tx.execute(userStream(id), u.branchIds[0] ?? CHAIN_WIDE, userDecider, {
    kind: 'create',
    data: { user_id: id, username, name: cleanLabel(u.name, 'name'), role: u.role, branch_ids: u.branchIds, password_hash: u.passwordHash },
  });
  return id;
}

function existingUser(tx: Tx, id: string) {
  const user = getUser(tx.db, id);
  if (!user) throw notFound('User');
  return user;
}

export function updateUser(tx: Tx, id: string, changes: { name?: string; role?: Role; branchIds?: string[] }): void {
  const user = existingUser(tx, id);
  if (changes.branchIds) for (const b of changes.branchIds) if (!getBranch(tx.db, b)) throw unprocessable('unknown_branch', `Unknown branch ${b}`, { field: 'branch_ids' });
  const role = changes.role ?? (user.role as Role);
  const branchesAfter = changes.branchIds ?? membershipsOf(tx.db, id);
  if (role !== 'owner' && role !== 'hq' && !branchesAfter.length) {
    throw unprocessable('branch_required', 'Give the user at least one branch', { field: 'branch_ids' });
  }
  if (user.role === 'owner' && changes.role && changes.role !== 'owner') assertAnotherActiveOwner(tx, id);
  tx.execute(userStream(id), user.branchId, userDecider, {
    kind: 'update',
    name: changes.name === undefined ? undefined : cleanLabel(changes.name, 'name'),
    role: changes.role,
    branchIds: changes.branchIds,
  });
}

export function setUserPassword(tx: Tx, id: string, passwordHash: string): void {
  const user = existingUser(tx, id);
  tx.execute(userStream(id), user.branchId, userDecider, { kind: 'set_password', passwordHash });
}

function assertAnotherActiveOwner(tx: Tx, exceptId: string) {
  if (activeOwnersOtherThan(tx.db, exceptId) === 0) throw conflict('last_owner', 'The clinic must keep at least one active owner');
}

export function disableUser(tx: Tx, id: string, reason: string | null, byUserId: string | null): void {
  const user = existingUser(tx, id);
  if (byUserId === id) throw forbidden('You cannot disable your own account', 'cannot_disable_self');
  if (user.role === 'owner') assertAnotherActiveOwner(tx, id);
  tx.execute(userStream(id), user.branchId, userDecider, { kind: 'disable', reason });
  // A disabled user's sessions end now, not when they expire.
  revokeSessionsOf(tx.db, id, tx.now);
}

export function enableUser(tx: Tx, id: string): void {
  const user = existingUser(tx, id);
  tx.execute(userStream(id), user.branchId, userDecider, { kind: 'enable' });
}

export interface ClinicSetup {
  clinicName: string;
  branch: BranchInput;
  owner: { username: string; name: string; passwordHash: string };
}

/** First run: the clinic, its first branch and its owner, in one command. */
export function setUpClinic(tx: Tx, s: ClinicSetup): { clinicId: string; branchId: string; ownerId: string } {
  if (getClinic(tx.db)) throw conflict('clinic_exists', 'The clinic is already set up');
  const clinicId = newId();
  tx.execute(clinicStream(clinicId), CHAIN_WIDE, clinicDecider, { kind: 'create', clinicId, name: cleanLabel(s.clinicName, 'clinic name') });
  const branchId = openBranch(tx, s.branch);
  const ownerId = createUser(tx, { ...s.owner, role: 'owner', branchIds: [branchId] });
  return { clinicId, branchId, ownerId };
}

export function renameClinic(tx: Tx, name: string): void {
  const clinic = getClinic(tx.db);
  if (!clinic) throw conflict('no_clinic', 'The clinic is not set up yet');
  tx.execute(clinicStream(clinic.id), CHAIN_WIDE, clinicDecider, { kind: 'rename', name: cleanLabel(name, 'clinic name') });
}
