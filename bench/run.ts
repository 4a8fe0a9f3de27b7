// Runs every benchmark in sequence, each in its own process, and prints a summary table of
// the figures they report against their targets. Prints; never fails on a figure.
//   bun bench/run.ts [--quick] [append rebuild http binary receipt scheduling payments sync] [--json=FILE]
// BENCH_QUICK=1 works like --quick. Exit code is non-zero only if a benchmark crashed.
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { chunksOf, flag, fmtNumber, ms, now, type Op, QUICK, table } from './lib';

const ALL = ['append', 'rebuild', 'http', 'binary', 'receipt', 'scheduling', 'payments', 'sync'] as const;
const picked = process.argv.slice(2).filter((a) => (ALL as readonly string[]).includes(a));
const benches = picked.length ? picked : [...ALL];

interface Figure {
  bench: string;
  name: string;
  value: number;
}
interface Target {
  op: Op;
  value: number;
}

/** Units and one-line meanings for the summary; anything not listed prints as is. */
const LABELS: Record<string, string> = {
  'append.raw_events_per_s': 'raw bun:sqlite, 1 row per transaction (events/s)',
  'append.runner_events_per_s': 'runner.run + tx.append, 1 event (events/s)',
  'append.register_events_per_s': 'runner.run + registerPatient (events/s)',
  'append.runner_ratio': 'runner append ÷ raw',
  'append.register_ratio': 'registerPatient ÷ raw',
  'rebuild.events_per_s': 'rebuild() of a live database (events/s)',
  'rebuild.empty_tables_events_per_s': 'rebuild() into empty read tables (events/s)',
  'http.bare_rps': 'bare Elysia echo (req/s)',
  'http.patients_rps': 'POST /api/v1/patients (req/s)',
  'http.patients_ratio': 'patients ÷ bare',
  'http.patients_p50_ms': 'patients p50 (ms)',
  'http.patients_p99_ms': 'patients p99 (ms)',
  'http.patients_cpu_us_per_req': 'server CPU per patients request (µs)',
  'binary.size_mb': 'dist/mymedic size (MiB)',
  'binary.cold_start_readyz_ms': 'cold start to /readyz, median (ms)',
  'binary.idle_rss_mb': 'idle RSS after start (MB)',
  'binary.load_rss_mb': 'RSS under HTTP load, max (MB)',
  'receipt.p50_ms': 'receipt PDF (load + render), p50 over all kinds (ms)',
  'receipt.p99_ms': 'receipt PDF, worst p99 of thermal/A5 × Latin/Devanagari (ms)',
  'receipt.cpu_p50_ms': 'receipt PDF, process CPU per receipt, p50 (ms)',
  'receipt.max_kb': 'receipt PDF, largest (KB)',
  'receipt.cold_first_ms': 'first receipt of a process: fonts parsed (ms)',
  'scheduling.history_appointments': 'appointments in the database the pages read',
  'scheduling.bare_rps': 'bare Elysia echo, booking bodies (req/s)',
  'scheduling.book_rps': 'POST /api/v1/appointments (req/s)',
  'scheduling.book_ratio': 'bookings ÷ bare',
  'scheduling.book_p50_ms': 'bookings p50 (ms)',
  'scheduling.book_p99_ms': 'bookings p99 (ms)',
  'scheduling.book_cpu_us_per_req': 'server CPU per booking (µs)',
  'scheduling.board_p50_ms': 'GET /board, 10 doctors, 600 appointments, p50 (ms)',
  'scheduling.board_p99_ms': 'GET /board p99 (ms)',
  'scheduling.queue_p50_ms': 'GET /queue/{doctor} p50 (ms)',
  'scheduling.queue_p99_ms': 'GET /queue/{doctor} p99 (ms)',
  'scheduling.slots_month_p99_ms': "slotsOn for a doctor's 30 days, worst p99 of IST/London (ms)",
  'scheduling.doctor_day_month_p50_ms': 'doctorDay() × 30 from the database, p50 (ms)',
  'payments.run_balance_ratio': 'runner.run recordPayment (balance) ÷ bare append',
  'payments.run_deposit_ratio': 'runner.run recordPayment (deposit) ÷ bare append',
  'payments.submit_balance_ratio': 'runner.submit ×32 recordPayment (balance) ÷ bare append',
  'payments.submit_deposit_ratio': 'runner.submit ×32 recordPayment (deposit) ÷ bare append',
  'payments.run_balance_per_s': 'runner.run recordPayment, balance (payments/s)',
  'payments.submit_balance_per_s': 'runner.submit ×32 recordPayment, balance (payments/s)',
  'payments.http_rps': 'POST /api/v1/payments (req/s)',
  'payments.http_ratio': 'payments over HTTP ÷ bare',
  'payments.http_p50_ms': 'payments over HTTP p50 (ms)',
  'payments.http_p99_ms': 'payments over HTTP p99 (ms)',
  'payments.http_cpu_us_per_req': 'server CPU per payment request (µs)',
  'sync.hub_ingest_events_per_s': 'hub ingest, agent.round() over HTTP on loopback (events/s)',
  'sync.ingest_hub_cpu_us_per_event': 'hub process CPU per event ingested (µs)',
  'sync.hub_apply_events_per_s': 'hub side in process: gunzip + parse + appendReplicated (events/s)',
  'sync.hub_appendreplicated_events_per_s': 'appendReplicated + commit alone, 1 tx per batch (events/s)',
  'sync.catchup_1m_s': 'catch-up of 1,000,000 unsent events (s; quick: 100,000 scaled ×10)',
  'sync.catchup_events_per_s': 'catch-up push rate (events/s)',
  'sync.book_p50_ms_standalone': 'booking p50, standalone server, paced (ms)',
  'sync.book_p50_ms_branch': 'booking p50, branch pushing every commit, paced (ms)',
  'sync.push_overhead_pct': 'push overhead on booking p50, paced (%)',
  'sync.push_cpu_overhead_pct': 'push overhead on server CPU per booking, paced (%)',
  'sync.closed_push_overhead_pct': 'push overhead on booking p50, back to back (%)',
};

async function runOne(name: string): Promise<{ figures: Figure[]; targets: Map<string, Target>; code: number; ms: number; load: number }> {
  const args = [process.execPath, join(import.meta.dir, `${name}.ts`), ...(QUICK ? ['--quick'] : [])];
  const t0 = now();
  const p = Bun.spawn(args, { cwd: join(import.meta.dir, '..'), stdout: 'pipe', stderr: 'inherit', env: process.env });
  const figures: Figure[] = [];
  const targets = new Map<string, Target>();
  const dec = new TextDecoder();
  let buf = '';
  const take = (line: string) => {
    process.stdout.write(line + '\n');
    const t = /^target ([a-z0-9_.]+) (>=|<=) (-?[\d.]+)$/.exec(line);
    if (t) return void targets.set(t[1], { op: t[2] as Op, value: Number(t[3]) });
    const f = /^([a-z0-9_]+\.[a-z0-9_.]+) (-?[\d.]+|NaN|Infinity)$/.exec(line);
    if (f) figures.push({ bench: name, name: f[1], value: Number(f[2]) });
  };
  for await (const chunk of chunksOf(p.stdout)) {
    buf += dec.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      take(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
    }
  }
  if (buf) take(buf);
  const code = await p.exited;
  return { figures, targets, code, ms: now() - t0, load: loadavg()[0] };
}

const t0 = now();
const figures: Figure[] = [];
const targets = new Map<string, Target>();
const runs: { bench: string; code: number; ms: number; load: number }[] = [];
for (const b of benches) {
  const r = await runOne(b);
  figures.push(...r.figures);
  for (const [k, v] of r.targets) targets.set(k, v);
  runs.push({ bench: b, code: r.code, ms: r.ms, load: r.load });
  if (r.code !== 0) console.log(`!! bench/${b}.ts exited with ${r.code}`);
}

const verdict = (f: Figure): string => {
  const t = targets.get(f.name);
  if (!t) return '';
  const ok = t.op === '>=' ? f.value >= t.value : f.value <= t.value;
  return `${ok ? 'meets' : 'BELOW'} (${t.op} ${fmtNumber(t.value)})`;
};
console.log(`\n== summary${QUICK ? ' (quick)' : ''}: ${cpus().length} cpu(s), total ${ms(now() - t0)} ==`);
const shown = figures.filter((f) => LABELS[f.name] || targets.has(f.name));
console.log(table(['figure', 'value', 'target', 'meaning'], shown.map((f) => [f.name, fmtNumber(f.value), verdict(f), LABELS[f.name] ?? ''])));
console.log(
  '\n' + table(['bench', 'exit', 'time', 'load avg after'], runs.map((r) => [r.bench, String(r.code), ms(r.ms), r.load.toFixed(1)])),
);
const jsonOut = flag('json');
if (jsonOut) {
  writeFileSync(
    jsonOut,
    JSON.stringify(
      {
        at: new Date().toISOString(),
        quick: QUICK,
        bun: Bun.version,
        cpus: cpus().length,
        figures: Object.fromEntries(figures.map((f) => [f.name, f.value])),
        targets: Object.fromEntries(targets),
        runs,
      },
      null,
      2,
    ),
  );
  console.log(`wrote ${jsonOut}`);
}
process.exit(runs.some((r) => r.code !== 0) ? 1 : 0);
