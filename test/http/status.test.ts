// The system status page (/admin/system) through a real server: the owner (and admins) see
// version, schema, storage, activity and backups, with red warnings when there is no
// replica; other roles get 403 and no menu entry; every value is escaped. Then the rules
// behind the red (lag threshold, low disk, events in the last hour) and the page in a real
// browser with axe-core.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import axe from 'axe-core';
import { chromium } from 'playwright-core';
import { SystemPage } from '../../views/admin/system';
import { fixedClock } from '../../src/core/clock';
import { latestSchemaVersion } from '../../src/core/migrate';
import { actorOf } from '../../src/core/scope';
import type { BackupSummary } from '../../src/ops/backup-status';
import {
  backupAttention,
  backupMaxAgeSeconds,
  diskIsLow,
  eventsSince,
  formatBytes,
  formatDuration,
  recordRebuild,
  type SystemStatus,
} from '../../src/ops/status';
import { registerPatient } from '../../src/patients/commands';
import { seedClinic, testKernel } from '../helpers/kernel';
import { OWNER, startServer, type TestServer } from '../helpers/server';

let s: TestServer;
let ownerToken = '';
let deskToken = '';
let adminToken = '';

beforeAll(async () => {
  s = await startServer();
  await s.addUser('desk', 'front_desk');
  await s.addUser('boss', 'admin');
  ownerToken = await s.token();
  deskToken = await s.token('desk', 'staff-pass-1');
  adminToken = await s.token('boss', 'staff-pass-1');
});
afterAll(() => s.stop());

const page = (path: string, token: string) => fetch(s.url + path, { headers: { authorization: `Bearer ${token}`, accept: 'text/html' }, redirect: 'manual' });
const TO = latestSchemaVersion();

/** Text of the element with this data-attention key, or null. */
const attention = (html: string) => [...html.matchAll(/data-attention="([a-z_]+)"/g)].map((m) => m[1]);

describe('GET /admin/system', () => {
  test('the owner sees version, schema, storage, activity, and red warnings without a replica', async () => {
    const res = await page('/admin/system', ownerToken);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toStartWith('text/html');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const html = await res.text();
    expect(html).toContain('<h1>System</h1>');
    expect(html).toMatch(/<a href="\/admin\/system" aria-current="page">System<\/a>/);
    expect(html).toContain('<dt>Version</dt><dd><span>test</span>');
    expect(html).toContain(`<span>${TO} applied, ${TO} known to this version</span>`);
    expect(html).toContain('<dt>Mode</dt><dd><span>standalone</span>');
    // No replica: red at the top and in the Backups card, with how to set one up.
    expect(html).toContain('<section class="flash flash-error" aria-labelledby="h-attention">');
    expect(attention(html)).toContain('no_replica');
    expect(html).toContain('<h3>No replica configured</h3>');
    expect(html).toContain('install.sh --replica-dir');
    expect(html).toContain(`${s.dir}/litestream.yml`);
    expect(html).not.toContain('All is well');
    // Facts read from the database.
    expect(html).toContain(`<dt>Events</dt><dd><span>${s.eventCount().toLocaleString('en-IN')}</span>`);
    expect(html).toContain('<dt>Staff accounts</dt><dd><span>3 active of 3</span>');
    expect(html).toContain('<dt>Branches</dt><dd><span>1 open of 1</span>');
    expect(html).toMatch(/<dt>Signed in<\/dt><dd><span>0 browser sessions, 3 API tokens<\/span>/);
    expect(html).toMatch(/<dt>Disk free<\/dt><dd>(<span>|<strong class="error">)[\d.]+ [KMGT]B of [\d.]+ [KMGT]B \(\d+ %\)/);
    expect(html).toContain('<dt>Last rebuild</dt><dd><span>never</span>');
    expect(html).toContain('No upgrade has migrated this database yet.');
  });

  test('an admin may see it too; front desk gets 403 and no menu entry', async () => {
    expect((await page('/admin/system', adminToken)).status).toBe(200);
    expect((await page('/admin/system', deskToken)).status).toBe(403);
    const home = await (await page('/', deskToken)).text();
    expect(home).toContain('href="/patients"');
    expect(home).not.toContain('href="/admin/system"');
    const ownerHome = await (await page('/', ownerToken)).text();
    expect(ownerHome).toContain('href="/admin/system"');
    expect((await fetch(`${s.url}/admin/system`, { redirect: 'manual', headers: { accept: 'text/html' } })).status).toBe(303);
  });

  test('shows the last rebuild, pre-migration copies, and the last snapshot and drill', async () => {
    recordRebuild(s.svc.kernel.db, { at: '2026-03-01T04:30:00.000Z', seconds: 1.234, events: 12345 });
    mkdirSync(join(s.dir, 'backups'), { recursive: true });
    writeFileSync(join(s.dir, 'backups', 'pre-migrate-2-to-3-20260201T101500Z.db'), 'x'.repeat(2048));
    writeFileSync(
      join(s.dir, 'backups.json'),
      JSON.stringify({
        lastSnapshot: { file: join(s.dir, 'nightly.db'), at: '2026-03-02T00:00:00.000Z', bytes: 5 * 1024 * 1024, events: 7 },
        lastDrill: { at: '2026-03-02T01:00:00.000Z', ok: true, message: 'restored 7 events; verify ok', source: 'snapshot', restoredEvents: 7, liveEvents: 7, seconds: 0.5 },
      }),
    );
    const html = await (await page('/admin/system', ownerToken)).text();
    expect(html).toContain('<dt>Last rebuild</dt><dd><span>1 Mar 2026, 10:00: 12,345 events in 1.23 s</span>');
    expect(html).toContain('<td class="nowrap">2 → 3</td>');
    expect(html).toContain('<td class="nowrap">1 Feb 2026, 15:45</td>');
    expect(html).toContain(`<td>${join(s.dir, 'backups', 'pre-migrate-2-to-3-20260201T101500Z.db')}</td>`);
    expect(html).toContain('<dt>Last snapshot</dt><dd><span>2 Mar 2026, 05:30 · 5.0 MB</span>');
    expect(html).toContain('<dt>Last restore drill</dt><dd><span>2 Mar 2026, 06:30 · passed</span><small class="hint">restored 7 events; verify ok</small>');
    expect(attention(html)).toEqual(['no_replica']); // a passed drill adds nothing
  });

  test('escapes what it shows: version, file names, drill messages', async () => {
    const version = s.svc.version;
    s.svc.version = '<script>alert("v")</script>';
    writeFileSync(
      join(s.dir, 'backups.json'),
      JSON.stringify({
        lastSnapshot: { file: '/mnt/<b>usb</b>/x.db', at: '2026-03-02T00:00:00.000Z', bytes: 1, events: 1 },
        lastDrill: { at: '2026-03-02T01:00:00.000Z', ok: false, message: '<img src=x onerror=alert(1)> & "quotes"', source: 'x', restoredEvents: null, liveEvents: 1, seconds: 1 },
      }),
    );
    try {
      const html = await (await page('/admin/system', ownerToken)).text();
      expect(html).not.toContain('<script>alert');
      expect(html).not.toContain('<img src=x');
      expect(html).not.toContain('<b>usb</b>');
      expect(html).toContain('<dt>Version</dt><dd><span>&lt;script&gt;alert(&quot;v&quot;)&lt;/script&gt;</span>');
      expect(html).toContain('<small class="hint">&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot;</small>');
      expect(html).toContain('<li data-attention="drill_failed">The last restore drill failed: &lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot;</li>');
      expect(html).toContain('/mnt/&lt;b&gt;usb&lt;/b&gt;/x.db');
      // A failed drill is red, at the top and in the card.
      expect(attention(html)).toEqual(['no_replica', 'drill_failed']);
      expect(html).toContain('<strong class="error">2 Mar 2026, 06:30 · FAILED</strong>');
    } finally {
      s.svc.version = version;
    }
  });
});

// ---------------------------------------------------------------- the rules behind the red

const summary = (over: Partial<BackupSummary>): BackupSummary => ({
  replica: { kind: 'file', url: '/mnt/nas/mymedic' },
  position: '0123456789abcdef/00000002:4152',
  lastReplicatedAt: '2026-03-02T10:00:00.000Z',
  lagSeconds: 0,
  lastSnapshot: null,
  lastDrill: { at: '2026-03-01T10:00:00.000Z', ok: true, message: 'ok' },
  ...over,
});

describe('what turns red', () => {
  test('backups: no replica, an unreadable one, one behind by more than the threshold, a failed drill', () => {
    expect(backupAttention(summary({}), 3600)).toEqual([]);
    expect(backupAttention(summary({ lagSeconds: 3600 }), 3600)).toEqual([]);
    expect(backupAttention(summary({ lagSeconds: 3601 }), 3600).map((a) => a.key)).toEqual(['replica_behind']);
    expect(backupAttention(summary({ lagSeconds: 3601 }), 3600)[0].text).toBe('The backup replica is 1 h behind (more than 1 h).');
    expect(backupAttention(summary({ lagSeconds: null, position: null }), 3600).map((a) => a.key)).toEqual(['replica_unreadable']);
    expect(backupAttention(summary({ replica: null, lagSeconds: null }), 3600).map((a) => a.key)).toEqual(['no_replica']);
    expect(backupAttention(summary({ lastDrill: { at: '2026-03-01T10:00:00.000Z', ok: false, message: 'hash chain broken' } }), 3600)).toEqual([
      { key: 'drill_failed', text: 'The last restore drill failed: hash chain broken' },
    ]);
  });

  test('the threshold is an hour unless MYMEDIC_BACKUP_MAX_AGE says otherwise', () => {
    expect(backupMaxAgeSeconds({})).toBe(3600);
    expect(backupMaxAgeSeconds({ MYMEDIC_BACKUP_MAX_AGE: '90s' })).toBe(90);
    expect(backupMaxAgeSeconds({ MYMEDIC_BACKUP_MAX_AGE: '10m' })).toBe(600);
    expect(backupMaxAgeSeconds({ MYMEDIC_BACKUP_MAX_AGE: '2h' })).toBe(7200);
    expect(backupMaxAgeSeconds({ MYMEDIC_BACKUP_MAX_AGE: '45' })).toBe(45);
    expect(backupMaxAgeSeconds({ MYMEDIC_BACKUP_MAX_AGE: 'soon' })).toBe(3600);
  });

  test('disk: below 1 GB or below 10 % free', () => {
    const GB = 1_000_000_000;
    expect(diskIsLow({ freeBytes: 0.9 * GB, totalBytes: 4 * GB })).toBe(true);
    expect(diskIsLow({ freeBytes: 9 * GB, totalBytes: 100 * GB })).toBe(true);
    expect(diskIsLow({ freeBytes: 11 * GB, totalBytes: 100 * GB })).toBe(false);
    expect(diskIsLow({ freeBytes: 2 * GB, totalBytes: 4 * GB })).toBe(false);
  });

  test('sizes and durations read as people say them', () => {
    expect([formatBytes(512), formatBytes(2048), formatBytes(5 * 1024 * 1024), formatBytes(1.5 * 1024 ** 3), formatBytes(300 * 1024 ** 3)]).toEqual([
      '512 B',
      '2.0 KB',
      '5.0 MB',
      '1.5 GB',
      '300 GB',
    ]);
    expect([formatDuration(0), formatDuration(89), formatDuration(600), formatDuration(3600), formatDuration(3 * 3600 + 720), formatDuration(5 * 86400)]).toEqual([
      '0 s',
      '89 s',
      '10 min',
      '1 h',
      '3 h 12 min',
      '5 days',
    ]);
  });

  test('events in the last hour, found without reading the whole log', () => {
    const clock = fixedClock('2026-03-02T08:00:00.000Z');
    const k = testKernel({ clock });
    try {
      const { scope } = seedClinic(k); // 3 events at 08:00; each registration is one more
      const register = (name: string) =>
        k.runner.run({ actor: actorOf(scope) }, (tx) => registerPatient(tx, scope, { name, phone: '9845012345', sex: 'female', age_years: 30 }));
      clock.advance(30 * 60_000);
      register('Asha Rao'); // 08:30
      clock.advance(45 * 60_000);
      register('Meena Iyer'); // 09:15
      register('Kavya Nair');
      clock.advance(20 * 60_000); // 09:35
      expect(eventsSince(k.db, new Date(clock.now().getTime() - 3600_000))).toBe(2); // since 08:35
      expect(eventsSince(k.db, new Date('2026-03-02T08:00:00.000Z'))).toBe(6);
      expect(eventsSince(k.db, new Date('2026-03-02T07:00:00.000Z'))).toBe(6);
      expect(eventsSince(k.db, new Date('2026-03-02T10:00:00.000Z'))).toBe(0);
    } finally {
      k.dispose();
    }
  });
});

// ---------------------------------------------------------------- the page itself

function status(over: Partial<SystemStatus> = {}): SystemStatus {
  return {
    now: '2026-03-02T10:00:30.000Z',
    version: '1.2.3',
    schemaApplied: TO,
    schemaKnown: TO,
    sqlite: '3.54.1',
    mode: 'standalone',
    startedAt: '2026-03-01T10:00:00.000Z',
    uptimeSeconds: 86430,
    dataDir: '/var/lib/mymedic',
    dbFile: '/var/lib/mymedic/mymedic.db',
    dbBytes: 50 * 1024 * 1024,
    walBytes: 4 * 1024 * 1024,
    disk: { freeBytes: 80e9, totalBytes: 200e9, low: false },
    events: { total: 123456, lastHour: 42, lastAt: '2026-03-02T09:59:00.000Z' },
    lastRebuild: null,
    backup: summary({}),
    backupError: null,
    backupMaxAgeSeconds: 3600,
    replicaAgeSeconds: 30,
    preMigrationSnapshots: [],
    sessions: { web: 4, api: 1 },
    users: { active: 6, total: 7 },
    branches: { active: 1, total: 1 },
    sync: null,
    hub: null,
    attention: [],
    ...over,
  };
}

const user = { name: 'Olivia', role: 'owner', branchId: 'b1', branches: [{ id: 'b1', code: 'BLR1', name: 'Indiranagar' }], csrf: 'c' };
const render = (st: SystemStatus) => SystemPage({ user, clinicName: 'Sunrise', status: st, timeZone: 'Asia/Kolkata' }) as string;

describe('the page', () => {
  test('all well: green at the top, the replica current, nothing red', () => {
    const html = render(status());
    expect(html).toContain('<p class="flash flash-ok">All is well');
    expect(html).not.toContain('flash-error');
    expect(html).not.toContain('class="error"');
    expect(html).toContain('<span class="num">Current</span>');
    expect(html).toContain('<dt>Replica</dt><dd><span>FILE /mnt/nas/mymedic</span>');
    expect(html).toContain('<dt>Position</dt><dd><span>0123456789abcdef/00000002:4152</span>');
    expect(html).toContain('<dt>Last written</dt><dd><span>2 Mar 2026, 15:30 (30 s ago)</span>');
    expect(html).toContain('<dt>Behind by</dt><dd><span>nothing: it holds every event</span>');
    expect(html).toContain('<span class="num">1,23,456</span><span class="label">events, 42 in the last hour</span>');
    expect(html).toContain('<dt>Up for</dt><dd><span>24 h</span>');
    expect(html).toContain('<dt>Signed in</dt><dd><span>4 browser sessions, 1 API token</span>');
  });

  test('a replica behind and a full disk: red tiles, red facts, listed at the top', () => {
    const backup = summary({ lagSeconds: 7300 });
    const disk = { freeBytes: 0.5e9, totalBytes: 200e9, low: true };
    const html = render(
      status({ backup, disk, attention: [...backupAttention(backup, 3600), { key: 'disk', text: 'Disk space is low: 477 MB free of 186 GB in the data folder.' }] }),
    );
    expect(attention(html)).toEqual(['replica_behind', 'disk']);
    expect(html).toContain('<div class="tile" style="border-left-color: var(--danger)"><span class="num">2 h 1 min</span><span class="label">replica behind</span>');
    expect(html).toContain('<strong class="error">2 h 1 min</strong>');
    expect(html).toMatch(/<div class="tile" style="border-left-color: var\(--danger\)"><span class="num">477 MB<\/span><span class="label">disk free \(0 %\)<\/span>/);
  });

  test('an unreadable backup status is red, not an error page', () => {
    const html = render(status({ backup: null, backupError: 'litestream: <boom>', attention: [{ key: 'backup_unknown', text: 'The backup status cannot be read: litestream: <boom>' }] }));
    expect(html).toContain('The backup status cannot be read: litestream: &lt;boom&gt;');
    expect(html).toContain('<span class="num">Unknown</span><span class="label">backup status</span>');
  });

  const sync = (over: Partial<NonNullable<SystemStatus['sync']>> = {}): NonNullable<SystemStatus['sync']> => ({
    joined: true,
    hub_url: 'https://hq.example.in',
    branch_code: 'BLR1',
    head_seq: 500,
    push_high_water: 500,
    lag_events: 0,
    lag_seconds: 0,
    pull_after: 12,
    last_push_ok_at: '2026-03-02T10:00:20.000Z',
    last_pull_ok_at: '2026-03-02T10:00:20.000Z',
    last_attempt_at: '2026-03-02T10:00:20.000Z',
    last_error: null,
    last_error_at: null,
    connected: true,
    ...over,
  });

  test('a branch: the sync card says connected and caught up, nothing red there', () => {
    const html = render(status({ mode: 'branch', sync: sync() }));
    expect(html).toContain('Sync with the hub');
    expect(html).toContain('data-sync="connected"');
    expect(html).toContain('nothing: the hub holds every event');
    expect(html).toContain('https://hq.example.in');
    expect(html).not.toContain('<strong class="error">not connected</strong>');
  });

  test('a branch cut off from the hub: not connected, how far behind, the last error (escaped)', () => {
    const html = render(
      status({ mode: 'branch', sync: sync({ connected: false, head_seq: 900, lag_events: 400, lag_seconds: 7200, last_error: 'hub unreachable: <ECONNREFUSED>', last_error_at: '2026-03-02T10:00:25.000Z' }) }),
    );
    expect(html).toContain('data-sync="disconnected"');
    expect(html).toContain('<strong class="error">not connected</strong>');
    expect(html).toContain('400 events, the oldest from 2 h ago');
    expect(html).toContain('hub unreachable: &lt;ECONNREFUSED&gt;');
    expect(html).not.toContain('<ECONNREFUSED>');
  });

  test('standalone: no sync card', () => {
    expect(render(status())).not.toContain('Sync with the hub');
  });
});

// ---------------------------------------------------------------- in a browser

const CHROMIUM = '/usr/bin/chromium';

test('in a browser: reached from the menu, readable, no serious accessibility findings', async () => {
  expect(existsSync(CHROMIUM)).toBe(true);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const p = await (await browser.newContext({ viewport: { width: 1200, height: 900 } })).newPage();
    p.setDefaultTimeout(15_000);
    await p.goto(`${s.url}/login`);
    await p.getByLabel('Username').fill(OWNER.username);
    await p.getByLabel('Password').fill(OWNER.password);
    await Promise.all([p.waitForURL(`${s.url}/`), p.getByRole('button', { name: 'Sign in' }).click()]);
    await Promise.all([p.waitForURL(`${s.url}/admin/system`), p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'System' }).click()]);
    await expect(p.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('System');
    await expect(p.getByRole('heading', { name: 'Needs attention' }).isVisible()).resolves.toBe(true);
    await expect(p.getByRole('heading', { name: 'No replica configured' }).isVisible()).resolves.toBe(true);
    await p.screenshot({ path: '/tmp/mymedic-system-status.png', fullPage: true });
    await p.addScriptTag({ content: axe.source });
    const bad = await p.evaluate(async () => {
      const a = (window as unknown as { axe: typeof axe }).axe;
      const r = await a.run(document, { resultTypes: ['violations'] });
      return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.html) }));
    });
    expect(bad).toEqual([]);
    // A phone: nothing wider than the screen.
    await p.setViewportSize({ width: 375, height: 800 });
    await expect(p.evaluate(() => document.documentElement.scrollWidth)).resolves.toBeLessThanOrEqual(375);
  } finally {
    await browser.close();
  }
}, 60_000);
