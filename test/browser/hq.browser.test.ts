// HQ at the hub in a real browser (Debian chromium via playwright-core): a branch books,
// takes a walk-in and a cash payment, and pushes; an hq user signs in at the hub, follows
// the HQ link, sees the branch healthy, opens the daily figures, downloads the CSV, and
// the price variance page. axe-core finds no serious or critical problem on any of them,
// and nothing is loaded from outside the server.
// Chromium is required: without it this file fails (CI installs it), it never skips.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { existsSync, readFileSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import * as B from '../../src/billing/commands';
import { fixedClock } from '../../src/core/clock';
import type { Tx } from '../../src/core/runner';
import { actorOf, type Scope } from '../../src/core/scope';
import { silentLogger } from '../../src/http/log';
import { registerPatient } from '../../src/patients/commands';
import * as S from '../../src/scheduling/commands';
import { SyncAgent } from '../../src/sync/agent';
import { axeViolations } from '../helpers/axe';
import { OWNER, startServer, type TestServer } from '../helpers/server';
import { FAST, register } from '../sync/fixture';

const CHROMIUM = '/usr/bin/chromium';
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

const clock = fixedClock(clinicMorning());
const today = new Date(clock.now().getTime() + 5.5 * 3600_000).toISOString().slice(0, 10);
let hub: TestServer;
let branch: TestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let agent: SyncAgent;
const outside: string[] = [];

async function expectAccessible(p: Page, name: string): Promise<void> {
  const bad = await axeViolations(p);
  if (bad.length) console.error(`axe: ${name}:`, JSON.stringify(bad, null, 2));
  expect(bad).toEqual([]);
}

/** A fresh browser context on `baseURL` (outside requests aborted and noted), signed in as `username`. */
async function signedIn(baseURL: string, username: string, password = 'staff-pass-1'): Promise<{ ctx: BrowserContext; p: Page }> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, baseURL });
  await ctx.route(/^(?!http:\/\/127\.0\.0\.1[:/])/, (route) => {
    outside.push(route.request().url());
    return route.abort();
  });
  const p = await ctx.newPage();
  p.setDefaultTimeout(15_000);
  await p.goto('/login');
  await p.getByLabel('Username').fill(username);
  await p.getByLabel('Password').fill(password);
  await Promise.all([p.waitForURL(`${baseURL}/`), p.getByRole('button', { name: 'Sign in' }).click()]);
  return { ctx, p };
}

beforeAll(async () => {
  hub = await startServer({ branchCode: 'HQ', mode: 'hub', clock });
  const token = register(hub, 'BLR1');
  branch = await startServer({ branchCode: 'BLR1', clock });
  agent = new SyncAgent(branch.svc.kernel, { url: hub.url, token }, silentLogger, FAST);
  await agent.hello();
  const owner: Scope = { userId: branch.ownerId, username: 'owner', name: 'Olivia Owner', role: 'owner', branchId: branch.branchId, branchIds: [branch.branchId], sessionId: 'seed', via: 'bearer' };
  const run = <R>(fn: (tx: Tx) => R): R => branch.svc.kernel.runner.run({ actor: actorOf(owner) }, fn);
  const patient = (name: string) => run((tx) => registerPatient(tx, owner, { name, phone: '9845012345', sex: 'female', age_years: 34 })).patient.id;
  const doctorId = run((tx) => S.registerDoctor(tx, owner, { name: 'Dr Kavya Iyer', specialty: 'General medicine', registration_number: 'KMC 12345', slot_minutes: 15, fee: { amount: 50000, currency: 'INR' } }));
  run((tx) => S.setAvailability(tx, owner, doctorId, [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '09:00', end: '13:00' })), []));
  run((tx) => B.setPrice(tx, owner, { item_code: 'CONS', name: 'Consultation', kind: 'consultation', sac_hsn: '999312', unit_price: 40000, tax_rate: 0 }));
  const asha = patient('Asha Rao');
  run((tx) => S.bookAppointment(tx, owner, { patient_id: asha, doctor_id: doctorId, start: `${today}T11:00:00+05:30`, mode: 'in_person' }));
  const ravi = patient('Ravi Iyer');
  run((tx) => S.issueWalkIn(tx, owner, { patient_id: ravi, doctor_id: doctorId }));
  const invoiceId = run((tx) => B.issueInvoice(tx, owner, { patient_id: ravi, lines: [{ item_code: 'CONS', qty: 1 }] }));
  run((tx) => B.recordPayment(tx, owner, { invoice_id: invoiceId, amount: 40000, method: 'cash' }));
  await agent.round();
  await hub.addUser('hq.viewer', 'hq', []);
  await hub.addUser('hub.admin', 'admin');

  if (!existsSync(CHROMIUM)) return; // the first test fails with the reason
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  context = await browser.newContext({ viewport: { width: 1280, height: 900 }, baseURL: hub.url, acceptDownloads: true });
  page = await context.newPage();
  page.setDefaultTimeout(15_000);
  await context.route(/^(?!http:\/\/127\.0\.0\.1[:/])/, (route) => {
    outside.push(route.request().url());
    return route.abort();
  });
}, STEP);

afterAll(async () => {
  await browser?.close();
  await branch?.stop();
  await hub?.stop();
});

describe('HQ in the browser', () => {
  test('chromium is installed at /usr/bin/chromium', () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium); this test never skips`);
    expect(browser.isConnected()).toBe(true);
  });

  test('an hq user signs in and sees the branches with their health', async () => {
    await page.goto('/login');
    await page.getByLabel('Username').fill('hq.viewer');
    await page.getByLabel('Password').fill('staff-pass-1');
    await Promise.all([page.waitForURL(`${hub.url}/`), page.getByRole('button', { name: 'Sign in' }).click()]);
    await Promise.all([page.waitForURL('**/hq'), page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'HQ' }).click()]);
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Branches');
    const blr = page.locator('#hq-branches tbody tr[data-code="BLR1"]');
    expect(await blr.locator('[data-health]').innerText()).toBe('OK');
    expect(await blr.locator('time').getAttribute('datetime')).toBe(clock.now().toISOString());
    expect(await page.locator('#hq-branches tbody tr[data-code="HQ"]').innerText()).toContain('This hub');
    await expectAccessible(page, 'hq branches');
  }, STEP);

  test('the daily figures show what the branch did, and the CSV downloads', async () => {
    await Promise.all([page.waitForURL('**/hq/daily'), page.getByRole('navigation', { name: 'HQ views' }).getByRole('link', { name: 'Daily figures' }).click()]);
    const row = page.locator(`#hq-daily tbody tr[data-code="BLR1"][data-date="${today}"]`);
    const cells = await row.locator('td').allInnerTexts();
    // date, appointments, walk-ins, no-shows, rate (the 11:00 booking is not due yet), cash …
    expect(cells.slice(1, 6)).toEqual(['1', '1', '0', '—', '₹400.00']);
    expect(await page.locator(`#hq-totals tbody tr[data-date="${today}"]`).innerText()).toContain('₹400.00');
    await expectAccessible(page, 'hq daily');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^hq-daily-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = readFileSync(await download.path(), 'utf8').replace(/^\uFEFF/, '');
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toStartWith('Date,Branch code,Branch,Appointments');
    expect(lines.find((l) => l.startsWith(`${today},BLR1,`))).toContain(',400.00,');
  }, STEP);

  test('a range can be picked without JavaScript; the price variance page', async () => {
    await page.getByLabel('From', { exact: true }).fill(today);
    await page.getByLabel('To', { exact: true }).fill(today);
    await Promise.all([page.waitForURL(`**/hq/daily?from=${today}&to=${today}`), page.getByRole('button', { name: 'Show' }).click()]);
    expect(await page.locator('#hq-daily tbody tr').count()).toBe(2); // BLR1 and HQ
    await page.goto(`/hq/prices?from=${today}&to=${today}`);
    const cons = page.locator('#hq-prices tbody tr[data-code="BLR1"][data-item="CONS"]');
    expect(await cons.innerText()).toContain('₹400.00');
    await expectAccessible(page, 'hq prices');
    expect(outside).toEqual([]);
  }, STEP);

  test('an admin at the hub posts an announcement from the form and withdraws it; hq only reads', async () => {
    const { ctx: admin, p } = await signedIn(hub.url, 'hub.admin');
    await p.goto('/hq/announcements');
    await p.getByLabel('Title').fill('Monsoon hours <from Monday>');
    await p.getByLabel('Message').fill('OPD closes at 6 pm.');
    await Promise.all([p.waitForURL('**/hq/announcements'), p.getByRole('button', { name: 'Post' }).click()]);
    await expectAccessible(p, 'hq announcements (admin)');
    const item = p.locator('article[data-announcement]');
    expect(await item.count()).toBe(1);
    expect(await item.locator('h3').innerText()).toBe('Monsoon hours <from Monday>');
    expect(await item.innerText()).toContain('Shown until withdrawn');

    // The hq viewer sees it, without the form or a withdraw button.
    await page.getByRole('navigation', { name: 'HQ views' }).getByRole('link', { name: 'Announcements' }).click();
    await page.waitForURL('**/hq/announcements');
    expect(await page.locator('article[data-announcement] h3').innerText()).toBe('Monsoon hours <from Monday>');
    expect(await page.getByRole('button', { name: /Post|Withdraw/ }).count()).toBe(0);
    await expectAccessible(page, 'hq announcements (hq)');

    await Promise.all([p.waitForURL('**/hq/announcements'), p.getByRole('button', { name: 'Withdraw “Monsoon hours <from Monday>”' }).click()]);
    expect(await p.locator('article[data-announcement]').innerText()).toContain('Withdrawn');
    await admin.close();
    expect(outside).toEqual([]);
  }, STEP);
  test('the doctor directory: an admin lists a doctor at the hub and fixes a mistake; the branch finds them at /directory', async () => {
    const { ctx: admin, p } = await signedIn(hub.url, 'hub.admin');
    await p.goto('/hq/doctors');
    await p.getByLabel('Name').fill('Dr. Meera <Rao>');
    await p.getByLabel('Specialty').fill('Paediatrics');
    await p.getByLabel('Branches').fill('BLR1, GOA9');
    await p.getByRole('button', { name: 'List', exact: true }).click();
    // An unknown branch code: the form comes back with the message at the field, values kept.
    expect(await p.locator('#f-branch_codes-error').innerText()).toBe('No branch of the chain has the code GOA9');
    expect(await p.getByLabel('Name').inputValue()).toBe('Dr. Meera <Rao>');
    await expectAccessible(p, 'hq doctors (error)');
    await p.getByLabel('Branches').fill('BLR1');
    await p.getByLabel('Visiting hours').fill('Mon, Thu 10:00–13:00');
    await Promise.all([p.waitForURL('**/hq/doctors'), p.getByRole('button', { name: 'List', exact: true }).click()]);
    await expectAccessible(p, 'hq doctors (admin)');
    await Promise.all([p.waitForURL('**/hq/doctors/*'), p.getByRole('link', { name: 'Edit Dr. Meera <Rao>' }).click()]);
    await p.getByLabel('Visiting hours').fill('Thursdays 10:00–13:00');
    await Promise.all([p.waitForURL('**/hq/doctors'), p.getByRole('button', { name: 'Save' }).click()]);
    expect(await p.locator('tr[data-directory-doctor]').innerText()).toContain('Thursdays 10:00–13:00');
    await admin.close();

    await agent.round();
    const { ctx: desk, p: b } = await signedIn(branch.url, OWNER.username, OWNER.password);
    await Promise.all([b.waitForURL('**/directory'), b.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Directory' }).click()]);
    await b.getByLabel('Name or specialty').fill('paediatrics');
    await Promise.all([b.waitForURL('**/directory?*'), b.getByRole('button', { name: 'Search' }).click()]);
    const row = b.locator('tr[data-directory-doctor]');
    expect(await row.count()).toBe(1);
    expect(await row.locator('strong').innerText()).toBe('Dr. Meera <Rao>');
    expect(await row.innerText()).toContain('Thursdays 10:00–13:00');
    await expectAccessible(b, 'branch directory');
    await desk.close();
    expect(outside).toEqual([]);
  }, STEP);
});
