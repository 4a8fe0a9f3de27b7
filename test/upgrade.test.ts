// Upgrades. A database at the previous schema is saved (a consistent copy at the old schema)
// and then migrated; a migration that fails changes nothing, and the build that cannot
// migrate refuses to serve, naming the copy and `install.sh --rollback`.
//
// Two ways to get a previous-schema database:
//  - in process: migrations 0..N-2 only, then the rows (events with their hashes, read
//    tables, origin) that today's kernel records for a clinic and its patients, event types
//    the previous schema already had;
//  - the previous release itself: its source from git (the commit before the newest
//    migration landed), run with `bun` over the same node_modules. It writes the data folder,
//    the new build migrates it, and after a failed migration it still serves it.
// The SQLite files are checked with the sqlite3 CLI (PRAGMA integrity_check).
import { Database } from 'bun:sqlite';
import { afterAll, afterEach, describe, expect, test } from 'bun:test';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { databaseFile } from '../src/core/config';
import { openDatabase } from '../src/core/db';
import { appliedSchemaVersion, knownMigrations, latestSchemaVersion, type Migration, migrate } from '../src/core/migrate';
import { actorOf } from '../src/core/scope';
import { verify } from '../src/core/verify';
import { allProjections, openKernel } from '../src/kernel';
import { listPreMigrationSnapshots, migrateWithSnapshot, SnapshotFailedError, UpgradeFailedError } from '../src/ops/upgrade';
import { registerPatient } from '../src/patients/commands';
import { seedClinic, tempDir } from './helpers/kernel';

const ROOT = join(import.meta.dir, '..');
const BUN = process.execPath;
const KNOWN = knownMigrations();
const NEWEST = KNOWN[KNOWN.length - 1];
const PREVIOUS = KNOWN.slice(0, -1);
const FROM = latestSchemaVersion(PREVIOUS);
const TO = latestSchemaVersion();

const dirs: string[] = [];
function scratch(prefix = 'mymedic-upgrade-'): string {
  const d = tempDir(prefix);
  dirs.push(d);
  return d;
}
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});

/** Tables the newest migration creates (absent at the previous schema). */
const newTables = [...NEWEST.sql.matchAll(/CREATE TABLE `([^`]+)`/g)].map((m) => m[1]);

function sqlite3(file: string, sql: string): string {
  const r = Bun.spawnSync(['sqlite3', '-batch', '-readonly', file, sql], { stdout: 'pipe', stderr: 'pipe' });
  if (r.exitCode !== 0) throw new Error(`sqlite3 ${file}: ${r.stderr.toString()}`);
  return r.stdout.toString().trim();
}

interface Picture {
  schema: string;
  migrations: unknown[];
  rows: Record<string, number>;
  events: { n: number; last: string | null };
}

/** Everything that must not change when a migration run fails. */
function picture(db: Database): Picture {
  const schema = db.query(`SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name`).all();
  const tables = (db.query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).all() as { name: string }[]).map((t) => t.name);
  const rows = Object.fromEntries(tables.map((t) => [t, (db.query(`SELECT count(*) AS n FROM "${t}"`).get() as { n: number }).n]));
  const last = db.query('SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | null;
  return {
    schema: JSON.stringify(schema),
    migrations: db.query('SELECT version, name, checksum FROM schema_migrations ORDER BY version').all(),
    rows,
    events: { n: last?.seq ?? 0, last: last?.hash ?? null },
  };
}

/**
 * DIR/mymedic.db at the previous schema, holding a clinic, its owner and three patients as
 * today's kernel records them (the same event types the previous release wrote).
 */
function previousSchemaFolder(): { dir: string; db: Database } {
  const source = scratch();
  const k = openKernel(source);
  const { scope } = seedClinic(k);
  for (const [name, phone] of [
    ['Asha Rao', '9845012345'],
    ['Ravi Iyer', '9845012346'],
    ['किशोर कुमार', '9845012347'],
  ]) {
    k.runner.run({ actor: actorOf(scope) }, (tx) => registerPatient(tx, scope, { name, phone, sex: 'male', age_years: 40 }));
  }
  // The fixture is honest only if nothing recorded needs the newest migration's tables.
  for (const t of newTables) expect({ t, n: (k.db.query(`SELECT count(*) AS n FROM "${t}"`).get() as { n: number }).n }).toEqual({ t, n: 0 });
  k.close();

  const dir = scratch();
  const db = openDatabase(databaseFile(dir));
  expect(migrate(db, PREVIOUS)).toEqual(PREVIOUS.map((m) => m.name));
  db.run('ATTACH ? AS src', [databaseFile(source)]);
  const tables = (db.query(`SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations'`).all() as { name: string }[]).map(
    (r) => r.name,
  );
  db.transaction(() => {
    for (const t of tables) db.run(`INSERT INTO main."${t}" SELECT * FROM src."${t}"`);
  })();
  db.run('DETACH src');
  expect(appliedSchemaVersion(db)).toBe(FROM);
  expect(picture(db).events.n).toBe(6); // clinic, branch, owner, 3 patients
  return { dir, db };
}

const broken: Migration = {
  version: TO,
  name: `${String(TO).padStart(4, '0')}_broken`,
  sql: 'CREATE TABLE half_done (id INTEGER PRIMARY KEY);\n--> statement-breakpoint\nINSERT INTO half_done VALUES (1);\n--> statement-breakpoint\nINSERT INTO no_such_table VALUES (1);',
};

describe('in process: a database at the previous schema', () => {
  test('is saved as it was, then migrated; the copy is a valid SQLite database at the old schema', () => {
    const { dir, db } = previousSchemaFolder();
    try {
      const before = picture(db);
      const r = migrateWithSnapshot(db, dir);
      expect(r).toMatchObject({ from: FROM, to: TO, applied: [NEWEST.name], snapshot: { from: FROM, to: TO, reused: false } });
      const file = r.snapshot!.file;
      expect(file).toMatch(new RegExp(`^${dir}/backups/pre-migrate-${FROM}-to-${TO}-\\d{8}T\\d{6}Z\\.db$`));
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(readdirSync(join(dir, 'backups')).filter((f) => f.startsWith('.'))).toEqual([]); // no temp file left

      // Read back by somebody else's SQLite.
      expect(sqlite3(file, 'PRAGMA integrity_check')).toBe('ok');
      expect(sqlite3(file, 'SELECT max(version) FROM schema_migrations')).toBe(String(FROM));
      for (const t of newTables) expect(sqlite3(file, `SELECT count(*) FROM sqlite_master WHERE name = '${t}'`)).toBe('0');
      const copy = new Database(file, { readonly: true });
      try {
        expect(picture(copy)).toEqual(before);
      } finally {
        copy.close();
      }

      // The live one is current, its log intact, its read tables equal to a replay.
      expect(appliedSchemaVersion(db)).toBe(TO);
      expect(picture(db).events).toEqual(before.events);
      const report = verify(db, databaseFile(dir), allProjections);
      expect(report).toMatchObject({ ok: true, events: 6 });
      // Nothing more to do the next time.
      expect(migrateWithSnapshot(db, dir)).toEqual({ from: TO, to: TO, applied: [], snapshot: null });
      expect(listPreMigrationSnapshots(dir)).toHaveLength(1);
    } finally {
      db.close();
    }
  });

  test('a failing migration rolls back completely: schema_migrations, tables and data as before; the old list still accepts it', () => {
    const { dir, db } = previousSchemaFolder();
    try {
      const before = picture(db);
      let err: unknown;
      try {
        migrateWithSnapshot(db, dir, { migrations: [...PREVIOUS, broken] });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(UpgradeFailedError);
      const failure = err as UpgradeFailedError;
      expect(failure).toMatchObject({ from: FROM, to: TO, failure: { migration: broken.name } });
      expect(failure.message).toContain('no such table: no_such_table');
      const text = failure.explain('9.9.9');
      expect(text).toContain(`migration ${broken.name} failed`);
      expect(text).toContain(`still at schema ${FROM}`);
      expect(text).toContain('install.sh --rollback');
      expect(text).toContain(failure.snapshot!.file);
      expect(existsSync(failure.snapshot!.file)).toBe(true);

      // Not a trace: no half_done table, no row in schema_migrations, every row as it was.
      expect(picture(db)).toEqual(before);
      expect(sqlite3(databaseFile(dir), 'PRAGMA integrity_check')).toBe('ok');
      // The previous release (its migration list) finds the schema it knows and nothing to do.
      expect(migrate(db, PREVIOUS)).toEqual([]);

      // The same failure again (systemd restarting the server) reuses the copy instead of piling up more.
      let again: unknown;
      try {
        migrateWithSnapshot(db, dir, { migrations: [...PREVIOUS, broken] });
      } catch (e) {
        again = e;
      }
      expect(again).toBeInstanceOf(UpgradeFailedError);
      expect((again as UpgradeFailedError).snapshot!.file).toBe(failure.snapshot!.file);
      expect(listPreMigrationSnapshots(dir)).toHaveLength(1);

      // Once fixed, the upgrade goes through and the log verifies.
      expect(migrateWithSnapshot(db, dir).applied).toEqual([NEWEST.name]);
      expect(verify(db, databaseFile(dir), allProjections).ok).toBe(true);
    } finally {
      db.close();
    }
  });

  test('when the copy cannot be written, nothing is migrated', () => {
    const { dir, db } = previousSchemaFolder();
    try {
      writeFileSync(join(dir, 'backups'), 'a file where the folder should be');
      const before = picture(db);
      expect(() => migrateWithSnapshot(db, dir)).toThrow(SnapshotFailedError);
      expect(picture(db)).toEqual(before);
      expect(appliedSchemaVersion(db)).toBe(FROM);
    } finally {
      db.close();
    }
  });

  test('keeps only the newest three copies', () => {
    const { dir, db } = previousSchemaFolder();
    try {
      mkdirSync(join(dir, 'backups'));
      const old = ['20240101T000000Z', '20240201T000000Z', '20240301T000000Z', '20240401T000000Z'].map((t, i) => join(dir, 'backups', `pre-migrate-${i}-to-${i + 1}-${t}.db`));
      for (const f of old) writeFileSync(f, '');
      writeFileSync(join(dir, 'backups', 'mymedic-nightly.db'), ''); // not ours: never touched
      const r = migrateWithSnapshot(db, dir);
      const left = listPreMigrationSnapshots(dir).map((s) => s.file);
      expect(left).toEqual([r.snapshot!.file, old[3], old[2]]);
      expect(existsSync(join(dir, 'backups', 'mymedic-nightly.db'))).toBe(true);
    } finally {
      db.close();
    }
  });

  test('a new, empty database is migrated without a copy', () => {
    const dir = scratch();
    const db = openDatabase(databaseFile(dir));
    try {
      const r = migrateWithSnapshot(db, dir);
      expect(r).toMatchObject({ from: -1, to: TO, snapshot: null });
      expect(r.applied).toHaveLength(KNOWN.length);
      expect(existsSync(join(dir, 'backups'))).toBe(false);
    } finally {
      db.close();
    }
  });
});

// ---------------------------------------------------------------- the previous release, for real

function git(args: string[]): string | null {
  const r = Bun.spawnSync(['git', ...args], { cwd: ROOT, stdout: 'pipe', stderr: 'pipe' });
  return r.exitCode === 0 ? r.stdout.toString().trim() : null;
}

/** The source tree of the release before the newest migration, ready to run; null without git history. */
function checkOutPreviousRelease(): string | null {
  const added = git(['log', '-1', '--format=%H', '--diff-filter=A', '--', `migrations/${NEWEST.name}.sql`]);
  const commit = added ? `${added}^` : git(['rev-parse', 'HEAD']);
  if (!commit) return null;
  const dir = tempDir('mymedic-previous-release-');
  const archive = Bun.spawnSync(['sh', '-c', `git archive "${commit}" | tar -x -C "${dir}"`], { cwd: ROOT, stdout: 'pipe', stderr: 'pipe' });
  if (archive.exitCode !== 0 || !existsSync(join(dir, 'src/main.ts'))) {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  const version = Bun.spawnSync([BUN, 'src/main.ts', '--version'], { cwd: dir, stdout: 'pipe' }).stdout.toString();
  if (!version.includes(`(schema ${FROM},`)) {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
  return dir;
}

const OLD = checkOutPreviousRelease();
if (!OLD) console.warn('upgrade.test.ts: no git history holding the previous release; its tests are skipped');
afterAll(() => {
  if (OLD) rmSync(OLD, { recursive: true, force: true });
});

function cleanEnv(): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MYMEDIC_') && !k.startsWith('LITESTREAM')));
}

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(cwd: string, args: string[]): Promise<Result> {
  const p = Bun.spawn([BUN, 'src/main.ts', ...args], { cwd, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe', env: cleanEnv() });
  const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { code, stdout, stderr };
}

interface Running {
  url: string;
  lines: string[];
  stop(): Promise<number>;
}

/** `serve` from the given source tree; resolves once it listens. */
async function serve(cwd: string, data: string, extra: string[] = []): Promise<Running> {
  const p = Bun.spawn([BUN, 'src/main.ts', 'serve', '--data', data, '--host', '127.0.0.1', '--port', '0', ...extra], {
    cwd,
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
    env: cleanEnv(),
  });
  const reader = p.stdout.getReader();
  const decoder = new TextDecoder();
  const lines: string[] = [];
  let buffer = '';
  const deadline = Date.now() + 15_000;
  for (;;) {
    const nl = buffer.indexOf('\n');
    if (nl >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      lines.push(line);
      if (line.includes('"msg":"listening"')) {
        const url = (JSON.parse(line) as { url: string }).url;
        void (async () => {
          for (;;) if ((await reader.read()).done) break; // keep draining
        })();
        return {
          url,
          lines,
          async stop() {
            p.kill('SIGTERM');
            return p.exited;
          },
        };
      }
      continue;
    }
    const { value, done } = Date.now() < deadline ? await reader.read() : { value: undefined, done: true };
    if (done) {
      p.kill('SIGKILL');
      throw new Error(`serve did not start (exit ${await p.exited}): ${lines.join('\n')}\n${await new Response(p.stderr).text()}`);
    }
    buffer += decoder.decode(value, { stream: true });
  }
}

async function token(url: string, username: string, password: string): Promise<string> {
  const r = await fetch(`${url}/api/v1/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  expect(r.status).toBe(200);
  return ((await r.json()) as { token: string }).token;
}

async function patientNames(url: string, bearer: string): Promise<string[]> {
  const r = await fetch(`${url}/api/v1/patients?limit=50`, { headers: { authorization: `Bearer ${bearer}` } });
  expect(r.status).toBe(200);
  return ((await r.json()) as { items: { name: string }[] }).items.map((p) => p.name).sort();
}

describe.skipIf(!OLD)(`the previous release (schema ${FROM}) and this one (schema ${TO})`, () => {
  test('its data folder is saved and migrated when this one starts; this one serves its data; the copy serves the previous release again', async () => {
    const old = OLD!;
    const data = join(scratch(), 'data');
    // The previous release creates the clinic and records a patient through its API.
    const before = await serve(old, data, ['--demo']);
    let names: string[];
    try {
      const t = await token(before.url, 'owner', 'demo-owner-1');
      const reg = await fetch(`${before.url}/api/v1/patients`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Meena Pillai', phone: '9845099999', sex: 'female', age_years: 52 }),
      });
      expect(reg.status).toBe(201);
      names = await patientNames(before.url, t);
      expect(names).toContain('Meena Pillai');
    } finally {
      expect(await before.stop()).toBe(0);
    }
    expect(sqlite3(databaseFile(data), 'SELECT max(version) FROM schema_migrations')).toBe(String(FROM));
    const events = sqlite3(databaseFile(data), 'SELECT count(*) || \' \' || max(hash) FROM events');

    // This release starts on it: saves it, migrates, serves the same patients.
    const after = await serve(ROOT, data);
    try {
      const saved = after.lines.map((l) => JSON.parse(l) as { msg: string; file?: string; from?: number; to?: number }).find((l) => l.file);
      expect(saved).toMatchObject({ msg: expect.stringContaining('saved the database before migrating'), from: FROM, to: TO });
      expect(after.lines.some((l) => l.includes('"msg":"migrations applied"') && l.includes(NEWEST.name))).toBe(true);
      expect((await fetch(`${after.url}/readyz`)).status).toBe(200);
      expect(await patientNames(after.url, await token(after.url, 'owner', 'demo-owner-1'))).toEqual(names);
    } finally {
      expect(await after.stop()).toBe(0);
    }
    const verified = await run(ROOT, ['verify', '--data', data]);
    expect(verified.stdout).toStartWith('ok: ');
    expect(verified.code).toBe(0);

    // The copy is a clean database at the old schema with the same log...
    const [copy] = listPreMigrationSnapshots(data);
    expect(copy).toMatchObject({ from: FROM, to: TO });
    expect(sqlite3(copy.file, 'PRAGMA integrity_check')).toBe('ok');
    expect(sqlite3(copy.file, 'SELECT max(version) FROM schema_migrations')).toBe(String(FROM));
    expect(sqlite3(copy.file, 'SELECT count(*) || \' \' || max(hash) FROM events')).toBe(events);

    // ...which the previous release refuses on the migrated folder (exit 3) but serves from the copy.
    const refused = await run(old, ['migrate', '--data', data]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('newer than this mymedic knows');
    const back = join(scratch(), 'data');
    mkdirSync(back);
    copyFileSync(copy.file, databaseFile(back));
    copyFileSync(join(data, 'secret.key'), join(back, 'secret.key')); // the session key lives beside the database
    const rolledBack = await serve(old, back);
    try {
      expect((await fetch(`${rolledBack.url}/readyz`)).status).toBe(200);
      expect(await patientNames(rolledBack.url, await token(rolledBack.url, 'owner', 'demo-owner-1'))).toEqual(names);
    } finally {
      expect(await rolledBack.stop()).toBe(0);
    }
  }, 60_000);

  test('when a migration fails, this one exits 1 naming the copy and --rollback, and the previous release still serves the folder', async () => {
    const old = OLD!;
    const data = join(scratch(), 'data');
    const pw = join(scratch(), 'owner.pw');
    writeFileSync(pw, 'correct horse battery\n');
    const init = await run(old, ['init', '--data', data, '--clinic', 'Sunrise Clinic', '--branch-code', 'BLR1', '--admin', 'asha', '--password-file', pw]);
    expect(init.code).toBe(0);
    // Something in the way of the newest migration: a table of the same name made by hand.
    expect(newTables.length).toBeGreaterThan(0);
    const db = new Database(databaseFile(data));
    db.run(`CREATE TABLE "${newTables[0]}" (note TEXT)`);
    const before = picture(db);
    db.close();

    const served = await run(ROOT, ['serve', '--data', data, '--host', '127.0.0.1', '--port', '0']);
    expect(served.code).toBe(1);
    expect(served.stderr).toContain(`migration ${NEWEST.name} failed`);
    expect(served.stderr).toContain(`table \`${newTables[0]}\` already exists`);
    expect(served.stderr).toContain(`still at schema ${FROM}`);
    expect(served.stderr).toContain('install.sh --rollback');
    const [copy] = listPreMigrationSnapshots(data);
    expect(served.stderr).toContain(copy.file);
    expect(served.stdout).not.toContain('"msg":"listening"');

    // `mymedic migrate` (what install.sh runs) says the same, and reuses the copy.
    const migrated = await run(ROOT, ['migrate', '--data', data]);
    expect(migrated.code).toBe(1);
    expect(migrated.stderr).toContain(`migration ${NEWEST.name} failed`);
    expect(migrated.stderr).toContain(copy.file);
    expect(listPreMigrationSnapshots(data)).toEqual([copy]);

    const after = new Database(databaseFile(data), { readonly: true });
    expect(picture(after)).toEqual(before);
    after.close();
    expect(sqlite3(databaseFile(data), 'PRAGMA integrity_check')).toBe('ok');

    // The previous release serves it as before.
    const running = await serve(old, data);
    try {
      expect((await fetch(`${running.url}/readyz`)).status).toBe(200);
      await token(running.url, 'asha', 'correct horse battery');
    } finally {
      expect(await running.stop()).toBe(0);
    }
  }, 60_000);
});
