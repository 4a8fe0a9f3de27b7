// HTTP: `POST /api/v1/patients` on a real `mymedic serve` (child process, real database,
// bearer token, request logging on) against a bare Elysia JSON echo in another child process,
// both driven by wrk at 32 connections in the same run.
//   bun bench/http.ts [--quick] [--seconds=8] [--rounds=2] [--connections=32] [--binary=dist/mymedic]
// Targets: patients requests/s ≥ 0.4 × bare; patients p99 < 10 ms.
import { join } from 'node:path';
import { header, median, ms, QUICK, flag, numberFlag, report, table, target, tempDir, withThousands } from './lib';
import { cpuMs, haveWrk, initClinic, login, runWrk, sampleRss, startBareElysia, startMymedic, type WrkResult } from './server';

const SECONDS = numberFlag('seconds', 8, 3);
const ROUNDS = numberFlag('rounds', 2, 1);
const WARMUP_S = QUICK ? 1 : 2;
const CONNECTIONS = numberFlag('connections', 32, 32);
const BINARY = flag('binary');

async function main() {
  header(`http: POST /api/v1/patients vs bare Elysia echo, ${CONNECTIONS} connections`);
  if (!haveWrk()) {
    console.log('wrk not found (apt-get install -y wrk): http benchmark skipped');
    report('http.skipped', 1);
    return;
  }
  const tmp = tempDir('http');
  const dataDir = join(tmp.dir, 'data');
  const servers: { stop(): Promise<void> }[] = [];
  try {
    await initClinic(dataDir, BINARY);
    const app = await startMymedic(dataDir, BINARY);
    servers.push(app);
    const bare = await startBareElysia();
    servers.push(bare);
    const token = await login(app.url);

    // One request by hand: the route must answer 201 with a patient before we load it.
    const probe = await fetch(`${app.url}/api/v1/patients`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ name: 'Bench Probe', phone: '9800000001', sex: 'female', age_years: 30 }),
    });
    const probeBody = await probe.text();
    if (probe.status !== 201) throw new Error(`POST /api/v1/patients answered ${probe.status}: ${probeBody}`);

    const patientsUrl = `${app.url}/api/v1/patients`;
    const echoUrl = `${bare.url}/echo`;
    let run = 0;
    await runWrk({ url: echoUrl, seconds: WARMUP_S, connections: CONNECTIONS, run: run++ });
    await runWrk({ url: patientsUrl, seconds: WARMUP_S, connections: CONNECTIONS, token, run: run++ });

    const results: { bare: WrkResult[]; app: WrkResult[] } = { bare: [], app: [] };
    const rss: number[] = [];
    // Server CPU per request: a figure the other load on a shared machine disturbs less.
    const cpu = { bare: { ms: 0, n: 0 }, app: { ms: 0, n: 0 } };
    for (let r = 0; r < ROUNDS; r++) {
      let c0 = await cpuMs(bare.pid);
      const rb = await runWrk({ url: echoUrl, seconds: SECONDS, connections: CONNECTIONS, run: run++ });
      cpu.bare.ms += (await cpuMs(bare.pid)) - c0;
      cpu.bare.n += rb.requests;
      results.bare.push(rb);
      const sampler = sampleRss(app.pid);
      c0 = await cpuMs(app.pid);
      const ra = await runWrk({ url: patientsUrl, seconds: SECONDS, connections: CONNECTIONS, token, run: run++ });
      cpu.app.ms += (await cpuMs(app.pid)) - c0;
      cpu.app.n += ra.requests;
      results.app.push(ra);
      rss.push(...sampler.stop());
    }
    const cpuUs = (x: { ms: number; n: number }) => (x.ms * 1000) / Math.max(1, x.n);
    const pick = (xs: WrkResult[]) => {
      // The round with the median throughput, so rps and its latencies come from one run.
      const m = median(xs.map((x) => x.rps));
      return xs.reduce((a, b) => (Math.abs(b.rps - m) < Math.abs(a.rps - m) ? b : a));
    };
    const b = pick(results.bare);
    const a = pick(results.app);
    const appErrors = results.app.reduce((s, x) => s + x.badStatus + x.socketErrors, 0);
    const bareErrors = results.bare.reduce((s, x) => s + x.badStatus + x.socketErrors, 0);

    report('http.bare_rps', b.rps);
    report('http.bare_p50_ms', b.p50ms);
    report('http.bare_p99_ms', b.p99ms);
    report('http.patients_rps', a.rps);
    report('http.patients_p50_ms', a.p50ms);
    report('http.patients_p99_ms', a.p99ms);
    report('http.patients_ratio', a.rps / b.rps);
    report('http.patients_errors', appErrors);
    report('http.bare_errors', bareErrors);
    report('http.server_rss_under_load_mb', Math.max(...rss, 0));
    report('http.bare_cpu_us_per_req', cpuUs(cpu.bare));
    report('http.patients_cpu_us_per_req', cpuUs(cpu.app));
    target('http.patients_ratio', '>=', 0.4);
    target('http.patients_p99_ms', '<=', 10);

    console.log(
      `\nwrk -t2 -c${CONNECTIONS}, ${ROUNDS} × ${SECONDS} s per server (alternating, median round shown), after ${WARMUP_S} s warm-up each; server: ${BINARY ?? 'bun src/main.ts serve'}`,
    );
    console.log(
      table(
        ['server', 'requests/s', 'p50', 'p90', 'p99', 'max', 'errors', 'server CPU/req', 'rounds (req/s)'],
        [
          ['bare Elysia POST /echo', b.rps, ms(b.p50ms), ms(b.p90ms), ms(b.p99ms), ms(b.maxMs), String(bareErrors), `${cpuUs(cpu.bare).toFixed(0)} µs`, results.bare.map((x) => withThousands(x.rps)).join(' / ')],
          ['mymedic POST /api/v1/patients', a.rps, ms(a.p50ms), ms(a.p90ms), ms(a.p99ms), ms(a.maxMs), String(appErrors), `${cpuUs(cpu.app).toFixed(0)} µs`, results.app.map((x) => withThousands(x.rps)).join(' / ')],
        ],
      ),
    );
    console.log(`ratio ${(a.rps / b.rps).toFixed(2)} (target ≥ 0.4); server RSS under load: max ${Math.max(...rss, 0).toFixed(0)} MB`);
  } finally {
    for (const s of servers) await s.stop();
    tmp.dispose();
  }
}

if (import.meta.main) await main();
