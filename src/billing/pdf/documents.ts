// What a printed receipt, invoice or refund voucher shows, gathered from the read tables of
// one branch. Plain data: the layouts (render.ts) draw it and never touch the database.
import type { Database } from 'bun:sqlite';
import { and, asc, eq, sql } from 'drizzle-orm';
import { preparedQuery } from '../../core/orm';
import { getBranch, getUser } from '../../org/queries';
import { clinics } from '../../org/schema';
import { getPatient } from '../../patients/queries';
import { getAppointment, getDoctor } from '../../scheduling/queries';
import type { PaymentMethod } from '../events';
import { DOCUMENT_TITLES, type DocumentType, type Line, type Totals } from '../money';
import { balanceOf, type InvoiceRow, type PaymentRow, type RefundRow } from '../queries';
import { creditNotes, invoices, payments, refunds } from '../schema';

// The billing queries' own functions build their SQL on every call; a receipt makes a dozen
// lookups, so these are prepared once per database (same rows, same branch filter).
const b = sql.placeholder('branchId');
const idP = sql.placeholder('id');
const getPayment = (db: Database, branchId: string, id: string): PaymentRow | null =>
  preparedQuery(db, 'pdf.payment', (o) => o.select().from(payments).where(and(eq(payments.branchId, b), eq(payments.id, idP))).prepare()).get({ branchId, id }) ?? null;
const getInvoice = (db: Database, branchId: string, id: string): InvoiceRow | null =>
  preparedQuery(db, 'pdf.invoice', (o) => o.select().from(invoices).where(and(eq(invoices.branchId, b), eq(invoices.id, idP))).prepare()).get({ branchId, id }) ?? null;
const getRefund = (db: Database, branchId: string, id: string): RefundRow | null =>
  preparedQuery(db, 'pdf.refund', (o) => o.select().from(refunds).where(and(eq(refunds.branchId, b), eq(refunds.id, idP))).prepare()).get({ branchId, id }) ?? null;
const paymentsOfInvoice = (db: Database, branchId: string, invoiceId: string): PaymentRow[] =>
  preparedQuery(db, 'pdf.paymentsOfInvoice', (o) =>
    o.select().from(payments).where(and(eq(payments.branchId, b), eq(payments.invoiceId, idP))).orderBy(asc(payments.createdAt), asc(payments.receiptNumber)).prepare(),
  ).all({ branchId, id: invoiceId });
const refundsOfPayment = (db: Database, branchId: string, paymentId: string): RefundRow[] =>
  preparedQuery(db, 'pdf.refundsOfPayment', (o) => o.select().from(refunds).where(and(eq(refunds.branchId, b), eq(refunds.paymentId, idP))).prepare()).all({ branchId, id: paymentId });
const clinicName = (db: Database): string | null =>
  preparedQuery(db, 'pdf.clinic', (o) => o.select({ name: clinics.name }).from(clinics).limit(1).prepare()).get()?.name ?? null;
const creditedUpTo = (db: Database, branchId: string, invoiceId: string, at: string): number =>
  preparedQuery(db, 'pdf.creditedUpTo', (o) =>
    o
      .select({ n: sql<number>`coalesce(sum(${creditNotes.total}), 0)` })
      .from(creditNotes)
      .where(and(eq(creditNotes.branchId, b), eq(creditNotes.invoiceId, idP), sql`${creditNotes.issuedAt} <= ${sql.placeholder('at')}`))
      .prepare(),
  ).get({ branchId, id: invoiceId, at })?.n ?? 0;

export interface Letterhead {
  clinicName: string;
  branchName: string;
  address: string | null;
  phone: string | null;
  gstin: string | null;
  timezone: string;
}

export interface PartyLines {
  patientName: string;
  mrn: string;
  doctor: string | null;
}

export interface PaidBy {
  receiptNumber: string;
  kind: 'deposit' | 'balance';
  method: PaymentMethod;
  reference: string | null;
  upiVpa: string | null;
  cardLast4: string | null;
  cardAuthCode: string | null;
  gateway: string | null;
  amount: number;
  refunded: number;
  at: string;
}

export interface InvoiceSummary {
  number: string;
  documentType: DocumentType;
  title: string;
  issuedAt: string;
  lines: Line[];
  totals: Totals;
  total: number;
  credited: number;
  payments: PaidBy[];
  /** Net paid (payments − their refunds) among `payments`. */
  paid: number;
  balance: number;
}

export type PrintedDocument =
  | {
      kind: 'receipt';
      number: string;
      at: string;
      letterhead: Letterhead;
      party: PartyLines;
      payment: PaidBy;
      /** For a deposit taken before the visit. */
      appointment: { start: string; mode: 'in_person' | 'tele' } | null;
      /** The bill the payment went to, as it stood once this payment was made. */
      invoice: InvoiceSummary | null;
      /** What is still due on that bill now (it may have been paid since): the UPI QR asks for this. */
      balanceNow: number;
    }
  | {
      kind: 'invoice';
      number: string;
      at: string;
      letterhead: Letterhead;
      party: PartyLines;
      invoice: InvoiceSummary;
      balanceNow: number;
    }
  | {
      kind: 'refund';
      number: string;
      at: string;
      letterhead: Letterhead;
      party: PartyLines;
      refund: { amount: number; reason: string; policy: string | null; approvedBy: string | null };
      payment: PaidBy;
      invoiceNumber: string | null;
    };

export type DocumentKind = PrintedDocument['kind'];

export const TITLES: Record<'receipt' | 'refund', string> = { receipt: 'Receipt', refund: 'Refund voucher' };
export const titleOf = (d: PrintedDocument): string => (d.kind === 'invoice' ? d.invoice.title : TITLES[d.kind]);

function letterhead(db: Database, branchId: string): Letterhead {
  const br = getBranch(db, branchId);
  if (!br) throw new Error(`branch ${branchId} has no record`);
  return { clinicName: clinicName(db) ?? br.name, branchName: br.name, address: br.address, phone: br.phone, gstin: br.gstin, timezone: br.timezone };
}

function party(db: Database, branchId: string, patientId: string, doctorId: string | null): PartyLines {
  const p = getPatient(db, branchId, patientId);
  const d = doctorId ? getDoctor(db, branchId, doctorId) : null;
  return { patientName: p?.name ?? '—', mrn: p?.mrn ?? '—', doctor: d ? d.name : null };
}

function paidBy(p: PaymentRow, refundedAsOf = p.refunded): PaidBy {
  return {
    receiptNumber: p.receiptNumber,
    kind: p.kind,
    method: p.method,
    reference: p.reference,
    upiVpa: p.upiVpa,
    cardLast4: p.cardLast4,
    cardAuthCode: p.cardAuthCode,
    gateway: p.gatewayName,
    amount: p.amount,
    refunded: refundedAsOf,
    at: p.createdAt,
  };
}

/**
 * The invoice with the payments, refunds and credit notes recorded up to a payment (all when
 * null): a reprinted receipt shows the bill as it stood when the money was taken.
 */
function invoiceSummary(db: Database, branchId: string, inv: InvoiceRow, asOfPayment: PaymentRow | null): InvoiceSummary {
  const lines = JSON.parse(inv.lines) as Line[];
  const totals = JSON.parse(inv.totals) as Totals;
  const asOf = asOfPayment?.createdAt ?? null;
  const upTo = (at: string) => asOf === null || at <= asOf;
  // Payments in the same instant (one request, a test clock) are ordered by their gapless number.
  const paidUpTo = (p: PaymentRow) => !asOfPayment || p.createdAt < asOfPayment.createdAt || (p.createdAt === asOfPayment.createdAt && p.receiptNumber <= asOfPayment.receiptNumber);
  const payments = paymentsOfInvoice(db, branchId, inv.id)
    .filter(paidUpTo)
    .map((p) => paidBy(p, asOf === null ? p.refunded : refundsOfPayment(db, branchId, p.id).filter((r) => upTo(r.createdAt)).reduce((s, r) => s + r.amount, 0)));
  const credited = asOf === null ? inv.credited : creditedUpTo(db, branchId, inv.id, asOf);
  const paid = payments.reduce((s, p) => s + p.amount - p.refunded, 0);
  return {
    number: inv.number,
    documentType: inv.documentType as DocumentType,
    title: DOCUMENT_TITLES[inv.documentType as DocumentType] ?? 'Invoice',
    issuedAt: inv.issuedAt,
    lines,
    totals,
    total: inv.total,
    credited,
    payments,
    paid,
    balance: inv.total - credited - paid,
  };
}

export function paymentReceipt(db: Database, branchId: string, paymentId: string): PrintedDocument | null {
  const p = getPayment(db, branchId, paymentId);
  if (!p) return null;
  // A deposit's receipt stays what it was when taken at booking, even once the deposit is
  // applied to the visit's bill: reprints must match the original.
  const inv = p.invoiceId && p.kind === 'balance' ? getInvoice(db, branchId, p.invoiceId) : null;
  const appt = p.appointmentId ? getAppointment(db, branchId, p.appointmentId) : null;
  const invoice = inv ? invoiceSummary(db, branchId, inv, p) : null;
  return {
    kind: 'receipt',
    number: p.receiptNumber,
    at: p.createdAt,
    letterhead: letterhead(db, branchId),
    party: party(db, branchId, p.patientId, inv?.doctorId ?? appt?.doctorId ?? null),
    payment: paidBy(p),
    appointment: appt && p.kind === 'deposit' ? { start: appt.start, mode: appt.mode } : null,
    invoice,
    balanceNow: inv ? balanceOf(inv) : 0,
  };
}

export function invoiceDocument(db: Database, branchId: string, invoiceId: string): PrintedDocument | null {
  const inv = getInvoice(db, branchId, invoiceId);
  if (!inv) return null;
  return {
    kind: 'invoice',
    number: inv.number,
    at: inv.issuedAt,
    letterhead: letterhead(db, branchId),
    party: party(db, branchId, inv.patientId, inv.doctorId),
    invoice: invoiceSummary(db, branchId, inv, null),
    balanceNow: balanceOf(inv),
  };
}

const POLICY_TEXT: Record<string, string | null> = {
  within_policy: 'Appointment cancelled within the refund window',
  override: 'Refund after the cancellation deadline, by a manager’s override',
  manual: null,
};

export function refundVoucher(db: Database, branchId: string, refundId: string): PrintedDocument | null {
  const r = getRefund(db, branchId, refundId);
  if (!r) return null;
  const p = getPayment(db, branchId, r.paymentId);
  if (!p) return null;
  const inv = p.invoiceId ? getInvoice(db, branchId, p.invoiceId) : null;
  const appt = p.appointmentId ? getAppointment(db, branchId, p.appointmentId) : null;
  const approver = r.approvedBy ? getUser(db, r.approvedBy) : null;
  return {
    kind: 'refund',
    number: r.receiptNumber,
    at: r.createdAt,
    letterhead: letterhead(db, branchId),
    party: party(db, branchId, p.patientId, inv?.doctorId ?? appt?.doctorId ?? null),
    refund: { amount: r.amount, reason: r.reason, policy: r.policy in POLICY_TEXT ? POLICY_TEXT[r.policy] : r.policy, approvedBy: approver?.name ?? null },
    payment: paidBy(p),
    invoiceNumber: inv?.number ?? null,
  };
}
