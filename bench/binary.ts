// The compiled executable: size of dist/mymedic, cold start to /readyz, idle memory, and
// memory under the HTTP load of bench/http.ts.
//   bun bench/binary.ts [--quick] [--build] [--binary=dist/mymedic] [--starts=5] [--seconds=6]
// Builds dist/mymedic with `bun build.ts` when it is missing (or with --build). When it is
// older than the sources it measures a fresh build in .tmp/bench/mymedic instead, leaving
// dist/ alone (other work may be using it).
// Target: idle RSS ≤ 80 MB. Size, start time and RSS under load are reported without target.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { flag, header, median, ms, numberFlag, report, rssMb, sleep, table, target, tempDir, now } from './lib';
import { BUN, haveWrk, initClinic, login, ROOT, runWrk, sampleRss, serveCommand, spawnServer, startMymedic, waitFor200 } from './server';

const DIST = resolve(ROOT, 'dist/mymedic');
const GIVEN = flag('binary');
let BINARY = resolve(ROOT, GIVEN ?? 'dist/mymedic');
const STARTS = numberFlag('starts', 5, 3);
const LOAD_S = numberFlag('seconds', 6, 3);
const IDLE_WAIT_MS = 2000;

/** mtime of the newest file the binary is built from. */
function newestSource(): number {
  let newest = 0;
  const walk = (p: string) => {
    if (!existsSync(p)) return;
    const st = statSync(p);
    if (st.isDirectory()) for (const n of readdirSync(p)) walk(join(p, n));
    else newest = Math.max(newest, st.mtimeMs);
  };
  for (const p of ['src', 'views', 'public', 'migrations', 'build.ts', 'package.json']) walk(join(ROOT, p));
  return newest;
}

async function freePort(): Promise<number> {
  const s = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } });
  const port = s.port;
  s.stop(true);
  return port;
}

async function main() {
  header('binary: size, cold start, memory');
  const build = async (outfile: string) => {
    console.log(`building ${outfile} with bun build.ts …`);
    const t0 = now();
    const p = Bun.spawn([BUN, join(ROOT, 'build.ts'), '--outfile', relative(ROOT, outfile)], { cwd: ROOT, stdout: 'inherit', stderr: 'inherit' });
    if ((await p.exited) !== 0) throw new Error('bun build.ts failed');
    console.log(`built in ${ms(now() - t0)}`);
  };
  if (!GIVEN) {
    if (!existsSync(DIST) || process.argv.includes('--build')) await build(DIST);
    else if (newestSource() > statSync(DIST).mtimeMs) {
      console.log('dist/mymedic is older than the sources: measuring a fresh build instead');
      BINARY = resolve(ROOT, '.tmp/bench/mymedic');
      await build(BINARY);
    }
  }
  const st = statSync(BINARY);
  const sizeMb = st.size / 1024 / 1024;
  const ageMin = (Date.now() - st.mtimeMs) / 60000;
  console.log(`${BINARY}: ${sizeMb.toFixed(1)} MiB, built ${ageMin.toFixed(0)} min ago (pass --build to rebuild)`);

  const tmp = tempDir('binary');
  const dataDir = join(tmp.dir, 'data');
  try {
    // First run: `mymedic init` on an empty folder (creates the database, migrations, clinic, owner).
    const tInit = now();
    await initClinic(dataDir, BINARY);
    const initMs = now() - tInit;

    // Cold starts: spawn → first 200 from /readyz, polling a port chosen beforehand.
    const starts: number[] = [];
    const idle: number[] = [];
    for (let i = 0; i < STARTS; i++) {
      const port = await freePort();
      const cmd = serveCommand(dataDir, BINARY, port);
      const t0 = now();
      const server = spawnServer(cmd);
      const readyMs = await waitFor200(`http://127.0.0.1:${port}/readyz`, t0);
      const s = await server;
      starts.push(readyMs);
      await sleep(IDLE_WAIT_MS);
      idle.push(await rssMb(s.pid));
      await s.stop();
    }

    // Under load: POST /api/v1/patients at 32 connections, sampling RSS.
    let loadRss = NaN;
    let loadRps = NaN;
    let loadP99 = NaN;
    if (haveWrk()) {
      const s = await startMymedic(dataDir, BINARY);
      try {
        const token = await login(s.url);
        const sampler = sampleRss(s.pid);
        const r = await runWrk({ url: `${s.url}/api/v1/patients`, seconds: LOAD_S, connections: 32, token, run: 7 });
        const samples = sampler.stop();
        loadRss = Math.max(...samples);
        loadRps = r.rps;
        loadP99 = r.p99ms;
        await sleep(IDLE_WAIT_MS);
        const after = await rssMb(s.pid);
        report('binary.rss_after_load_mb', after);
        console.log(`RSS ${IDLE_WAIT_MS / 1000} s after the load: ${after.toFixed(0)} MB`);
      } finally {
        await s.stop();
      }
    } else {
      console.log('wrk not found: RSS under load skipped');
    }

    report('binary.size_mb', sizeMb);
    report('binary.init_ms', initMs);
    report('binary.cold_start_readyz_ms', median(starts));
    report('binary.idle_rss_mb', median(idle));
    if (!Number.isNaN(loadRss)) {
      report('binary.load_rss_mb', loadRss);
      report('binary.load_rps', loadRps);
      report('binary.load_p99_ms', loadP99);
    }
    target('binary.idle_rss_mb', '<=', 80);

    console.log(
      '\n' +
        table(
          ['measure', 'value', 'detail'],
          [
            ['binary size', `${sizeMb.toFixed(1)} MiB`, BINARY.replace(ROOT + '/', '')],
            ['mymedic init (new data folder)', ms(initMs), 'create db, migrate, clinic + owner (argon2id)'],
            ['cold start to /readyz (median)', ms(median(starts)), starts.map((x) => x.toFixed(0)).join(' / ') + ' ms'],
            [`idle RSS (${IDLE_WAIT_MS / 1000} s after ready, median)`, `${median(idle).toFixed(1)} MB`, idle.map((x) => x.toFixed(1)).join(' / ') + ' MB (target ≤ 80)'],
            ['RSS under load (max)', Number.isNaN(loadRss) ? 'n/a' : `${loadRss.toFixed(0)} MB`, Number.isNaN(loadRps) ? '' : `wrk -c32 ${LOAD_S} s: ${loadRps.toFixed(0)} req/s, p99 ${loadP99.toFixed(1)} ms`],
          ],
        ),
    );
  } finally {
    tmp.dispose();
  }
}

if (import.meta.main) await main();
