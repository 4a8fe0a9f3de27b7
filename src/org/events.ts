// Organisation domain: the clinic, its branches and its staff accounts.
// Owns: clinic name; branch codes, names, time zones, GSTIN; users, roles, branch membership.
export const ROLES = ['owner', 'admin', 'doctor', 'front_desk', 'billing', 'lab', 'pharmacist', 'hq'] as const;
export type Role = (typeof ROLES)[number];

export type OrgEvent =
  | { type: 'clinic.created'; data: { clinic_id: string; name: string } }
  | { type: 'clinic.renamed'; data: { name: string } }
  | {
      type: 'branch.opened';
      data: { branch_id: string; code: string; name: string; timezone: string; address: string | null; phone: string | null; gstin: string | null };
    }
  | { type: 'branch.details_changed'; data: { changes: BranchChanges } }
  | { type: 'branch.deactivated'; data: Record<string, never> }
  | { type: 'branch.reactivated'; data: Record<string, never> }
  | {
      type: 'user.created';
      data: { user_id: string; username: string; name: string; role: Role; branch_ids: string[]; password_hash: string };
    }
  | { type: 'user.updated'; data: { name?: string; role?: Role; branch_ids?: string[] } }
  | { type: 'user.password_changed'; data: { password_hash: string } }
  | { type: 'user.disabled'; data: { reason: string | null } }
  | { type: 'user.enabled'; data: Record<string, never> };

export interface BranchChanges {
  name?: string;
  timezone?: string;
  address?: string | null;
  phone?: string | null;
  gstin?: string | null;
}

export const ORG_EVENT_TYPES = new Set<OrgEvent['type']>([
  'clinic.created', 'clinic.renamed', 'branch.opened', 'branch.details_changed', 'branch.deactivated',
  'branch.reactivated', 'user.created', 'user.updated', 'user.password_changed', 'user.disabled', 'user.enabled',
]);

export const clinicStream = (id: string) => `clinic-${id}`;
export const branchStream = (id: string) => `branch-${id}`;
export const userStream = (id: string) => `user-${id}`;
/** The clinic record is chain-wide. */
export const CHAIN_WIDE = '*';
