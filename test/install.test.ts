// install/install.sh driven for real with --root into temp folders: a freshly compiled
// mymedic, the Litestream binary from node_modules, the files, modes and owners it writes
// (accounts as passwd/group entries), its unit read back by systemd-analyze verify, its
// Litestream config read back by Litestream, the unit's command run for real (Litestream
// starting the server and replicating to a folder), then upgrade, rollback and uninstall.
import { Database } from 'bun:sqlite';
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const ROOT = join(import.meta.dir, '..');
const SCRIPT = join(ROOT, 'install/install.sh');
const ARCH = process.arch === 'arm64' ? 'arm64' : 'x64';
const LITESTREAM = join(ROOT, `node_modules/@flydotio/litestream-linux-${ARCH}/litestream`);
const IS_ROOT = process.getuid?.() === 0;
const HAVE_SYSTEMD_ANALYZE = Bun.which('systemd-analyze') !== null;

let work = '';
let dir = ''; // the --root folder most tests share, in order
let binA = ''; // the first build
let binB = ''; // a second, different build (the "upgrade")
let port = 0;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k, v]) => v !== undefined && !k.startsWith('MYMEDIC_') && !k.startsWith('LITESTREAM_') && !k.startsWith('AWS_')),
  ) as Record<string, string>;
  return { ...env, ...extra };
}

function install(args: string[], env: Record<string, string> = {}): Result {
  const p = Bun.spawnSync(['bash', SCRIPT, ...args], { cwd: work, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe', env: cleanEnv(env) });
  return { code: p.exitCode ?? -1, stdout: p.stdout.toString(), stderr: p.stderr.toString() };
}

function expectOk(r: Result): void {
  if (r.code !== 0) throw new Error(`install.sh exited ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
}

function sha256(file: string): string {
  return new Bun.CryptoHasher('sha256').update(readFileSync(file)).digest('hex');
}

const at = (p: string, root = dir) => join(root, p);
const mode = (p: string) => statSync(p).mode & 0o7777;
const read = (p: string) => readFileSync(p, 'utf8');

function account(root = dir): { uid: number; gid: number; passwd: string; group: string } {
  const passwd = read(at('etc/passwd', root))
    .split('\n')
    .find((l) => l.startsWith('mymedic:'));
  const group = read(at('etc/group', root))
    .split('\n')
    .find((l) => l.startsWith('mymedic:'));
  if (!passwd || !group) throw new Error('no mymedic entries');
  return { uid: Number(passwd.split(':')[2]), gid: Number(group.split(':')[2]), passwd, group };
}

function verifyUnit(root = dir): Result {
  const p = Bun.spawnSync(
    ['systemd-analyze', 'verify', '--man=no', '--recursive-errors=no', '--root', root, at('etc/systemd/system/mymedic.service', root)],
    { stdout: 'pipe', stderr: 'pipe' },
  );
  return { code: p.exitCode ?? -1, stdout: p.stdout.toString(), stderr: p.stderr.toString() };
}

function envFile(root = dir): Record<string, string> {
  return Object.fromEntries(
    read(at('etc/mymedic/mymedic.env', root))
      .split('\n')
      .filter((l) => /^[A-Z_]+=/.test(l))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

async function freePort(): Promise<number> {
  const s = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } });
  const p = s.port;
  s.stop(true);
  return p;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'mymedic-install-'));
  dir = join(work, 'root');
  binA = join(work, 'mymedic-a');
  binB = join(work, 'mymedic-b');
  // build.ts joins --outfile to the checkout, so hand it a path relative to it.
  const a = Bun.spawnSync([process.execPath, 'build.ts', '--outfile', relative(ROOT, binA)], { cwd: ROOT, stdout: 'pipe', stderr: 'pipe' });
  if (a.exitCode !== 0) throw new Error(`build failed: ${a.stderr.toString()}`);
  const b = Bun.spawnSync(
    [process.execPath, 'build', '--compile', 'src/main.ts', '--outfile', binB, '--define', 'process.env.MYMEDIC_BUILD_VERSION="9.9.9-upgrade-test"'],
    { cwd: ROOT, stdout: 'pipe', stderr: 'pipe' },
  );
  if (b.exitCode !== 0) throw new Error(`second build failed: ${b.stderr.toString()}`);
  port = await freePort();
}, 60_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('install.sh usage', () => {
  test('--help prints the usage and exits 0', () => {
    const r = install(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: install.sh');
    for (const flag of ['--root DIR', '--binary FILE', '--litestream FILE', '--rollback', '--uninstall', '--replica-dir', '--replica-sftp', '--replica-s3']) {
      expect(r.stdout).toContain(flag);
    }
  }, 30_000);

  test.each([
    [['--bogus'], "unknown option '--bogus'"],
    [['--root'], '--root needs a value'],
    [['--port', 'eighty'], '--port must be a number'],
    [['--port', '70000'], '--port must be a number'],
    [['--rollback', '--uninstall'], 'cannot be combined'],
    [['--rollback', '--binary', 'x'], '--rollback takes no other option'],
    [['--replica-dir', '/mnt/a', '--replica-s3', 's3://b/p'], 'choose one replica'],
    [['--no-replica', '--replica-dir', '/mnt/a'], '--no-replica cannot be combined'],
    [['--sftp-key', '/k'], '--sftp-key goes with --replica-sftp'],
  ])('%p is refused with exit 2 and the usage', (args, message) => {
    const r = install([...args, '--root', join(work, 'never')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain('Usage: install.sh');
    expect(existsSync(join(work, 'never', 'usr'))).toBe(false);
  });
});

describe('install.sh --root: install, upgrade, rollback, uninstall', () => {
  test('a first run installs the binaries, the account, the config, the secret and the unit', () => {
    const r = install(['--root', dir, '--binary', binA, '--litestream', LITESTREAM, '--port', String(port), '--host', '127.0.0.1', '--replica-dir', '/mnt/usb/mymedic-backup']);
    expectOk(r);
    expect(r.stdout).toContain('Installing mymedic');
    expect(r.stdout).toContain('would run: systemctl enable --now mymedic');
    // Litestream's SQLite is named, with the WAL-reset warning.
    expect(r.stderr).toContain('embeds SQLite 3.42.0, older than 3.51.3');

    const { uid, gid, passwd, group } = account();
    expect(passwd).toMatch(/^mymedic:x:\d+:\d+:[^:]*:\/var\/lib\/mymedic:\/usr\/sbin\/nologin$/);
    expect(group).toMatch(/^mymedic:x:\d+:$/);
    expect(uid).toBeGreaterThanOrEqual(100);
    expect(uid).toBeLessThan(1000); // a system account

    expect(sha256(at('usr/local/bin/mymedic'))).toBe(sha256(binA));
    expect(sha256(at('usr/local/bin/litestream'))).toBe(sha256(LITESTREAM));
    expect(mode(at('usr/local/bin/mymedic'))).toBe(0o755);
    expect(mode(at('usr/local/bin/litestream'))).toBe(0o755);

    expect(mode(at('var/lib/mymedic'))).toBe(0o750);
    expect(mode(at('etc/mymedic'))).toBe(0o750);
    expect(mode(at('etc/mymedic/mymedic.env'))).toBe(0o600);
    expect(mode(at('etc/mymedic/config.json'))).toBe(0o640);
    expect(mode(at('etc/mymedic/litestream.yml'))).toBe(0o640);
    expect(mode(at('etc/systemd/system/mymedic.service'))).toBe(0o644);
    if (IS_ROOT) {
      expect(statSync(at('var/lib/mymedic')).uid).toBe(uid);
      expect(statSync(at('var/lib/mymedic')).gid).toBe(gid);
      expect(statSync(at('etc/mymedic/mymedic.env')).uid).toBe(0);
      expect(statSync(at('etc/mymedic/config.json')).gid).toBe(gid);
      expect(statSync(at('mnt/usb/mymedic-backup')).uid).toBe(uid);
      expect(statSync(at('usr/local/bin/mymedic')).uid).toBe(0);
    }

    expect(JSON.parse(read(at('etc/mymedic/config.json')))).toEqual({ host: '127.0.0.1', port });
    expect(envFile().MYMEDIC_SECRET).toMatch(/^[A-Za-z0-9_-]{48,}$/);

    const yml = read(at('etc/mymedic/litestream.yml'));
    expect(yml).toContain('  - path: /var/lib/mymedic/mymedic.db');
    expect(yml).toContain('path: "/mnt/usb/mymedic-backup"');
    expect(yml).toMatch(/WAL/);
    expect(yml).toMatch(/busy_timeout/);
    expect(yml).toMatch(/wal_autocheckpoint=0/);

    const unit = read(at('etc/systemd/system/mymedic.service'));
    for (const line of [
      'Type=simple',
      'User=mymedic',
      'EnvironmentFile=/etc/mymedic/mymedic.env',
      'ProtectSystem=strict',
      'ProtectHome=yes',
      'PrivateTmp=yes',
      'NoNewPrivileges=yes',
      'ReadWritePaths=/var/lib/mymedic -/mnt/usb/mymedic-backup',
      'Restart=on-failure',
      'RestartSec=2',
      'LimitNOFILE=65536',
      'CapabilityBoundingSet=',
      'ExecStart=/usr/local/bin/litestream replicate -config /etc/mymedic/litestream.yml -exec "/usr/local/bin/mymedic serve --data /var/lib/mymedic --config /etc/mymedic/config.json"',
      'WantedBy=multi-user.target',
    ]) {
      expect(unit.split('\n')).toContain(line);
    }
    expect(unit).not.toContain('AmbientCapabilities'); // port >= 1024 needs none
    expect(unit).not.toContain('@'); // every placeholder filled
  }, 30_000);

  test.skipIf(!HAVE_SYSTEMD_ANALYZE)('the unit passes systemd-analyze verify (and fails it when its binary is missing)', () => {
    const ok = verifyUnit();
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    renameSync(at('usr/local/bin/litestream'), at('usr/local/bin/litestream.away'));
    try {
      const bad = verifyUnit();
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toContain('/usr/local/bin/litestream');
    } finally {
      renameSync(at('usr/local/bin/litestream.away'), at('usr/local/bin/litestream'));
    }
  }, 30_000);

  test('the installed binary runs --version; Litestream reads the config written for it', () => {
    const v = Bun.spawnSync([at('usr/local/bin/mymedic'), '--version'], { stdout: 'pipe', env: cleanEnv() });
    expect(v.exitCode).toBe(0);
    expect(v.stdout.toString()).toMatch(/^mymedic \S+ \(schema \d+, sqlite 3\.\d+\.\d+\)/);
    const dbs = Bun.spawnSync([at('usr/local/bin/litestream'), 'databases', '-config', at('etc/mymedic/litestream.yml')], { stdout: 'pipe', stderr: 'pipe' });
    expect(dbs.exitCode).toBe(0);
    expect(dbs.stdout.toString()).toMatch(/\/var\/lib\/mymedic\/mymedic\.db\s+file/);
  }, 30_000);

  test("the unit's command runs: Litestream starts the server, replicates to the folder, and stops both on SIGTERM", async () => {
    // ExecStart with every absolute path moved under the --root folder.
    const unit = read(at('etc/systemd/system/mymedic.service'));
    const execStart = unit.split('\n').find((l) => l.startsWith('ExecStart='))!.slice('ExecStart='.length);
    const moved = (s: string) => s.replace(/(\/usr\/local\/bin|\/var\/lib\/mymedic|\/etc\/mymedic|\/mnt\/usb)/g, (p) => join(dir, p));
    writeFileSync(join(work, 'litestream.yml'), moved(read(at('etc/mymedic/litestream.yml'))));
    const m = moved(execStart).match(/^(\S+) replicate -config \S+ -exec "(.*)"$/);
    expect(m).not.toBeNull();
    const argv = [m![1]!, 'replicate', '-config', join(work, 'litestream.yml'), '-exec', m![2]!];
    // systemd would pass these from EnvironmentFile= and Environment=.
    const env = cleanEnv({ ...envFile(), MYMEDIC_LITESTREAM_CONFIG: join(work, 'litestream.yml') });
    const proc = Bun.spawn(argv, { stdin: 'ignore', stdout: 'pipe', stderr: 'pipe', env });
    const output = Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
    try {
      // The script's own readiness wait (bash /dev/tcp, no curl), sourced from install.sh.
      const ready = Bun.spawnSync(['bash', '-c', `source ${JSON.stringify(SCRIPT)} && wait_ready 127.0.0.1 ${port} 20 && http_status 127.0.0.1 ${port} /healthz`], {
        stdout: 'pipe',
        stderr: 'pipe',
      });
      expect(ready.exitCode).toBe(0);
      expect(ready.stdout.toString()).toBe('200');
      // The server wrote the one-time setup token the installer prints.
      expect(read(at('var/lib/mymedic/setup-token')).trim()).toMatch(/^\S{20,}$/);
      // Litestream made a generation with a snapshot in the replica folder.
      const deadline = Date.now() + 15_000;
      let snapshot = '';
      while (Date.now() < deadline && !snapshot) {
        snapshot = Bun.spawnSync(['find', at('mnt/usb/mymedic-backup'), '-name', '*.snapshot.lz4'], { stdout: 'pipe' }).stdout.toString().trim();
        if (!snapshot) await Bun.sleep(200);
      }
      expect(snapshot).not.toBe('');
    } finally {
      proc.kill('SIGTERM');
    }
    const code = await Promise.race([proc.exited, Bun.sleep(15_000).then(() => 'timeout')]);
    const [stdout, stderr] = await output;
    expect(code).toBe(0);
    expect(stderr + stdout).toContain('sending signal to exec process');
    expect(stdout).toContain('"msg":"stopped"'); // the server stopped cleanly, not killed
    expect(existsSync(at('var/lib/mymedic/mymedic.db'))).toBe(true);
  }, 40_000);

  test('--rollback with nothing to go back to fails clearly', () => {
    const r = install(['--root', dir, '--rollback']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no previous binary');
  }, 30_000);

  test('a re-run with the same build keeps everything and makes no .previous', () => {
    const secret = envFile().MYMEDIC_SECRET;
    const r = install(['--root', dir, '--binary', binA, '--litestream', LITESTREAM]);
    expectOk(r);
    expect(r.stdout).toContain('already this build');
    expect(existsSync(at('usr/local/bin/mymedic.previous'))).toBe(false);
    expect(envFile().MYMEDIC_SECRET).toBe(secret);
  }, 30_000);

  test('a re-run with a new build upgrades: data, config and secret kept, mymedic.previous made, migrations run', () => {
    writeFileSync(at('var/lib/mymedic/marker.txt'), 'patient records live here\n');
    // The owner's own setting in the config file must survive.
    writeFileSync(at('etc/mymedic/config.json'), JSON.stringify({ host: '127.0.0.1', port, logLevel: 'warn' }, null, 2) + '\n');
    const secret = envFile().MYMEDIC_SECRET;
    const yml = read(at('etc/mymedic/litestream.yml'));
    const { passwd } = account();

    // Left by some older upgrade: it must not be paired with this upgrade's rollback.
    writeFileSync(at('usr/local/bin/litestream.previous'), 'stale');

    const r = install(['--root', dir, '--binary', binB, '--litestream', LITESTREAM]);
    expectOk(r);
    expect(r.stdout).toContain('Upgrading MyMedic');
    expect(r.stdout).toContain('-> mymedic 9.9.9-upgrade-test');
    expect(r.stdout).toMatch(/schema current \(\d+\)/); // `mymedic migrate` ran on the database
    expect(r.stdout).toContain('would run: systemctl restart mymedic');

    expect(read(at('var/lib/mymedic/marker.txt'))).toBe('patient records live here\n');
    expect(JSON.parse(read(at('etc/mymedic/config.json')))).toEqual({ host: '127.0.0.1', port, logLevel: 'warn' });
    expect(envFile().MYMEDIC_SECRET).toBe(secret);
    expect(read(at('etc/mymedic/litestream.yml'))).toBe(yml); // the replica stays configured
    expect(account().passwd).toBe(passwd); // no second account
    expect(read(at('etc/passwd')).match(/^mymedic:/gm)).toHaveLength(1);

    expect(sha256(at('usr/local/bin/mymedic'))).toBe(sha256(binB));
    expect(sha256(at('usr/local/bin/mymedic.previous'))).toBe(sha256(binA));
    expect(existsSync(at('usr/local/bin/litestream.previous'))).toBe(false); // same Litestream: stale one gone
    if (IS_ROOT) expect(statSync(at('var/lib/mymedic/marker.txt')).uid).toBe(account().uid);
    if (HAVE_SYSTEMD_ANALYZE) expect(verifyUnit().code).toBe(0);
  }, 30_000);

  test('--rollback swaps the previous binary back (and again returns to the newer one)', () => {
    const r = install(['--root', dir, '--rollback']);
    expectOk(r);
    expect(r.stdout).toContain('would run: systemctl restart mymedic');
    expect(sha256(at('usr/local/bin/mymedic'))).toBe(sha256(binA));
    expect(sha256(at('usr/local/bin/mymedic.previous'))).toBe(sha256(binB));
    const v = Bun.spawnSync([at('usr/local/bin/mymedic'), '--version'], { stdout: 'pipe', env: cleanEnv() });
    expect(v.stdout.toString()).not.toContain('9.9.9-upgrade-test');

    expectOk(install(['--root', dir, '--rollback']));
    expect(sha256(at('usr/local/bin/mymedic'))).toBe(sha256(binB));
    expectOk(install(['--root', dir, '--rollback']));
    expect(sha256(at('usr/local/bin/mymedic'))).toBe(sha256(binA));
    expect(read(at('var/lib/mymedic/marker.txt'))).toBe('patient records live here\n');
  }, 30_000);

  test('--rollback refuses a previous build that cannot open the migrated database, and changes nothing', () => {
    // As if the upgrade had moved the schema past what the previous build knows: mymedic
    // migrate then refuses with exit 3, and the rollback must not swap.
    const db = new Database(at('var/lib/mymedic/mymedic.db'));
    db.run("INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (999, '0999_future', 'x', '2030-01-01T00:00:00Z')");
    db.close();
    try {
      const r = install(['--root', dir, '--rollback']);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('newer than this mymedic knows');
      expect(r.stderr).toContain('newer schema');
      expect(r.stderr).toContain('mymedic restore');
      expect(sha256(at('usr/local/bin/mymedic'))).toBe(sha256(binA));
      expect(sha256(at('usr/local/bin/mymedic.previous'))).toBe(sha256(binB));
    } finally {
      const again = new Database(at('var/lib/mymedic/mymedic.db'));
      again.run('DELETE FROM schema_migrations WHERE version = 999');
      again.close();
    }
  }, 30_000);

  test('a failed migration during an upgrade puts the running build back', () => {
    const db = at('var/lib/mymedic/mymedic.db');
    renameSync(db, join(work, 'mymedic.db.saved'));
    writeFileSync(db, 'this is not a SQLite database, and migrate must fail on it'.repeat(100));
    try {
      const r = install(['--root', dir, '--binary', binB, '--litestream', LITESTREAM]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('mymedic migrate failed');
      expect(r.stderr).toContain('the previous binary is back in place');
      expect(sha256(at('usr/local/bin/mymedic'))).toBe(sha256(binA));
    } finally {
      rmSync(db);
      renameSync(join(work, 'mymedic.db.saved'), db);
    }
  }, 30_000);

  test('--port and --host are added to a config file that lacks them, other settings kept', () => {
    const config = at('etc/mymedic/config.json');
    const saved = read(config);
    try {
      writeFileSync(config, '{ "logLevel": "warn" }\n');
      expectOk(install(['--root', dir, '--binary', binA, '--litestream', LITESTREAM, '--port', '9001', '--host', '::']));
      expect(JSON.parse(read(config))).toEqual({ logLevel: 'warn', port: 9001, host: '::' });
      writeFileSync(config, '{}');
      expectOk(install(['--root', dir, '--binary', binA, '--litestream', LITESTREAM, '--port', '9002']));
      expect(JSON.parse(read(config))).toEqual({ port: 9002 });
    } finally {
      writeFileSync(config, saved);
    }
  }, 30_000);

  test('a port below 1024 gets exactly the bind capability', () => {
    expectOk(install(['--root', dir, '--binary', binA, '--litestream', LITESTREAM, '--port', '443']));
    const unit = read(at('etc/systemd/system/mymedic.service')).split('\n');
    expect(unit).toContain('AmbientCapabilities=CAP_NET_BIND_SERVICE');
    expect(unit).toContain('CapabilityBoundingSet=CAP_NET_BIND_SERVICE');
    expect(JSON.parse(read(at('etc/mymedic/config.json'))).port).toBe(443);
    if (HAVE_SYSTEMD_ANALYZE) expect(verifyUnit().code).toBe(0);
    expectOk(install(['--root', dir, '--binary', binA, '--litestream', LITESTREAM, '--port', String(port)]));
    expect(read(at('etc/systemd/system/mymedic.service'))).not.toContain('AmbientCapabilities');
  }, 30_000);

  test('--uninstall removes the service and binaries but never the data', () => {
    const r = install(['--root', dir, '--uninstall']);
    expectOk(r);
    for (const f of ['etc/systemd/system/mymedic.service', 'usr/local/bin/mymedic', 'usr/local/bin/mymedic.previous', 'usr/local/bin/litestream']) {
      expect(existsSync(at(f))).toBe(false);
    }
    expect(read(at('var/lib/mymedic/marker.txt'))).toBe('patient records live here\n');
    expect(existsSync(at('var/lib/mymedic/mymedic.db'))).toBe(true);
    expect(existsSync(at('etc/mymedic/mymedic.env'))).toBe(true);
    expect(existsSync(at('mnt/usb/mymedic-backup/generations'))).toBe(true);
    expect(r.stdout).toContain('The data stayed in /var/lib/mymedic');

    // Installing again picks the data, settings and secret up.
    const secret = envFile().MYMEDIC_SECRET;
    const again = install(['--root', dir, '--binary', binA, '--litestream', LITESTREAM]);
    expectOk(again);
    expect(envFile().MYMEDIC_SECRET).toBe(secret);
    expect(read(at('var/lib/mymedic/marker.txt'))).toBe('patient records live here\n');
  }, 30_000);
});

describe('install.sh replicas', () => {
  test('SFTP: key copied for the service account, Litestream parses the config', () => {
    const root = join(work, 'sftp');
    const key = join(work, 'id_ed25519');
    writeFileSync(key, '-----BEGIN OPENSSH PRIVATE KEY-----\nnot a real key\n-----END OPENSSH PRIVATE KEY-----\n');
    const r = install(['--root', root, '--binary', binA, '--litestream', LITESTREAM, '--replica-sftp', 'sftp://backup@nas.local:2222/backups/mymedic', '--sftp-key', key]);
    expectOk(r);
    const yml = read(at('etc/mymedic/litestream.yml', root));
    expect(yml).toContain('type: sftp');
    expect(yml).toContain('host: "nas.local:2222"');
    expect(yml).toContain('user: "backup"');
    expect(yml).toContain('path: "/backups/mymedic"');
    expect(yml).toContain('key-path: /etc/mymedic/sftp_key');
    expect(read(at('etc/mymedic/sftp_key', root))).toBe(read(key));
    expect(mode(at('etc/mymedic/sftp_key', root))).toBe(0o600);
    if (IS_ROOT) expect(statSync(at('etc/mymedic/sftp_key', root)).uid).toBe(account(root).uid);
    const dbs = Bun.spawnSync([LITESTREAM, 'databases', '-config', at('etc/mymedic/litestream.yml', root)], { stdout: 'pipe', stderr: 'pipe' });
    expect(dbs.exitCode).toBe(0);
    expect(dbs.stdout.toString()).toMatch(/mymedic\.db\s+sftp/);
    expect(read(at('etc/systemd/system/mymedic.service', root))).toContain('ReadWritePaths=/var/lib/mymedic\n');
    if (HAVE_SYSTEMD_ANALYZE) expect(verifyUnit(root).code).toBe(0);
  }, 30_000);

  test('S3: credentials only in the 0600 environment file; refused without them; --no-replica runs the server alone', () => {
    const root = join(work, 's3');
    const args = ['--root', root, '--binary', binA, '--litestream', LITESTREAM, '--replica-s3', 's3://clinic-backups/sunrise', '--s3-endpoint', 'https://minio.lan:9000'];
    const refused = install(args);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('LITESTREAM_ACCESS_KEY_ID');

    const keyId = 'AKIAEXAMPLEKEY123456';
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    expectOk(install(args, { LITESTREAM_ACCESS_KEY_ID: keyId, LITESTREAM_SECRET_ACCESS_KEY: secret }));
    const yml = read(at('etc/mymedic/litestream.yml', root));
    expect(yml).toContain('bucket: "clinic-backups"');
    expect(yml).toContain('path: "sunrise"');
    expect(yml).toContain('endpoint: "https://minio.lan:9000"');
    expect(yml).not.toContain(secret);
    const env = envFile(root);
    expect(env.LITESTREAM_ACCESS_KEY_ID).toBe(keyId);
    expect(env.LITESTREAM_SECRET_ACCESS_KEY).toBe(secret);
    expect(mode(at('etc/mymedic/mymedic.env', root))).toBe(0o600);
    const dbs = Bun.spawnSync([LITESTREAM, 'databases', '-config', at('etc/mymedic/litestream.yml', root)], { stdout: 'pipe', stderr: 'pipe', env: cleanEnv(env) });
    expect(dbs.exitCode).toBe(0);
    expect(dbs.stdout.toString()).toMatch(/mymedic\.db\s+s3/);

    // Re-run without the credentials in the environment: the stored ones still count.
    expectOk(install(args));
    expect(envFile(root).LITESTREAM_SECRET_ACCESS_KEY).toBe(secret);

    expectOk(install(['--root', root, '--binary', binA, '--no-replica']));
    expect(existsSync(at('etc/mymedic/litestream.yml', root))).toBe(false);
    expect(existsSync(at('etc/mymedic/litestream.yml.off', root))).toBe(true);
    const unit = read(at('etc/systemd/system/mymedic.service', root));
    expect(unit).toContain('ExecStart=/usr/local/bin/mymedic serve --data /var/lib/mymedic --config /etc/mymedic/config.json\n');
    expect(unit).not.toContain('MYMEDIC_LITESTREAM_CONFIG');
    if (HAVE_SYSTEMD_ANALYZE) expect(verifyUnit(root).code).toBe(0);
  }, 30_000);

  test('a replica folder inside the data folder or under /home is refused', () => {
    const root = join(work, 'bad-replica');
    for (const bad of ['/var/lib/mymedic/backup', '/home/owner/backup', 'relative/backup']) {
      const r = install(['--root', root, '--binary', binA, '--litestream', LITESTREAM, '--replica-dir', bad]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('--replica-dir');
    }
  }, 30_000);
});

// install.sh's real path (no --root): as root in a private mount namespace where /etc,
// /var/lib and /usr/local/bin are overlays (the machine is left as it was) and a fake
// systemctl runs the unit's ExecStart as its User= (test/helpers/fake-systemctl.sh). So
// useradd, runuser migrate, the /readyz wait over /dev/tcp and the printed links run for real.
const CAN_UNSHARE = IS_ROOT && Bun.spawnSync(['unshare', '-m', '--propagation', 'private', 'true']).exitCode === 0;

describe.skipIf(!CAN_UNSHARE)('install.sh on the real paths (mount namespace, fake systemctl)', () => {
  test('install starts the service as mymedic and prints the setup link; upgrade, rollback and uninstall', () => {
    const ns = join(work, 'ns');
    const p = port + 1;
    const steps = `
      set -u
      step() { echo "== $1"; shift; "$@"; echo "== rc $?"; }
      step install bash ${SCRIPT} --binary ${binA} --litestream ${LITESTREAM} --port ${p} --replica-dir /mnt/backup/mymedic
      echo "== owner $(stat -c %U /proc/$(cat "$SHIM_STATE/mymedic.pid"))"
      for i in $(seq 75); do find /mnt/backup/mymedic -name '*.lz4' | grep -q . && break; sleep 0.2; done
      echo "== token $(cat /var/lib/mymedic/setup-token)"
      echo "== account $(getent passwd mymedic)"
      step upgrade bash ${SCRIPT} --binary ${binB} --litestream ${LITESTREAM}
      echo "== version $(/usr/local/bin/mymedic --version)"
      echo "== readyz $(source ${SCRIPT}; http_status 127.0.0.1 ${p} /readyz)"
      step rollback bash ${SCRIPT} --rollback
      echo "== version $(/usr/local/bin/mymedic --version)"
      step uninstall bash ${SCRIPT} --uninstall
      systemctl is-active --quiet mymedic && echo "== still running" || echo "== stopped"
      echo "== data $(ls /var/lib/mymedic | tr '\\n' ' ')"
      echo "== replica $(find /mnt/backup/mymedic -name '*.lz4' | head -1)"
    `;
    const r = Bun.spawnSync(['unshare', '-m', '--propagation', 'private', 'bash', join(ROOT, 'test/helpers/in-system-namespace.sh'), 'bash', '-c', steps], {
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
      env: cleanEnv({ WORK: ns }),
    });
    const out = r.stdout.toString();
    const log = `${out}\n${r.stderr.toString()}`;
    const section = (name: string) => out.slice(out.indexOf(`== ${name}\n`), out.indexOf('== rc', out.indexOf(`== ${name}\n`)) + 8);
    const line = (name: string) => out.split('\n').find((l) => l.startsWith(`== ${name} `))?.slice(name.length + 4) ?? '';
    if (r.exitCode !== 0) throw new Error(log);

    expect(section('install')).toContain('== rc 0');
    expect(section('install')).toMatch(/MyMedic is running: http:\/\/\S+:\d+/);
    const token = line('token');
    expect(token).toMatch(/^\S{20,}$/);
    expect(section('install')).toContain(`:${p}/setup?token=${token}`);
    expect(line('owner')).toBe('mymedic'); // the service does not run as root
    expect(line('account')).toMatch(/^mymedic:x:\d+:\d+:.*:\/var\/lib\/mymedic:\/usr\/sbin\/nologin$/);

    expect(section('upgrade')).toContain('== rc 0');
    expect(section('upgrade')).toContain('Stopping mymedic');
    expect(section('upgrade')).toMatch(/schema current \(\d+\)/); // migrate ran as the service account
    expect(out).toContain('== version mymedic 9.9.9-upgrade-test');
    expect(line('readyz')).toBe('200');

    expect(section('rollback')).toContain('== rc 0');
    expect(section('rollback')).toContain('MyMedic is running mymedic');
    expect(section('rollback')).toMatch(/MyMedic is running mymedic (?!9\.9\.9)/);
    const versions = out.split('\n').filter((l) => l.startsWith('== version '));
    expect(versions).toHaveLength(2);
    expect(versions[1]).not.toContain('9.9.9-upgrade-test');

    expect(section('uninstall')).toContain('== rc 0');
    expect(out).toContain('== stopped');
    expect(line('data')).toContain('mymedic.db');
    expect(line('replica')).toContain('/mnt/backup/mymedic/generations/'); // Litestream had replicated
  }, 60_000);
});
