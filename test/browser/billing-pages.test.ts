// The billing pages over real HTTP without a browser: a cookie session from the login form,
// CSRF on every form, the one-time form token, split payments recorded all together or not
// at all, deposits, refunds, the day close, the price list, and who may do what.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import * as B from '../../src/billing/commands';
import { parseRupees } from '../../src/billing/pages';
import { fixedClock } from '../../src/core/clock';
import { actorOf, type Scope } from '../../src/core/scope';
import type { Tx } from '../../src/core/runner';
import { registerPatient } from '../../src/patients/commands';
import * as S from '../../src/scheduling/commands';
import { OWNER, startServer, type TestServer } from '../helpers/server';
import { Client, hidden } from '../helpers/web-client';


/** 10:00 IST (04:30 UTC) on the day that keeps the pinned clock within 11 hours of the real one, so session tokens stay valid. */
function clinicMorning(): string {
  const real = Date.now();
  const at = new Date(real);
  at.setUTCHours(4, 30, 0, 0);
  while (at.getTime() < real - 11 * 3600_000) at.setUTCDate(at.getUTCDate() + 1);
  while (at.getTime() > real + 13 * 3600_000) at.setUTCDate(at.getUTCDate() - 1);
  return at.toISOString();
}

let server: TestServer;
let owner: Scope;
const clock = fixedClock(clinicMorning());
const today = new Date(clock.now().getTime() + 5.5 * 3600_000).toISOString().slice(0, 10);
let doctorId = '';
let patientId = '';
let slot = 0;

const run = <R>(fn: (tx: Tx) => R): R => server.svc.kernel.runner.run({ actor: actorOf(owner) }, fn);
/** Books the next free 15-minute slot today (from 11:00 IST) and returns the appointment id. */
function book(mode: 'in_person' | 'tele' = 'in_person'): string {
  const start = new Date(Date.parse(`${today}T11:00:00+05:30`) + 15 * 60_000 * slot++).toISOString();
  return run((tx) => S.bookAppointment(tx, owner, { patient_id: patientId, doctor_id: doctorId, start, mode }));
}
const count = (type?: string) =>
  (server.svc.kernel.db.query(`SELECT count(*) AS n FROM events ${type ? 'WHERE type = ?' : ''}`).get(...(type ? [type] : [])) as { n: number }).n;

async function signIn(client: Client, username = OWNER.username, password = OWNER.password): Promise<string> {
  const login = await client.get('/login');
  const res = await client.post('/login', { _csrf: hidden(await login.text(), '_csrf'), username, password, next: '/billing' });
  expect(res.status).toBe(303);
  const page = await client.get('/billing');
  expect(page.status).toBe(200);
  return hidden(await page.text(), '_csrf');
}

let web: Client;
let csrf: string;

beforeAll(async () => {
  server = await startServer({ clock });
  owner = { userId: server.ownerId, username: 'owner', name: 'Olivia Owner', role: 'owner', branchId: server.branchId, branchIds: [server.branchId], sessionId: 'seed', via: 'bearer' };
  patientId = run((tx) => registerPatient(tx, owner, { name: 'Asha Rao', phone: '9845012345', sex: 'female', age_years: 30 })).patient.id;
  doctorId = run((tx) => S.registerDoctor(tx, owner, { name: 'Dr Kavya Rao', specialty: 'General medicine', registration_number: 'KMC 1', slot_minutes: 15, fee: { amount: 50000, currency: 'INR' } }));
  run((tx) => S.setAvailability(tx, owner, doctorId, [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '09:00', end: '18:00' })), []));
  run((tx) => B.setPrice(tx, owner, { item_code: 'CONS', name: 'Consultation', kind: 'consultation', sac_hsn: '999312', unit_price: 40000, tax_rate: 0 }));
  run((tx) => B.setPrice(tx, owner, { item_code: 'CONS-RAO', name: 'Consultation — Dr Kavya Rao', kind: 'consultation', sac_hsn: '999312', unit_price: 50000, tax_rate: 0, doctor_id: doctorId }));
  run((tx) => B.setPrice(tx, owner, { item_code: 'DRESS', name: 'Dressing', kind: 'procedure', sac_hsn: '999319', unit_price: 20000, tax_rate: 18 }));
  run((tx) => B.setDepositRule(tx, owner, { doctor_id: null, mode: 'in_person', kind: 'amount', value: 10000 }));
  web = new Client(server.url);
  csrf = await signIn(web);
});
afterAll(() => server.stop());

describe('rupees as typed', () => {
  test('are parsed to paise from the digits', () => {
    expect(parseRupees('1,234.50', 'x')).toBe(123450);
    expect(parseRupees('₹ 1,00,000', 'x')).toBe(10000000);
    expect(parseRupees('0.07', 'x')).toBe(7);
    expect(parseRupees('19.99', 'x')).toBe(1999); // 19.99 * 100 is 1998.9999999999998 as a float
    expect(parseRupees('5.1', 'x')).toBe(510);
    expect(parseRupees('', 'x')).toBeNull();
    for (const bad of ['1.234', '-5', '1e3', 'abc', '12.3.4']) expect(() => parseRupees(bad, 'x')).toThrow(/amount in rupees/);
  });
});

describe('billing pages over HTTP', () => {
  let appointmentId = '';
  let invoiceId = '';

  test('the counter, price list, day close and reports render for the owner', async () => {
    for (const path of ['/billing', '/billing/prices', '/billing/day-close', '/billing/reports']) {
      const res = await web.get(path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/html');
    }
    expect(await (await web.get('/billing/prices')).text()).toContain('CONS-RAO');
  });

  test('a deposit at booking: the page shows what is due and takes it', async () => {
    appointmentId = book();
    const page = await web.get(`/billing/deposit?appointment_id=${appointmentId}`);
    expect(page.status).toBe(200);
    const body = await page.text();
    expect(body).toContain('Deposit due at booking');
    expect(body).toMatch(/id="deposit-left"[^>]*>₹100\.00/);
    const before = count();
    const res = await web.post('/billing/deposit', { _csrf: csrf, _form_token: hidden(body, '_form_token'), appointment_id: appointmentId, cash: '100' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(new RegExp(`^/billing/deposit\\?appointment_id=${appointmentId}&receipts=[0-9a-f-]{36}$`));
    expect(count()).toBe(before + 1);
    const after = await (await web.get(res.headers.get('location')!)).text();
    expect(after).toContain('Deposit of ₹100.00 recorded');
    expect(after).toMatch(/href="\/api\/v1\/payments\/[0-9a-f-]{36}\/receipt\.pdf\?format=thermal80"/);
    expect(after).toMatch(/id="deposit-left"[^>]*>₹0\.00/);
  });

  test('the invoice form starts with the doctor’s consultation and lists the deposit it applies', async () => {
    const res = await web.get(`/billing/invoices/new?appointment_id=${appointmentId}`);
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).toMatch(/<option value="CONS-RAO" selected/);
    expect(body).toContain('Deposits this invoice will apply');
    expect(body).toContain('BLR1/26-27/00001'.slice(0, 5)); // a receipt number of this branch
    // The owner may give discounts: the fields are there.
    expect(body).toContain('name="line_0_discount"');
  });

  test('"Add a line" sends the form back with one more line, values kept, nothing issued', async () => {
    const form = await (await web.get(`/billing/invoices/new?appointment_id=${appointmentId}`)).text();
    const before = count();
    const res = await web.post('/billing/invoices', {
      _csrf: csrf,
      _form_token: hidden(form, '_form_token'),
      appointment_id: appointmentId,
      patient_id: patientId,
      line_count: '3',
      line_0_item: 'CONS-RAO',
      line_0_qty: '1',
      line_1_item: 'DRESS',
      line_1_qty: '2',
      line_2_item: '',
      line_2_qty: '1',
      _action: 'add_line',
    });
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).toContain('name="line_3_item"');
    expect(body).toMatch(/name="line_1_qty" value="2"/);
    expect(count()).toBe(before);
  });

  test('a discount without a reason comes back with the message at its line', async () => {
    const form = await (await web.get(`/billing/invoices/new?appointment_id=${appointmentId}`)).text();
    const before = count();
    const res = await web.post('/billing/invoices', {
      _csrf: csrf,
      _form_token: hidden(form, '_form_token'),
      appointment_id: appointmentId,
      patient_id: patientId,
      line_count: '2',
      line_0_item: '',
      line_1_item: 'DRESS',
      line_1_qty: '1',
      line_1_discount: '20',
      line_1_reason: '',
    });
    expect(res.status).toBe(422);
    expect(await res.text()).toMatch(/id="f-line_1_reason-error" class="error">Line 2: give a reason for the discount/);
    expect(count()).toBe(before);
  });

  test('issuing the invoice: GST split, document title, the deposit applied, the balance', async () => {
    const form = await (await web.get(`/billing/invoices/new?appointment_id=${appointmentId}`)).text();
    const fields = {
      _csrf: csrf,
      _form_token: hidden(form, '_form_token'),
      appointment_id: appointmentId,
      patient_id: patientId,
      line_count: '3',
      line_0_item: 'CONS-RAO',
      line_0_qty: '1',
      line_1_item: 'DRESS',
      line_1_qty: '1',
      line_2_item: '',
      line_2_qty: '1',
    };
    const before = count('invoice.issued');
    const res = await web.post('/billing/invoices', fields);
    expect(res.status).toBe(303);
    const location = res.headers.get('location')!;
    expect(location).toMatch(/^\/billing\/invoices\/[0-9a-f-]{36}$/);
    invoiceId = location.split('/').pop()!;
    // Sent twice (double click): the same invoice.
    const again = await web.post('/billing/invoices', fields);
    expect(again.headers.get('location')).toBe(location);
    expect(count('invoice.issued')).toBe(before + 1);

    const body = await (await web.get(location)).text();
    expect(body).toContain('Invoice-cum-Bill of Supply');
    expect(body).toContain('BLR1/I2627/00001'.slice(0, 6));
    // ₹500 exempt + ₹200 at 18% (₹18 CGST + ₹18 SGST) = ₹736; ₹100 deposit paid → ₹636 due.
    expect(body).toContain('₹736.00');
    expect(body).toMatch(/id="balance-due"[^>]*>₹636\.00/);
    expect(body).toContain(`href="/api/v1/invoices/${invoiceId}/invoice.pdf"`);
    expect(body).toContain('name="upi_reference"');
  });

  test('a payment form without the CSRF token is refused and records nothing', async () => {
    const page = await (await web.get(`/billing/invoices/${invoiceId}`)).text();
    const before = count();
    const res = await web.post(`/billing/invoices/${invoiceId}/payments`, { _form_token: hidden(page, '_form_token'), cash: '100' });
    expect(res.status).toBe(403);
    expect(count()).toBe(before);
  });

  test('an overpaying split records nothing and says how much is due', async () => {
    const page = await (await web.get(`/billing/invoices/${invoiceId}`)).text();
    const before = count();
    const res = await web.post(`/billing/invoices/${invoiceId}/payments`, { _csrf: csrf, _form_token: hidden(page, '_form_token'), cash: '600', upi: '36.01', upi_reference: '412345678901' });
    expect(res.status).toBe(422);
    const body = await res.text();
    expect(body).toContain('The amounts add up to ₹636.01, but only ₹636.00 is due');
    expect(body).toContain('value="36.01"'); // values kept
    expect(count()).toBe(before);
  });

  test('a split whose second part is refused records neither part', async () => {
    const page = await (await web.get(`/billing/invoices/${invoiceId}`)).text();
    const before = count();
    // Cash is fine and is recorded first inside the transaction; the UPI ID is not valid.
    const res = await web.post(`/billing/invoices/${invoiceId}/payments`, {
      _csrf: csrf,
      _form_token: hidden(page, '_form_token'),
      cash: '300',
      upi: '336',
      upi_reference: '412345678901',
      upi_vpa: 'not a vpa',
    });
    expect(res.status).toBe(422);
    expect(await res.text()).toMatch(/id="f-upi_vpa-error" class="error">UPI ID must look like name@bank/);
    expect(count()).toBe(before);
    expect(server.svc.kernel.db.query('SELECT count(*) AS n FROM payments WHERE invoice_id = ? AND kind = ?').get(invoiceId, 'balance')).toEqual({ n: 0 });
  });

  test('split cash + UPI records two payments together; a double submit records them once', async () => {
    const page = await (await web.get(`/billing/invoices/${invoiceId}`)).text();
    const fields = { _csrf: csrf, _form_token: hidden(page, '_form_token'), cash: '300', upi: '3,36.00', upi_reference: '412345678901', upi_vpa: 'asha@okaxis', card: '', card_last4: '' };
    const before = count('payment.balance_paid');
    const res = await web.post(`/billing/invoices/${invoiceId}/payments`, fields);
    expect(res.status).toBe(303);
    const location = res.headers.get('location')!;
    expect(location).toMatch(new RegExp(`^/billing/invoices/${invoiceId}\\?receipts=[0-9a-f-]{36},[0-9a-f-]{36}$`));
    const again = await web.post(`/billing/invoices/${invoiceId}/payments`, fields);
    expect(again.status).toBe(303);
    expect(again.headers.get('location')).toBe(location);
    expect(count('payment.balance_paid')).toBe(before + 2);
    const rows = server.svc.kernel.db.query('SELECT method, amount, reference, upi_vpa FROM payments WHERE invoice_id = ? AND kind = ? ORDER BY method').all(invoiceId, 'balance');
    expect(rows).toEqual([
      { method: 'cash', amount: 30000, reference: null, upi_vpa: null },
      { method: 'upi', amount: 33600, reference: '412345678901', upi_vpa: 'asha@okaxis' },
    ]);
    const body = await (await web.get(location)).text();
    expect(body).toContain('Recorded ₹636.00 (cash ₹300.00, UPI ₹336.00)');
    const [cashId, upiId] = location.split('=')[1].split(',');
    for (const id of [cashId, upiId]) {
      expect(body).toContain(`href="/api/v1/payments/${id}/receipt.pdf?format=thermal80"`);
      expect(body).toContain(`href="/api/v1/payments/${id}/receipt.pdf?format=a5"`);
    }
    expect(body).toMatch(/id="balance-due"[^>]*>₹0\.00/);
    expect(body).toContain('Paid in full');
    expect(body).not.toContain('name="upi_reference"');
  });

  test('a refund: never more than refundable, then its own receipt', async () => {
    const cash = server.svc.kernel.db.query("SELECT id FROM payments WHERE invoice_id = ? AND method = 'cash' AND kind = 'balance'").get(invoiceId) as { id: string };
    const page = await (await web.get(`/billing/payments/${cash.id}`)).text();
    expect(page).toContain('value="300.00"');
    const before = count();
    const over = await web.post(`/billing/payments/${cash.id}/refunds`, { _csrf: csrf, _form_token: hidden(page, '_form_token'), amount: '300.01', reason: 'overcharged' });
    expect(over.status).toBe(422);
    expect(await over.text()).toMatch(/id="f-amount-error" class="error">At most ₹300\.00 of this payment can still be refunded/);
    expect(count()).toBe(before);
    const ok = await web.post(`/billing/payments/${cash.id}/refunds`, { _csrf: csrf, _form_token: hidden(page, '_form_token'), amount: '50', reason: 'dressing not needed' });
    expect(ok.status).toBe(303);
    expect(count('refund.issued')).toBe(1);
    const body = await (await web.get(ok.headers.get('location')!)).text();
    expect(body).toMatch(/Refund <span class="mono">BLR1\/R\d{4}\/00001<\/span> of <strong>₹50\.00<\/strong> issued/);
    expect(body).toMatch(/href="\/api\/v1\/refunds\/[0-9a-f-]{36}\/receipt\.pdf"/);
  });

  test('the day close expects my cash, UPI and card; a variance needs a reason; then the day is closed', async () => {
    const page = await (await web.get('/billing/day-close')).text();
    // Cash: ₹100 deposit + ₹300 − ₹50 refund = ₹350; UPI ₹336.
    expect(page).toMatch(/<dt>Cash<\/dt><dd>₹350\.00<\/dd>/);
    expect(page).toMatch(/<dt>UPI<\/dt><dd>₹336\.00<\/dd>/);
    const preview = await web.post('/billing/day-close/preview', { _csrf: csrf, business_date: today, d_200: '1', d_100: '1', d_50: '1' }, { 'hx-request': 'true' });
    expect(preview.status).toBe(200);
    const fragment = await preview.text();
    expect(fragment).not.toContain('<html');
    expect(fragment).toMatch(/id="dc-counted">₹350\.00/);
    expect(fragment).toContain('(matches)');

    const before = count();
    const short = await web.post('/billing/day-close', { _csrf: csrf, _form_token: hidden(page, '_form_token'), business_date: today, d_200: '1', d_100: '1' });
    expect(short.status).toBe(422);
    expect(await short.text()).toMatch(/id="f-reason-error" class="error">Counted cash differs from expected by -₹50\.00: give a reason/);
    expect(count()).toBe(before);
    const ok = await web.post('/billing/day-close', { _csrf: csrf, _form_token: hidden(page, '_form_token'), business_date: today, d_200: '1', d_100: '1', d_50: '1', reason: '' });
    expect(ok.status).toBe(303);
    expect(count('day.closed')).toBe(1);
    const after = await (await web.get('/billing/day-close')).text();
    expect(after).toContain(`Closed ${today}: cash matches`);
    expect(after).toContain('My closed days');
  });

  test('roles: the front desk sees no discount fields and cannot refund; a doctor reads but does not collect', async () => {
    await server.addUser('desk1', 'front_desk');
    await server.addUser('doc1', 'doctor');
    const desk = new Client(server.url);
    const deskCsrf = await signIn(desk, 'desk1', 'staff-pass-1');
    const form = await (await desk.get(`/billing/invoices/new?patient_id=${patientId}`)).text();
    expect(form).not.toContain('name="line_0_discount"');
    expect(form).toMatch(/<option value="CONS" selected/); // no appointment: the branch's CONS
    const payment = server.svc.kernel.db.query('SELECT id FROM payments LIMIT 1').get() as { id: string };
    const before = count();
    expect((await desk.post(`/billing/payments/${payment.id}/refunds`, { _csrf: deskCsrf, amount: '1', reason: 'x' })).status).toBe(403);
    expect((await desk.post('/billing/prices', { _csrf: deskCsrf, item_code: 'X1', name: 'X', kind: 'other', price: '1', gst: 'exempt', effective_from: today })).status).toBe(403);
    expect(count()).toBe(before);

    const doc = new Client(server.url);
    const docCsrf = await signIn(doc, 'doc1', 'staff-pass-1');
    expect((await doc.get(`/billing/invoices/${invoiceId}`)).status).toBe(200);
    expect((await doc.get(`/billing/invoices/new?patient_id=${patientId}`)).status).toBe(403);
    expect((await doc.post(`/billing/invoices/${invoiceId}/payments`, { _csrf: docCsrf, cash: '1' })).status).toBe(403);
    expect((await doc.get('/billing/reports')).status).toBe(403);
    expect(count()).toBe(before);
  });

  test('the price list: add an item, a deposit rule and the cancellation policy; bad input stays on the form', async () => {
    const page = await (await web.get('/billing/prices')).text();
    const before = count();
    const bad = await web.post('/billing/prices', { _csrf: csrf, _form_token: hidden(page, '_form_token'), item_code: 'CBC', name: 'Complete blood count', kind: 'lab', sac_hsn: '12', price: '350', gst: 'exempt', doctor_id: '', effective_from: today });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toMatch(/id="f-sac_hsn-error" class="error">SAC\/HSN code: 4 to 8 digits/);
    expect(count()).toBe(before);
    const fresh = await (await web.get('/billing/prices')).text();
    const tokens = [...fresh.matchAll(/name="_form_token" value="([^"]+)"/g)].map((m) => m[1]);
    expect(tokens).toHaveLength(3);
    const ok = await web.post('/billing/prices', { _csrf: csrf, _form_token: tokens[0], item_code: 'cbc', name: 'Complete blood count', kind: 'lab', sac_hsn: '999316', price: '350', gst: '5', doctor_id: '', effective_from: today });
    expect(ok.status).toBe(303);
    expect(await (await web.get('/billing/prices')).text()).toContain('Saved CBC at ₹350.00');
    const rule = await web.post('/billing/prices/deposit-rules', { _csrf: csrf, _form_token: tokens[1], rule_doctor_id: doctorId, mode: 'in_person', rule_kind: 'percent', value: '50' });
    expect(rule.status).toBe(303);
    const policy = await web.post('/billing/prices/cancellation-policy', { _csrf: csrf, _form_token: tokens[2], refundable_until_hours: '6' });
    expect(policy.status).toBe(303);
    expect(count()).toBe(before + 3);
    const after = await (await web.get('/billing/prices')).text();
    expect(after).toContain('50% of the fee');
    expect(after).toContain('<strong>6 hours</strong>');
    const depositPage = await (await web.get(`/billing/deposit?appointment_id=${book()}`)).text();
    expect(depositPage).toMatch(/Deposit due at booking<\/dt><dd>₹250\.00/);
  });

  test('unknown and malformed ids are 404s', async () => {
    for (const path of ['/billing/invoices/00000000-0000-7000-8000-000000000000', '/billing/invoices/nope', '/billing/payments/nope', '/billing/deposit?appointment_id=nope', `/billing/invoices/new?patient_id=${crypto.randomUUID()}`]) {
      expect((await web.get(path)).status).toBe(404);
    }
  });
});
