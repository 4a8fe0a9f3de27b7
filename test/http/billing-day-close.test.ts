// The day close per counter and the daily collection report through the REST API: expected
// by method is what that user took (net of refunds they gave); a variance needs a reason;
// after the close, that counter's payments fall on the next business day.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import * as S from '../../src/scheduling/commands';
import { billingFixture, type BillingFixture, type ErrorBody, inr, type Money } from './billing-fixture';

type Methods = { cash: Money; upi: Money; card: Money; online: Money };
type Counter = { business_date: string; user_id: string; user_name: string | null; closed: boolean; expected: Methods; counted_cash: Money | null; variance: Money | null; reason: string | null; denominations: Record<string, number> | null };
type Payment = { id: string; business_date: string; receipt_number: string };

let f: BillingFixture;
let ravi: { id: string; key: string };
let iyerId: string;
let cashPayment: Payment;
let invoice1: string;

const methods = (cash: number, upi = 0, card = 0, online = 0): Methods => ({ cash: inr(cash), upi: inr(upi), card: inr(card), online: inr(online) });

beforeAll(async () => {
  f = await billingFixture('2026-12-01T03:00:00Z'); // 08:30 IST
  ravi = await f.addStaff('ravi', 'front_desk');
  iyerId = f.run((tx) => S.registerDoctor(tx, f.ownerScope, { name: 'Dr Iyer', specialty: 'ENT', registration_number: 'KMC 777', slot_minutes: 15, fee: { amount: 40000, currency: 'INR' } }));
  f.run((tx) => S.setAvailability(tx, f.ownerScope, iyerId, [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '09:00', end: '21:00' })), []));
  const pay = async (key: string, json: Record<string, unknown>) => {
    const r = await f.call<Payment>('POST', '/api/v1/payments', { json, key });
    expect(r.status).toBe(201);
    return r.body;
  };
  // Meera: a ₹100 cash deposit for Dr Rao, then ₹300 cash and ₹100 UPI on the visit's invoice
  const a1 = f.book('2026-12-01T11:00:00+05:30');
  await pay(f.keys.front_desk, { appointment_id: a1, amount: inr(10000), method: 'cash' });
  const i1 = await f.call<{ id: string; total: Money }>('POST', '/api/v1/invoices', {
    json: {
      patient_id: f.patientId,
      appointment_id: a1,
      lines: [
        { item_code: 'CONS', description: 'Consultation', qty: 1, unit_price: inr(50000), tax_rate: 0 },
        { item_code: 'DRESS', description: 'Dressing', qty: 1, unit_price: inr(30000), tax_rate: 18 },
      ],
    },
  });
  expect(i1.body.total).toEqual(inr(85400));
  invoice1 = i1.body.id;
  cashPayment = await pay(f.keys.front_desk, { invoice_id: invoice1, amount: inr(30000), method: 'cash' });
  await pay(f.keys.front_desk, { invoice_id: invoice1, amount: inr(10000), method: 'upi', reference: 'UTR0001' });
  // Ravi: a ₹200 card deposit for Dr Iyer and ₹50 cash on an invoice without a doctor
  const a2 = f.run((tx) => S.bookAppointment(tx, f.ownerScope, { patient_id: f.patientId, doctor_id: iyerId, start: '2026-12-01T12:00:00+05:30', mode: 'in_person' }));
  await pay(ravi.key, { appointment_id: a2, amount: inr(20000), method: 'card', card_last4: '0005' });
  const i2 = await f.call<{ id: string }>('POST', '/api/v1/invoices', { json: { patient_id: f.patientId, lines: [{ item_code: 'CERT', description: 'Medical certificate', qty: 1, unit_price: inr(5000), tax_rate: 0 }] } });
  await pay(ravi.key, { invoice_id: i2.body.id, amount: inr(5000), method: 'cash' });
  // Bina (billing) gives ₹20 back from Meera's cash payment
  expect((await f.call('POST', '/api/v1/refunds', { json: { payment_id: cashPayment.id, amount: inr(2000), reason: 'charged twice for gauze' }, key: f.keys.billing })).status).toBe(201);
});
afterAll(() => f.s.stop());

const counters = async (key = f.keys.owner, date = '2026-12-01') => {
  const r = await f.call<{ business_date: string; items: Counter[] }>('GET', `/api/v1/day-close?date=${date}`, { key });
  expect(r.status).toBe(200);
  return Object.fromEntries(r.body.items.map((c) => [c.user_name, c]));
};

describe('collections', () => {
  test('by method, by doctor and by user, net of refunds', async () => {
    const r = await f.call<Record<string, unknown>>('GET', '/api/v1/reports/collections?date=2026-12-01', { key: f.keys.billing });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ business_date: '2026-12-01', by_method: methods(43000, 10000, 20000), total: inr(73000), refunded: inr(2000) });
    expect(r.body.by_doctor).toEqual([
      { doctor_id: f.doctorId, name: 'Dr Rao', ...methods(38000, 10000), total: inr(48000) },
      { doctor_id: iyerId, name: 'Dr Iyer', ...methods(0, 0, 20000), total: inr(20000) },
      { doctor_id: null, name: null, ...methods(5000), total: inr(5000) },
    ]);
    expect(r.body.by_user).toEqual([
      { user_id: f.userIds.front_desk, name: 'meera', ...methods(40000, 10000), total: inr(50000) },
      { user_id: ravi.id, name: 'ravi', ...methods(5000, 0, 20000), total: inr(25000) },
      { user_id: f.userIds.billing, name: 'bina', ...methods(-2000), total: inr(-2000) },
    ]);
    expect(r.body).toEqual((await f.call('GET', '/api/v1/reports/collections')).body); // today by default
    expect((await f.call('GET', '/api/v1/reports/collections', { key: f.keys.front_desk })).status).toBe(403);
    expect((await f.call('GET', '/api/v1/reports/collections', { key: f.keys.doctor })).status).toBe(403);
  });

  test('every counter of the day, expected by method, open until closed', async () => {
    const c = await counters();
    expect(Object.keys(c).sort()).toEqual(['bina', 'meera', 'ravi']);
    expect(c.meera).toMatchObject({ closed: false, expected: methods(40000, 10000), counted_cash: null, variance: null });
    expect(c.ravi.expected).toEqual(methods(5000, 0, 20000));
    expect(c.bina.expected).toEqual(methods(-2000));
  });
});

describe('closing the day', () => {
  test('a variance needs a reason: refused without one, nothing recorded', async () => {
    const before = f.s.eventCount();
    const r = await f.call<ErrorBody>('POST', '/api/v1/day-close', { json: { denominations: { '200': 1, '100': 1, '50': 1 } }, key: f.keys.front_desk });
    expect(r.status).toBe(422);
    expect(r.body.error).toMatchObject({ code: 'variance_reason_required', details: { variance: -5000 } });
    expect(r.body.error.message).toContain('-₹50.00');
    expect(f.s.eventCount()).toBe(before);
  });

  test('counted as expected: closed with no variance; closing again is 409', async () => {
    const r = await f.call<Counter>('POST', '/api/v1/day-close', { json: { denominations: { '200': 2, '10': 0 } }, key: f.keys.front_desk, headers: { 'idempotency-key': 'close-meera-2026-12-01' } });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      business_date: '2026-12-01',
      user_id: f.userIds.front_desk,
      closed: true,
      expected: methods(40000, 10000),
      counted_cash: inr(40000),
      denominations: { '200': 2 },
      variance: inr(0),
      reason: null,
    });
    const replay = await f.call<Counter>('POST', '/api/v1/day-close', { json: { denominations: { '200': 2, '10': 0 } }, key: f.keys.front_desk, headers: { 'idempotency-key': 'close-meera-2026-12-01' } });
    expect([replay.status, replay.body]).toEqual([201, r.body]);
    const before = f.s.eventCount();
    const again = await f.call<ErrorBody>('POST', '/api/v1/day-close', { json: { business_date: '2026-12-01', denominations: { '200': 2 } }, key: f.keys.front_desk });
    expect([again.status, again.body.error.code]).toEqual([409, 'day_closed']);
    expect(f.s.eventCount()).toBe(before);
  });

  test('short with a reason: closed with the variance and the reason', async () => {
    const r = await f.call<Counter>('POST', '/api/v1/day-close', { json: { denominations: { '20': 2 }, reason: 'gave ₹10 change from the tip jar' }, key: ravi.key });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ expected: methods(4000 + 1000, 0, 20000), counted_cash: inr(4000), variance: inr(-1000), reason: 'gave ₹10 change from the tip jar' });
  });

  test('after closing, that counter’s payments fall on the next business day; other counters stay on today', async () => {
    const meeraLate = await f.call<Payment>('POST', '/api/v1/payments', { json: { invoice_id: invoice1, amount: inr(5400), method: 'cash' }, key: f.keys.front_desk });
    expect([meeraLate.status, meeraLate.body.business_date]).toEqual([201, '2026-12-02']);
    const binaLate = await f.call<Payment>('POST', '/api/v1/payments', { json: { invoice_id: invoice1, amount: inr(1000), method: 'cash' }, key: f.keys.billing });
    expect(binaLate.body.business_date).toBe('2026-12-01');
    const c = await counters();
    // the closed counter keeps what it closed with; the open one moves
    expect(c.meera).toMatchObject({ closed: true, expected: methods(40000, 10000) });
    expect(c.bina).toMatchObject({ closed: false, expected: methods(-1000) });
    expect((await counters(f.keys.owner, '2026-12-02')).meera).toMatchObject({ closed: false, expected: methods(5400) });
    // meera can close her next business day now, not the one after
    const early = await f.call<ErrorBody>('POST', '/api/v1/day-close', { json: { business_date: '2026-12-03', denominations: {} }, key: f.keys.front_desk });
    expect([early.status, early.body.error.code]).toEqual([422, 'invalid_business_date']);
  });

  test('front desk sees only their own counter; doctors may not close or see counters', async () => {
    const own = await counters(f.keys.front_desk);
    expect(Object.keys(own)).toEqual(['meera']);
    expect((await f.call('GET', '/api/v1/day-close', { key: f.keys.doctor })).status).toBe(403);
    const before = f.s.eventCount();
    expect((await f.call('POST', '/api/v1/day-close', { json: { denominations: {} }, key: f.keys.doctor })).status).toBe(403);
    expect(f.s.eventCount()).toBe(before);
  });

  test('an earlier day without collections closes with nothing expected', async () => {
    const r = await f.call<Counter>('POST', '/api/v1/day-close', { json: { business_date: '2026-11-30', denominations: {} }, key: f.keys.billing });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ business_date: '2026-11-30', expected: methods(0), counted_cash: inr(0), variance: inr(0) });
  });
});

describe('OpenAPI', () => {
  test('the billing routes are described with tags, summaries and money schemas', async () => {
    const spec = (await (await fetch(`${f.s.url}/openapi/json`)).json()) as { paths: Record<string, Record<string, { tags?: string[]; summary?: string; requestBody?: unknown }>> };
    const routes = [
      ['/api/v1/prices', 'get'],
      ['/api/v1/prices/{item_code}', 'put'],
      ['/api/v1/prices/{item_code}', 'delete'],
      ['/api/v1/deposit-rules', 'put'],
      ['/api/v1/deposits/due', 'get'],
      ['/api/v1/billing-policy', 'put'],
      ['/api/v1/invoices', 'post'],
      ['/api/v1/invoices/{id}', 'get'],
      ['/api/v1/invoices/{id}/credit-notes', 'post'],
      ['/api/v1/payments', 'post'],
      ['/api/v1/payments', 'get'],
      ['/api/v1/payments/{id}', 'get'],
      ['/api/v1/refunds', 'post'],
      ['/api/v1/refunds/{id}', 'get'],
      ['/api/v1/appointments/{id}/refund-deposits', 'post'],
      ['/api/v1/day-close', 'post'],
      ['/api/v1/day-close', 'get'],
      ['/api/v1/reports/collections', 'get'],
    ];
    for (const [path, method] of routes) {
      const op = spec.paths[path]?.[method];
      expect({ path, method, tags: op?.tags, summary: typeof op?.summary }).toEqual({ path, method, tags: ['billing'], summary: 'string' });
    }
    expect(JSON.stringify(spec.paths['/api/v1/payments'].post.requestBody)).toContain('"INR"');
  });
});
