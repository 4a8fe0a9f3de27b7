// Sync: a chain's hub and its branches. Each branch keeps working on its own box and pushes
// the events it records to the hub; the hub holds every branch's log and records the
// chain-wide ones (prices, policies, announcements, the doctor directory) under its chain origin, which branches
// pull. Owns: the hub's registry of branches (code, token hash, bound origin), delivery
// status on both sides. See ARCHITECTURE in the README's "Chains" section.
export type RegistryEvent =
  | { type: 'hub.branch_registered'; data: { registration_id: string; code: string } }
  | { type: 'hub.branch_token_issued'; data: { token_hash: string; prefix: string } }
  | { type: 'hub.branch_token_revoked'; data: { reason: string | null } }
  | { type: 'hub.branch_joined'; data: { origin: string; branch_id: string } };

export const REGISTRY_EVENT_TYPES = new Set<RegistryEvent['type']>([
  'hub.branch_registered', 'hub.branch_token_issued', 'hub.branch_token_revoked', 'hub.branch_joined',
]);

export const registrationStream = (id: string) => `hubbranch-${id}`;

/** Branch tokens start with this, so they are told from staff tokens and API keys at a glance. */
export const BRANCH_TOKEN_PREFIX = 'mmb_';
