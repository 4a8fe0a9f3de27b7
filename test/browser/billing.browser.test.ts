// A visit's money at the front desk, in a real browser (Debian chromium via playwright-core):
// book with a deposit taken on the deposit page, check in, create the invoice from the visit,
// pay the balance split cash + UPI, open the receipt PDF, then close the day with the cash
// counted equal to what the page expects. axe-core checks each billing page for serious or
// critical problems; screenshots go to /tmp/mymedic-shots/.
// Chromium is required: without it this file fails (CI installs it), it never skips.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { existsSync, mkdirSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import * as B from '../../src/billing/commands';
import { fixedClock } from '../../src/core/clock';
import type { Tx } from '../../src/core/runner';
import { actorOf, type Scope } from '../../src/core/scope';
import { registerPatient } from '../../src/patients/commands';
import * as S from '../../src/scheduling/commands';
import { OWNER, startServer, type TestServer } from '../helpers/server';
import { axeViolations } from '../helpers/axe';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = '/tmp/mymedic-shots';
const STEP = 30_000;

/** 10:00 IST on the day that keeps the pinned clock within 11 hours of the real one, so session tokens stay valid. */
function clinicMorning(): string {
  const real = Date.now();
  const at = new Date(real);
  at.setUTCHours(4, 30, 0, 0);
  while (at.getTime() < real - 11 * 3600_000) at.setUTCDate(at.getUTCDate() + 1);
  while (at.getTime() > real + 13 * 3600_000) at.setUTCDate(at.getUTCDate() - 1);
  return at.toISOString();
}

let server: TestServer;
let browser: Browser;
let desktop: BrowserContext;
let page: Page;
let owner: Scope;
let doctorId = '';
let patientId = '';
let appointmentId = '';
const clock = fixedClock(clinicMorning());
const today = new Date(clock.now().getTime() + 5.5 * 3600_000).toISOString().slice(0, 10);
const outside: string[] = [];
const run = <R>(fn: (tx: Tx) => R): R => server.svc.kernel.runner.run({ actor: actorOf(owner) }, fn);
const uuid = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';


const axeLog: Record<string, number> = {};
async function expectAccessible(p: Page, name: string): Promise<void> {
  const bad = await axeViolations(p);
  axeLog[name] = bad.length;
  if (bad.length) console.error(`axe: ${name}:`, JSON.stringify(bad, null, 2));
  expect(bad).toEqual([]);
}

const shot = (p: Page, name: string) => p.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  server = await startServer({ clock });
  owner = { userId: server.ownerId, username: 'owner', name: 'Olivia Owner', role: 'owner', branchId: server.branchId, branchIds: [server.branchId], sessionId: 'seed', via: 'bearer' };
  patientId = run((tx) => registerPatient(tx, owner, { name: 'Asha Rao', phone: '9845012345', sex: 'female', age_years: 34 })).patient.id;
  doctorId = run((tx) => S.registerDoctor(tx, owner, { name: 'Dr Kavya Iyer', specialty: 'General medicine', registration_number: 'KMC 12345', slot_minutes: 15, fee: { amount: 50000, currency: 'INR' } }));
  run((tx) => S.setAvailability(tx, owner, doctorId, [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '09:00', end: '13:00' })), []));
  run((tx) => B.setPrice(tx, owner, { item_code: 'CONS', name: 'Consultation', kind: 'consultation', sac_hsn: '999312', unit_price: 40000, tax_rate: 0 }));
  run((tx) => B.setPrice(tx, owner, { item_code: 'CONS-IYER', name: 'Consultation — Dr Kavya Iyer', kind: 'consultation', sac_hsn: '999312', unit_price: 50000, tax_rate: 0, doctor_id: doctorId }));
  run((tx) => B.setPrice(tx, owner, { item_code: 'DRESS', name: 'Wound dressing', kind: 'procedure', sac_hsn: '999319', unit_price: 20000, tax_rate: 18 }));
  run((tx) => B.setDepositRule(tx, owner, { doctor_id: null, mode: 'in_person', kind: 'amount', value: 10000 }));
  if (!existsSync(CHROMIUM)) return; // the first test fails with the reason
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  desktop = await browser.newContext({ viewport: { width: 1280, height: 900 }, baseURL: server.url });
  page = await desktop.newPage();
  page.setDefaultTimeout(15_000); // generous: CI shares 2 cores
  await desktop.route(/^(?!http:\/\/127\.0\.0\.1[:/])/, (route) => {
    outside.push(route.request().url());
    return route.abort();
  });
}, STEP);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (Object.keys(axeLog).length) console.log('axe serious/critical violations per page:', JSON.stringify(axeLog));
});

describe('a visit’s money in the browser', () => {
  test('chromium is installed at /usr/bin/chromium', () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium); this test never skips`);
    expect(browser.isConnected()).toBe(true);
  });

  test('sign in and open the billing counter', async () => {
    await page.goto('/login');
    await page.getByLabel('Username').fill(OWNER.username);
    await page.getByLabel('Password').fill(OWNER.password);
    await Promise.all([page.waitForURL(`${server.url}/`), page.getByRole('button', { name: 'Sign in' }).click()]);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Billing' }).click();
    await page.waitForURL('**/billing');
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Billing');
    await expectAccessible(page, 'counter (empty)');
  }, STEP);

  test('book the visit (the booking page if there is one), then take the deposit on the deposit page', async () => {
    const booking = await page.request.get(`/appointments/new?patient_id=${patientId}&doctor_id=${doctorId}&date=${today}`);
    if (booking.status() === 200 && (await booking.text()).includes('form="booking-form"')) {
      await page.goto(`/appointments/new?patient_id=${patientId}&doctor_id=${doctorId}&date=${today}`);
      await Promise.all([page.waitForURL(new RegExp(`/appointments/${uuid}$`)), page.locator('.slot-buttons button', { hasText: '11:00' }).first().click()]);
      appointmentId = page.url().split('/').pop()!;
    } else {
      appointmentId = run((tx) => S.bookAppointment(tx, owner, { patient_id: patientId, doctor_id: doctorId, start: `${today}T11:00:00+05:30`, mode: 'in_person' }));
    }
    expect(appointmentId).toMatch(new RegExp(`^${uuid}$`));

    await page.goto('/billing');
    const row = page.locator('section[aria-labelledby="visits-h"] tbody tr', { hasText: 'Asha Rao' });
    expect(await row.innerText()).toContain('Booked');
    await Promise.all([page.waitForURL(/\/billing\/deposit\?appointment_id=/), row.getByRole('link', { name: /Take deposit/ }).click()]);
    expect(await page.locator('#deposit-left').innerText()).toBe('₹100.00');
    await expectAccessible(page, 'deposit');
    // The cash amount is focused: type and press Enter.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('cash');
    await page.keyboard.type('100');
    await shot(page, 'billing-deposit');
    await Promise.all([page.waitForURL(/receipts=/), page.keyboard.press('Enter')]);
    expect(await page.locator('.flash-ok').innerText()).toBe('Deposit of ₹100.00 recorded');
    expect(await page.locator('#deposit-left').innerText()).toBe('₹0.00');
    expect(await page.locator('.just-paid a', { hasText: 'Print receipt' }).getAttribute('href')).toMatch(new RegExp(`^/api/v1/payments/${uuid}/receipt\\.pdf\\?format=thermal80$`));
  }, STEP);

  test('check in (on the appointment page if there is one)', async () => {
    await page.goto(`/appointments/${appointmentId}`);
    const checkIn = page.getByRole('button', { name: 'Check in' });
    if (await checkIn.count()) {
      await Promise.all([page.waitForURL(new RegExp(`/appointments/${appointmentId}$`)), checkIn.click()]);
      expect(await page.locator('.flash-ok').innerText()).toContain('Checked in');
    } else {
      run((tx) => S.checkIn(tx, owner, appointmentId));
    }
    expect(server.svc.kernel.db.query('SELECT status FROM appointments WHERE id = ?').get(appointmentId)).toEqual({ status: 'checked_in' });
  }, STEP);

  test('create the invoice from the visit: the doctor’s consultation is there, add a dressing', async () => {
    await page.goto('/billing');
    const row = page.locator('section[aria-labelledby="visits-h"] tbody tr', { hasText: 'Asha Rao' });
    expect(await row.innerText()).toContain('Checked in');
    await Promise.all([page.waitForURL(/\/billing\/invoices\/new\?appointment_id=/), row.getByRole('link', { name: /Create invoice/ }).click()]);
    expect(await page.getByLabel('Item, line 1').inputValue()).toBe('CONS-IYER');
    expect(await page.locator('.deposits').innerText()).toContain('₹100.00');
    await page.getByLabel('Item, line 2').selectOption('DRESS');
    await expectAccessible(page, 'invoice form');
    await shot(page, 'billing-invoice-new');
    await Promise.all([page.waitForURL(new RegExp(`/billing/invoices/${uuid}$`)), page.getByRole('button', { name: 'Issue invoice' }).click()]);
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toMatch(/^Invoice-cum-Bill of Supply BLR1\/I\d{4}\/00001$/);
    expect(await page.locator('.flash-ok').innerText()).toMatch(/issued: ₹636\.00 to pay$/);
    expect(await page.locator('#balance-due').innerText()).toBe('₹636.00');
    const sums = await page.locator('dl.sums').innerText();
    expect(sums).toContain('₹18.00'); // CGST and SGST on the dressing
    expect(sums).toContain('₹736.00');
    await expectAccessible(page, 'invoice');
  }, STEP);

  test('pay the balance split cash + UPI, then open the receipt PDF', async () => {
    await page.getByLabel('Cash amount (₹)').fill('300');
    await page.getByLabel('UPI amount (₹)').fill('336.00');
    await page.getByLabel('UTR / reference').fill('412345678901');
    await page.getByLabel("Patient's UPI ID (optional)").fill('asha@okaxis');
    await shot(page, 'billing-invoice-pay');
    await Promise.all([page.waitForURL(/\?receipts=/), page.getByRole('button', { name: 'Record payment' }).click()]);
    expect(await page.locator('.flash-ok').innerText()).toBe('Recorded ₹636.00 (cash ₹300.00, UPI ₹336.00)');
    expect(await page.locator('#balance-due').innerText()).toBe('₹0.00');
    expect(await page.locator('table.list tbody tr', { hasText: 'BLR1/' }).count()).toBe(3); // deposit + cash + UPI
    const prints = page.locator('.just-paid').getByRole('link', { name: /^Print receipt/ });
    expect(await prints.count()).toBe(2);
    await expectAccessible(page, 'invoice paid');
    await shot(page, 'billing-invoice-paid');

    // One click opens the PDF in a new tab; the browser's own session fetches it.
    const href = (await prints.first().getAttribute('href'))!;
    expect(await prints.first().getAttribute('target')).toBe('_blank');
    const pdf = await page.request.get(href);
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()['content-type']).toContain('application/pdf');
    expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');
    const a5 = await page.request.get(href.replace('thermal80', 'a5'));
    expect(a5.status()).toBe(200);
    expect(a5.headers()['content-type']).toContain('application/pdf');
  }, STEP);

  test('the day close expects the right totals, keeps a running count, and closes with the cash counted', async () => {
    await page.goto('/billing');
    const mine = await page.locator('section[aria-labelledby="mine-h"]').innerText();
    expect(mine).toContain('₹400.00');
    expect(mine).toContain('₹336.00');
    await expectAccessible(page, 'counter');
    await shot(page, 'billing-counter');

    await page.getByRole('link', { name: 'Day close' }).click();
    await page.waitForURL('**/billing/day-close');
    const expected = await page.locator('#dc-expected').innerText();
    expect(expected).toMatch(/Cash\s+₹400\.00/);
    expect(expected).toMatch(/UPI\s+₹336\.00/);
    expect(expected).toMatch(/Card\s+₹0\.00/);
    await expectAccessible(page, 'day close');
    // The running total follows the counts (htmx), before anything is sent.
    await page.getByLabel('₹200', { exact: true }).fill('1');
    await page.locator('#dc-counted', { hasText: '₹200.00' }).waitFor();
    expect(await page.locator('#dc-variance').innerText()).toContain('short');
    await page.getByLabel('₹200', { exact: true }).fill('2');
    await page.locator('#dc-counted', { hasText: '₹400.00' }).waitFor();
    expect(await page.locator('#dc-variance').innerText()).toBe('₹0.00 (matches)');
    await shot(page, 'billing-day-close');
    await Promise.all([page.waitForURL('**/billing/day-close'), page.getByRole('button', { name: 'Close the day' }).click()]);
    expect(await page.locator('.flash-ok').innerText()).toBe(`Closed ${today}: cash matches. Payments taken now count for the next business day.`);
    expect(await page.locator('section[aria-labelledby="mine-h"]').innerText()).toContain('₹400.00');
    expect(await page.locator('section[aria-labelledby="all-h"]').innerText()).toContain('Olivia Owner');
    await expectAccessible(page, 'day closed');
    await shot(page, 'billing-day-closed');
  }, STEP);

  test('the report, the price list and a payment with its refund form pass axe too', async () => {
    await page.goto(`/billing/reports?date=${today}`);
    expect(await page.locator('#by-method').innerText()).toContain('₹736.00');
    await expectAccessible(page, 'reports');
    await shot(page, 'billing-reports');
    await page.goto('/billing/prices');
    expect(await page.locator('#price-items').innerText()).toContain('CONS-IYER');
    await expectAccessible(page, 'prices');
    await shot(page, 'billing-prices');
    const paymentId = (server.svc.kernel.db.query("SELECT id FROM payments WHERE method = 'upi'").get() as { id: string }).id;
    await page.goto(`/billing/payments/${paymentId}`);
    await expectAccessible(page, 'payment');
    await shot(page, 'billing-payment');

    // The payment form on a phone.
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, baseURL: server.url, storageState: await desktop.storageState() });
    const p = await phone.newPage();
    p.setDefaultTimeout(15_000);
    const second = run((tx) => S.bookAppointment(tx, owner, { patient_id: patientId, doctor_id: doctorId, start: `${today}T11:30:00+05:30`, mode: 'in_person' }));
    await p.goto(`/billing/deposit?appointment_id=${second}`);
    await expectAccessible(p, 'deposit (phone)');
    await shot(p, 'billing-deposit-phone');
    // Wide tables scroll inside their card (a focusable region), never the page.
    const invoiceId = (server.svc.kernel.db.query('SELECT id FROM invoices').get() as { id: string }).id;
    for (const [name, path] of [['invoice', `/billing/invoices/${invoiceId}`], ['counter', '/billing'], ['reports', `/billing/reports?date=${today}`], ['day close', '/billing/day-close']]) {
      await p.goto(path);
      expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await expectAccessible(p, `${name} (phone)`);
    }
    await p.goto(`/billing/invoices/${invoiceId}`);
    await shot(p, 'billing-invoice-phone');
    await phone.close();
    expect(outside).toEqual([]);
  }, STEP);
});
