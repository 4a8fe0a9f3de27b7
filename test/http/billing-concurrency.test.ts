// Receipt numbers under load: 100 payments posted at once get BLR1/26-27/00001..00100 with
// no gap and no duplicate; the same Idempotency-Key posted in parallel is one payment; a
// race to overpay is refused for the late ones; the series restarts on 1 April (IST).
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { billingFixture, type BillingFixture, type ErrorBody, inr, type Money } from './billing-fixture';

type Payment = { id: string; receipt_number: string; amount: Money; business_date: string };
type Invoice = { id: string; number: string; paid: Money; balance: Money };

let f: BillingFixture;
beforeAll(async () => {
  f = await billingFixture('2026-12-01T03:00:00Z');
});
afterAll(() => f.s.stop());

const series = (from: number, to: number, fy = '26-27') => Array.from({ length: to - from + 1 }, (_, i) => `BLR1/${fy}/${String(from + i).padStart(5, '0')}`);
const paymentEvents = () => (f.s.svc.kernel.db.query("SELECT count(*) AS n FROM events WHERE type IN ('payment.balance_paid', 'payment.deposit_paid')").get() as { n: number }).n;

async function invoice(rupees: number): Promise<Invoice> {
  const r = await f.call<Invoice>('POST', '/api/v1/invoices', { json: { patient_id: f.patientId, lines: [{ item_code: 'PKG', description: 'Treatment package', qty: 1, unit_price: inr(rupees * 100), tax_rate: 0 }] } });
  expect(r.status).toBe(201);
  return r.body;
}

test('100 parallel payments by three users: receipts 00001..00100, no gap, no duplicate, 100 events', async () => {
  const inv = await invoice(10_000);
  const before = f.s.eventCount();
  const keys = [f.keys.front_desk, f.keys.billing, f.keys.owner];
  const results = await Promise.all(
    Array.from({ length: 100 }, (_, i) => f.call<Payment>('POST', '/api/v1/payments', { json: { invoice_id: inv.id, amount: inr(100 + i), method: 'cash' }, key: keys[i % 3] })),
  );
  expect(results.map((r) => r.status)).toEqual(Array(100).fill(201));
  const numbers = results.map((r) => r.body.receipt_number);
  expect(new Set(numbers).size).toBe(100);
  expect([...numbers].sort()).toEqual(series(1, 100));
  expect(f.s.eventCount()).toBe(before + 100);
  expect(paymentEvents()).toBe(100);
  const paid = (await f.call<Invoice>('GET', `/api/v1/invoices/${inv.id}`)).body;
  expect(paid.paid.amount).toBe(100 * 100 + (99 * 100) / 2);
  // the numbers in the projection are the numbers in the log
  const fromLog = (f.s.svc.kernel.db.query("SELECT json_extract(data, '$.receipt_number') AS n FROM events WHERE type = 'payment.balance_paid' ORDER BY seq").all() as { n: string }[]).map((r) => r.n);
  expect(fromLog).toEqual(series(1, 100));
});

test('the same Idempotency-Key posted 10 times at once is one payment', async () => {
  const inv = await invoice(100);
  const before = f.s.eventCount();
  const body = { invoice_id: inv.id, amount: inr(5000), method: 'upi', reference: '412345678901' };
  const results = await Promise.all(Array.from({ length: 10 }, () => f.call<Payment>('POST', '/api/v1/payments', { json: body, headers: { 'idempotency-key': 'upi-412345678901' }, key: f.keys.front_desk })));
  expect(results.map((r) => r.status)).toEqual(Array(10).fill(201));
  expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
  expect(results[0].body.receipt_number).toBe('BLR1/26-27/00101');
  expect(results.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(9);
  expect(f.s.eventCount()).toBe(before + 1);
  expect((await f.call<Invoice>('GET', `/api/v1/invoices/${inv.id}`)).body.balance).toEqual(inr(5000));
});

test('a race to overpay: of 10 parallel ₹1 payments on ₹5 due, 5 are taken and 5 refused; numbers stay gapless', async () => {
  const inv = await invoice(5);
  const before = f.s.eventCount();
  const results = await Promise.all(Array.from({ length: 10 }, () => f.call<Payment & ErrorBody>('POST', '/api/v1/payments', { json: { invoice_id: inv.id, amount: inr(100), method: 'cash' } })));
  const ok = results.filter((r) => r.status === 201);
  const refused = results.filter((r) => r.status === 422);
  expect([ok.length, refused.length]).toEqual([5, 5]);
  expect(refused.every((r) => r.body.error.code === 'overpayment')).toBe(true);
  expect(ok.map((r) => r.body.receipt_number).sort()).toEqual(series(102, 106));
  expect(f.s.eventCount()).toBe(before + 5);
  expect((await f.call<Invoice>('GET', `/api/v1/invoices/${inv.id}`)).body.balance).toEqual(inr(0));
});

test('the series restarts on 1 April in the branch’s zone (IST), for receipts and invoices alike', async () => {
  f.clock.set('2027-03-31T18:29:00Z'); // 23:59 IST, 31 March
  const march = await invoice(1000);
  expect(march.number).toBe('BLR1/I2627/00004');
  const last = await f.call<Payment>('POST', '/api/v1/payments', { json: { invoice_id: march.id, amount: inr(100), method: 'cash' } });
  expect([last.body.receipt_number, last.body.business_date]).toEqual(['BLR1/26-27/00107', '2027-03-31']);

  f.clock.set('2027-03-31T18:30:00Z'); // 00:00 IST, 1 April: the new financial year
  const april = await Promise.all(Array.from({ length: 5 }, () => f.call<Payment>('POST', '/api/v1/payments', { json: { invoice_id: march.id, amount: inr(100), method: 'cash' } })));
  expect(april.map((r) => r.body.receipt_number).sort()).toEqual(series(1, 5, '27-28'));
  expect(april.every((r) => r.body.business_date === '2027-04-01')).toBe(true);
  expect((await invoice(10)).number).toBe('BLR1/I2728/00001');
  // 26-27 is closed for good: nothing more is numbered in it
  const all = (await f.call<{ items: Payment[] }>('GET', '/api/v1/payments?date=2027-03-31')).body.items.map((p) => p.receipt_number);
  expect(all).toEqual(['BLR1/26-27/00107']);
});
