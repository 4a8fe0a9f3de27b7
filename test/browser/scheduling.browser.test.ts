// A morning at the front desk and in the doctor's room, in a real browser (Debian chromium via
// playwright-core): the desk books a patient (one search, two clicks) and checks them in; the
// doctor's queue page, open in another browser signed in as the doctor, shows the token
// without a reload; the doctor calls it and the waiting-room display (a third browser, no
// sign-in) shows the number; the doctor starts and completes the consultation. axe-core checks
// every page for serious or critical problems; screenshots go to /tmp/mymedic-shots.
// Chromium is required: without it this file fails (CI installs it), it never skips.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { existsSync, mkdirSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { fixedClock } from '../../src/core/clock';
import type { Tx } from '../../src/core/runner';
import type { Scope } from '../../src/core/scope';
import { registerPatient } from '../../src/patients/commands';
import { bookAppointment, registerDoctor, setAvailability } from '../../src/scheduling/commands';
import { displayToken } from '../../src/scheduling/pages';
import { startServer, type TestServer } from '../helpers/server';
import { axeViolations } from '../helpers/axe';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = '/tmp/mymedic-shots';
const STEP = 45_000;
const DESK = { username: 'desk', password: 'desk-pass-12' };
const DOCTOR = { username: 'drmeera', password: 'doctor-pass-12' };
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// 10:00 IST on Tuesday 1 December 2026.
const clock = fixedClock('2026-12-01T04:30:00Z');
let server: TestServer;
let browser: Browser;
let deskCtx: BrowserContext;
let doctorCtx: BrowserContext;
let displayCtx: BrowserContext;
let desk: Page;
let doctor: Page;
let tv: Page;
const outside: string[] = [];
const ids = { meera: '', arjun: '', asha: '' };


const axeLog: Record<string, number> = {};
async function expectAccessible(p: Page, name: string): Promise<void> {
  const bad = await axeViolations(p);
  axeLog[name] = bad.length;
  if (bad.length) console.error(`axe: ${name}:`, JSON.stringify(bad, null, 2));
  expect(bad).toEqual([]);
}

async function signIn(p: Page, who: { username: string; password: string }) {
  await p.goto('/login');
  await p.getByLabel('Username').fill(who.username);
  await p.getByLabel('Password').fill(who.password);
  await p.getByRole('button', { name: 'Sign in' }).click();
  await p.waitForURL(server.url + '/');
}

async function newContext(viewport: { width: number; height: number }, phone = false): Promise<BrowserContext> {
  const ctx = await browser.newContext({ viewport, baseURL: server.url, ...(phone ? { isMobile: true, hasTouch: true } : {}) });
  // Every page must work offline: nothing may be fetched from another host.
  await ctx.route(/^(?!http:\/\/127\.0\.0\.1[:/])/, (route) => {
    outside.push(route.request().url());
    return route.abort();
  });
  return ctx;
}

const appointmentUrl = /\/appointments\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  server = await startServer({ clock });
  const scope: Scope = { userId: server.ownerId, username: 'owner', name: 'Olivia Owner', role: 'owner', branchId: server.branchId, branchIds: [server.branchId], sessionId: 'seed', via: 'bearer' };
  const run = <R>(fn: (tx: Tx) => R): R => server.svc.kernel.runner.run({ actor: { userId: server.ownerId, name: 'Olivia Owner', role: 'owner', via: 'cli' } }, fn);
  await server.addUser(DESK.username, 'front_desk', [server.branchId], DESK.password);
  const doctorUser = await server.addUser(DOCTOR.username, 'doctor', [server.branchId], DOCTOR.password);
  ids.meera = run((tx) =>
    registerDoctor(tx, scope, { name: 'Dr. Meera Iyer', specialty: 'General medicine', registration_number: 'KMC-1001', slot_minutes: 15, fee: { amount: 50000, currency: 'INR' }, user_id: doctorUser }),
  );
  ids.arjun = run((tx) => registerDoctor(tx, scope, { name: 'Dr. Arjun Rao', specialty: 'Paediatrics', registration_number: 'KMC-1002', slot_minutes: 20, fee: { amount: 60000, currency: 'INR' } }));
  const week = [1, 2, 3, 4, 5, 6].flatMap((weekday) => [
    { weekday, start: '09:00', end: '13:00' },
    { weekday, start: '17:00', end: '19:00' },
  ]);
  run((tx) => setAvailability(tx, scope, ids.meera, week, [{ date: '2026-12-01', kind: 'block', start: '12:30', end: '13:00', note: 'Ward round' }]));
  run((tx) => setAvailability(tx, scope, ids.arjun, week, []));
  ids.asha = run((tx) => registerPatient(tx, scope, { name: 'Asha Rao', phone: '9845012345', sex: 'female', age_years: 34 })).patient.id;
  const others = ['Ravi Kumar', 'Sunita Devi', 'Kiran Shah', 'Chitra Menon'].map(
    (name, i) => run((tx) => registerPatient(tx, scope, { name, phone: `98450999${10 + i}`, sex: i % 2 ? 'female' : 'male', age_years: 30 + i })).patient.id,
  );
  // A few bookings made earlier, so the board has colour.
  clock.set('2026-11-30T04:30:00Z');
  others.forEach((p, i) => run((tx) => bookAppointment(tx, scope, { patient_id: p, doctor_id: i % 2 ? ids.arjun : ids.meera, start: `2026-12-01T${['09:15', '11:00', '11:45', '09:40'][i]}:00+05:30`, mode: 'in_person' })));
  clock.set('2026-12-01T04:30:00Z');
  if (!existsSync(CHROMIUM)) return; // the first test fails with the reason
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  deskCtx = await newContext({ width: 1280, height: 900 });
  doctorCtx = await newContext({ width: 390, height: 844 }, true);
  displayCtx = await newContext({ width: 1280, height: 720 });
  desk = await deskCtx.newPage();
  doctor = await doctorCtx.newPage();
  tv = await displayCtx.newPage();
  for (const p of [desk, doctor, tv]) p.setDefaultTimeout(15_000); // generous: CI shares 2 cores
}, STEP);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (Object.keys(axeLog).length) console.log('axe serious/critical violations per page:', JSON.stringify(axeLog));
});

describe('scheduling in the browser', () => {
  test('chromium is installed at /usr/bin/chromium', () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium); this test never skips`);
    expect(browser.isConnected()).toBe(true);
  });

  test('the desk signs in and reads the day board', async () => {
    await signIn(desk, DESK);
    await desk.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Day board' }).click();
    await desk.waitForURL('**/board');
    const meera = desk.locator('section.board-doctor', { hasText: 'Dr. Meera Iyer' });
    expect(await meera.locator('.counts').innerText()).toContain('2 booked');
    expect(await meera.locator('.s-past').count()).toBeGreaterThan(0);
    expect(await meera.locator('.s-blocked').count()).toBe(2);
    expect(await meera.getByRole('link', { name: 'Book 10:15 with Dr. Meera Iyer' }).isVisible()).toBe(true);
    await expectAccessible(desk, 'board');
    await desk.screenshot({ path: `${SHOTS}/board-desktop.png`, fullPage: true });
  }, STEP);

  test('the doctor opens their queue on a phone: empty for now', async () => {
    await signIn(doctor, DOCTOR);
    await doctor.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Queue' }).click();
    await doctor.waitForURL(`**/queue/${ids.meera}`);
    expect(await doctor.getByRole('heading', { level: 1 }).innerText()).toContain('Dr. Meera Iyer');
    await doctor.locator('#tokens', { hasText: 'No tokens yet' }).waitFor();
    await doctor.evaluate(() => ((window as unknown as { stillHere: boolean }).stillHere = true));
  }, STEP);

  test('book: one search and two clicks', async () => {
    await desk.getByRole('link', { name: 'New appointment' }).click();
    await desk.waitForURL('**/appointments/new?**');
    await expectAccessible(desk, 'booking (empty)');
    expect(await desk.evaluate(() => document.activeElement?.id)).toBe('book-q');
    await desk.keyboard.type('asha');
    const choose = desk.getByRole('link', { name: 'Choose Asha Rao' });
    await choose.waitFor();
    await choose.click(); // click 1
    await desk.waitForURL(/patient_id=/);
    expect(await desk.locator('.picked').innerText()).toContain('Asha Rao');
    await desk.getByRole('link', { name: /Dr\. Meera Iyer/ }).click();
    await desk.waitForURL(/doctor_id=/);
    // Another day in place (htmx), then back to today.
    await desk.getByLabel('Date', { exact: true }).fill('2026-12-02');
    await desk.locator('#booking-slots', { hasText: 'Wed, 2 Dec 2026' }).waitFor();
    expect(await desk.locator('#booking-slots button.slot-button').count()).toBe(24);
    await desk.getByLabel('Date', { exact: true }).fill('2026-12-01');
    await desk.locator('#booking-slots', { hasText: 'Tue, 1 Dec 2026' }).waitFor();
    await expectAccessible(desk, 'booking (patient and doctor chosen)');
    await desk.screenshot({ path: `${SHOTS}/booking-desktop.png`, fullPage: true });
    await desk.getByRole('button', { name: '10:30 Tue, 1 Dec, book' }).click(); // click 2
    await desk.waitForURL(appointmentUrl);
    expect(await desk.locator('.flash-ok').innerText()).toBe('Booked Asha Rao with Dr. Meera Iyer on Tue, 1 Dec 2026 at 10:30');
    expect(await desk.locator('dl.facts').innerText()).toContain('Tue, 1 Dec 2026, 10:30–10:45');
    await expectAccessible(desk, 'appointment');
  }, STEP);

  test('check in: the doctor’s queue shows the token without a reload', async () => {
    await desk.getByLabel('Priority').selectOption('elderly');
    await desk.getByRole('button', { name: 'Check in' }).click();
    await desk.locator('.flash-ok', { hasText: 'Checked in: token 1' }).waitFor();
    await desk.screenshot({ path: `${SHOTS}/appointment-desktop.png`, fullPage: true });
    const token = doctor.locator('#tokens li.token', { hasText: 'Asha Rao' });
    await token.waitFor(); // the 2 s poll brings it
    expect(await token.innerText()).toContain('Elderly');
    expect(await doctor.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere)).toBe(true);
    await expectAccessible(doctor, 'queue (phone)');
    expect(await doctor.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await doctor.screenshot({ path: `${SHOTS}/queue-phone.png`, fullPage: true });
  }, STEP);

  test('the doctor calls the token; the waiting-room display shows the number, no names', async () => {
    await tv.goto(`/display?branch=${server.branchId}&token=${encodeURIComponent(displayToken(server.svc.secret, server.branchId))}`);
    const panel = tv.locator('section.display-doc', { hasText: 'Dr. Meera Iyer' });
    expect(await panel.locator('.now-number').innerText()).toBe('—');
    expect(await panel.locator('.next-numbers').innerText()).toBe('1');
    await tv.evaluate(() => ((window as unknown as { stillHere: boolean }).stillHere = true));

    await doctor.getByRole('button', { name: 'Call token 1' }).click();
    await doctor.locator('#queue-msg', { hasText: 'Called token 1' }).waitFor();
    expect(await doctor.locator('#tokens li.token').first().innerText()).toContain('Called');
    await panel.locator('.now-number', { hasText: /^1$/ }).waitFor(); // the 3 s refresh brings it
    expect(await tv.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere)).toBe(true);
    const text = await tv.locator('body').innerText();
    expect(text).not.toContain('Asha');
    expect(await tv.content()).not.toContain('Asha');
    await expectAccessible(tv, 'display');
    await tv.screenshot({ path: `${SHOTS}/display-tv.png` });
  }, STEP);

  test('the doctor starts and completes the consultation, with a review in 14 days', async () => {
    await doctor.getByRole('button', { name: 'Start token 1' }).click();
    await doctor.locator('#queue-msg', { hasText: 'Started the consultation of token 1' }).waitFor();
    await doctor.getByLabel('Review in').fill('14');
    await doctor.screenshot({ path: `${SHOTS}/queue-phone-consultation.png`, fullPage: true });
    await doctor.getByRole('button', { name: 'Complete token 1' }).click();
    await doctor.locator('#queue-msg', { hasText: 'Completed token 1; review due Tue, 15 Dec 2026' }).waitFor();
    expect(await doctor.locator('#tokens li.token').first().innerText()).toContain('Done');
    expect(await doctor.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere)).toBe(true);
    await doctor.screenshot({ path: `${SHOTS}/queue-phone-done.png`, fullPage: true });
    // The display no longer shows anyone with the doctor.
    await tv.locator('section.display-doc', { hasText: 'Dr. Meera Iyer' }).locator('.now-number', { hasText: '—' }).waitFor();
    // The desk sees the appointment done, with its history.
    await desk.reload();
    expect(await desk.locator('dl.facts').innerText()).toContain('Done');
    const history = await desk.locator('ol.history').innerText();
    for (const step of ['Booked', 'Checked in', 'Called in', 'Consultation started', 'Consultation completed']) expect(history).toContain(step);
  }, STEP);

  test('the week view and the queue list for the desk; nothing fetched from outside', async () => {
    await desk.goto(`/board/doctor/${ids.meera}`);
    await expectAccessible(desk, 'week');
    await desk.screenshot({ path: `${SHOTS}/week-desktop.png`, fullPage: true });
    await desk.goto('/queue');
    await expectAccessible(desk, 'queues');
    await desk.goto(`/queue/${ids.meera}`);
    await expectAccessible(desk, 'queue (desk)');
    await desk.screenshot({ path: `${SHOTS}/queue-desktop.png`, fullPage: true });
    const phone = await newContext({ width: 390, height: 844 }, true);
    try {
      const p = await phone.newPage();
      p.setDefaultTimeout(15_000);
      await signIn(p, DESK);
      await p.goto('/board');
      expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await p.screenshot({ path: `${SHOTS}/board-phone.png`, fullPage: true });
      await p.goto(`/appointments/new?patient_id=${ids.asha}&doctor_id=${ids.arjun}`);
      expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await p.screenshot({ path: `${SHOTS}/booking-phone.png`, fullPage: true });
    } finally {
      await phone.close();
    }
    expect(outside).toEqual([]);
  }, STEP);
});
