// The admin pages in a real browser (Debian's chromium through playwright-core): the owner
// adds a doctor, the doctor signs in and sees no Staff link, the owner opens a second
// branch and the branch switcher appears. Fails (never skips) when chromium is missing.
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { OWNER, startServer, type TestServer } from '../helpers/server';

const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOT = '/tmp/mymedic-admin-users.png';

let srv: TestServer;
let browser: Browser;

beforeAll(async () => {
  srv = await startServer();
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium package`);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

afterAll(async () => {
  await browser?.close();
  await srv?.stop();
});

async function signIn(page: Page, username: string, password: string) {
  await page.goto(`${srv.url}/login`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await Promise.all([page.waitForURL(`${srv.url}/`), page.getByRole('button', { name: 'Sign in' }).click()]);
}

async function signOut(page: Page) {
  await Promise.all([page.waitForURL(/\/login\?signed_out=1$/), page.getByRole('button', { name: 'Sign out' }).click()]);
}

test(
  'owner adds a doctor; the doctor has no Staff link; a second branch brings the switcher',
  async () => {
    expect(existsSync(CHROMIUM)).toBe(true);
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000); // generous: CI shares 2 cores
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));

    await signIn(page, OWNER.username, OWNER.password);
    const nav = page.getByRole('navigation', { name: 'Main' });
    await Promise.all([page.waitForURL(`${srv.url}/admin/users`), nav.getByRole('link', { name: 'Staff' }).click()]);
    await expect(page.getByRole('heading', { level: 1, name: 'Staff' }).isVisible()).resolves.toBe(true);

    await Promise.all([page.waitForURL(`${srv.url}/admin/users/new`), page.getByRole('link', { name: 'Add staff' }).click()]);
    await page.getByLabel('Username').fill('dr.meera');
    await page.getByLabel('Full name').fill('Dr Meera Rao');
    await page.getByLabel('Role').selectOption('doctor');
    const blr1 = page.getByRole('checkbox', { name: 'BLR1 · Indiranagar' });
    await blr1.check();
    await page.getByLabel('Initial password', { exact: false }).fill('meera-pass-42');
    await page.getByLabel('Confirm password').fill('meera-pass-42');
    await Promise.all([page.waitForURL(/\/admin\/users\/[0-9a-f-]+$/), page.getByRole('button', { name: 'Create account' }).click()]);
    await expect(page.getByRole('status').textContent()).resolves.toContain('Account dr.meera created');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Dr Meera Rao');
    await Promise.all([page.waitForURL(`${srv.url}/admin/users`), nav.getByRole('link', { name: 'Staff' }).click()]);
    await expect(page.locator('table.list tbody tr').count()).resolves.toBe(2);
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    await signOut(page);
    await signIn(page, 'dr.meera', 'meera-pass-42');
    await expect(page.locator('header .user').textContent()).resolves.toContain('Dr Meera Rao');
    await expect(nav.getByRole('link', { name: 'Patients' }).count()).resolves.toBe(1);
    await expect(nav.getByRole('link', { name: 'Staff' }).count()).resolves.toBe(0);
    await expect(nav.getByRole('link', { name: 'Branches' }).count()).resolves.toBe(0);
    await signOut(page);

    await signIn(page, OWNER.username, OWNER.password);
    await expect(page.locator('#branch-select').count()).resolves.toBe(0);
    await Promise.all([page.waitForURL(`${srv.url}/admin/branches`), nav.getByRole('link', { name: 'Branches' }).click()]);
    await Promise.all([page.waitForURL(`${srv.url}/admin/branches/new`), page.getByRole('link', { name: 'Open a branch' }).click()]);
    await page.getByLabel('Code').fill('BLR2');
    await page.getByLabel('Name *', { exact: true }).fill('Koramangala');
    await expect(page.getByLabel('Time zone').inputValue()).resolves.toBe('Asia/Kolkata');
    await Promise.all([page.waitForURL(`${srv.url}/admin/branches`), page.getByRole('button', { name: 'Open branch' }).click()]);
    await expect(page.getByRole('status').textContent()).resolves.toContain('BLR2');
    const switcher = page.locator('#branch-select');
    await switcher.waitFor({ state: 'visible' });
    await expect(switcher.locator('option').allTextContents()).resolves.toEqual(['BLR1 · Indiranagar', 'BLR2 · Koramangala']);

    expect(errors).toEqual([]);
    await context.close();
  },
  30_000,
);
