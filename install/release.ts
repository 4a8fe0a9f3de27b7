// `bun run release`: the release folders a clinic copies onto a USB stick and installs from
// offline, one per CPU:
//   dist/release/mymedic-<version>-linux-x64/     mymedic, litestream, install.sh,
//   dist/release/mymedic-<version>-linux-arm64/   mymedic.service.in, litestream.yml.in,
//                                                 README-install.md, SHA256SUMS
// Options: --out DIR (default dist/release), --no-arm64 (x64 only).
//
// The x64 binary is Bun's "baseline" build, which runs on CPUs without AVX2 (the Celeron
// and Pentium boxes clinics buy); Bun fetches that runtime, and the arm64 one, from the npm
// registry once and caches it. When a cross build cannot be had, its folder is skipped with
// a warning and the native build is used for x64. Litestream comes from the npm package
// @flydotio/litestream (v0.3.13); its arm64 build is not on the registry here, so the
// arm64 folder ships without Litestream unless node_modules has it (see install/README.md).
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const root = resolve(import.meta.dir, '..');

export interface Target {
  arch: 'x64' | 'arm64';
  /** bun build --compile targets, tried in order. */
  bunTargets: (string | null)[];
  litestream: string;
}

export const targets: Target[] = [
  { arch: 'x64', bunTargets: ['bun-linux-x64-baseline', null], litestream: '@flydotio/litestream-linux-x64/litestream' },
  { arch: 'arm64', bunTargets: ['bun-linux-arm64'], litestream: '@flydotio/litestream-linux-arm64/litestream' },
];

const INSTALL_FILES = ['install.sh', 'mymedic.service.in', 'litestream.yml.in'];
const SECTION = '## Install on a clinic server';

/** The README's install section, as the release folder's README-install.md. */
export function installReadme(readme: string, version: string, arch: string, hasLitestream: boolean): string {
  const start = readme.indexOf(`\n${SECTION}\n`);
  if (start < 0) throw new Error(`README.md has no "${SECTION}" section`);
  const rest = readme.slice(start + 1);
  const next = rest.indexOf('\n## ', SECTION.length);
  const section = (next < 0 ? rest : rest.slice(0, next)).trim();
  const lines = [
    `# MyMedic ${version} for Linux ${arch}`,
    '',
    'This folder installs MyMedic on a Debian or Ubuntu server without internet access.',
    'Check the copy first with `sha256sum -c SHA256SUMS` (install.sh checks it too).',
  ];
  if (!hasLitestream) {
    lines.push(
      '',
      `This ${arch} folder has no Litestream binary (none was available when it was built).`,
      `MyMedic installs and runs without it; to replicate, add \`--litestream FILE\` with a Litestream build for ${arch}.`,
    );
  }
  return `${lines.join('\n')}\n\n${section}\n`;
}

export async function sha256(file: string): Promise<string> {
  const hasher = new Bun.CryptoHasher('sha256');
  hasher.update(await Bun.file(file).arrayBuffer());
  return hasher.digest('hex');
}

async function buildBinary(target: Target, outfile: string): Promise<string | null> {
  // A native build (null) is only a fallback for this machine's own CPU.
  const tries = target.bunTargets.filter((t) => t !== null || target.arch === process.arch);
  for (const bunTarget of tries) {
    const args = ['build.ts', '--outfile', relative(root, outfile), ...(bunTarget ? ['--target', bunTarget] : [])];
    const p = Bun.spawnSync([process.execPath, ...args], { cwd: root, stdout: 'pipe', stderr: 'pipe' });
    if (p.exitCode === 0 && existsSync(outfile)) return bunTarget ?? `native (${process.arch})`;
    console.warn(`  build for ${bunTarget ?? 'this machine'} failed: ${(p.stderr.toString() || p.stdout.toString()).trim().split('\n').slice(-3).join(' | ')}`);
  }
  return null;
}

export async function release(outDir: string, opts: { arm64: boolean }): Promise<string[]> {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  mkdirSync(outDir, { recursive: true });
  const made: string[] = [];
  for (const target of targets) {
    if (target.arch === 'arm64' && !opts.arm64) continue;
    const dir = join(outDir, `mymedic-${pkg.version}-linux-${target.arch}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    console.log(`${relative(process.cwd(), dir) || dir}/`);
    const built = await buildBinary(target, join(dir, 'mymedic'));
    if (!built) {
      rmSync(dir, { recursive: true, force: true });
      if (target.arch === 'x64') throw new Error('could not build the linux-x64 binary');
      console.warn(`  skipped linux-${target.arch}: its Bun runtime could not be had`);
      continue;
    }
    rmSync(join(dir, 'mymedic.map'), { force: true }); // for debugging at the desk, not for the clinic
    console.log(`  mymedic (${built})`);

    const litestream = join(root, 'node_modules', target.litestream);
    const hasLitestream = existsSync(litestream);
    if (hasLitestream) {
      copyFileSync(litestream, join(dir, 'litestream'));
      chmodSync(join(dir, 'litestream'), 0o755);
      console.log(`  litestream (node_modules/${target.litestream})`);
    } else {
      console.warn(`  no litestream: node_modules/${target.litestream} is missing (not on the npm registry for ${target.arch})`);
    }
    for (const f of INSTALL_FILES) copyFileSync(join(root, 'install', f), join(dir, f));
    chmodSync(join(dir, 'install.sh'), 0o755);
    writeFileSync(join(dir, 'README-install.md'), installReadme(readme, pkg.version, target.arch, hasLitestream));

    const files = readdirSync(dir)
      .filter((f) => f !== 'SHA256SUMS' && statSync(join(dir, f)).isFile())
      .sort();
    const lines = await Promise.all(files.map(async (f) => `${await sha256(join(dir, f))}  ${f}`));
    writeFileSync(join(dir, 'SHA256SUMS'), lines.join('\n') + '\n');
    console.log(`  ${files.join(', ')}, SHA256SUMS`);
    made.push(dir);
  }
  return made;
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: 'dist/release' },
      'no-arm64': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log('Usage: bun run release [--out DIR] [--no-arm64]\nBuilds the offline release folders (see install/README.md).');
    process.exit(0);
  }
  try {
    const made = await release(resolve(process.cwd(), values.out!), { arm64: !values['no-arm64'] });
    console.log(`\n${made.length} release folder(s). Copy one onto a USB stick; on the server: sudo ./install.sh`);
  } catch (e) {
    console.error(`release: ${(e as Error).message}`);
    process.exit(1);
  }
}
