// The command line, driven as a sysadmin would: `bun src/main.ts ...` in subprocesses over
// real data folders in temp directories. No terminal: stdin is closed.
import { Database } from 'bun:sqlite';
import { afterEach, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dir, '..');
const BUN = process.execPath;
const PASSWORD = 'correct horse battery';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function mymedic(args: string[], env: Record<string, string> = {}): Promise<Result> {
  const p = Bun.spawn([BUN, 'src/main.ts', ...args], {
    cwd: ROOT,
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
    env: { ...cleanEnv(), ...env },
  });
  const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { code, stdout, stderr };
}

/** The environment without MYMEDIC_* settings of whoever runs the tests. */
function cleanEnv(): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MYMEDIC_')));
}

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'mymedic-cli-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});

/** A temp folder with a password file and an initialised clinic in ./data. */
async function initialised(): Promise<{ dir: string; data: string; pw: string }> {
  const dir = tempDir();
  const pw = join(dir, 'owner.pw');
  writeFileSync(pw, PASSWORD + '\n');
  const data = join(dir, 'data');
  const r = await mymedic(['init', '--data', data, '--clinic', 'Sunrise Clinic', '--branch-code', 'blr1', '--admin', 'Asha', '--admin-name', 'Dr Asha Rao', '--password-file', pw]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return { dir, data, pw };
}

function tamper(data: string, sql: string[]): void {
  const db = new Database(join(data, 'mymedic.db'));
  for (const s of sql) db.run(s);
  db.close();
}

describe('mymedic init', () => {
  test('creates a clinic, its branch and the owner, which user list shows', async () => {
    const { data } = await initialised();
    const list = await mymedic(['user', 'list', '--data', data]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^USERNAME\s+NAME\s+ROLE\s+BRANCHES\s+ACTIVE$/m);
    expect(list.stdout).toMatch(/^asha\s+Dr Asha Rao\s+owner\s+all\s+yes$/m);
    const json = await mymedic(['user', 'list', '--data', data, '--json']);
    expect(JSON.parse(json.stdout.trim())).toMatchObject({ username: 'asha', role: 'owner', branches: ['BLR1'], active: true });
    // The password file's content (minus its newline) is the password.
    const db = new Database(join(data, 'mymedic.db'), { readonly: true });
    const { password_hash } = db.query(`SELECT password_hash FROM users WHERE username = 'asha'`).get() as { password_hash: string };
    db.close();
    expect(await Bun.password.verify(PASSWORD, password_hash)).toBe(true);
    // Patient data stays private to the service account.
    expect(statSync(join(data, 'mymedic.db')).mode & 0o077).toBe(0);
  });

  test('refuses a data folder that already holds a clinic', async () => {
    const { data, pw } = await initialised();
    const r = await mymedic(['init', '--data', data, '--clinic', 'Other', '--branch-code', 'X1', '--admin', 'bob', '--password-file', pw]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('already initialised');
    expect(r.stderr).toContain('Sunrise Clinic');
    const list = await mymedic(['user', 'list', '--data', data, '--json']);
    expect(list.stdout.trim().split('\n')).toHaveLength(1);
  });

  test('without a terminal, missing flags are named and the exit code is 2', async () => {
    const data = join(tempDir(), 'data');
    const r = await mymedic(['init', '--data', data, '--clinic', 'Sunrise Clinic']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('missing --branch-code, --admin, --password-file');
    expect(r.stderr).toContain('mymedic init --help');
  });

  test('a bad value is refused with a clear message and leaves no clinic behind', async () => {
    const dir = tempDir();
    const pw = join(dir, 'pw');
    writeFileSync(pw, 'short\n');
    const data = join(dir, 'data');
    const weak = await mymedic(['init', '--data', data, '--clinic', 'C', '--branch-code', 'B1', '--admin', 'asha', '--password-file', pw]);
    expect(weak.code).toBe(1);
    expect(weak.stderr).toBe('error: Password must have at least 8 characters\n');
    writeFileSync(pw, PASSWORD);
    const code = await mymedic(['init', '--data', data, '--clinic', 'C', '--branch-code', 'TOOLONG', '--admin', 'asha', '--password-file', pw]);
    expect(code.code).toBe(1);
    expect(code.stderr).toContain('Branch code must be 1 to 4 letters or digits');
    const ok = await mymedic(['init', '--data', data, '--clinic', 'C', '--branch-code', 'B1', '--admin', 'asha', '--password-file', pw]);
    expect(ok.code).toBe(0);
  });
});

describe('mymedic user', () => {
  test('add, passwd, disable and enable change what user list shows and what signs in', async () => {
    const { dir, data, pw } = await initialised();
    const add = await mymedic(['user', 'add', '--data', data, '--username', 'ravi', '--name', 'Ravi Kumar', '--role', 'front_desk', '--password-file', pw]);
    expect(add).toMatchObject({ code: 0, stdout: 'added ravi (front_desk)\n' });
    const again = await mymedic(['user', 'add', '--data', data, '--username', 'RAVI', '--name', 'R', '--role', 'doctor', '--password-file', pw]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('ravi is already taken');
    const badRole = await mymedic(['user', 'add', '--data', data, '--username', 'x1x', '--name', 'X', '--role', 'nurse', '--password-file', pw]);
    expect(badRole).toMatchObject({ code: 1, stderr: expect.stringContaining('error: Role must be one of') });
    const badBranch = await mymedic(['user', 'add', '--data', data, '--username', 'x1x', '--name', 'X', '--role', 'doctor', '--branch', 'ZZ9', '--password-file', pw]);
    expect(badBranch).toMatchObject({ code: 1, stderr: expect.stringContaining('no branch with code ZZ9; branches: BLR1') });

    const newPw = join(dir, 'new.pw');
    writeFileSync(newPw, 'another long passphrase\n');
    const passwd = await mymedic(['user', 'passwd', '--data', data, '--username', 'ravi', '--password-file', newPw]);
    expect(passwd).toMatchObject({ code: 0, stdout: 'password changed for ravi\n' });
    const db = new Database(join(data, 'mymedic.db'), { readonly: true });
    const hash = (db.query(`SELECT password_hash h FROM users WHERE username = 'ravi'`).get() as { h: string }).h;
    db.close();
    expect(await Bun.password.verify('another long passphrase', hash)).toBe(true);

    const unknown = await mymedic(['user', 'passwd', '--data', data, '--username', 'nobody', '--password-file', newPw]);
    expect(unknown).toMatchObject({ code: 1, stderr: 'error: no user named nobody\n' });

    const disable = await mymedic(['user', 'disable', '--data', data, '--username', 'ravi', '--reason', 'left the clinic']);
    expect(disable).toMatchObject({ code: 0, stdout: 'disabled ravi\n' });
    let list = await mymedic(['user', 'list', '--data', data]);
    expect(list.stdout).toMatch(/^ravi\s+Ravi Kumar\s+front_desk\s+BLR1\s+no$/m);

    const lastOwner = await mymedic(['user', 'disable', '--data', data, '--username', 'asha']);
    expect(lastOwner).toMatchObject({ code: 1, stderr: 'error: The clinic must keep at least one active owner\n' });

    const enable = await mymedic(['user', 'enable', '--data', data, '--username', 'ravi']);
    expect(enable.code).toBe(0);
    list = await mymedic(['user', 'list', '--data', data]);
    expect(list.stdout).toMatch(/^ravi\s+Ravi Kumar\s+front_desk\s+BLR1\s+yes$/m);

    const verify = await mymedic(['verify', '--data', data]);
    expect(verify.stdout).toMatch(/^ok: 7 events, 1 origins, projections match$/m);
  });

  test('missing flags and an unknown subcommand are usage errors', async () => {
    const { data } = await initialised();
    const r = await mymedic(['user', 'add', '--data', data, '--username', 'ravi']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('missing --name, --role');
    const noPw = await mymedic(['user', 'passwd', '--data', data, '--username', 'asha']);
    expect(noPw.code).toBe(2);
    expect(noPw.stderr).toContain('missing --password-file');
    const sub = await mymedic(['user', 'frobnicate']);
    expect(sub.code).toBe(2);
    expect(sub.stderr).toContain("unknown subcommand 'user frobnicate'");
  });

  test('commands on a folder without a database say so instead of creating one', async () => {
    const data = join(tempDir(), 'nothing');
    for (const args of [['user', 'list'], ['verify'], ['export', '--ndjson'], ['migrate'], ['rebuild']]) {
      const r = await mymedic([...args, '--data', data]);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`error: no database at ${join(data, 'mymedic.db')}; run mymedic init first\n`);
    }
    expect(() => statSync(data)).toThrow();
  });
});

describe('mymedic verify', () => {
  test('passes on a fresh clinic', async () => {
    const { data } = await initialised();
    const r = await mymedic(['verify', '--data', data]);
    expect(r).toEqual({ code: 0, stdout: 'ok: 3 events, 1 origins, projections match\n', stderr: '' });
  });

  test('names the altered event when a stored event was edited', async () => {
    const { data } = await initialised();
    const db = new Database(join(data, 'mymedic.db'), { readonly: true });
    const ev = db.query('SELECT id, origin FROM events WHERE seq = 2').get() as { id: string; origin: string };
    db.close();
    tamper(data, ['DROP TRIGGER events_no_update', `UPDATE events SET data = json_set(data, '$.name', 'Evil Branch') WHERE seq = 2`]);
    const r = await mymedic(['verify', '--data', data]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`FAILED: event seq 2 (id ${ev.id}, origin ${ev.origin}, origin_seq 2): content does not match its hash`);
  });

  test('names the gap when an event was deleted from the middle of the log', async () => {
    const { data } = await initialised();
    tamper(data, ['DROP TRIGGER events_no_delete', 'DELETE FROM events WHERE seq = 2']);
    const r = await mymedic(['verify', '--data', data]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/FAILED: event seq 3 \(id [0-9a-f-]+, origin [0-9a-f-]+, origin_seq 3\): missing events: origin_seq 2\.\.2/);
  });

  test('names the table and row when a read table differs from the log, and rebuild repairs it', async () => {
    const { data } = await initialised();
    tamper(data, [`UPDATE users SET name = 'Mallory' WHERE username = 'asha'`]);
    const r = await mymedic(['verify', '--data', data]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('FAILED: table users: the live table has a row that replaying the log does not produce');
    expect(r.stderr).toContain('"Mallory"');
    const rebuild = await mymedic(['rebuild', '--data', data]);
    expect(rebuild.code).toBe(0);
    expect(rebuild.stdout).toMatch(/^rebuilt \d+ read tables: 3 events replayed in \d+\.\d\d s$/m);
    expect((await mymedic(['verify', '--data', data])).code).toBe(0);
  });
});

describe('mymedic export', () => {
  test('--ndjson writes one JSON event per line, in increasing seq order', async () => {
    const { data, pw } = await initialised();
    await mymedic(['user', 'add', '--data', data, '--username', 'ravi', '--name', 'Ravi', '--role', 'doctor', '--branch', 'BLR1', '--password-file', pw]);
    const r = await mymedic(['export', '--ndjson', '--data', data]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    const events = lines.map((l) => JSON.parse(l) as { seq: number; type: string; hash: string; data: object });
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(events.map((e) => e.type)).toEqual(['clinic.created', 'branch.opened', 'user.created', 'user.created']);
    for (const e of events) expect(e.hash).toMatch(/^[0-9a-f]{64}$/);
    const after = await mymedic(['export', '--ndjson', '--after', '2', '--data', data]);
    expect(after.stdout.trimEnd().split('\n').map((l) => (JSON.parse(l) as { seq: number }).seq)).toEqual([3, 4]);
  });

  test('requires a format', async () => {
    const { data } = await initialised();
    const r = await mymedic(['export', '--data', data]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--ndjson');
  });
});

describe('mymedic migrate', () => {
  test('reports a current schema, and refuses a database from a newer mymedic with exit 3', async () => {
    const { data } = await initialised();
    const r = await mymedic(['migrate', '--data', data]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^schema current \(\d+\)$/m);
    tamper(data, [`INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (9999, '9999_future', 'x', '2099-01-01')`]);
    for (const args of [['migrate'], ['user', 'list'], ['verify'], ['serve', '--port', '0', '--host', '127.0.0.1']]) {
      const res = await mymedic([...args, '--data', data]);
      expect(res.code).toBe(3);
      expect(res.stderr).toContain('schema version 9999, newer than this mymedic knows');
    }
  });
});

describe('mymedic serve', () => {
  test('prints a setup link on an empty folder, logs where it listens, answers, and stops on SIGTERM', async () => {
    const data = join(tempDir(), 'data');
    const p = Bun.spawn([BUN, 'src/main.ts', 'serve', '--data', data, '--host', '127.0.0.1', '--port', '0'], {
      cwd: ROOT,
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
      env: cleanEnv(),
    });
    try {
      const lines = lineReader(p.stdout);
      const listening = JSON.parse(await lines.until((l) => l.includes('"msg":"listening"'))) as { level: string; url: string; port: number };
      expect(listening.level).toBe('info');
      expect(listening.url).toBe(`http://127.0.0.1:${listening.port}`);
      const setupLine = await lines.until((l) => l.startsWith('Open '));
      const token = readFileSync(join(data, 'setup-token'), 'utf8').trim();
      expect(setupLine).toBe(`Open ${listening.url}/setup?token=${token} to set up the clinic`);
      expect(statSync(join(data, 'setup-token')).mode & 0o777).toBe(0o600);

      expect((await fetch(`${listening.url}/readyz`)).status).toBe(200);
      const metrics = await (await fetch(`${listening.url}/metrics`)).text();
      expect(metrics).toMatch(/^mymedic_db_size_bytes \d+$/m);
      expect(metrics).toMatch(/^mymedic_events_stored 0$/m);
      expect(metrics).toMatch(/^mymedic_process_resident_memory_bytes \d+$/m);
      expect(metrics).toMatch(/^mymedic_uptime_seconds \d+$/m);

      p.kill('SIGTERM');
      expect(await p.exited).toBe(0);
    } finally {
      p.kill('SIGKILL');
    }
  }, 20_000);

  test('a bad port or mode is a usage error', async () => {
    const data = join(tempDir(), 'data');
    const port = await mymedic(['serve', '--data', data, '--port', 'eighty']);
    expect(port.code).toBe(2);
    expect(port.stderr).toContain('invalid port');
    const mode = await mymedic(['serve', '--data', data, '--mode', 'cluster']);
    expect(mode.code).toBe(2);
    expect(mode.stderr).toContain('invalid mode: cluster');
  });
});

describe('help and version', () => {
  const cases: [string[], string[]][] = [
    [['serve'], ['--data', '--host', '--port', '--config', '--mode', 'MYMEDIC_PORT']],
    [['init'], ['--data', '--clinic', '--branch-code', '--branch-name', '--timezone', '--admin', '--admin-name', '--password-file']],
    [['user'], ['add', 'passwd', 'disable', 'enable', 'list']],
    [['user', 'add'], ['--data', '--username', '--name', '--role', '--branch', '--password-file', 'front_desk']],
    [['user', 'passwd'], ['--data', '--username', '--password-file']],
    [['user', 'disable'], ['--data', '--username', '--reason']],
    [['user', 'enable'], ['--data', '--username']],
    [['user', 'list'], ['--data', '--json']],
    [['migrate'], ['--data']],
    [['rebuild'], ['--data']],
    [['verify'], ['--data']],
    [['export'], ['--ndjson', '--data', '--after']],
  ];
  for (const [command, flags] of cases) {
    test(`mymedic ${command.join(' ')} --help`, async () => {
      const r = await mymedic([...command, '--help']);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout).toStartWith(`Usage: mymedic ${command.join(' ')}`);
      for (const f of flags) expect(r.stdout).toContain(f);
    });
  }

  test('help, no arguments and help <command> give the overview or the command usage', async () => {
    const help = await mymedic(['help']);
    expect(help.code).toBe(0);
    for (const c of ['serve', 'init', 'user', 'migrate', 'rebuild', 'verify', 'export']) expect(help.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
    const none = await mymedic([]);
    expect(none.stdout).toBe(help.stdout);
    expect(none.code).toBe(2);
    const one = await mymedic(['help', 'verify']);
    expect(one).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Usage: mymedic verify/) });
  });

  test('unknown commands and flags exit 2 with a pointer to help', async () => {
    const cmd = await mymedic(['frobnicate']);
    expect(cmd).toMatchObject({ code: 2, stderr: expect.stringContaining("unknown command 'frobnicate'") });
    const flag = await mymedic(['verify', '--dta', '/tmp/x']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toBe("Unknown option '--dta'\nRun `mymedic verify --help` for usage.\n");
    const value = await mymedic(['verify', '--data']);
    expect(value.code).toBe(2);
    expect(value.stderr).toContain("Option '--data <value>' argument missing");
  });

  test('--version names the version, schema and SQLite', async () => {
    const r = await mymedic(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^mymedic \S+ \(schema \d+, sqlite 3\.\d+\.\d+\)\n$/);
  });
});

/** Reads a child's stdout line by line; `until` waits for the first line matching. */
function lineReader(stream: ReadableStream<Uint8Array>) {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const seen: string[] = [];
  return {
    seen,
    async until(match: (line: string) => boolean, timeoutMs = 10_000): Promise<string> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const nl = buffer.indexOf('\n');
        if (nl >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          seen.push(line);
          if (match(line)) return line;
          continue;
        }
        if (Date.now() > deadline) throw new Error(`no matching line within ${timeoutMs} ms; saw:\n${seen.join('\n')}`);
        const { value, done } = await reader.read();
        if (done) throw new Error(`output ended before a matching line; saw:\n${seen.join('\n')}`);
        buffer += decoder.decode(value, { stream: true });
      }
    },
  };
}
