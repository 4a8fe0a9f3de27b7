// Every route declares one of these permissions (or 'signed_in'); this table says which
// roles hold it. Keep it the one place where roles meet routes.
import type { Role } from '../org/events';

const STAFF: Role[] = ['owner', 'admin', 'doctor', 'front_desk', 'billing', 'lab', 'pharmacist'];

export const PERMISSIONS = {
  /** any active staff account, any role */
  signed_in: [...STAFF, 'hq'],
  'patients.read': STAFF,
  'patients.write': ['owner', 'admin', 'doctor', 'front_desk'],
  'branches.read': [...STAFF, 'hq'],
  'branches.manage': ['owner', 'admin'],
  'users.manage': ['owner', 'admin'],
  'clinic.manage': ['owner'],
  'events.read': ['owner', 'admin'],
  /** doctors, slots, appointments, queues, day board, follow-ups: seeing them */
  'schedule.read': [...STAFF, 'hq'],
  /** booking, rescheduling, cancelling, checking in, walk-ins, follow-ups */
  'schedule.book': ['owner', 'admin', 'front_desk', 'doctor'],
  /** calling, starting, completing, skipping queue tokens */
  'queue.move': ['owner', 'admin', 'front_desk', 'doctor'],
  /** doctor profiles, availability, holidays, calendar feeds */
  'doctors.manage': ['owner', 'admin'],
  /** invoices, payments, receipts: seeing them */
  'billing.read': ['owner', 'admin', 'front_desk', 'billing', 'doctor'],
  /** issuing invoices, taking payments and deposits */
  'billing.collect': ['owner', 'admin', 'front_desk', 'billing'],
  /** giving a discount on an invoice line */
  'billing.discount': ['owner', 'admin', 'billing', 'doctor'],
  /** refunds, credit notes, overriding the cancellation policy */
  'payments.refund': ['owner', 'admin', 'billing'],
  /** price list, deposit rules, cancellation policy */
  'prices.manage': ['owner', 'admin'],
  /** the chain's price list: reading it (every branch pulls it from the hub) */
  'chain.read': [...STAFF, 'hq'],
  /** the chain's price list: setting it, at the hub */
  'chain.manage': ['owner', 'admin'],
  /** the HQ views at the hub: every branch's figures and sync health, read only */
  'hq.read': ['owner', 'admin', 'hq'],
  /** closing one's own counter for the day */
  'day.close': ['owner', 'admin', 'front_desk', 'billing'],
  /** collection reports and exports */
  'reports.read': ['owner', 'admin', 'billing'],
  /** the system status page: version, storage, backups */
  'system.read': ['owner', 'admin'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(role: string, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly string[]).includes(role);
}
