// Read-side functions for billing. Every one takes the caller's branch.
import type { Database } from 'bun:sqlite';
import { and, asc, desc, eq, inArray, isNull, lte, sql } from 'drizzle-orm';
import { orm, preparedQuery } from '../core/orm';
import type { DepositRule, PriceItem } from './events';
import type { Line, Totals } from './money';
import { billingPolicies, creditNotes, dayCloses, depositRules, invoices, payments, priceItems, refunds } from './schema';

export type InvoiceRow = typeof invoices.$inferSelect;
export type PaymentRow = typeof payments.$inferSelect;
export type RefundRow = typeof refunds.$inferSelect;

const money = (amount: number) => ({ amount, currency: 'INR' });

/** Branch id of the chain-wide rows a hub publishes (chain price list, chain policies). */
export const CHAIN = '*';

/** One version row of an item in one list (a branch's own or the chain's), or null. */
function versionOn(db: Database, listId: string, itemCode: string, date: string) {
  return (
    orm(db)
      .select()
      .from(priceItems)
      .where(and(eq(priceItems.branchId, listId), eq(priceItems.itemCode, itemCode), lte(priceItems.effectiveFrom, date)))
      .orderBy(desc(priceItems.effectiveFrom))
      .get() ?? null
  );
}

/**
 * The price of an item on a date: the latest version in effect then, unless retired. A
 * branch's own version (an override) wins at that branch; without one, the chain's list
 * (pulled from the hub) applies. `source` says which.
 */
export function priceOn(db: Database, branchId: string, itemCode: string, date: string): (PriceItem & { source: 'branch' | 'chain' }) | null {
  const own = versionOn(db, branchId, itemCode, date);
  const row = own ?? (branchId === CHAIN ? null : versionOn(db, CHAIN, itemCode, date));
  if (!row || row.retired) return null;
  return {
    item_code: row.itemCode,
    name: row.name,
    kind: row.kind,
    sac_hsn: row.sacHsn,
    unit_price: row.unitPrice,
    tax_rate_bp: row.taxRateBp,
    exempt: row.exempt,
    doctor_id: row.doctorId,
    effective_from: row.effectiveFrom,
    source: own ? 'branch' : 'chain',
  };
}

/** Every item of the branch's price list as in effect on `date`: its own items and overrides over the chain list. */
export function priceList(db: Database, branchId: string, date: string): (PriceItem & { source: 'branch' | 'chain' })[] {
  const codes = orm(db)
    .selectDistinct({ code: priceItems.itemCode })
    .from(priceItems)
    .where(inArray(priceItems.branchId, [...new Set([branchId, CHAIN])]))
    .orderBy(asc(priceItems.itemCode))
    .all();
  return codes.map((c) => priceOn(db, branchId, c.code, date)).filter((p) => !!p);
}

export function depositRuleFor(db: Database, branchId: string, doctorId: string, mode: 'in_person' | 'tele'): DepositRule | null {
  const rows = orm(db).select().from(depositRules).where(and(inArray(depositRules.branchId, [branchId, CHAIN]), eq(depositRules.mode, mode))).all();
  const own = rows.filter((x) => x.branchId === branchId);
  // The branch's own rules first (the doctor's, then the branch-wide one), then the chain's.
  const r = own.find((x) => x.doctorKey === doctorId) ?? own.find((x) => x.doctorKey === '*') ?? rows.find((x) => x.branchId === CHAIN && x.doctorKey === '*');
  return r ? { doctor_id: r.doctorKey === '*' ? null : r.doctorKey, mode: r.mode, kind: r.kind, value: r.value } : null;
}

export function refundableUntilHours(db: Database, branchId: string): number {
  const rows = orm(db).select().from(billingPolicies).where(inArray(billingPolicies.branchId, [branchId, CHAIN])).all();
  return (rows.find((r) => r.branchId === branchId) ?? rows.find((r) => r.branchId === CHAIN))?.refundableUntilHours ?? 24;
}

export function getInvoice(db: Database, branchId: string, id: string): InvoiceRow | null {
  const q = preparedQuery(db, 'getInvoice', (o) =>
    o.select().from(invoices).where(and(eq(invoices.branchId, sql.placeholder('branchId')), eq(invoices.id, sql.placeholder('id')))).prepare(),
  );
  return q.get({ branchId, id }) ?? null;
}

export const balanceOf = (i: Pick<InvoiceRow, 'total' | 'credited' | 'paid' | 'refunded'>) => i.total - i.credited - (i.paid - i.refunded);

export function invoiceJson(i: InvoiceRow) {
  const totals = JSON.parse(i.totals) as Totals;
  return {
    id: i.id,
    number: i.number,
    branch_id: i.branchId,
    patient_id: i.patientId,
    appointment_id: i.appointmentId,
    doctor_id: i.doctorId,
    document_type: i.documentType,
    lines: (JSON.parse(i.lines) as Line[]).map((l) => ({
      item_code: l.item_code,
      description: l.description,
      sac_hsn: l.sac_hsn,
      qty: l.qty,
      unit_price: money(l.unit_price),
      discount: money(l.discount),
      discount_reason: l.discount_reason,
      taxable: money(l.taxable),
      tax_rate: l.tax_rate_bp / 100,
      exempt: l.exempt,
      cgst: money(l.cgst),
      sgst: money(l.sgst),
      total: money(l.total),
    })),
    subtotal: money(totals.taxable),
    discount: money(totals.discount),
    cgst: money(totals.cgst),
    sgst: money(totals.sgst),
    tax: money(totals.tax),
    total: money(i.total),
    credited: money(i.credited),
    paid: money(i.paid - i.refunded),
    balance: money(balanceOf(i)),
    business_date: i.businessDate,
    issued_at: i.issuedAt,
  };
}

export function invoicesOfAppointment(db: Database, branchId: string, appointmentId: string): InvoiceRow[] {
  const q = preparedQuery(db, 'invoicesOfAppointment', (o) =>
    o.select().from(invoices).where(and(eq(invoices.branchId, sql.placeholder('branchId')), eq(invoices.appointmentId, sql.placeholder('appointmentId')))).prepare(),
  );
  return q.all({ branchId, appointmentId });
}

export function getPayment(db: Database, branchId: string, id: string): PaymentRow | null {
  const q = preparedQuery(db, 'getPayment', (o) =>
    o.select().from(payments).where(and(eq(payments.branchId, sql.placeholder('branchId')), eq(payments.id, sql.placeholder('id')))).prepare(),
  );
  return q.get({ branchId, id }) ?? null;
}

export function paymentJson(p: PaymentRow) {
  return {
    id: p.id,
    receipt_number: p.receiptNumber,
    kind: p.kind,
    branch_id: p.branchId,
    patient_id: p.patientId,
    invoice_id: p.invoiceId,
    appointment_id: p.appointmentId,
    amount: money(p.amount),
    refunded: money(p.refunded),
    method: p.method,
    reference: p.reference,
    upi_vpa: p.upiVpa,
    card_last4: p.cardLast4,
    card_auth_code: p.cardAuthCode,
    gateway: p.gatewayName ? { name: p.gatewayName, payment_id: p.gatewayPaymentId } : null,
    business_date: p.businessDate,
    collected_by: p.collectedBy,
    created_at: p.createdAt,
  };
}

export function paymentsOfInvoice(db: Database, branchId: string, invoiceId: string): PaymentRow[] {
  return orm(db).select().from(payments).where(and(eq(payments.branchId, branchId), eq(payments.invoiceId, invoiceId))).orderBy(asc(payments.createdAt)).all();
}

/** Deposits taken for an appointment and not yet applied to an invoice. */
export function openDeposits(db: Database, branchId: string, appointmentId: string): PaymentRow[] {
  return orm(db)
    .select()
    .from(payments)
    .where(and(eq(payments.branchId, branchId), eq(payments.appointmentId, appointmentId), eq(payments.kind, 'deposit'), isNull(payments.invoiceId)))
    .orderBy(asc(payments.createdAt))
    .all();
}

export function depositsOfAppointment(db: Database, branchId: string, appointmentId: string): PaymentRow[] {
  const q = preparedQuery(db, 'depositsOfAppointment', (o) =>
    o
      .select()
      .from(payments)
      .where(and(eq(payments.branchId, sql.placeholder('branchId')), eq(payments.appointmentId, sql.placeholder('appointmentId')), eq(payments.kind, 'deposit')))
      .prepare(),
  );
  return q.all({ branchId, appointmentId });
}

export function paymentByGatewayId(db: Database, gateway: string, gatewayPaymentId: string): PaymentRow | null {
  return orm(db).select().from(payments).where(and(eq(payments.gatewayName, gateway), eq(payments.gatewayPaymentId, gatewayPaymentId))).get() ?? null;
}

export function refundsOfPayment(db: Database, branchId: string, paymentId: string): RefundRow[] {
  const q = preparedQuery(db, 'refundsOfPayment', (o) =>
    o.select().from(refunds).where(and(eq(refunds.branchId, sql.placeholder('branchId')), eq(refunds.paymentId, sql.placeholder('paymentId')))).orderBy(asc(refunds.createdAt)).prepare(),
  );
  return q.all({ branchId, paymentId });
}

export function getRefund(db: Database, branchId: string, id: string): RefundRow | null {
  return orm(db).select().from(refunds).where(and(eq(refunds.branchId, branchId), eq(refunds.id, id))).get() ?? null;
}

export function refundJson(r: RefundRow) {
  return {
    id: r.id,
    receipt_number: r.receiptNumber,
    payment_id: r.paymentId,
    amount: money(r.amount),
    method: r.method,
    reason: r.reason,
    policy: r.policy,
    approved_by: r.approvedBy,
    business_date: r.businessDate,
    created_at: r.createdAt,
  };
}

export function isDayClosed(db: Database, branchId: string, userId: string, date: string): boolean {
  const q = preparedQuery(db, 'isDayClosed', (o) =>
    o
      .select({ date: dayCloses.businessDate })
      .from(dayCloses)
      .where(and(eq(dayCloses.branchId, sql.placeholder('branchId')), eq(dayCloses.userId, sql.placeholder('userId')), eq(dayCloses.businessDate, sql.placeholder('date'))))
      .prepare(),
  );
  return !!q.get({ branchId, userId, date });
}

export function dayClosesOn(db: Database, branchId: string, date: string) {
  return orm(db).select().from(dayCloses).where(and(eq(dayCloses.branchId, branchId), eq(dayCloses.businessDate, date))).all();
}

export interface MethodTotals {
  cash: number;
  upi: number;
  card: number;
  online: number;
}

/** Net collections (payments − refunds) of a business date by method, for one user or all. */
export function collectionsByMethod(db: Database, branchId: string, date: string, userId?: string): MethodTotals {
  const totals: MethodTotals = { cash: 0, upi: 0, card: 0, online: 0 };
  const userFilter = userId ? 'AND collected_by = ?' : '';
  const args = userId ? [branchId, date, userId] : [branchId, date];
  for (const r of db.query(`SELECT method, sum(amount) AS n FROM payments WHERE branch_id = ? AND business_date = ? ${userFilter} GROUP BY method`).all(...args) as { method: keyof MethodTotals; n: number }[]) {
    totals[r.method] += r.n;
  }
  const refundUser = userId ? 'AND created_by = ?' : '';
  for (const r of db.query(`SELECT method, sum(amount) AS n FROM refunds WHERE branch_id = ? AND business_date = ? ${refundUser} GROUP BY method`).all(...args) as { method: keyof MethodTotals; n: number }[]) {
    totals[r.method] -= r.n;
  }
  return totals;
}

export { creditNotes, sql };
