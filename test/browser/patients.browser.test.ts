// The front desk's first morning, in a real browser (Debian chromium via playwright-core):
// set up the clinic, sign in, register a patient with the keyboard, find them by typing
// (htmx, no reload), correct their phone, meet the duplicate warning. axe-core checks every
// page for serious or critical accessibility problems; screenshots go to /tmp.
// Chromium is required: without it this file fails (CI installs it), it never skips.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { existsSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { startServer, type TestServer } from '../helpers/server';
import { axeViolations } from '../helpers/axe';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = '/tmp/mymedic-shots';
const STEP = 30_000;
const OWNER = { name: 'Olivia Owner', username: 'olivia', password: 'sunrise-owner-1' };

let server: TestServer;
let browser: Browser;
let desktop: BrowserContext;
let page: Page;
const outside: string[] = [];


const axeLog: Record<string, number> = {};
async function expectAccessible(p: Page, name: string): Promise<void> {
  const bad = await axeViolations(p);
  axeLog[name] = bad.length;
  if (bad.length) console.error(`axe: ${name}:`, JSON.stringify(bad, null, 2));
  expect(bad).toEqual([]);
}

const patientUrl = /\/patients\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

beforeAll(async () => {
  server = await startServer({ bare: true, setupToken: 'tok-123' });
  if (!existsSync(CHROMIUM)) return; // the first test fails with the reason
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  desktop = await browser.newContext({ viewport: { width: 1280, height: 900 }, baseURL: server.url });
  page = await desktop.newPage();
  page.setDefaultTimeout(15_000); // generous: CI shares 2 cores
  // Every page must work offline: nothing may be fetched from another host.
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

describe('patients in the browser', () => {
  test('chromium is installed at /usr/bin/chromium', () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium); this test never skips`);
    expect(browser.isConnected()).toBe(true);
  });

  test('first run: set up the clinic, then sign in', async () => {
    await page.goto('/setup?token=tok-123');
    expect(await page.getByRole('heading', { name: 'Set up your clinic' }).isVisible()).toBe(true);
    await page.getByLabel('Clinic name').fill('Sunrise Clinic');
    await page.getByLabel('Branch name').fill('Indiranagar');
    await page.getByLabel('Branch code').fill('BLR1');
    await page.getByLabel('Your name').fill(OWNER.name);
    await page.getByLabel('Username').fill(OWNER.username);
    await page.getByLabel('Password').fill(OWNER.password);
    await page.getByRole('button', { name: 'Create the clinic' }).click();
    await page.waitForURL('**/login');
    expect(await page.locator('.flash-ok').innerText()).toContain('Your clinic is ready');
    await expectAccessible(page, 'login');

    // Username is autofocused: type, Tab, password, Enter.
    await page.keyboard.type(OWNER.username);
    await page.keyboard.press('Tab');
    await page.keyboard.type(OWNER.password);
    await page.keyboard.press('Enter');
    await page.waitForURL(server.url + '/');
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Today');
    expect(await page.locator('header.top').innerText()).toContain('BLR1 · Indiranagar');
    await expectAccessible(page, 'home');
  }, STEP);

  test('register a patient with the keyboard', async () => {
    await page.getByRole('link', { name: 'Register new patient' }).click();
    await page.waitForURL('**/patients/new');
    await expectAccessible(page, 'register');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('name');
    await page.keyboard.type('Asha Rao');
    await page.keyboard.press('Tab');
    await page.keyboard.type('98450 12345');
    await page.keyboard.press('Tab'); // into the sex radio group
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement).value)).toBe('female');
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('age_years');
    await page.keyboard.type('34');
    await page.screenshot({ path: `${SHOTS}/register-desktop.png`, fullPage: true });
    await page.keyboard.press('Enter');
    await page.waitForURL(patientUrl);
    expect(await page.locator('.flash-ok').innerText()).toBe('Registered Asha Rao — MRN BLR1-000001');
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Asha Rao');
    const facts = await page.locator('dl.facts').innerText();
    expect(facts).toContain('BLR1-000001');
    expect(facts).toContain('about 34 years');
    expect(facts).toContain('Female');
    expect(facts).toContain('+91 98450 12345');
    expect(await page.locator('ol.history').innerText()).toContain(`Registered by ${OWNER.name}`);
    await expectAccessible(page, 'patient');
  }, STEP);

  test('find the patient by typing: results come from htmx, without a reload', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Patients' }).click();
    await page.waitForURL('**/patients');
    await expectAccessible(page, 'patients search');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('patient-q');
    await page.evaluate(() => ((window as unknown as { stillHere: boolean }).stillHere = true));
    await page.keyboard.type('zzz');
    await page.locator('#results', { hasText: 'No patient matches' }).waitFor();
    for (let i = 0; i < 3; i++) await page.keyboard.press('Backspace');
    await page.keyboard.type('ash');
    const count = page.locator('#results .result-count', { hasText: '“ash”' });
    await count.waitFor();
    expect(await count.innerText()).toBe('1 patient matches “ash”');
    const row = page.locator('#results table.list tbody tr');
    expect(await row.count()).toBe(1);
    expect(await row.innerText()).toContain('BLR1-000001');
    expect(await page.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere)).toBe(true);
    expect(page.url()).toBe(`${server.url}/patients?q=ash`);
    await page.screenshot({ path: `${SHOTS}/search-desktop.png` });
    await row.getByRole('link', { name: 'Asha Rao' }).click();
    await page.waitForURL(patientUrl);
  }, STEP);

  test('correct the phone with a reason: the history shows old → new', async () => {
    await page.getByRole('link', { name: 'Edit' }).click();
    await page.waitForURL(/\/edit$/);
    await expectAccessible(page, 'edit');
    await page.getByLabel('Mobile phone').fill('9845099999');
    await page.getByLabel('Reason for the correction').fill('Patient has a new number');
    await page.getByRole('button', { name: 'Save correction' }).click();
    await page.waitForURL(patientUrl);
    expect(await page.locator('.flash-ok').innerText()).toBe('Saved the correction to Asha Rao');
    const change = page.locator('ol.history ul.changes li');
    expect(await change.count()).toBe(1);
    expect(await change.innerText()).toBe('Phone: +91 98450 12345 → +91 98450 99999');
    expect(await page.locator('ol.history').innerText()).toContain('Reason: Patient has a new number');
    expect(await page.locator('dl.facts').innerText()).toContain('+91 98450 99999');
    await page.screenshot({ path: `${SHOTS}/patient-desktop.png`, fullPage: true });
  }, STEP);

  test('the same name, phone and age again: a warning, then "Register anyway"', async () => {
    // Hold back the first check (name only) so its empty answer would land last: the newer
    // checks must replace it, not be overwritten by it.
    // Retried (see the options below): a retry starts from a clean route and a fresh form.
    await page.unroute('**/patients/check');
    let checks = 0;
    await page.route('**/patients/check', async (route) => {
      if (++checks === 1) await Bun.sleep(800);
      await route.continue().catch(() => {}); // an aborted request cannot continue
    });
    await page.goto('/patients/new');
    await page.keyboard.type('asha  rao');
    await page.keyboard.press('Tab');
    await page.keyboard.type('9845099999');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab');
    await page.keyboard.type('35');
    await page.keyboard.press('Tab'); // change → the inline check (htmx POST /patients/check)
    const inline = page.locator('#dup-warning', { hasText: 'Possible duplicate' });
    await inline.waitFor();
    expect(await inline.innerText()).toContain('Asha Rao · BLR1-000001');
    await Bun.sleep(900);
    expect(await inline.innerText()).toContain('Asha Rao · BLR1-000001');
    expect(checks).toBeGreaterThanOrEqual(3);
    await page.unroute('**/patients/check');
    // Submitting does not register yet: the form comes back with the warning and a choice.
    await page.getByRole('button', { name: 'Register', exact: true }).click();
    await page.getByRole('button', { name: 'Register anyway' }).waitFor();
    expect(await page.locator('#dup-warning a').getAttribute('href')).toMatch(/^\/patients\/[0-9a-f-]{36}$/);
    expect(await page.getByLabel('Full name').inputValue()).toBe('asha  rao');
    expect(server.eventCount()).toBeGreaterThan(0);
    const before = server.eventCount();
    await expectAccessible(page, 'register with duplicate warning');
    await page.screenshot({ path: `${SHOTS}/register-duplicate-desktop.png`, fullPage: true });
    expect(server.eventCount()).toBe(before);
    await page.getByRole('button', { name: 'Register anyway' }).click();
    await page.waitForURL(patientUrl);
    expect(await page.locator('.flash-ok').innerText()).toBe('Registered asha rao — MRN BLR1-000002');
    expect(server.eventCount()).toBe(before + 1);
    // The held-back check makes this step timing-sensitive on a loaded 2-core machine (it
    // failed intermittently under load, never in CI so far): it may run again from a fresh form. A real
    // race would fail all three attempts.
  }, { timeout: STEP, retry: 2 });

  test('on a phone (390 px): no sideways scrolling; screenshots', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, baseURL: server.url, storageState: await desktop.storageState(), isMobile: true, hasTouch: true });
    try {
      const p = await phone.newPage();
      await p.goto('/patients/new');
      expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await p.screenshot({ path: `${SHOTS}/register-phone.png`, fullPage: true });
      await p.goto('/patients?q=asha');
      expect(await p.locator('#results tbody tr').count()).toBe(2);
      expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await p.screenshot({ path: `${SHOTS}/search-phone.png`, fullPage: true });
      await p.locator('#results').getByRole('link').first().click();
      await p.waitForURL(patientUrl);
      expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await p.screenshot({ path: `${SHOTS}/patient-phone.png`, fullPage: true });
      await expectAccessible(p, 'patient (phone)');
    } finally {
      await phone.close();
    }
    expect(outside).toEqual([]);
  }, STEP);
});
