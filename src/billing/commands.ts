// Billing commands. Document numbers are taken inside the command's transaction from the
// branch's gapless series for the financial year of the business date.
import { nextCounterValue } from '../core/counters';
import { conflict, forbidden, notFound, unprocessable } from '../core/errors';
import { newId } from '../core/ids';
import type { Tx } from '../core/runner';
import type { Scope } from '../core/scope';
import { getBranch } from '../org/queries';
import { getPatient } from '../patients/queries';
import { getAppointment, getDoctor } from '../scheduling/queries';
import { addDays, toLocal } from '../scheduling/time';
import { can } from '../http/permissions';
import { dayCloseDecider, invoiceDecider, paymentDecider, settingsDecider } from './deciders';
import { billingSettingsStream, dayCloseStream, type DepositRule, invoiceStream, type ItemKind, type PaymentMethod, paymentStream, type PriceItem } from './events';
import { computeLine, counterName, documentNumber, documentType, financialYear, formatInr, type LineInput, type Series, toBasisPoints, totalsOf } from './money';
import {
  balanceOf,
  CHAIN,
  collectionsByMethod,
  depositRuleFor,
  depositsOfAppointment,
  getInvoice,
  getPayment,
  invoicesOfAppointment,
  isDayClosed,
  openDeposits,
  priceOn,
  refundableUntilHours,
} from './queries';

function branchOf(tx: Pick<Tx, 'db'>, scope: Scope) {
  const b = getBranch(tx.db, scope.branchId);
  if (!b) throw notFound('Branch');
  return b;
}

/** The day a payment counts for: today in the branch, or the next day the counter has not closed. */
export function businessDate(tx: Pick<Tx, 'db' | 'now'>, scope: Scope): string {
  let date = toLocal(tx.now, branchOf(tx, scope).timezone).date;
  for (let i = 0; i < 7 && isDayClosed(tx.db, scope.branchId, scope.userId, date); i++) date = addDays(date, 1);
  return date;
}

function takeNumber(tx: Tx, scope: Scope, series: Series, date: string) {
  const fy = financialYear(date);
  const name = counterName(series, fy);
  const value = nextCounterValue(tx.db, scope.branchId, name);
  return { number: documentNumber(branchOf(tx, scope).code, series, fy, value), counter: { name, value } };
}

const text = (v: string | null | undefined, field: string, max: number, required = false): string | null => {
  const s = (v ?? '').normalize('NFC').replace(/\s+/g, ' ').trim();
  if (required && !s) throw unprocessable(`invalid_${field}`, `Give a ${field.replace('_', ' ')}`, { field });
  if (s.length > max) throw unprocessable(`invalid_${field}`, `${field.replace('_', ' ')} is too long (at most ${max} characters)`, { field });
  if (/[\u0000-\u001f\u007f]/.test(s)) throw unprocessable(`invalid_${field}`, `${field.replace('_', ' ')} contains control characters`, { field });
  return s || null;
};

// ---- price list and policies

export interface PriceInput {
  item_code: string;
  name: string;
  kind: ItemKind;
  sac_hsn?: string | null;
  unit_price: number;
  tax_rate: number;
  exempt?: boolean;
  doctor_id?: string | null;
  effective_from?: string;
}

/** A checked price list item; `listId` is the branch whose list it joins, or CHAIN. */
function priceItemOf(tx: Tx, scope: Scope, p: PriceInput, listId: string): PriceItem {
  const code = (p.item_code ?? '').trim().toUpperCase();
  if (!/^[A-Z0-9][A-Z0-9_-]{0,31}$/.test(code)) throw unprocessable('invalid_item_code', 'Item code: 1–32 letters, digits, - or _', { field: 'item_code' });
  if (!Number.isInteger(p.unit_price) || p.unit_price < 0) throw unprocessable('invalid_amount', 'unit_price must be whole paise, not negative', { field: 'unit_price' });
  const bp = toBasisPoints(p.tax_rate, 'tax_rate');
  const exempt = p.exempt ?? bp === 0;
  if (exempt && bp) throw unprocessable('invalid_tax_rate', 'An exempt item has no tax rate', { field: 'tax_rate' });
  const sac = text(p.sac_hsn, 'sac_hsn', 8);
  if (sac && !/^\d{4,8}$/.test(sac)) throw unprocessable('invalid_sac_hsn', 'SAC/HSN code: 4 to 8 digits', { field: 'sac_hsn' });
  if (p.doctor_id && listId === CHAIN) throw unprocessable('doctor_not_chain_wide', 'Doctors belong to branches: set a doctor’s own fee at their branch', { field: 'doctor_id' });
  if (p.doctor_id && !getDoctor(tx.db, listId, p.doctor_id)) throw unprocessable('unknown_doctor', 'No such doctor in this branch', { field: 'doctor_id' });
  const from = p.effective_from ?? toLocal(tx.now, branchOf(tx, scope).timezone).date;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(from)) throw unprocessable('invalid_date', 'effective_from must be YYYY-MM-DD', { field: 'effective_from' });
  return { item_code: code, name: text(p.name, 'name', 120, true)!, kind: p.kind, sac_hsn: sac, unit_price: p.unit_price, tax_rate_bp: bp, exempt, doctor_id: p.doctor_id ?? null, effective_from: from };
}

/** Sets a price in the caller's branch list; over a chain item it is that branch's override. */
export function setPrice(tx: Tx, scope: Scope, p: PriceInput): void {
  const item = priceItemOf(tx, scope, p, scope.branchId);
  tx.execute(billingSettingsStream(scope.branchId), scope.branchId, settingsDecider, { kind: 'set_item', item });
}

export function retirePrice(tx: Tx, scope: Scope, itemCode: string, effectiveFrom?: string): void {
  const from = effectiveFrom ?? toLocal(tx.now, branchOf(tx, scope).timezone).date;
  if (!priceOn(tx.db, scope.branchId, itemCode.toUpperCase(), from)) throw notFound('Price list item');
  tx.execute(billingSettingsStream(scope.branchId), scope.branchId, settingsDecider, { kind: 'retire_item', itemCode: itemCode.toUpperCase(), effectiveFrom: from });
}

/**
 * Sets a price in the chain's list (at the hub, under its chain origin: the runner's
 * context carries it). Branches pull it; a branch's own price for the code wins there.
 */
export function setChainPrice(tx: Tx, scope: Scope, p: PriceInput): PriceItem {
  const item = priceItemOf(tx, scope, p, CHAIN);
  tx.execute(billingSettingsStream(CHAIN), CHAIN, settingsDecider, { kind: 'set_item', item });
  return item;
}

export function retireChainPrice(tx: Tx, scope: Scope, itemCode: string, effectiveFrom?: string): string {
  const from = effectiveFrom ?? toLocal(tx.now, branchOf(tx, scope).timezone).date;
  if (!priceOn(tx.db, CHAIN, itemCode.toUpperCase(), from)) throw notFound('Chain price list item');
  tx.execute(billingSettingsStream(CHAIN), CHAIN, settingsDecider, { kind: 'retire_item', itemCode: itemCode.toUpperCase(), effectiveFrom: from });
  return from;
}

/** A deposit rule for the caller's branch, or with `listId` CHAIN the chain's default (at the hub). */
export function setDepositRule(tx: Tx, scope: Scope, rule: DepositRule, listId = scope.branchId): void {
  if (rule.doctor_id && listId === CHAIN) throw unprocessable('doctor_not_chain_wide', 'Doctors belong to branches: set a doctor’s own rule at their branch', { field: 'doctor_id' });
  if (rule.doctor_id && !getDoctor(tx.db, listId, rule.doctor_id)) throw unprocessable('unknown_doctor', 'No such doctor in this branch', { field: 'doctor_id' });
  if (!Number.isInteger(rule.value) || rule.value < 0 || (rule.kind === 'percent' && rule.value > 100)) {
    throw unprocessable('invalid_value', rule.kind === 'percent' ? 'A percentage from 0 to 100' : 'An amount in whole paise, not negative', { field: 'value' });
  }
  tx.execute(billingSettingsStream(listId), listId, settingsDecider, { kind: 'set_deposit_rule', rule });
}

/** The cancellation policy of the caller's branch, or with `listId` CHAIN the chain's (at the hub). */
export function setCancellationPolicy(tx: Tx, scope: Scope, hours: number, listId = scope.branchId): void {
  if (!Number.isInteger(hours) || hours < 0 || hours > 720) throw unprocessable('invalid_hours', 'Hours from 0 to 720', { field: 'refundable_until_hours' });
  tx.execute(billingSettingsStream(listId), listId, settingsDecider, { kind: 'set_cancellation_policy', hours });
}

/** The deposit due at booking: tele consultations are paid in full; otherwise the rule, if any. */
export function depositDue(tx: Pick<Tx, 'db'>, scope: Scope, doctorId: string, mode: 'in_person' | 'tele'): number {
  const doctor = getDoctor(tx.db, scope.branchId, doctorId);
  if (!doctor) return 0;
  if (mode === 'tele') return doctor.feePaise;
  const rule = depositRuleFor(tx.db, scope.branchId, doctorId, mode);
  if (!rule) return 0;
  return Math.min(doctor.feePaise, rule.kind === 'amount' ? rule.value : Math.round((doctor.feePaise * rule.value) / 100));
}

// ---- invoices

export interface InvoiceLineInput {
  item_code: string;
  description?: string;
  qty: number;
  unit_price?: number;
  tax_rate?: number;
  discount?: number;
  discount_reason?: string | null;
}

function resolveLines(tx: Tx, scope: Scope, lines: InvoiceLineInput[], date: string): LineInput[] {
  if (!lines.length) throw unprocessable('no_lines', 'An invoice needs at least one line', { field: 'lines' });
  if (lines.length > 100) throw unprocessable('too_many_lines', 'At most 100 lines', { field: 'lines' });
  return lines.map((l, i) => {
    const code = (l.item_code ?? '').trim().toUpperCase();
    const price = code ? priceOn(tx.db, scope.branchId, code, date) : null;
    const unit = l.unit_price ?? price?.unit_price;
    const rate = l.tax_rate ?? (price ? price.tax_rate_bp / 100 : undefined);
    const description = text(l.description ?? price?.name, `lines.${i}.description`, 200);
    if (unit === undefined || rate === undefined || !description) {
      throw unprocessable('unknown_item', `Line ${i + 1}: ${code || 'the item'} is not in the price list; give its description, unit_price and tax_rate`, { field: `lines.${i}.item_code` });
    }
    const discount = l.discount ?? 0;
    if (discount > 0) {
      if (!can(scope.role, 'billing.discount')) throw forbidden(`Your role (${scope.role}) may not give discounts`, 'discount_forbidden');
      if (!text(l.discount_reason, `lines.${i}.discount_reason`, 200)) {
        throw unprocessable('discount_reason_required', `Line ${i + 1}: give a reason for the discount`, { field: `lines.${i}.discount_reason` });
      }
    }
    return {
      item_code: code || 'MISC',
      description,
      qty: l.qty,
      unit_price: unit,
      tax_rate: rate,
      exempt: price && l.tax_rate === undefined ? price.exempt : rate === 0,
      sac_hsn: price?.sac_hsn ?? null,
      discount,
      discount_reason: discount ? text(l.discount_reason, 'discount_reason', 200) : null,
    };
  });
}

export function issueInvoice(tx: Tx, scope: Scope, input: { patient_id: string; appointment_id?: string | null; lines: InvoiceLineInput[] }): string {
  const patient = getPatient(tx.db, scope.branchId, input.patient_id);
  if (!patient) throw unprocessable('unknown_patient', 'No such patient in this branch', { field: 'patient_id' });
  let doctorId: string | null = null;
  let applied: string[] = [];
  if (input.appointment_id) {
    const a = getAppointment(tx.db, scope.branchId, input.appointment_id);
    if (!a || a.patientId !== patient.id) throw unprocessable('unknown_appointment', "No such appointment for this patient", { field: 'appointment_id' });
    doctorId = a.doctorId;
    applied = openDeposits(tx.db, scope.branchId, a.id).map((p) => p.id);
  }
  const date = businessDate(tx, scope);
  const lines = resolveLines(tx, scope, input.lines, date).map(computeLine);
  const totals = totalsOf(lines);
  const { number, counter } = takeNumber(tx, scope, 'invoice', date);
  const id = newId();
  tx.execute(invoiceStream(id), scope.branchId, invoiceDecider, {
    kind: 'issue',
    data: {
      invoice_id: id,
      number,
      counter,
      patient_id: patient.id,
      appointment_id: input.appointment_id ?? null,
      doctor_id: doctorId,
      document_type: documentType(lines),
      lines,
      totals,
      applied_deposits: applied,
      business_date: date,
    },
  });
  return id;
}

export function issueCreditNote(tx: Tx, scope: Scope, invoiceId: string, input: { lines: InvoiceLineInput[]; reason: string }): string {
  if (!getInvoice(tx.db, scope.branchId, invoiceId)) throw notFound('Invoice');
  const date = businessDate(tx, scope);
  const lines = resolveLines(tx, scope, input.lines, date).map(computeLine);
  const totals = totalsOf(lines);
  const { number, counter } = takeNumber(tx, scope, 'credit_note', date);
  const id = newId();
  tx.execute(invoiceStream(invoiceId), scope.branchId, invoiceDecider, {
    kind: 'credit',
    data: { credit_note_id: id, number, counter, lines, totals, reason: text(input.reason, 'reason', 300, true)!, business_date: date },
  });
  return id;
}

// ---- payments

export interface PaymentInput {
  invoice_id?: string | null;
  appointment_id?: string | null;
  amount: number;
  method: PaymentMethod;
  reference?: string | null;
  upi_vpa?: string | null;
  card_last4?: string | null;
  card_auth_code?: string | null;
  gateway?: { name: string; payment_id: string } | null;
}

function methodDetails(p: PaymentInput) {
  const reference = text(p.reference, 'reference', 64);
  const vpa = text(p.upi_vpa, 'upi_vpa', 100);
  if (vpa && !/^[A-Za-z0-9._-]{2,256}@[A-Za-z][A-Za-z0-9.-]{1,64}$/.test(vpa)) throw unprocessable('invalid_upi_vpa', 'UPI ID must look like name@bank', { field: 'upi_vpa' });
  const last4 = text(p.card_last4, 'card_last4', 4);
  if (p.method === 'card' && (!last4 || !/^\d{4}$/.test(last4))) throw unprocessable('invalid_card_last4', 'For a card payment give the last 4 digits of the card', { field: 'card_last4' });
  if (p.method !== 'card' && last4) throw unprocessable('invalid_card_last4', 'card_last4 is only for card payments', { field: 'card_last4' });
  const auth = text(p.card_auth_code, 'card_auth_code', 12);
  if (auth && !/^[A-Za-z0-9]{2,12}$/.test(auth)) throw unprocessable('invalid_card_auth_code', 'Card auth code: 2–12 letters or digits', { field: 'card_auth_code' });
  if (p.method === 'upi' && !reference) throw unprocessable('reference_required', 'For a UPI payment give the transaction reference (UTR)', { field: 'reference' });
  return { reference, upi_vpa: p.method === 'upi' ? vpa : null, card_last4: p.method === 'card' ? last4 : null, card_auth_code: p.method === 'card' ? auth : null };
}

/** Records a payment against an invoice (balance) or an appointment (deposit); overpaying is refused. */
export function recordPayment(tx: Tx, scope: Scope, p: PaymentInput): string {
  if (!Number.isInteger(p.amount) || p.amount <= 0) throw unprocessable('invalid_amount', 'amount must be a positive whole number of paise', { field: 'amount' });
  if (!['cash', 'upi', 'card', 'online'].includes(p.method)) throw unprocessable('invalid_method', 'method must be cash, upi or card', { field: 'method' });
  const details = methodDetails(p);
  let patientId: string;
  let deposit = false;
  let invoiceId: string | null = null;
  let appointmentId: string | null = null;
  // Once the visit is invoiced, money for it is a payment on the invoice, not a deposit.
  const invoiced = !p.invoice_id && p.appointment_id ? invoicesOfAppointment(tx.db, scope.branchId, p.appointment_id) : [];
  const invoiceForPayment = p.invoice_id ?? (invoiced.find((i) => balanceOf(i) > 0) ?? invoiced[invoiced.length - 1])?.id;
  if (invoiceForPayment) {
    const inv = getInvoice(tx.db, scope.branchId, invoiceForPayment);
    if (!inv) throw unprocessable('unknown_invoice', 'No such invoice in this branch', { field: 'invoice_id' });
    const balance = balanceOf(inv);
    if (p.amount > balance) {
      throw unprocessable('overpayment', balance > 0 ? `Only ${formatInr(balance)} is due on invoice ${inv.number}` : `Invoice ${inv.number} is fully paid`, { balance });
    }
    patientId = inv.patientId;
    invoiceId = inv.id;
    appointmentId = inv.appointmentId;
  } else if (p.appointment_id) {
    const a = getAppointment(tx.db, scope.branchId, p.appointment_id);
    if (!a) throw unprocessable('unknown_appointment', 'No such appointment in this branch', { field: 'appointment_id' });
    if (a.status === 'cancelled' || a.status === 'no_show') throw conflict('appointment_closed', `The appointment is ${a.status.replace('_', '-')}; no deposit can be taken`);
    const doctor = getDoctor(tx.db, scope.branchId, a.doctorId);
    const paid = depositsOfAppointment(tx.db, scope.branchId, a.id).reduce((n, d) => n + d.amount - d.refunded, 0);
    const room = (doctor?.feePaise ?? 0) - paid;
    if (p.amount > room) throw unprocessable('overpayment', room > 0 ? `At most ${formatInr(room)} can be taken before the visit (the consultation fee)` : 'The consultation fee is already paid', { balance: Math.max(room, 0) });
    patientId = a.patientId;
    appointmentId = a.id;
    deposit = true;
  } else {
    throw unprocessable('invoice_or_appointment', 'Give invoice_id (balance) or appointment_id (deposit)', { field: 'invoice_id' });
  }
  const date = businessDate(tx, scope);
  const { number, counter } = takeNumber(tx, scope, 'receipt', date);
  const id = newId();
  tx.execute(paymentStream(id), scope.branchId, paymentDecider, {
    kind: 'pay',
    deposit,
    data: {
      payment_id: id,
      receipt_number: number,
      counter,
      patient_id: patientId,
      invoice_id: invoiceId,
      appointment_id: appointmentId,
      amount: p.amount,
      method: p.method,
      ...details,
      gateway: p.gateway ?? null,
      business_date: date,
      collected_by: scope.userId,
    },
  });
  return id;
}

export type RefundPolicy = 'within_policy' | 'override' | 'manual';

export function refundPayment(tx: Tx, scope: Scope, input: { payment_id: string; amount: number; reason: string }, policy: RefundPolicy = 'manual'): string {
  const payment = getPayment(tx.db, scope.branchId, input.payment_id);
  if (!payment) throw notFound('Payment');
  const date = businessDate(tx, scope);
  const { number, counter } = takeNumber(tx, scope, 'refund', date);
  const id = newId();
  tx.execute(paymentStream(payment.id), scope.branchId, paymentDecider, {
    kind: 'refund',
    data: {
      refund_id: id,
      receipt_number: number,
      counter,
      amount: input.amount,
      method: payment.method,
      reason: text(input.reason, 'reason', 300, true)!,
      approved_by: scope.userId,
      policy,
      business_date: date,
    },
  });
  return id;
}

/**
 * After an appointment is cancelled: its deposits are refunded automatically when the
 * cancellation is at least the policy's hours before the start; later, only a manager's
 * override refunds them. Returns the refund ids.
 */
export function refundDepositsOnCancel(tx: Tx, scope: Scope, appointmentId: string, override: boolean): string[] {
  const a = getAppointment(tx.db, scope.branchId, appointmentId);
  if (!a) return [];
  // Measured from the cancellation itself: the refund may be asked for later than that.
  const cancelledAt = a.status === 'cancelled' ? new Date(a.updatedAt) : tx.now;
  const hours = (new Date(a.start).getTime() - cancelledAt.getTime()) / 3_600_000;
  const within = hours >= refundableUntilHours(tx.db, scope.branchId);
  if (!within && !override) return [];
  if (!within && !can(scope.role, 'payments.refund')) throw forbidden('Only a manager can refund a deposit after the cancellation deadline', 'override_forbidden');
  return depositsOfAppointment(tx.db, scope.branchId, appointmentId)
    .filter((d) => d.amount > d.refunded)
    .map((d) =>
      refundPayment(tx, scope, { payment_id: d.id, amount: d.amount - d.refunded, reason: within ? 'Appointment cancelled within the refund window' : 'Appointment cancelled: refund approved by a manager' }, within ? 'within_policy' : 'override'),
    );
}

// ---- day close

export const DENOMINATIONS = [2000, 500, 200, 100, 50, 20, 10, 5, 2, 1] as const;

export function closeDay(tx: Tx, scope: Scope, input: { business_date?: string; denominations: Record<string, number>; reason?: string | null }): { variance: number } {
  const date = input.business_date ?? toLocal(tx.now, branchOf(tx, scope).timezone).date;
  let counted = 0;
  const denominations: Record<string, number> = {};
  for (const [k, v] of Object.entries(input.denominations)) {
    const d = Number(k);
    if (!DENOMINATIONS.includes(d as (typeof DENOMINATIONS)[number])) throw unprocessable('invalid_denomination', `₹${k} is not a note or coin in use`, { field: `denominations.${k}` });
    if (!Number.isInteger(v) || v < 0 || v > 100_000) throw unprocessable('invalid_count', `Count of ₹${k}: a whole number from 0`, { field: `denominations.${k}` });
    if (v) denominations[k] = v;
    counted += d * 100 * v;
  }
  const expected = collectionsByMethod(tx.db, scope.branchId, date, scope.userId);
  const variance = counted - expected.cash;
  const reason = text(input.reason, 'reason', 300);
  if (variance !== 0 && !reason) {
    throw unprocessable('variance_reason_required', `Counted cash differs from expected by ${formatInr(variance)}: give a reason`, { field: 'reason', variance });
  }
  tx.execute(dayCloseStream(scope.branchId, scope.userId, date), scope.branchId, dayCloseDecider, {
    kind: 'close',
    data: { business_date: date, user_id: scope.userId, expected, counted_cash: counted, denominations, variance, reason },
  });
  return { variance };
}
