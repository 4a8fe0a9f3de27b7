// Backups as a sysadmin meets them: `mymedic backup now`, `restore`, `backup drill` and
// `backup status` run as subprocesses over real SQLite files in temp folders; damaged
// snapshots are made by truncating and flipping bytes, and the independent `sqlite3` CLI
// (when installed) reads the results back.
import { Database } from 'bun:sqlite';
import { afterAll, describe, expect, test } from 'bun:test';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { systemActor } from '../src/core/runner';
import { backupSummary, clearBackupCache } from '../src/ops/backup-status';
import { openKernel } from '../src/kernel';
import { registerPatient } from '../src/patients/commands';
import { seedClinic, tempDir } from './helpers/kernel';

const ROOT = join(import.meta.dir, '..');
const BUN = process.execPath;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function mymedic(args: string[], env: Record<string, string> = {}): Promise<Result> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MYMEDIC_')));
  const p = Bun.spawn([BUN, 'src/main.ts', ...args], { cwd: ROOT, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe', env: { ...clean, ...env } });
  const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { code, stdout, stderr };
}

const dirs: string[] = [];
function scratch(): string {
  const d = tempDir('mymedic-backup-');
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const MARKER = 'Zeenat Quagmire-Backup';

/** A data folder with a clinic and `patients` registered patients (one named MARKER). */
function clinic(patients = 40): { dir: string; data: string; events: number } {
  const dir = scratch();
  const data = join(dir, 'data');
  const k = openKernel(data);
  const { scope } = seedClinic(k);
  for (let i = 0; i < patients; i++) {
    const name = i === 7 ? MARKER : `Patient ${i}`;
    k.runner.run({ actor: systemActor('system') }, (tx) => registerPatient(tx, scope, { name, phone: `98${String(i).padStart(8, '0')}`, sex: 'female', age_years: 30 + (i % 40) }));
  }
  const events = (k.db.query('SELECT count(*) AS n FROM events').get() as { n: number }).n;
  k.close();
  return { dir, data, events };
}

/** Every byte of the live database's files, to prove a command left them alone. */
function fingerprint(data: string): string {
  const h = new Bun.CryptoHasher('sha256');
  for (const f of ['mymedic.db', 'mymedic.db-wal']) {
    const p = join(data, f);
    if (existsSync(p)) h.update(readFileSync(p));
  }
  return h.digest('hex');
}

const sqlite3 = Bun.which('sqlite3');

function integrityBySqlite3(file: string): string {
  const r = Bun.spawnSync([sqlite3!, file, 'PRAGMA integrity_check;']);
  return r.stdout.toString().trim();
}

function eventCount(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return (db.query('SELECT count(*) AS n FROM events').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('mymedic backup now', () => {
  test('writes a checked snapshot that restores and verifies, and records it', async () => {
    const { dir, data, events } = clinic();
    const out = join(dir, 'snap.db');
    const r = await mymedic(['backup', 'now', '--data', data, '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`wrote ${out}`);
    expect(r.stdout).toContain(`${events} events`);
    expect(r.stdout).toContain(`${statSync(out).size} bytes`);
    // Nothing but the snapshot is left beside it (the temp file was renamed).
    expect(readdirSync(dir).sort()).toEqual(['data', 'snap.db']);
    if (sqlite3) expect(integrityBySqlite3(out)).toBe('ok');
    expect(eventCount(out)).toBe(events);

    const state = JSON.parse(readFileSync(join(data, 'backups.json'), 'utf8'));
    expect(state.lastSnapshot).toMatchObject({ file: out, bytes: statSync(out).size, events });

    const target = join(dir, 'restored');
    const restore = await mymedic(['restore', '--from', out, '--data', target]);
    expect(restore.stderr).toBe('');
    expect(restore.code).toBe(0);
    expect(restore.stdout).toContain('integrity ok, verify ok');
    expect(readdirSync(target)).toEqual(['mymedic.db']);
    const verify = await mymedic(['verify', '--data', target]);
    expect(verify).toMatchObject({ code: 0, stdout: expect.stringContaining(`ok: ${events} events`) });
  });

  test('--out a folder names the file; a missing folder or database is a clear error', async () => {
    const { dir, data } = clinic(2);
    const folder = join(dir, 'backups');
    mkdirSync(folder);
    const r = await mymedic(['backup', 'now', '--data', data, '--out', folder, '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.file).toMatch(/\/backups\/mymedic-\d{8}T\d{6}Z\.db$/);
    expect(existsSync(j.file)).toBe(true);

    const nowhere = await mymedic(['backup', 'now', '--data', data, '--out', join(dir, 'nope', 'x.db')]);
    expect(nowhere).toMatchObject({ code: 1, stderr: expect.stringContaining('does not exist') });
    const noDb = await mymedic(['backup', 'now', '--data', join(dir, 'empty'), '--out', join(dir, 'y.db')]);
    expect(noDb).toMatchObject({ code: 1, stderr: expect.stringContaining('no database at') });
    const noOut = await mymedic(['backup', 'now', '--data', data]);
    expect(noOut).toMatchObject({ code: 2, stderr: expect.stringContaining('missing --out FILE') });
  });
});

test('reading a stopped server\'s database (backup now, status, drill) leaves no -wal or -shm behind', async () => {
  const dir = scratch();
  const data = join(dir, 'data');
  const pw = join(dir, 'pw');
  writeFileSync(pw, 'correct horse battery\n');
  expect((await mymedic(['init', '--data', data, '--clinic', 'C', '--branch-code', 'C1', '--admin', 'cara', '--password-file', pw])).code).toBe(0);
  const before = readdirSync(data).sort();
  expect(before).not.toContain('mymedic.db-wal');
  const db = fingerprint(data);
  expect((await mymedic(['backup', 'now', '--data', data, '--out', join(dir, 's.db')])).code).toBe(0);
  await mymedic(['backup', 'status', '--data', data]);
  expect((await mymedic(['backup', 'drill', '--data', data])).code).toBe(0);
  expect(readdirSync(data).sort()).toEqual([...before, 'backups.json'].sort());
  expect(fingerprint(data)).toBe(db);
});

describe('mymedic restore refuses a bad source', () => {
  async function refused(data: string, from: string, target: string, expected: RegExp) {
    const before = fingerprint(data);
    const r = await mymedic(['restore', '--from', from, '--data', target]);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain('restored ');
    expect(r.stderr).toMatch(expected);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    // No database and no partial file under the target; the target folder it created is gone.
    expect(existsSync(join(target, 'mymedic.db'))).toBe(false);
    expect(existsSync(join(target, 'restore-tmp'))).toBe(false);
    expect(existsSync(target)).toBe(false);
    // The live data is untouched, byte for byte, and still verifies.
    expect(fingerprint(data)).toBe(before);
    expect((await mymedic(['verify', '--data', data])).code).toBe(0);
  }

  test('a truncated snapshot', async () => {
    const { dir, data } = clinic();
    const snap = join(dir, 'snap.db');
    expect((await mymedic(['backup', 'now', '--data', data, '--out', snap])).code).toBe(0);
    truncateSync(snap, Math.floor(statSync(snap).size / 2));
    await refused(data, snap, join(dir, 'restored'), /^error: .*snap\.db is truncated: its header says \d+ bytes \(\d+ pages\), the file has \d+/);
    // Cut mid-page too.
    truncateSync(snap, statSync(snap).size - 100);
    await refused(data, snap, join(dir, 'restored'), /truncated/);
  });

  test('a snapshot with a flipped byte in an event (hash chain) or in a b-tree page (integrity_check)', async () => {
    const { dir, data } = clinic();
    const snap = join(dir, 'snap.db');
    expect((await mymedic(['backup', 'now', '--data', data, '--out', snap])).code).toBe(0);
    const good = readFileSync(snap);

    // A byte of the patient's name inside its stored event: SQLite is happy, the hash is not.
    const inEvent = Buffer.from(good);
    let at = -1;
    {
      const db = new Database(snap, { readonly: true });
      const data = (db.query(`SELECT data FROM events WHERE data LIKE '%Quagmire%'`).get() as { data: string }).data;
      db.close();
      // The whole JSON is unique (it holds the patient's id); the read tables store the name elsewhere.
      at = inEvent.indexOf(Buffer.from(data));
      expect(inEvent.indexOf(Buffer.from(data), at + 1)).toBe(-1);
    }
    expect(at).toBeGreaterThan(0);
    const name = inEvent.indexOf(Buffer.from('Quagmire'), at);
    expect(name - at).toBeLessThan(1000);
    inEvent[name] ^= 0x20; // 'Q' -> 'q'
    const flipped = join(dir, 'flipped-event.db');
    writeFileSync(flipped, inEvent);
    await refused(data, flipped, join(dir, 'restored'), /^error: .*fails the hash-chain check at event seq \d+ .*content does not match its hash/);

    // The page-type byte of a b-tree page: integrity_check (or opening) catches it.
    const pageSize = good.readUInt16BE(16);
    const inPage = Buffer.from(good);
    inPage[pageSize * 2] = 0x42; // page 3's header: not a valid b-tree page type
    const broken = join(dir, 'flipped-page.db');
    writeFileSync(broken, inPage);
    await refused(data, broken, join(dir, 'restored'), /^error: .*(is damaged|cannot be opened|malformed)/);

    // A file that is not a database at all.
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'x'.repeat(5000));
    await refused(data, text, join(dir, 'restored'), /is not a SQLite database \(wrong header\)/);
  });

  test('a target that already holds a database, unless --force, which moves it aside', async () => {
    const { dir, data, events } = clinic(5);
    const snap = join(dir, 'snap.db');
    expect((await mymedic(['backup', 'now', '--data', data, '--out', snap])).code).toBe(0);
    // The other clinic is made by a separate process, so nothing here holds its file open.
    const other = { data: join(dir, 'other') };
    const pw = join(dir, 'pw');
    writeFileSync(pw, 'correct horse battery\n');
    const init = await mymedic(['init', '--data', other.data, '--clinic', 'Other', '--branch-code', 'OT1', '--admin', 'olga', '--password-file', pw]);
    expect(init.code).toBe(0);
    const otherEvents = eventCount(join(other.data, 'mymedic.db'));
    const target = other.data;
    const before = fingerprint(target);
    const r = await mymedic(['restore', '--from', snap, '--data', target]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${target} already holds a database (mymedic.db`);
    expect(fingerprint(target)).toBe(before);
    expect(existsSync(join(target, 'restore-tmp'))).toBe(false);

    const forced = await mymedic(['restore', '--from', snap, '--data', target, '--force']);
    expect(forced.stderr).toBe('');
    expect(forced.code).toBe(0);
    const aside = readdirSync(target).filter((f) => f.startsWith('mymedic.db.before-restore-'));
    expect(aside).toHaveLength(1);
    expect(eventCount(join(target, aside[0]))).toBe(otherEvents);
    expect(eventCount(join(target, 'mymedic.db'))).toBe(events);
  });

  test('a source that does not exist, and a folder that is not a replica', async () => {
    const { dir, data } = clinic(1);
    const missing = await mymedic(['restore', '--from', join(dir, 'nope.db'), '--data', join(dir, 'r')]);
    expect(missing).toMatchObject({ code: 1, stderr: expect.stringContaining('no such file or folder') });
    const notReplica = await mymedic(['restore', '--from', data, '--data', join(dir, 'r')]);
    expect(notReplica).toMatchObject({ code: 1, stderr: expect.stringContaining('is not a Litestream replica folder') });
    const usage = await mymedic(['restore', '--from', data]);
    expect(usage).toMatchObject({ code: 2, stderr: expect.stringContaining('missing --data') });
    expect(existsSync(join(dir, 'r'))).toBe(false);
  });
});

describe('mymedic backup drill and status', () => {
  test('a drill restores the snapshot, compares it with the live log and records the result', async () => {
    const { dir, data, events } = clinic(10);
    const snap = join(dir, 'snap.db');
    expect((await mymedic(['backup', 'now', '--data', data, '--out', snap])).code).toBe(0);
    // The live log moves on after the snapshot: the drill reports the lag, and passes.
    const k = openKernel(data);
    const { scope } = { scope: seedScope(k) };
    k.runner.run({ actor: systemActor('system') }, (tx) => registerPatient(tx, scope, { name: 'Later Patient', phone: '9811111111', sex: 'male', age_years: 50 }));
    const live = (k.db.query('SELECT count(*) AS n FROM events').get() as { n: number }).n;
    k.close();
    expect(live).toBeGreaterThan(events);

    const r = await mymedic(['backup', 'drill', '--data', data, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const drill = JSON.parse(r.stdout);
    expect(drill).toMatchObject({ ok: true, restoredEvents: events, liveEvents: live, lagEvents: live - events, source: `snapshot ${snap}` });
    expect(drill.message).toContain(`restored ${events} of ${live} events`);
    // The scratch folder is gone; the data folder holds what it held.
    expect(readdirSync(data).filter((f) => f.startsWith('drill-'))).toEqual([]);
    const state = JSON.parse(readFileSync(join(data, 'backups.json'), 'utf8'));
    expect(state.lastDrill).toMatchObject({ ok: true, restoredEvents: events, liveEvents: live });

    // backupSummary (the status page) returns the last snapshot and drill.
    clearBackupCache();
    const summary = backupSummary(data);
    expect(summary).toEqual({
      replica: null,
      position: null,
      lastReplicatedAt: null,
      lagSeconds: null,
      lastSnapshot: { file: snap, at: state.lastSnapshot.at, bytes: statSync(snap).size },
      lastDrill: { at: state.lastDrill.at, ok: true, message: drill.message },
    });

    // A drill against a damaged snapshot fails, says why, and is recorded as failed.
    truncateSync(snap, 4096 * 3);
    const bad = await mymedic(['backup', 'drill', '--data', data]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/drill FAILED in [\d.]+ s: .*truncated/);
    expect(backupSummary(data).lastDrill).toMatchObject({ ok: false, message: expect.stringContaining('truncated') });
    const status = await mymedic(['backup', 'status', '--data', data]);
    expect(status.code).toBe(1);
    expect(status.stdout).toContain('the last restore drill failed');
  });

  test('a drill of a backup from another database fails', async () => {
    const a = clinic(3);
    const b = clinic(3);
    const snap = join(b.dir, 'b.db');
    expect((await mymedic(['backup', 'now', '--data', b.data, '--out', snap])).code).toBe(0);
    const r = await mymedic(['backup', 'drill', '--data', a.data, '--from', snap, '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, message: expect.stringContaining('not a backup of this database') });
  });

  test('backup status --json: its shape, with a file replica config, and the exit code', async () => {
    const { dir, data, events } = clinic(3);
    const none = await mymedic(['backup', 'status', '--data', data, '--json']);
    expect(none.code).toBe(1);
    const n = JSON.parse(none.stdout);
    expect(n).toEqual({
      ok: false,
      problems: ['no backup: no Litestream replica is configured and no snapshot was taken (mymedic backup now)'],
      maxLagSeconds: 600,
      replica: null,
      position: null,
      lastReplicatedAt: null,
      lagSeconds: null,
      lastSnapshot: null,
      lastDrill: null,
      configFile: null,
      generation: null,
      lastEventAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      liveEvents: events,
      replicaError: null,
      lastSnapshotEvents: null,
    });

    // A config naming a replica folder that holds nothing yet: unhealthy, and says why.
    const replica = join(dir, 'replica');
    writeFileSync(join(data, 'litestream.yml'), `dbs:\n  - path: ${join(data, 'mymedic.db')}\n    replicas:\n      - type: file\n        path: ${replica}\n`);
    const empty = await mymedic(['backup', 'status', '--data', data, '--json']);
    expect(empty.code).toBe(1);
    expect(JSON.parse(empty.stdout)).toMatchObject({
      ok: false,
      configFile: join(data, 'litestream.yml'),
      replica: { kind: 'file', url: replica },
      replicaError: expect.stringContaining('does not exist'),
    });

    // A replica whose last write is older than the last event: lag = time since that write.
    const gen = join(replica, 'generations', '0123456789abcdef');
    mkdirSync(join(gen, 'wal'), { recursive: true });
    mkdirSync(join(gen, 'snapshots'), { recursive: true });
    writeFileSync(join(gen, 'snapshots', '00000000.snapshot.lz4'), 'x');
    writeFileSync(join(gen, 'wal', '00000001_00001000.wal.lz4'), 'x');
    const old = new Date(Date.now() - 3600_000);
    const { utimesSync } = await import('node:fs');
    utimesSync(join(gen, 'snapshots', '00000000.snapshot.lz4'), old, old);
    utimesSync(join(gen, 'wal', '00000001_00001000.wal.lz4'), old, old);
    const behind = await mymedic(['backup', 'status', '--data', data, '--json', '--max-lag', '30m']);
    expect(behind.code).toBe(1);
    const s = JSON.parse(behind.stdout);
    expect(s).toMatchObject({ ok: false, maxLagSeconds: 1800, position: '0123456789abcdef/00000001:00001000', generation: '0123456789abcdef' });
    expect(s.lagSeconds).toBeGreaterThanOrEqual(3599);
    expect(s.problems[0]).toMatch(/the replica is \d+ s behind the live database \(more than 1800 s\)/);
    const text = await mymedic(['backup', 'status', '--data', data, '--max-lag', '2h']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`replica:       file ${replica}`);
    expect(text.stdout).toContain('status: ok');

    // Written after the last event: no lag.
    const fresh = new Date();
    utimesSync(join(gen, 'wal', '00000001_00001000.wal.lz4'), fresh, fresh);
    const current = JSON.parse((await mymedic(['backup', 'status', '--data', data, '--json'])).stdout);
    expect(current).toMatchObject({ ok: true, lagSeconds: 0, lastReplicatedAt: fresh.toISOString() });
    clearBackupCache();
    expect(backupSummary(data)).toMatchObject({ replica: { kind: 'file', url: replica }, lagSeconds: 0, position: '0123456789abcdef/00000001:00001000' });

    const badFlag = await mymedic(['backup', 'status', '--data', data, '--max-lag', 'soon']);
    expect(badFlag).toMatchObject({ code: 2, stderr: expect.stringContaining('--max-lag takes a duration') });
  });

  test('backup and restore answer --help; an unknown subcommand is a usage error', async () => {
    const help = await mymedic(['help', 'backup']);
    expect(help).toMatchObject({ code: 0, stdout: expect.stringContaining('Usage: mymedic backup <status|now|drill>') });
    const now = await mymedic(['backup', 'now', '--help']);
    expect(now.stdout).toContain('VACUUM INTO');
    const restore = await mymedic(['restore', '--help']);
    expect(restore.stdout).toContain('Usage: mymedic restore --from SOURCE --data NEWDIR');
    const bad = await mymedic(['backup', 'later']);
    expect(bad).toMatchObject({ code: 2, stderr: expect.stringContaining("unknown backup command 'later'") });
    const overview = await mymedic(['--help']);
    expect(overview.stdout).toMatch(/^ {2}backup +status/m);
    expect(overview.stdout).toMatch(/^ {2}restore +restore a replica/m);
  });
});

function seedScope(k: ReturnType<typeof openKernel>) {
  const row = k.db.query(`SELECT id FROM users WHERE username = 'owner'`).get() as { id: string };
  const branch = k.db.query('SELECT id FROM branches LIMIT 1').get() as { id: string };
  return { userId: row.id, username: 'owner', name: 'Owner', role: 'owner' as const, branchId: branch.id, branchIds: [branch.id], sessionId: 'test', via: 'bearer' as const };
}


describe('reading Litestream', () => {
  test('a config: the entry for this database, its replica without credentials; env expanded', async () => {
    const { readConfig, findConfigFile, parseGenerations, runsUnderLitestream, envForConfig } = await import('../src/ops/litestream');
    const dir = scratch();
    const data = join(dir, 'data');
    mkdirSync(data);
    const file = join(dir, 'litestream.yml');
    writeFileSync(
      file,
      [
        'dbs:',
        '  - path: /elsewhere/other.db',
        '    replicas:',
        '      - type: file',
        '        path: /mnt/other',
        `  - path: \${DATA_DIR}/mymedic.db`,
        '    replicas:',
        '      - name: offsite',
        '        type: s3',
        '        bucket: clinic-backups',
        '        path: mymedic',
        '        endpoint: https://s3.example.test',
        '        access-key-id: ${KEY_ID}',
        '        secret-access-key: ${SECRET}',
        '',
      ].join('\n'),
    );
    const c = readConfig(file, data, { DATA_DIR: data, KEY_ID: 'AKIA', SECRET: 'hush' });
    expect(c).toEqual({ file, dbPath: join(data, 'mymedic.db'), replica: { kind: 's3', url: 's3://clinic-backups/mymedic', name: 'offsite' }, dbPaths: ['/elsewhere/other.db', join(data, 'mymedic.db')] });
    expect(readConfig(file, join(dir, 'nope'), { DATA_DIR: data }).dbPath).toBeNull();

    writeFileSync(file, `dbs:\n  - path: ${join(data, 'mymedic.db')}\n    replicas:\n      - url: sftp://backup:secret@nas.local/srv/mymedic\n`);
    expect(readConfig(file, data).replica).toEqual({ kind: 'sftp', url: 'sftp://backup@nas.local/srv/mymedic', name: null });

    expect(findConfigFile(data, undefined, { MYMEDIC_LITESTREAM_CONFIG: file })).toBe(file);
    writeFileSync(join(data, 'litestream.yml'), 'dbs: []\n');
    expect(findConfigFile(data, undefined, {})).toBe(join(data, 'litestream.yml'));

    // install.sh's credentials file beside the config is read for Litestream; the environment wins.
    writeFileSync(join(dir, 'mymedic.env'), 'LITESTREAM_ACCESS_KEY_ID=AKIA\nLITESTREAM_SECRET_ACCESS_KEY=shh\n');
    const env = envForConfig(file, { LITESTREAM_ACCESS_KEY_ID: 'mine' });
    expect(env).toMatchObject({ LITESTREAM_ACCESS_KEY_ID: 'mine', LITESTREAM_SECRET_ACCESS_KEY: 'shh' });

    // `litestream generations` output (v0.3.13): the generation with the latest end wins.
    const g = parseGenerations(
      'name  generation        lag   start                 end\n' +
        's3    1111111111111111  1h    2026-11-23T18:00:00Z  2026-11-23T19:00:00Z\n' +
        's3    2222222222222222  2s    2026-11-23T19:00:01Z  2026-11-23T20:29:20Z\n',
    );
    expect(g).toEqual({ generation: '2222222222222222', position: '2222222222222222', updatedAt: new Date('2026-11-23T20:29:20Z'), snapshots: 0 });
    expect(parseGenerations('name  generation  lag  start  end\n')).toBeNull();

    expect(runsUnderLitestream(true, {}).yes).toBe(true);
    expect(runsUnderLitestream(undefined, { MYMEDIC_LITESTREAM: '1' }).yes).toBe(true);
    expect(runsUnderLitestream(undefined, { LITESTREAM: 'true' }).yes).toBe(true);
    expect(runsUnderLitestream(undefined, { MYMEDIC_LITESTREAM_CONFIG: '/etc/mymedic/litestream.yml' }).yes).toBe(true);
    expect(runsUnderLitestream(undefined, { MYMEDIC_LITESTREAM: '0', MYMEDIC_LITESTREAM_CONFIG: '/x' }).yes).toBe(false);
    expect(runsUnderLitestream(undefined, {}).yes).toBe(false); // bun test is not started by litestream
  });
});
