// PM3 hybrid payments through the REST API: deposit rules, the deposit due at booking, a
// deposit taken for an appointment and counted as paid on its invoice, the balance at the
// visit; cancellations refund deposits by the policy, later ones only by a manager.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import * as S from '../../src/scheduling/commands';
import { billingFixture, type BillingFixture, type ErrorBody, inr, type Money } from './billing-fixture';

type Payment = { id: string; receipt_number: string; kind: string; invoice_id: string | null; appointment_id: string | null; amount: Money; refunded: Money; method: string };
type Invoice = { id: string; total: Money; paid: Money; balance: Money; document_type: string; payments: Payment[] };
type Refund = { id: string; receipt_number: string; payment_id: string; amount: Money; method: string; policy: string; reason: string };
type RefundOutcome = { appointment_id: string; outcome: string; refundable_until_hours: number; refunded: Money; kept: Money; refunds: Refund[] };

let f: BillingFixture;
beforeAll(async () => {
  f = await billingFixture('2026-12-01T03:00:00Z'); // 08:30 IST
  for (const [code, body] of [
    ['CONS', { name: 'Consultation', kind: 'consultation', sac_hsn: '999312', unit_price: inr(50000), tax_rate: 0 }],
    ['DRESS', { name: 'Dressing', kind: 'procedure', sac_hsn: '999319', unit_price: inr(20000), tax_rate: 18 }],
  ] as const) {
    expect((await f.call('PUT', `/api/v1/prices/${code}`, { json: body })).status).toBe(200);
  }
});
afterAll(() => f.s.stop());

const due = async (mode: string) => (await f.call<{ doctor_id: string; mode: string; amount: Money; fee: Money }>('GET', `/api/v1/deposits/due?doctor_id=${f.doctorId}&mode=${mode}`, { key: f.keys.front_desk })).body;
const deposit = (appointmentId: string, amount: number, method = 'cash', extra: Record<string, unknown> = {}) =>
  f.call<Payment & ErrorBody>('POST', '/api/v1/payments', { json: { appointment_id: appointmentId, amount: inr(amount), method, ...extra }, key: f.keys.front_desk });
const cancel = (id: string) => f.run((tx) => S.cancelAppointment(tx, f.ownerScope, id, 'patient cannot come'));
const refundDeposits = (id: string, key: string, override?: boolean) =>
  f.call<RefundOutcome & ErrorBody>('POST', `/api/v1/appointments/${id}/refund-deposits`, { json: override === undefined ? {} : { override }, key });

describe('deposit rules', () => {
  test('without a rule nothing is due in person; tele is the full fee', async () => {
    expect((await f.call<{ items: unknown[] }>('GET', '/api/v1/deposit-rules')).body.items).toEqual([]);
    expect(await due('in_person')).toEqual({ doctor_id: f.doctorId, mode: 'in_person', amount: inr(0), fee: inr(50000) });
    expect((await due('tele')).amount).toEqual(inr(50000));
  });

  test('a branch default amount, then a doctor’s own percentage; front desk may not set them', async () => {
    const before = f.s.eventCount();
    expect((await f.call('PUT', '/api/v1/deposit-rules', { json: { mode: 'in_person', kind: 'amount', value: inr(10000) }, key: f.keys.front_desk })).status).toBe(403);
    expect(f.s.eventCount()).toBe(before);
    const branch = await f.call('PUT', '/api/v1/deposit-rules', { json: { mode: 'in_person', kind: 'amount', value: inr(10000) }, key: f.keys.admin });
    expect([branch.status, branch.body]).toEqual([200, { doctor_id: null, mode: 'in_person', kind: 'amount', value: inr(10000) }]);
    expect((await due('in_person')).amount).toEqual(inr(10000));
    const own = await f.call('PUT', '/api/v1/deposit-rules', { json: { doctor_id: f.doctorId, mode: 'in_person', kind: 'percent', value: 30 }, key: f.keys.admin });
    expect(own.status).toBe(200);
    expect((await due('in_person')).amount).toEqual(inr(15000));
    expect((await due('tele')).amount).toEqual(inr(50000));
    const rules = (await f.call<{ items: unknown[] }>('GET', '/api/v1/deposit-rules', { key: f.keys.doctor })).body.items;
    expect(rules).toHaveLength(2);
    expect(rules).toContainEqual({ doctor_id: f.doctorId, mode: 'in_person', kind: 'percent', value: 30 });
  });

  test('the cancellation policy: 24 hours unless set', async () => {
    expect((await f.call('GET', '/api/v1/billing-policy')).body).toEqual({ refundable_until_hours: 24 });
    expect((await f.call('PUT', '/api/v1/billing-policy', { json: { refundable_until_hours: 24 }, key: f.keys.front_desk })).status).toBe(403);
    expect((await f.call('PUT', '/api/v1/billing-policy', { json: { refundable_until_hours: 24 } })).body).toEqual({ refundable_until_hours: 24 });
  });
});

describe('deposit at booking, balance at the visit', () => {
  test('book → deposit due → deposit paid → the visit’s invoice shows it paid → balance split cash + card', async () => {
    const appointment = f.book('2026-12-01T11:00:00+05:30');
    const amount = (await due('in_person')).amount.amount;
    expect(amount).toBe(15000);
    const d = await deposit(appointment, amount, 'upi', { reference: '412345678901', upi_vpa: 'asha@okicici' });
    expect(d.status).toBe(201);
    expect(d.body).toMatchObject({ kind: 'deposit', appointment_id: appointment, invoice_id: null, amount: inr(15000), receipt_number: 'BLR1/26-27/00001' });

    const before = f.s.eventCount();
    const over = await deposit(appointment, 35001);
    expect([over.status, over.body.error.code, over.body.error.details]).toEqual([422, 'overpayment', { balance: 35000 }]);
    expect(f.s.eventCount()).toBe(before);

    const inv = await f.call<Invoice>('POST', '/api/v1/invoices', {
      json: { patient_id: f.patientId, appointment_id: appointment, lines: [{ item_code: 'CONS', qty: 1 }, { item_code: 'DRESS', qty: 1 }] },
      key: f.keys.front_desk,
    });
    expect(inv.status).toBe(201);
    // ₹500 exempt + ₹200 + 18% (₹18 + ₹18) = ₹736; ₹150 deposit paid
    expect([inv.body.total, inv.body.paid, inv.body.balance, inv.body.document_type]).toEqual([inr(73600), inr(15000), inr(58600), 'invoice_cum_bill_of_supply']);
    expect(inv.body.payments.map((p) => [p.id, p.kind])).toEqual([[d.body.id, 'deposit']]);
    expect((await f.call<Payment>('GET', `/api/v1/payments/${d.body.id}`)).body.invoice_id).toBe(inv.body.id);
    expect((await f.call<{ items: { id: string }[] }>('GET', `/api/v1/invoices?appointment_id=${appointment}`)).body.items.map((i) => i.id)).toEqual([inv.body.id]);

    const pay = (json: Record<string, unknown>) => f.call<Payment>('POST', '/api/v1/payments', { json: { invoice_id: inv.body.id, ...json }, key: f.keys.front_desk });
    expect((await pay({ amount: inr(30000), method: 'cash' })).status).toBe(201);
    expect((await pay({ amount: inr(28600), method: 'card', card_last4: '1881' })).status).toBe(201);
    const done = (await f.call<Invoice>('GET', `/api/v1/invoices/${inv.body.id}`)).body;
    expect([done.paid, done.balance]).toEqual([inr(73600), inr(0)]);
    expect(done.payments.map((p) => [p.kind, p.method, p.amount.amount])).toEqual([
      ['deposit', 'upi', 15000],
      ['balance', 'cash', 30000],
      ['balance', 'card', 28600],
    ]);
  });

  test('a tele consultation is paid in full at booking; nothing more can be taken before the visit', async () => {
    const tele = f.book('2026-12-01T12:00:00+05:30', 'tele');
    expect((await deposit(tele, (await due('tele')).amount.amount, 'card', { card_last4: '4242', card_auth_code: 'AB12' })).status).toBe(201);
    const more = await deposit(tele, 1);
    expect([more.status, more.body.error.code]).toEqual([422, 'overpayment']);
  });
});

describe('cancellations and the policy', () => {
  test('cancelled 25½ hours ahead: the deposit goes back to its method automatically, once', async () => {
    const a = f.book('2026-12-02T10:00:00+05:30');
    const d = await deposit(a, 15000);
    cancel(a);
    const r = await refundDeposits(a, f.keys.front_desk);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ appointment_id: a, outcome: 'within_policy', refundable_until_hours: 24, refunded: inr(15000), kept: inr(0) });
    expect(r.body.refunds.map((x) => [x.payment_id, x.method, x.amount.amount, x.policy, x.receipt_number])).toEqual([[d.body.id, 'cash', 15000, 'within_policy', 'BLR1/R2627/00001']]);
    const before = f.s.eventCount();
    const again = await refundDeposits(a, f.keys.front_desk);
    expect([again.status, again.body.outcome, again.body.refunds]).toEqual([200, 'nothing_to_refund', []]);
    expect(f.s.eventCount()).toBe(before);
    // no deposit on a cancelled appointment
    const late = await deposit(a, 100);
    expect([late.status, late.body.error.code]).toEqual([409, 'appointment_closed']);
  });

  test('cancelled 3¾ hours ahead: the deposit is kept; only a manager’s override refunds it', async () => {
    const a = f.book('2026-12-01T12:15:00+05:30');
    await deposit(a, 15000);
    cancel(a);
    const before = f.s.eventCount();
    const kept = await refundDeposits(a, f.keys.front_desk);
    expect(kept.body).toMatchObject({ outcome: 'outside_policy', refunded: inr(0), kept: inr(15000), refunds: [] });
    const denied = await refundDeposits(a, f.keys.front_desk, true);
    expect([denied.status, denied.body.error.code]).toEqual([403, 'override_forbidden']);
    expect((await refundDeposits(a, f.keys.doctor, true)).status).toBe(403);
    expect(f.s.eventCount()).toBe(before);
    const overridden = await refundDeposits(a, f.keys.billing, true);
    expect(overridden.body).toMatchObject({ outcome: 'override', refunded: inr(15000), kept: inr(0) });
    expect(overridden.body.refunds[0]).toMatchObject({ policy: 'override', method: 'cash', receipt_number: 'BLR1/R2627/00002' });
  });

  test('the deadline is measured from the cancellation, not from when the desk asks for the refund', async () => {
    const a = f.book('2026-12-02T10:30:00+05:30'); // 26 h ahead
    await deposit(a, 15000);
    cancel(a);
    f.clock.advance(3 * 3600_000); // the desk gets to it 3 hours later: 23 h before the start
    try {
      const r = await refundDeposits(a, f.keys.front_desk);
      expect([r.status, r.body.outcome, r.body.refunded]).toEqual([200, 'within_policy', inr(15000)]);
    } finally {
      f.clock.set('2026-12-01T03:00:00Z');
    }
  });

  test('an appointment not cancelled → 409; unknown → 404; nothing recorded', async () => {
    const a = f.book('2026-12-03T10:00:00+05:30');
    await deposit(a, 15000);
    const before = f.s.eventCount();
    const r = await refundDeposits(a, f.keys.billing, true);
    expect([r.status, r.body.error.code]).toEqual([409, 'appointment_not_cancelled']);
    expect((await refundDeposits('01a20000-0000-7000-8000-000000000000', f.keys.billing)).status).toBe(404);
    expect((await refundDeposits('nope', f.keys.billing)).status).toBe(404);
    expect(f.s.eventCount()).toBe(before);
  });

  test('a refund of a deposit is never more than was paid on it', async () => {
    const a = f.book('2026-12-03T10:15:00+05:30');
    const d = await deposit(a, 15000);
    const before = f.s.eventCount();
    const r = await f.call<ErrorBody>('POST', '/api/v1/refunds', { json: { payment_id: d.body.id, amount: inr(15001), reason: 'changed mind' }, key: f.keys.billing });
    expect([r.status, r.body.error.code]).toEqual([422, 'refund_exceeds_paid']);
    expect(f.s.eventCount()).toBe(before);
  });

  test('cancelling through the API applies the policy in the same transaction', async () => {
    const early = f.book('2026-12-03T11:00:00+05:30'); // two days ahead: refunded at once
    await deposit(early, 15000);
    const c1 = await f.call<{ status: string; deposit_refunds: Refund[] } & ErrorBody>('POST', `/api/v1/appointments/${early}/cancel`, { json: { reason: 'travelling' }, key: f.keys.front_desk });
    expect([c1.status, c1.body.status]).toEqual([200, 'cancelled']);
    expect(c1.body.deposit_refunds.map((r) => [r.amount, r.method, r.policy])).toEqual([[inr(15000), 'cash', 'within_policy']]);

    const late = f.book('2026-12-01T12:30:00+05:30'); // 4 h ahead: kept unless a manager overrides
    await deposit(late, 15000);
    const before = f.s.eventCount();
    const refused = await f.call<ErrorBody>('POST', `/api/v1/appointments/${late}/cancel`, { json: { reason: 'late', override_policy: true }, key: f.keys.front_desk });
    expect([refused.status, refused.body.error.code]).toEqual([403, 'override_forbidden']);
    expect(f.s.eventCount()).toBe(before); // the cancellation was rolled back with the refused refund
    const kept = await f.call<{ status: string; deposit_refunds: Refund[] }>('POST', `/api/v1/appointments/${late}/cancel`, { json: { reason: 'late' }, key: f.keys.front_desk });
    expect([kept.body.status, kept.body.deposit_refunds]).toEqual(['cancelled', []]);
  });
});
