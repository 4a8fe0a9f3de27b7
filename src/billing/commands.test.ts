// Billing through the command runner on a real SQLite file: deposits at booking, an invoice
// that applies them, split balance payments, refunds, numbering, and the day close.
import { afterEach, beforeEach, expect, test } from 'bun:test';
import { seedClinic, testKernel, type TestKernel } from '../../test/helpers/kernel';
import { fixedClock } from '../core/clock';
import type { Tx } from '../core/runner';
import { actorOf, type Scope } from '../core/scope';
import { verify } from '../core/verify';
import { allProjections } from '../kernel';
import { registerPatient } from '../patients/commands';
import * as S from '../scheduling/commands';
import * as B from './commands';
import { collectionsByMethod, getInvoice, getPayment, invoiceJson } from './queries';

let k: TestKernel;
let scope: Scope;
let run: <R>(fn: (tx: Tx) => R) => R;
let patientId: string;
let doctorId: string;
const clock = fixedClock('2026-12-01T03:00:00Z'); // 08:30 IST, Tuesday

beforeEach(() => {
  clock.set('2026-12-01T03:00:00Z');
  k = testKernel({ clock });
  scope = seedClinic(k).scope;
  run = (fn) => k.runner.run({ actor: actorOf(scope) }, fn);
  patientId = run((tx) => registerPatient(tx, scope, { name: 'Asha Rao', phone: '9845012345', sex: 'female', age_years: 30 })).patient.id;
  doctorId = run((tx) => S.registerDoctor(tx, scope, { name: 'Dr Rao', specialty: 'GP', registration_number: 'KMC 1', slot_minutes: 15, fee: { amount: 50000, currency: 'INR' } }));
  run((tx) => S.setAvailability(tx, scope, doctorId, [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '10:00', end: '13:00' })), []));
  run((tx) => B.setPrice(tx, scope, { item_code: 'CONS', name: 'Consultation', kind: 'consultation', sac_hsn: '999312', unit_price: 50000, tax_rate: 0 }));
  run((tx) => B.setPrice(tx, scope, { item_code: 'DRESS', name: 'Dressing', kind: 'procedure', sac_hsn: '999319', unit_price: 20000, tax_rate: 18 }));
  run((tx) => B.setDepositRule(tx, scope, { doctor_id: null, mode: 'in_person', kind: 'amount', value: 10000 }));
});
afterEach(() => k.dispose());

const count = () => (k.db.query('SELECT count(*) AS n FROM events').get() as { n: number }).n;
const book = (start: string, mode: 'in_person' | 'tele' = 'in_person') =>
  run((tx) => S.bookAppointment(tx, scope, { patient_id: patientId, doctor_id: doctorId, start, mode }));

test('deposit at booking, invoice applies it, balance paid split cash + UPI, numbers gapless', () => {
  const appointment = book('2026-12-01T10:30:00+05:30');
  expect(run((tx) => B.depositDue(tx, scope, doctorId, 'in_person'))).toBe(10000);
  expect(run((tx) => B.depositDue(tx, scope, doctorId, 'tele'))).toBe(50000);
  const deposit = run((tx) => B.recordPayment(tx, scope, { appointment_id: appointment, amount: 10000, method: 'cash' }));
  const invoiceId = run((tx) => B.issueInvoice(tx, scope, { patient_id: patientId, appointment_id: appointment, lines: [{ item_code: 'CONS', qty: 1 }, { item_code: 'DRESS', qty: 1 }] }));
  const inv = invoiceJson(getInvoice(k.db, scope.branchId, invoiceId)!);
  expect(inv.number).toBe('BLR1/I2627/00001');
  expect(inv.document_type).toBe('invoice_cum_bill_of_supply');
  expect([inv.total.amount, inv.cgst.amount, inv.sgst.amount, inv.paid.amount, inv.balance.amount]).toEqual([73600, 1800, 1800, 10000, 63600]);

  const before = count();
  expect(() => run((tx) => B.recordPayment(tx, scope, { invoice_id: invoiceId, amount: 63601, method: 'cash' }))).toThrow(/Only ₹636.00 is due/);
  expect(count()).toBe(before);
  const cash = run((tx) => B.recordPayment(tx, scope, { invoice_id: invoiceId, amount: 30000, method: 'cash' }));
  const upi = run((tx) => B.recordPayment(tx, scope, { invoice_id: invoiceId, amount: 33600, method: 'upi', reference: '412345678901', upi_vpa: 'asha@okaxis' }));
  expect(invoiceJson(getInvoice(k.db, scope.branchId, invoiceId)!).balance.amount).toBe(0);
  expect([deposit, cash, upi].map((id) => getPayment(k.db, scope.branchId, id)!.receiptNumber)).toEqual(['BLR1/26-27/00001', 'BLR1/26-27/00002', 'BLR1/26-27/00003']);
  expect(verify(k.db, k.file, allProjections).ok).toBe(true);
});

test('refunds: back to the original method, never more than paid, own numbers', () => {
  const appointment = book('2026-12-01T10:30:00+05:30');
  const p = run((tx) => B.recordPayment(tx, scope, { appointment_id: appointment, amount: 10000, method: 'card', card_last4: '4242' }));
  const before = count();
  expect(() => run((tx) => B.refundPayment(tx, scope, { payment_id: p, amount: 10001, reason: 'x' }))).toThrow(/At most ₹100.00/);
  expect(count()).toBe(before);
  const r1 = run((tx) => B.refundPayment(tx, scope, { payment_id: p, amount: 4000, reason: 'partial' }));
  run((tx) => B.refundPayment(tx, scope, { payment_id: p, amount: 6000, reason: 'rest' }));
  expect(() => run((tx) => B.refundPayment(tx, scope, { payment_id: p, amount: 1, reason: 'more' }))).toThrow(/At most ₹0.00/);
  const row = k.db.query('SELECT receipt_number, method FROM refunds WHERE id = ?').get(r1);
  expect(row).toEqual({ receipt_number: 'BLR1/R2627/00001', method: 'card' });
  expect(getPayment(k.db, scope.branchId, p)!.refunded).toBe(10000);
  expect(verify(k.db, k.file, allProjections).ok).toBe(true);
});

test('cancellation policy: refunded automatically when early enough, otherwise only by override', () => {
  const early = book('2026-12-02T10:30:00+05:30'); // 26 h ahead
  run((tx) => B.recordPayment(tx, scope, { appointment_id: early, amount: 10000, method: 'cash' }));
  const late = book('2026-12-01T11:00:00+05:30'); // 2.5 h ahead
  run((tx) => B.recordPayment(tx, scope, { appointment_id: late, amount: 10000, method: 'cash' }));
  expect(run((tx) => B.refundDepositsOnCancel(tx, scope, early, false))).toHaveLength(1);
  expect(run((tx) => B.refundDepositsOnCancel(tx, scope, late, false))).toHaveLength(0);
  expect(run((tx) => B.refundDepositsOnCancel(tx, scope, late, true))).toHaveLength(1);
  expect(k.db.query('SELECT policy FROM refunds ORDER BY receipt_number').all()).toEqual([{ policy: 'within_policy' }, { policy: 'override' }]);
});

test('the day close locks the day: later payments fall on the next business day', () => {
  const appointment = book('2026-12-01T10:30:00+05:30');
  run((tx) => B.recordPayment(tx, scope, { appointment_id: appointment, amount: 10000, method: 'cash' }));
  expect(collectionsByMethod(k.db, scope.branchId, '2026-12-01', scope.userId)).toEqual({ cash: 10000, upi: 0, card: 0, online: 0 });
  expect(() => run((tx) => B.closeDay(tx, scope, { denominations: { '50': 1 } }))).toThrow(/differs from expected by -₹50.00/);
  expect(run((tx) => B.closeDay(tx, scope, { denominations: { '50': 1 }, reason: 'short: change given' }))).toEqual({ variance: -5000 });
  expect(() => run((tx) => B.closeDay(tx, scope, { denominations: {} , reason: 'again' }))).toThrow(/already closed/);
  const second = book('2026-12-01T11:30:00+05:30', 'tele');
  const p = run((tx) => B.recordPayment(tx, scope, { appointment_id: second, amount: 50000, method: 'upi', reference: '412345678902' }));
  expect(getPayment(k.db, scope.branchId, p)!.businessDate).toBe('2026-12-02');
  expect(verify(k.db, k.file, allProjections).ok).toBe(true);
});

test('numbers restart at 1 on 1 April, the new financial year', () => {
  clock.set('2027-03-31T12:00:00Z'); // 17:30 IST, 31 March
  run((tx) => S.setAvailability(tx, scope, doctorId, [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '09:00', end: '23:00' })), []));
  const a = book('2027-03-31T18:00:00+05:30');
  const p1 = run((tx) => B.recordPayment(tx, scope, { appointment_id: a, amount: 1000, method: 'cash' }));
  clock.set('2027-03-31T18:40:00Z'); // 00:10 IST on 1 April
  const p2 = run((tx) => B.recordPayment(tx, scope, { appointment_id: a, amount: 1000, method: 'cash' }));
  expect(getPayment(k.db, scope.branchId, p1)!.receiptNumber).toBe('BLR1/26-27/00001');
  expect(getPayment(k.db, scope.branchId, p2)!.receiptNumber).toBe('BLR1/27-28/00001');
});

test('discounts need a reason and a role allowed to give them', () => {
  const frontDesk: Scope = { ...scope, role: 'front_desk' };
  const before = count();
  expect(() => k.runner.run({ actor: actorOf(frontDesk) }, (tx) => B.issueInvoice(tx, frontDesk, { patient_id: patientId, lines: [{ item_code: 'DRESS', qty: 1, discount: 1000, discount_reason: 'staff' }] }))).toThrow(/may not give discounts/);
  expect(() => run((tx) => B.issueInvoice(tx, scope, { patient_id: patientId, lines: [{ item_code: 'DRESS', qty: 1, discount: 1000 }] }))).toThrow(/reason/);
  expect(count()).toBe(before);
  const id = run((tx) => B.issueInvoice(tx, scope, { patient_id: patientId, lines: [{ item_code: 'DRESS', qty: 2, discount: 5000, discount_reason: 'senior citizen' }] }));
  const inv = invoiceJson(getInvoice(k.db, scope.branchId, id)!);
  // 2 × ₹200 − ₹50 = ₹350 taxable; 18% = ₹63 → CGST ₹31.50, SGST ₹31.50
  expect([inv.subtotal.amount, inv.cgst.amount, inv.sgst.amount, inv.total.amount, inv.document_type]).toEqual([35000, 3150, 3150, 41300, 'tax_invoice']);
});

test('credit notes take value off an invoice, never more than is left', () => {
  const id = run((tx) => B.issueInvoice(tx, scope, { patient_id: patientId, lines: [{ item_code: 'CONS', qty: 1 }] }));
  run((tx) => B.issueCreditNote(tx, scope, id, { lines: [{ item_code: 'CONS', description: 'Consultation (part)', qty: 1, unit_price: 20000, tax_rate: 0 }], reason: 'shortened visit' }));
  expect(() => run((tx) => B.issueCreditNote(tx, scope, id, { lines: [{ item_code: 'CONS', qty: 1 }], reason: 'again' }))).toThrow(/at most ₹300.00/);
  const inv = invoiceJson(getInvoice(k.db, scope.branchId, id)!);
  expect([inv.credited.amount, inv.balance.amount]).toEqual([20000, 30000]);
  expect(k.db.query('SELECT number FROM credit_notes').get()).toEqual({ number: 'BLR1/C2627/00001' });
  expect(verify(k.db, k.file, allProjections).ok).toBe(true);
});

test('money for a visit that is already invoiced goes to the invoice, not a new deposit', () => {
  const appointment = book('2026-12-01T10:30:00+05:30');
  const invoiceId = run((tx) => B.issueInvoice(tx, scope, { patient_id: patientId, appointment_id: appointment, lines: [{ item_code: 'CONS', qty: 1 }] }));
  const p = run((tx) => B.recordPayment(tx, scope, { appointment_id: appointment, amount: 20000, method: 'cash' }));
  const row = getPayment(k.db, scope.branchId, p)!;
  expect([row.kind, row.invoiceId]).toEqual(['balance', invoiceId]);
  expect(invoiceJson(getInvoice(k.db, scope.branchId, invoiceId)!).balance.amount).toBe(30000);
  expect(() => run((tx) => B.recordPayment(tx, scope, { appointment_id: appointment, amount: 30001, method: 'cash' }))).toThrow(/Only ₹300.00 is due/);
});
