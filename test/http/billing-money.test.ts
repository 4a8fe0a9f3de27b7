// Money through the REST API on a real server: the price list, a hand-computed table of
// invoices (GST per line, CGST/SGST split, document types), split payments, credit notes,
// refunds, roles, other branches and a table of bad input. Integer paise throughout.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { billingFixture, type BillingFixture, type ErrorBody, inr, type Money } from './billing-fixture';

type Line = { item_code: string; description: string; qty: number; taxable: Money; tax_rate: number; exempt: boolean; cgst: Money; sgst: Money; total: Money; discount: Money };
type Invoice = {
  id: string;
  number: string;
  document_type: string;
  lines: Line[];
  subtotal: Money;
  discount: Money;
  cgst: Money;
  sgst: Money;
  total: Money;
  credited: Money;
  paid: Money;
  balance: Money;
  payments: Payment[];
  credit_notes: { id: string; number: string; total: Money; reason: string }[];
};
type Payment = { id: string; receipt_number: string; kind: string; amount: Money; method: string; reference: string | null; upi_vpa: string | null; card_last4: string | null; card_auth_code: string | null; business_date: string; collected_by: string };
type Price = { item_code: string; name: string; unit_price: Money; tax_rate: number; exempt: boolean; effective_from: string };

let f: BillingFixture;
beforeAll(async () => {
  f = await billingFixture('2026-12-01T03:00:00Z'); // 08:30 IST, Tuesday 1 December 2026
});
afterAll(() => f.s.stop());

const prices: [string, Record<string, unknown>][] = [
  ['CONS', { name: 'Consultation', kind: 'consultation', sac_hsn: '999312', unit_price: inr(50000), tax_rate: 0 }],
  ['NEB', { name: 'Nebulisation', kind: 'procedure', sac_hsn: '999319', unit_price: inr(3333), tax_rate: 18 }],
  ['BAND', { name: 'Crepe bandage', kind: 'other', sac_hsn: '3005', unit_price: inr(10010), tax_rate: 5 }],
  ['XRAY', { name: 'X-ray film', kind: 'lab', sac_hsn: '3701', unit_price: inr(4750), tax_rate: 12 }],
];

describe('price list', () => {
  test('an admin sets prices; everyone who bills reads them, with money as paise in INR', async () => {
    for (const [code, body] of prices) {
      const r = await f.call<Price>('PUT', `/api/v1/prices/${code.toLowerCase()}`, { json: body, key: f.keys.admin });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ item_code: code, unit_price: body.unit_price as Money, tax_rate: body.tax_rate as number, exempt: body.tax_rate === 0, effective_from: '2026-12-01' });
    }
    const list = await f.call<{ items: Price[]; next_cursor: null }>('GET', '/api/v1/prices', { key: f.keys.doctor });
    expect(list.status).toBe(200);
    expect(list.body.next_cursor).toBeNull();
    expect(list.body.items.map((p) => [p.item_code, p.unit_price.amount, p.tax_rate])).toEqual([
      ['BAND', 10010, 5],
      ['CONS', 50000, 0],
      ['NEB', 3333, 18],
      ['XRAY', 4750, 12],
    ]);
  });

  test('a new price applies from its date; a retired item leaves the list from its date', async () => {
    expect((await f.call('PUT', '/api/v1/prices/CONS', { json: { ...prices[0][1], unit_price: inr(60000), effective_from: '2026-12-15' } })).status).toBe(200);
    expect((await f.call('DELETE', '/api/v1/prices/XRAY?effective_from=2026-12-10')).status).toBe(200);
    const on = async (date: string) => ((await f.call<{ items: Price[] }>('GET', `/api/v1/prices?date=${date}`)).body.items.map((p) => `${p.item_code}:${p.unit_price.amount}`));
    expect(await on('2026-12-01')).toEqual(['BAND:10010', 'CONS:50000', 'NEB:3333', 'XRAY:4750']);
    expect(await on('2026-12-10')).toEqual(['BAND:10010', 'CONS:50000', 'NEB:3333']);
    expect(await on('2026-12-15')).toEqual(['BAND:10010', 'CONS:60000', 'NEB:3333']);
    expect((await f.call('DELETE', '/api/v1/prices/NOPE')).status).toBe(404);
  });

  test('front desk and doctors may not set prices; nothing is recorded', async () => {
    const before = f.s.eventCount();
    for (const key of [f.keys.front_desk, f.keys.doctor, f.keys.billing]) {
      const r = await f.call<ErrorBody>('PUT', '/api/v1/prices/CONS', { json: { ...prices[0][1], unit_price: inr(1) }, key });
      expect(r.status).toBe(403);
      expect((await f.call('DELETE', '/api/v1/prices/CONS', { key })).status).toBe(403);
    }
    expect(f.s.eventCount()).toBe(before);
  });
});

// Hand-computed: GST per line = taxable × rate, rounded half up to the paisa; CGST is the
// lower half, SGST takes the odd paisa.
interface InvoiceCase {
  what: string;
  lines: Record<string, unknown>[];
  lineTax: [number, number][]; // [cgst, sgst] per line
  subtotal: number;
  discount: number;
  cgst: number;
  sgst: number;
  total: number;
  type: 'bill_of_supply' | 'invoice_cum_bill_of_supply' | 'tax_invoice';
}

const table: InvoiceCase[] = [
  { what: 'an exempt consultation only', lines: [{ item_code: 'CONS', qty: 1 }], lineTax: [[0, 0]], subtotal: 50000, discount: 0, cgst: 0, sgst: 0, total: 50000, type: 'bill_of_supply' },
  // 3 × ₹33.33 = ₹99.99; 18% = ₹17.9982 → ₹18.00 → 9.00 + 9.00
  { what: '3 × ₹33.33 at 18%', lines: [{ item_code: 'NEB', qty: 3 }], lineTax: [[900, 900]], subtotal: 9999, discount: 0, cgst: 900, sgst: 900, total: 11799, type: 'tax_invoice' },
  // ₹100.10 at 5% = ₹5.005 → ₹5.01 → 2.50 + 2.51; 2 × ₹47.50 at 12% = ₹11.40 → 5.70 + 5.70
  {
    what: 'exempt consultation with 18%, 5% and 12% items',
    lines: [{ item_code: 'CONS', qty: 1 }, { item_code: 'NEB', qty: 3 }, { item_code: 'BAND', qty: 1 }, { item_code: 'XRAY', qty: 2 }],
    lineTax: [[0, 0], [900, 900], [250, 251], [570, 570]],
    subtotal: 50000 + 9999 + 10010 + 9500,
    discount: 0,
    cgst: 1720,
    sgst: 1721,
    total: 82950,
    type: 'invoice_cum_bill_of_supply',
  },
  // ₹999.99 − ₹33.33 = ₹966.66; 18% = ₹173.9988 → ₹174.00 → 87 + 87
  // 7 × ₹11.11 = ₹77.77 − ₹0.01 = ₹77.76; 5% = ₹3.888 → ₹3.89 → 1.94 + 1.95
  {
    what: 'discounts with reasons, items not in the price list',
    lines: [
      { item_code: 'PROC', description: 'Minor procedure', qty: 1, unit_price: inr(99999), tax_rate: 18, discount: inr(3333), discount_reason: 'senior citizen' },
      { item_code: 'dress', description: 'Dressing', qty: 7, unit_price: inr(1111), tax_rate: 5, discount: inr(1), discount_reason: 'round off' },
    ],
    lineTax: [[8700, 8700], [194, 195]],
    subtotal: 96666 + 7776,
    discount: 3334,
    cgst: 8894,
    sgst: 8895,
    total: 114066 + 8165,
    type: 'tax_invoice',
  },
  // three lines of ₹0.10 at 5%: ₹0.005 each → ₹0.01 per line (₹0.03), where rounding the
  // invoice once would give ₹0.02: GST is rounded per line
  {
    what: 'GST rounded per line, not per invoice',
    lines: [1, 2, 3].map((n) => ({ item_code: `GAUZE${n}`, description: 'Gauze swab', qty: 1, unit_price: inr(10), tax_rate: 5 })),
    lineTax: [[0, 1], [0, 1], [0, 1]],
    subtotal: 30,
    discount: 0,
    cgst: 0,
    sgst: 3,
    total: 33,
    type: 'tax_invoice',
  },
  // ₹123.45 at 28% = ₹34.566 → ₹34.57 → 17.28 + 17.29
  { what: '28% with an odd paisa', lines: [{ item_code: 'MISC', description: 'Appliance', qty: 1, unit_price: inr(12345), tax_rate: 28 }], lineTax: [[1728, 1729]], subtotal: 12345, discount: 0, cgst: 1728, sgst: 1729, total: 15802, type: 'tax_invoice' },
  // a listed exempt item at another price stays exempt
  { what: 'a listed item at a price given on the line', lines: [{ item_code: 'CONS', qty: 1, unit_price: inr(30000) }], lineTax: [[0, 0]], subtotal: 30000, discount: 0, cgst: 0, sgst: 0, total: 30000, type: 'bill_of_supply' },
];

const invoices: Invoice[] = [];

describe('invoices: the money table', () => {
  test.each(table.map((c, i) => [c.what, c, i] as const))('%s', async (_what, c, i) => {
    const before = f.s.eventCount();
    const r = await f.call<Invoice>('POST', '/api/v1/invoices', { json: { patient_id: f.patientId, lines: c.lines }, key: f.keys.billing });
    expect(r.status).toBe(201);
    const inv = r.body;
    expect(r.headers.get('location')).toBe(`/api/v1/invoices/${inv.id}`);
    expect(inv.number).toBe(`BLR1/I2627/${String(i + 1).padStart(5, '0')}`);
    expect(inv.lines.map((l) => [l.cgst.amount, l.sgst.amount])).toEqual(c.lineTax);
    expect(inv.lines.every((l) => l.total.amount === l.taxable.amount + l.cgst.amount + l.sgst.amount)).toBe(true);
    expect({ subtotal: inv.subtotal, discount: inv.discount, cgst: inv.cgst, sgst: inv.sgst, total: inv.total, paid: inv.paid, balance: inv.balance, type: inv.document_type }).toEqual({
      subtotal: inr(c.subtotal),
      discount: inr(c.discount),
      cgst: inr(c.cgst),
      sgst: inr(c.sgst),
      total: inr(c.total),
      paid: inr(0),
      balance: inr(c.total),
      type: c.type,
    });
    expect(f.s.eventCount()).toBe(before + 1);
    const again = await f.call<Invoice>('GET', `/api/v1/invoices/${inv.id}`, { key: f.keys.doctor });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(inv);
    invoices.push(inv);
  });

  test('item codes, descriptions and exemption come from the price list', () => {
    const mixed = invoices[2];
    expect(mixed.lines.map((l) => [l.item_code, l.description, l.tax_rate, l.exempt])).toEqual([
      ['CONS', 'Consultation', 0, true],
      ['NEB', 'Nebulisation', 18, false],
      ['BAND', 'Crepe bandage', 5, false],
      ['XRAY', 'X-ray film', 12, false],
    ]);
    expect(invoices[3].lines[1].item_code).toBe('DRESS');
  });

  test('listing by patient and by date', async () => {
    const byPatient = await f.call<{ items: Invoice[]; next_cursor: string | null }>('GET', `/api/v1/invoices?patient_id=${f.patientId}&limit=4`);
    expect(byPatient.body.items.map((i) => i.number)).toEqual(invoices.slice(0, 4).map((i) => i.number));
    const rest = await f.call<{ items: Invoice[]; next_cursor: string | null }>('GET', `/api/v1/invoices?patient_id=${f.patientId}&limit=4&cursor=${byPatient.body.next_cursor}`);
    expect(rest.body.items.map((i) => i.number)).toEqual(invoices.slice(4).map((i) => i.number));
    expect(rest.body.next_cursor).toBeNull();
    expect((await f.call<{ items: Invoice[] }>('GET', '/api/v1/invoices?date=2026-12-01')).body.items).toHaveLength(invoices.length);
    expect((await f.call<{ items: Invoice[] }>('GET', '/api/v1/invoices?date=2026-11-30')).body.items).toHaveLength(0);
  });

  test('a discount needs a role allowed to give it: front desk → 403, nothing recorded', async () => {
    const before = f.s.eventCount();
    const r = await f.call<ErrorBody>('POST', '/api/v1/invoices', { json: { patient_id: f.patientId, lines: [{ ...table[3].lines[0] }] }, key: f.keys.front_desk });
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('discount_forbidden');
    expect((await f.call('POST', '/api/v1/invoices', { json: { patient_id: f.patientId, lines: [{ item_code: 'CONS', qty: 1 }] }, key: f.keys.doctor })).status).toBe(403);
    expect(f.s.eventCount()).toBe(before);
  });
});

describe('split payments, credit notes and refunds', () => {
  let inv: Invoice;
  let cash: Payment;
  test('the mixed invoice paid cash + UPI + card; more than the balance is refused', async () => {
    inv = invoices[2]; // ₹829.50
    const pay = (body: Record<string, unknown>) => f.call<Payment & ErrorBody>('POST', '/api/v1/payments', { json: { invoice_id: inv.id, ...body }, key: f.keys.front_desk });
    const a = await pay({ amount: inr(50000), method: 'cash' });
    expect(a.status).toBe(201);
    cash = a.body;
    expect(a.body).toMatchObject({ receipt_number: 'BLR1/26-27/00001', kind: 'balance', amount: inr(50000), method: 'cash', business_date: '2026-12-01', collected_by: f.userIds.front_desk });
    const b = await pay({ amount: inr(20000), method: 'upi', reference: '412345678901', upi_vpa: 'asha@okaxis' });
    expect(b.status).toBe(201);
    expect(b.body).toMatchObject({ receipt_number: 'BLR1/26-27/00002', method: 'upi', reference: '412345678901', upi_vpa: 'asha@okaxis' });

    const before = f.s.eventCount();
    const over = await pay({ amount: inr(12951), method: 'card', card_last4: '4242' });
    expect(over.status).toBe(422);
    expect(over.body.error).toMatchObject({ code: 'overpayment', details: { balance: 12950 } });
    expect(over.body.error.message).toContain('₹129.50');
    expect(f.s.eventCount()).toBe(before);

    const c = await pay({ amount: inr(12950), method: 'card', card_last4: '4242', card_auth_code: 'A1B2C3' });
    expect(c.status).toBe(201);
    expect(c.body).toMatchObject({ receipt_number: 'BLR1/26-27/00003', method: 'card', card_last4: '4242', card_auth_code: 'A1B2C3' });
    const paid = (await f.call<Invoice>('GET', `/api/v1/invoices/${inv.id}`)).body;
    expect([paid.paid, paid.balance]).toEqual([inr(82950), inr(0)]);
    expect(paid.payments.map((p) => [p.method, p.amount.amount])).toEqual([['cash', 50000], ['upi', 20000], ['card', 12950]]);
    const full = await pay({ amount: inr(1), method: 'cash' });
    expect(full.status).toBe(422);
    expect(full.body.error.code).toBe('overpayment');

    const listed = await f.call<{ items: Payment[] }>('GET', `/api/v1/payments?date=2026-12-01&method=upi`, { key: f.keys.doctor });
    expect(listed.body.items.map((p) => p.receipt_number)).toEqual(['BLR1/26-27/00002']);
    const mine = await f.call<{ items: Payment[] }>('GET', `/api/v1/payments?user_id=${f.userIds.front_desk}`);
    expect(mine.body.items).toHaveLength(3);
  });

  test('a credit note takes value off the invoice; the overpaid part is refunded to the original method', async () => {
    expect((await f.call('POST', `/api/v1/invoices/${inv.id}/credit-notes`, { json: { lines: [{ item_code: 'NEB', qty: 1 }], reason: 'one session not given' }, key: f.keys.front_desk })).status).toBe(403);
    // 1 × ₹33.33 at 18% = ₹5.9994 → ₹6.00 → ₹39.33
    const cn = await f.call<{ id: string; number: string; total: Money; cgst: Money; sgst: Money; invoice: { credited: Money; paid: Money; balance: Money } }>(
      'POST',
      `/api/v1/invoices/${inv.id}/credit-notes`,
      { json: { lines: [{ item_code: 'NEB', qty: 1 }], reason: 'one session not given' }, key: f.keys.billing },
    );
    expect(cn.status).toBe(201);
    expect(cn.body).toMatchObject({ number: 'BLR1/C2627/00001', total: inr(3933), cgst: inr(300), sgst: inr(300), invoice: { credited: inr(3933), paid: inr(82950), balance: inr(-3933) } });

    const before = f.s.eventCount();
    const tooMuch = await f.call<ErrorBody>('POST', `/api/v1/invoices/${inv.id}/credit-notes`, { json: { lines: [{ item_code: 'MISC', description: 'x', qty: 1, unit_price: inr(79018), tax_rate: 0 }], reason: 'too much' }, key: f.keys.billing });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body.error).toMatchObject({ code: 'credit_exceeds_invoice', details: { creditable: 79017 } });
    expect(f.s.eventCount()).toBe(before);

    const refund = await f.call<{ id: string; receipt_number: string; method: string; amount: Money; payment_id: string }>('POST', '/api/v1/refunds', { json: { payment_id: cash.id, amount: inr(3933), reason: 'credit note BLR1/C2627/00001' }, key: f.keys.billing });
    expect(refund.status).toBe(201);
    expect(refund.body).toMatchObject({ receipt_number: 'BLR1/R2627/00001', method: 'cash', amount: inr(3933), payment_id: cash.id });
    expect(refund.headers.get('location')).toBe(`/api/v1/refunds/${refund.body.id}`);
    expect((await f.call('GET', `/api/v1/refunds/${refund.body.id}`)).body).toEqual(refund.body);

    const after = (await f.call<Invoice>('GET', `/api/v1/invoices/${inv.id}`)).body;
    expect([after.total, after.credited, after.paid, after.balance]).toEqual([inr(82950), inr(3933), inr(79017), inr(0)]);
    expect(after.credit_notes.map((c) => [c.number, c.total.amount, c.reason])).toEqual([['BLR1/C2627/00001', 3933, 'one session not given']]);
    const p = (await f.call<Payment & { refunded: Money; refunds: { id: string }[] }>('GET', `/api/v1/payments/${cash.id}`)).body;
    expect([p.refunded, p.refunds.map((r) => r.id)]).toEqual([inr(3933), [refund.body.id]]);
  });

  test('refunding more than is left of a payment → 422 refund_exceeds_paid, nothing recorded', async () => {
    const before = f.s.eventCount();
    const r = await f.call<ErrorBody>('POST', '/api/v1/refunds', { json: { payment_id: cash.id, amount: inr(50000 - 3933 + 1), reason: 'all of it' }, key: f.keys.billing });
    expect(r.status).toBe(422);
    expect(r.body.error).toMatchObject({ code: 'refund_exceeds_paid', details: { refundable: 46067 } });
    expect(f.s.eventCount()).toBe(before);
    // the next refund still gets the next number: the refused one took none
    const ok = await f.call<{ receipt_number: string }>('POST', '/api/v1/refunds', { json: { payment_id: cash.id, amount: inr(1), reason: 'a paisa' }, key: f.keys.owner });
    expect(ok.body.receipt_number).toBe('BLR1/R2627/00002');
  });

  test('doctors and front desk may not refund; the same Idempotency-Key twice is one payment', async () => {
    const before = f.s.eventCount();
    for (const key of [f.keys.doctor, f.keys.front_desk]) {
      const r = await f.call<ErrorBody>('POST', '/api/v1/refunds', { json: { payment_id: cash.id, amount: inr(1), reason: 'x' }, key });
      expect(r.status).toBe(403);
    }
    expect(f.s.eventCount()).toBe(before);
    const body = { invoice_id: invoices[0].id, amount: inr(10000), method: 'cash' };
    const headers = { 'idempotency-key': 'desk-1-pay-0001' };
    const first = await f.call<Payment>('POST', '/api/v1/payments', { json: body, headers, key: f.keys.front_desk });
    const second = await f.call<Payment>('POST', '/api/v1/payments', { json: body, headers, key: f.keys.front_desk });
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(f.s.eventCount()).toBe(before + 1);
    const reused = await f.call<ErrorBody>('POST', '/api/v1/payments', { json: { ...body, amount: inr(10001) }, headers, key: f.keys.front_desk });
    expect(reused.status).toBe(422);
    expect(reused.body.error.code).toBe('idempotency_key_reused');
    expect(f.s.eventCount()).toBe(before + 1);
  });
});

describe('another branch', () => {
  test("its invoices, payments and refunds are not found from here, and can't be paid or credited", async () => {
    const mys = f.s.addBranch('MYS1', 'Mysuru');
    const h = { 'x-branch-id': mys };
    const inv = invoices[0];
    const pay = (await f.call<{ items: Payment[] }>('GET', `/api/v1/payments?invoice_id=${inv.id}`)).body.items[0];
    const before = f.s.eventCount();
    expect((await f.call('GET', `/api/v1/invoices/${inv.id}`, { headers: h })).status).toBe(404);
    expect((await f.call('GET', `/api/v1/payments/${pay.id}`, { headers: h })).status).toBe(404);
    expect((await f.call<{ items: unknown[] }>('GET', `/api/v1/invoices?patient_id=${f.patientId}`, { headers: h })).body.items).toEqual([]);
    expect((await f.call('POST', `/api/v1/invoices/${inv.id}/credit-notes`, { headers: h, json: { lines: [{ item_code: 'CONS', qty: 1 }], reason: 'x' } })).status).toBe(404);
    expect((await f.call('POST', '/api/v1/refunds', { headers: h, json: { payment_id: pay.id, amount: inr(1), reason: 'x' } })).status).toBe(404);
    const p = await f.call<ErrorBody>('POST', '/api/v1/payments', { headers: h, json: { invoice_id: inv.id, amount: inr(1), method: 'cash' } });
    expect([p.status, p.body.error.code]).toEqual([422, 'unknown_invoice']);
    const i = await f.call<ErrorBody>('POST', '/api/v1/invoices', { headers: h, json: { patient_id: f.patientId, lines: [{ item_code: 'X', description: 'x', qty: 1, unit_price: inr(100), tax_rate: 0 }] } });
    expect([i.status, i.body.error.code]).toEqual([422, 'unknown_patient']);
    // the front desk of BLR1 may not act in MYS1 at all
    expect((await f.call('GET', `/api/v1/invoices/${inv.id}`, { headers: h, key: f.keys.front_desk })).status).toBe(403);
    expect(f.s.eventCount()).toBe(before);
  });
});

describe('bad input', () => {
  interface Case {
    what: string;
    method?: string;
    path: string | (() => string);
    json?: unknown;
    raw?: string;
    headers?: Record<string, string>;
    status: number;
    code?: string;
  }
  const inv = () => invoices[1].id; // ₹117.99, unpaid
  const pay = (o: Record<string, unknown>) => ({ path: '/api/v1/payments', json: () => ({ invoice_id: inv(), amount: inr(100), method: 'cash', ...o }) });
  const line = { item_code: 'X1', description: 'Item', qty: 1, unit_price: inr(100), tax_rate: 18 };
  const cases: (Omit<Case, 'json'> & { json?: unknown | (() => unknown) })[] = [
    // payments
    { what: 'amount as a number instead of money', ...pay({ amount: 100 }), status: 400, code: 'invalid_request' },
    { what: 'amount as a string', ...pay({ amount: { amount: '100', currency: 'INR' } }), status: 400 },
    { what: 'a negative amount', ...pay({ amount: inr(-100) }), status: 400 },
    { what: 'a zero amount', ...pay({ amount: inr(0) }), status: 400 },
    { what: 'fractional paise', ...pay({ amount: inr(100.5) }), status: 400 },
    { what: 'rupees as a decimal string', ...pay({ amount: { amount: '1.00', currency: 'INR' } }), status: 400 },
    { what: 'currency USD', ...pay({ amount: { amount: 100, currency: 'USD' } }), status: 400 },
    { what: 'currency inr in lower case', ...pay({ amount: { amount: 100, currency: 'inr' } }), status: 400 },
    { what: 'money without a currency', ...pay({ amount: { amount: 100 } }), status: 400 },
    { what: 'money with an extra field', ...pay({ amount: { amount: 100, currency: 'INR', paise: true } }), status: 400 },
    { what: 'an absurd amount', ...pay({ amount: inr(1e15) }), status: 400 },
    { what: 'an unknown method', ...pay({ method: 'cheque' }), status: 400 },
    { what: 'method online (gateway only)', ...pay({ method: 'online' }), status: 400 },
    { what: 'card without last 4 digits', ...pay({ method: 'card' }), status: 422, code: 'invalid_card_last4' },
    { what: 'card last 4 not digits', ...pay({ method: 'card', card_last4: 'abcd' }), status: 422, code: 'invalid_card_last4' },
    { what: 'card last 5 digits', ...pay({ method: 'card', card_last4: '12345' }), status: 400 },
    { what: 'card digits on a cash payment', ...pay({ card_last4: '4242' }), status: 422, code: 'invalid_card_last4' },
    { what: 'a bad card auth code', ...pay({ method: 'card', card_last4: '4242', card_auth_code: 'a b' }), status: 422, code: 'invalid_card_auth_code' },
    { what: 'UPI without reference', ...pay({ method: 'upi', upi_vpa: 'asha@okaxis' }), status: 422, code: 'reference_required' },
    { what: 'UPI with a malformed VPA', ...pay({ method: 'upi', reference: '412345678901', upi_vpa: 'asha' }), status: 422, code: 'invalid_upi_vpa' },
    { what: 'an unknown field', ...pay({ tip: inr(100) }), status: 400 },
    { what: 'neither invoice nor appointment', path: '/api/v1/payments', json: { amount: inr(100), method: 'cash' }, status: 422, code: 'invoice_or_appointment' },
    { what: 'an unknown invoice', ...pay({ invoice_id: '01a20000-0000-7000-8000-000000000000' }), status: 422, code: 'unknown_invoice' },
    { what: 'an SQL-ish invoice id', ...pay({ invoice_id: "1' OR '1'='1" }), status: 422, code: 'unknown_invoice' },
    { what: 'an unknown appointment', ...pay({ invoice_id: undefined, appointment_id: '01a20000-0000-7000-8000-000000000000' }), status: 422, code: 'unknown_appointment' },
    { what: 'a reference with a control character', ...pay({ reference: 'ab\u0000c' }), status: 422, code: 'invalid_reference' },
    { what: 'malformed JSON', path: '/api/v1/payments', raw: '{"amount":', status: 400, code: 'malformed_body' },
    { what: 'a JSON array', path: '/api/v1/payments', json: [], status: 400 },
    { what: 'an Idempotency-Key with spaces', ...pay({}), headers: { 'idempotency-key': 'not a key' }, status: 400, code: 'invalid_idempotency_key' },
    // invoices
    { what: 'an invoice without lines', path: '/api/v1/invoices', json: () => ({ patient_id: f.patientId, lines: [] }), status: 400 },
    { what: 'qty 0', path: '/api/v1/invoices', json: () => ({ patient_id: f.patientId, lines: [{ ...line, qty: 0 }] }), status: 400 },
    { what: 'qty 1.5', path: '/api/v1/invoices', json: () => ({ patient_id: f.patientId, lines: [{ ...line, qty: 1.5 }] }), status: 400 },
    { what: 'qty as a string', path: '/api/v1/invoices', json: () => ({ patient_id: f.patientId, lines: [{ ...line, qty: '2' }] }), status: 400 },
    { what: 'a tax rate as a string', path: '/api/v1/invoices', json: () => ({ patient_id: f.patientId, lines: [{ ...line, tax_rate: '18' }] }), status: 400 },
    { what: 'unit price as a number', path: '/api/v1/invoices', json: () => ({ patient_id: f.patientId, lines: [{ ...line, unit_price: 100 }] }), status: 400 },
    { what: 'unit price in USD', path: '/api/v1/invoices', json: () => ({ patient_id: f.patientId, lines: [{ ...line, unit_price: { amount: 100, currency: 'USD' } }] }), status: 400 },
    { what: 'a tax rate with three decimals', path: '/api/v1/invoices', json: () => ({ patient_id: f.patientId, lines: [{ ...line, tax_rate: 18.005 }] }), status: 422, code: 'invalid_tax_rate' },
    { what: 'a tax rate over 100', path: '/api/v1/invoices', json: () => ({ patient_id: f.patientId, lines: [{ ...line, tax_rate: 118 }] }), status: 400 },
    { what: 'a negative tax rate', path: '/api/v1/invoices', json: () => ({ patient_id: f.patientId, lines: [{ ...line, tax_rate: -18 }] }), status: 400 },
    { what: 'an item not in the price list without a price', path: '/api/v1/invoices', json: () => ({ patient_id: f.patientId, lines: [{ item_code: 'ZZZ', qty: 1 }] }), status: 422, code: 'unknown_item' },
    { what: 'a discount larger than the line', path: '/api/v1/invoices', json: () => ({ patient_id: f.patientId, lines: [{ ...line, discount: inr(101), discount_reason: 'x' }] }), status: 422, code: 'invalid_discount' },
    { what: 'a discount without a reason', path: '/api/v1/invoices', json: () => ({ patient_id: f.patientId, lines: [{ ...line, discount: inr(10) }] }), status: 422, code: 'discount_reason_required' },
    { what: 'a discount as a number', path: '/api/v1/invoices', json: () => ({ patient_id: f.patientId, lines: [{ ...line, discount: 10, discount_reason: 'x' }] }), status: 400 },
    { what: 'an unknown patient', path: '/api/v1/invoices', json: { patient_id: '01a20000-0000-7000-8000-000000000000', lines: [line] }, status: 422, code: 'unknown_patient' },
    { what: 'an unknown field on a line', path: '/api/v1/invoices', json: () => ({ patient_id: f.patientId, lines: [{ ...line, hsn: '9993' }] }), status: 400 },
    { what: 'another patient’s appointment', path: '/api/v1/invoices', json: () => ({ patient_id: f.addPatient('Ravi Iyer'), appointment_id: f.book('2026-12-01T12:00:00+05:30'), lines: [line] }), status: 422, code: 'unknown_appointment' },
    // refunds and credit notes
    { what: 'a refund amount as a number', path: '/api/v1/refunds', json: () => ({ payment_id: invoices[0].id, amount: 100, reason: 'x' }), status: 400 },
    { what: 'a refund without a reason', path: '/api/v1/refunds', json: { payment_id: '01a20000-0000-7000-8000-000000000000', amount: inr(100) }, status: 400 },
    { what: 'a refund of an unknown payment', path: '/api/v1/refunds', json: { payment_id: '01a20000-0000-7000-8000-000000000000', amount: inr(100), reason: 'x' }, status: 404 },
    { what: 'a credit note without a reason', path: () => `/api/v1/invoices/${inv()}/credit-notes`, json: { lines: [line], reason: ' ' }, status: 422, code: 'invalid_reason' },
    { what: 'a credit note on an unknown invoice', path: '/api/v1/invoices/01a20000-0000-7000-8000-000000000000/credit-notes', json: { lines: [line], reason: 'x' }, status: 404 },
    // settings
    { what: 'a price with a three-decimal tax rate', method: 'PUT', path: '/api/v1/prices/ABC', json: { name: 'A', kind: 'other', unit_price: inr(100), tax_rate: 12.345 }, status: 422, code: 'invalid_tax_rate' },
    { what: 'a price as a number', method: 'PUT', path: '/api/v1/prices/ABC', json: { name: 'A', kind: 'other', unit_price: 100, tax_rate: 12 }, status: 400 },
    { what: 'a price of an unknown kind', method: 'PUT', path: '/api/v1/prices/ABC', json: { name: 'A', kind: 'medicine', unit_price: inr(100), tax_rate: 12 }, status: 400 },
    { what: 'an item code with spaces', method: 'PUT', path: '/api/v1/prices/A%20B', json: { name: 'A', kind: 'other', unit_price: inr(100), tax_rate: 12 }, status: 422, code: 'invalid_item_code' },
    { what: 'a SAC code of letters', method: 'PUT', path: '/api/v1/prices/ABC', json: { name: 'A', kind: 'other', sac_hsn: 'abcd', unit_price: inr(100), tax_rate: 12 }, status: 422, code: 'invalid_sac_hsn' },
    { what: 'an exempt item with a tax rate', method: 'PUT', path: '/api/v1/prices/ABC', json: { name: 'A', kind: 'other', unit_price: inr(100), tax_rate: 12, exempt: true }, status: 422, code: 'invalid_tax_rate' },
    { what: 'a price from 30 February', method: 'PUT', path: '/api/v1/prices/ABC', json: { name: 'A', kind: 'other', unit_price: inr(100), tax_rate: 12, effective_from: '2027-02-30' }, status: 422, code: 'invalid_date' },
    { what: 'a deposit amount as a bare number', method: 'PUT', path: '/api/v1/deposit-rules', json: { mode: 'in_person', kind: 'amount', value: 20 }, status: 422, code: 'invalid_value' },
    { what: 'a deposit amount of 20000 as a bare number', method: 'PUT', path: '/api/v1/deposit-rules', json: { mode: 'in_person', kind: 'amount', value: 20000 }, status: 400 },
    { what: 'a deposit percentage as money', method: 'PUT', path: '/api/v1/deposit-rules', json: { mode: 'in_person', kind: 'percent', value: inr(20) }, status: 422, code: 'invalid_value' },
    { what: 'a deposit of 150%', method: 'PUT', path: '/api/v1/deposit-rules', json: { mode: 'in_person', kind: 'percent', value: 150 }, status: 400 },
    { what: 'a deposit rule for an unknown doctor', method: 'PUT', path: '/api/v1/deposit-rules', json: { doctor_id: '01a20000-0000-7000-8000-000000000000', mode: 'tele', kind: 'percent', value: 50 }, status: 422, code: 'unknown_doctor' },
    { what: 'a policy of -1 hours', method: 'PUT', path: '/api/v1/billing-policy', json: { refundable_until_hours: -1 }, status: 400 },
    // day close
    { what: 'a ₹3 note', path: '/api/v1/day-close', json: { denominations: { '3': 1 } }, status: 422, code: 'invalid_denomination' },
    { what: 'a negative count of notes', path: '/api/v1/day-close', json: { denominations: { '500': -1 } }, status: 400 },
    { what: 'half a note', path: '/api/v1/day-close', json: { denominations: { '500': 1.5 } }, status: 400 },
    { what: 'a business date of month 13', path: '/api/v1/day-close', json: { business_date: '2026-13-01', denominations: {} }, status: 422, code: 'invalid_business_date' },
    { what: 'a business date not begun', path: '/api/v1/day-close', json: { business_date: '2026-12-05', denominations: {} }, status: 422, code: 'invalid_business_date' },
    // reading
    { what: 'an unknown invoice', method: 'GET', path: '/api/v1/invoices/01a20000-0000-7000-8000-000000000000', status: 404, code: 'not_found' },
    { what: 'a malformed invoice id', method: 'GET', path: '/api/v1/invoices/nope', status: 404, code: 'not_found' },
    { what: 'a malformed payment id', method: 'GET', path: '/api/v1/payments/nope', status: 404, code: 'not_found' },
    { what: 'a malformed refund id', method: 'GET', path: '/api/v1/refunds/nope', status: 404, code: 'not_found' },
    { what: 'a date of 31 November', method: 'GET', path: '/api/v1/payments?date=2026-11-31', status: 400, code: 'invalid_date' },
    { what: 'an unknown method filter', method: 'GET', path: '/api/v1/payments?method=cheque', status: 400 },
    { what: 'limit=0', method: 'GET', path: '/api/v1/invoices?limit=0', status: 400, code: 'invalid_limit' },
    { what: 'a forged cursor', method: 'GET', path: '/api/v1/payments?cursor=%40%40', status: 400, code: 'invalid_cursor' },
    { what: 'the deposit due for an unknown doctor', method: 'GET', path: '/api/v1/deposits/due?doctor_id=01a20000-0000-7000-8000-000000000000', status: 404 },
    { what: 'the deposit due without a doctor', method: 'GET', path: '/api/v1/deposits/due', status: 400 },
  ];

  test.each(cases.map((c) => [c.what, c] as const))('%s → documented 4xx, nothing recorded', async (_what, c) => {
    const json = typeof c.json === 'function' ? (c.json as () => unknown)() : c.json;
    const before = f.s.eventCount();
    const path = typeof c.path === 'function' ? c.path() : c.path;
    const r = await f.call<ErrorBody>(c.method ?? 'POST', path, { json, raw: c.raw, headers: c.headers, key: f.keys.owner });
    expect({ status: r.status, body: r.body }).toMatchObject({ status: c.status });
    expect(r.body.error.code).toBeString();
    expect(r.body.error.message.length).toBeGreaterThan(0);
    if (c.code) expect(r.body.error.code).toBe(c.code);
    expect(f.s.eventCount()).toBe(before);
  });
});
