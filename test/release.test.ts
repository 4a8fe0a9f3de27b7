// `bun run release` (install/release.ts) for real into a temp folder: the release folders
// hold the binaries, Litestream, the installer and its templates, the README's install
// section and a SHA256SUMS that coreutils' `sha256sum -c` accepts; the folder installs
// offline with nothing but its own files, and refuses a damaged copy.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dir, '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; scripts: Record<string, string> };
const HOST_ARCH = process.arch === 'arm64' ? 'arm64' : 'x64';

let out = '';
let releaseLog = '';

function cleanEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter(([k, v]) => v !== undefined && !k.startsWith('MYMEDIC_'))) as Record<string, string>;
}

/** e_machine of an ELF file: 0x3e x86-64, 0xb7 aarch64. */
function elfMachine(file: string): number {
  const b = readFileSync(file).subarray(0, 20);
  expect(b.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
  return b.readUInt16LE(18);
}

function sha256sumCheck(dir: string): { code: number; stdout: string } {
  const p = Bun.spawnSync(['sha256sum', '-c', 'SHA256SUMS'], { cwd: dir, stdout: 'pipe', stderr: 'pipe' });
  return { code: p.exitCode ?? -1, stdout: p.stdout.toString() + p.stderr.toString() };
}

beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), 'mymedic-release-'));
  const p = Bun.spawnSync([process.execPath, 'install/release.ts', '--out', out], { cwd: ROOT, stdout: 'pipe', stderr: 'pipe', env: cleanEnv() });
  releaseLog = p.stdout.toString() + p.stderr.toString();
  if (p.exitCode !== 0) throw new Error(`release failed:\n${releaseLog}`);
}, 60_000);

afterAll(() => {
  if (out) rmSync(out, { recursive: true, force: true });
});

const folder = (arch: string) => join(out, `mymedic-${pkg.version}-linux-${arch}`);

describe('bun run release', () => {
  test('package.json runs it as `bun run release`', () => {
    expect(pkg.scripts.release).toBe('bun install/release.ts');
  }, 30_000);

  test('the linux-x64 folder has the binary, Litestream, the installer, the README section and checksums', () => {
    const dir = folder('x64');
    expect(readdirSync(dir).sort()).toEqual(
      ['README-install.md', 'SHA256SUMS', 'install.sh', 'litestream', 'litestream.yml.in', 'mymedic', 'mymedic.service.in'].sort(),
    );
    expect(elfMachine(join(dir, 'mymedic'))).toBe(0x3e);
    expect(elfMachine(join(dir, 'litestream'))).toBe(0x3e);
    for (const f of ['mymedic', 'litestream', 'install.sh']) expect(Bun.spawnSync(['test', '-x', join(dir, f)]).exitCode).toBe(0);
    expect(readFileSync(join(dir, 'install.sh'), 'utf8')).toBe(readFileSync(join(ROOT, 'install/install.sh'), 'utf8'));
    const readme = readFileSync(join(dir, 'README-install.md'), 'utf8');
    expect(readme).toContain(`# MyMedic ${pkg.version} for Linux x64`);
    expect(readme).toContain('## Install on a clinic server');
    expect(readme).toContain('sudo ./install.sh --rollback');
    expect(readme).not.toContain('## Benchmarks'); // only the install section
  }, 30_000);

  test('SHA256SUMS lists every other file and `sha256sum -c` accepts it, in every folder', () => {
    const dirs = readdirSync(out).map((d) => join(out, d));
    expect(dirs.length).toBeGreaterThanOrEqual(1);
    for (const dir of dirs) {
      const listed = readFileSync(join(dir, 'SHA256SUMS'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => {
          expect(l).toMatch(/^[0-9a-f]{64} {2}\S+$/);
          return l.split('  ')[1];
        });
      expect(listed.sort()).toEqual(readdirSync(dir).filter((f) => f !== 'SHA256SUMS').sort());
      const check = sha256sumCheck(dir);
      expect(check.code).toBe(0);
      expect(check.stdout).toContain('mymedic: OK');
    }
  }, 30_000);

  test('linux-arm64: an aarch64 binary when Bun could cross-compile, else a logged skip', () => {
    if (!existsSync(folder('arm64'))) {
      expect(releaseLog).toContain('skipped linux-arm64');
      return;
    }
    expect(elfMachine(join(folder('arm64'), 'mymedic'))).toBe(0xb7);
    const hasLitestream = existsSync(join(folder('arm64'), 'litestream'));
    if (hasLitestream) expect(elfMachine(join(folder('arm64'), 'litestream'))).toBe(0xb7);
    else expect(readFileSync(join(folder('arm64'), 'README-install.md'), 'utf8')).toContain('has no Litestream binary');
  }, 30_000);

  // Debian's qemu-user-static + libc6-arm64-cross, when present, run the aarch64 binary.
  const QEMU = Bun.which('qemu-aarch64-static') !== null && existsSync('/usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1');
  test.skipIf(!QEMU)('linux-arm64: the binary runs (under qemu-user)', () => {
    if (!existsSync(folder('arm64'))) return;
    const p = Bun.spawnSync(['qemu-aarch64-static', '-L', '/usr/aarch64-linux-gnu', join(folder('arm64'), 'mymedic'), '--version'], { stdout: 'pipe', stderr: 'pipe', env: cleanEnv() });
    expect(p.stderr.toString()).toBe('');
    expect(p.stdout.toString()).toMatch(new RegExp(`^mymedic ${pkg.version.replace(/\./g, '\\.')} \\(schema \\d+, sqlite 3\\.`));
  }, 30_000);

  test('the folder installs offline with only its own files (--root), and refuses the other CPU or a damaged copy', () => {
    const dir = folder(HOST_ARCH);
    const root = join(out, 'installed');
    const run = (args: string[]) => {
      const p = Bun.spawnSync(['bash', join(dir, 'install.sh'), '--root', root, ...args], { cwd: out, stdout: 'pipe', stderr: 'pipe', env: cleanEnv() });
      return { code: p.exitCode ?? -1, stdout: p.stdout.toString(), stderr: p.stderr.toString() };
    };
    const ok = run([]);
    if (ok.code !== 0) throw new Error(`install failed:\n${ok.stdout}\n${ok.stderr}`);
    expect(ok.stdout).toContain('SHA256SUMS verified: the release folder');
    const hash = (f: string) => new Bun.CryptoHasher('sha256').update(readFileSync(f)).digest('hex');
    expect(hash(join(root, 'usr/local/bin/mymedic'))).toBe(hash(join(dir, 'mymedic')));
    const v = Bun.spawnSync([join(root, 'usr/local/bin/mymedic'), '--version'], { stdout: 'pipe', env: cleanEnv() });
    expect(v.stdout.toString()).toContain(`mymedic ${pkg.version} `);

    const other = folder(HOST_ARCH === 'x64' ? 'arm64' : 'x64');
    if (existsSync(other)) {
      const wrong = run(['--binary', join(other, 'mymedic')]);
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toContain(`is not a Linux ${HOST_ARCH} executable`);
    }

    appendFileSync(join(dir, 'mymedic.service.in'), '# tampered\n');
    const damaged = run([]);
    expect(damaged.code).toBe(1);
    expect(damaged.stderr).toContain('does not match its SHA256SUMS');
  }, 30_000);
});
