// Who may manage whom: admins manage staff of their own branches; only owners create or
// change owners and admins.
import { forbidden, notFound } from '../core/errors';
import type { Scope } from '../core/scope';
import type { Role } from './events';
import type { UserRow } from './queries';

const PRIVILEGED: Role[] = ['owner', 'admin', 'hq'];

export function assertMayGrant(scope: Scope, role: Role, branchIds: string[]): void {
  if (PRIVILEGED.includes(role) && scope.role !== 'owner') throw forbidden(`Only an owner can give the ${role} role`, 'role_forbidden');
  if (scope.role !== 'owner' && branchIds.some((b) => !scope.branchIds.includes(b))) {
    throw forbidden('You can only give access to your own branches', 'branch_forbidden');
  }
}

/** The user must be manageable by the caller; unmanageable users look absent (404). */
export function assertMayManage(scope: Scope, user: UserRow | null, userBranchIds: string[]): asserts user is UserRow {
  if (!user) throw notFound('User');
  if (scope.role === 'owner') return;
  // Staff of other branches look absent (404, not 403: existence must not leak across branches).
  // Owners and HQ are listed to every admin, so for them a plain refusal gives nothing away.
  const chainWide = user.role === 'owner' || user.role === 'hq';
  if (!chainWide && !userBranchIds.some((b) => scope.branchIds.includes(b))) throw notFound('User');
  if (PRIVILEGED.includes(user.role as Role) && user.id !== scope.userId) throw forbidden('Only an owner can change an owner or admin account', 'role_forbidden');
}
