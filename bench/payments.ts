// Payments: recording a payment with its gapless receipt number, against a bare one-event
// command in the same run — at the kernel (runner.run, one command per transaction, and
// runner.submit, group commit with 32 in flight) and over HTTP (POST /api/v1/payments at 32
// connections against the bare Elysia echo).
//   bun bench/payments.ts [--quick] [--n=5000] [--rounds=3] [--group=32] [--seconds=6] [--http-rounds=2] [--connections=32]
// No target is set for these ratios (issue 4 asks for the figures); the receipt series is
// checked gapless after each part.
//
// Two kinds of payment, both through recordPayment():
// - balance: ₹200 against one of 64 big invoices (₹10 crore each, so they never run out),
//   methods mixed like a front desk: half cash, a quarter UPI (with UTR and VPA), a quarter card;
// - deposit: ₹200 UPI deposit on an appointment booked beforehand, a different appointment
//   each time (the appointments are written straight into the log and read table, see
//   bench/scheduling.ts HistoryWriter).
// The branch code is "B1": with a 4-letter code (BLR1/26-27/00123) the 16-character GST
// limit leaves five digits, 99,999 receipts a financial year, which this benchmark would use up.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { issueInvoice, type PaymentInput, recordPayment } from '../src/billing/commands';
import { fixedClock } from '../src/core/clock';
import { newId } from '../src/core/ids';
import { type CommandContext, systemActor, type Tx } from '../src/core/runner';
import type { Scope } from '../src/core/scope';
import { openKernel, type Kernel } from '../src/kernel';
import { setUpClinic } from '../src/org/commands';
import { registerDoctor, setAvailability } from '../src/scheduling/commands';
import { addDays } from '../src/scheduling/time';
import { header, median, ms, numberFlag, now, QUICK, report, table, tempDir, withThousands } from './lib';
import { compareWithBare, fillPatients, HistoryWriter, openSeed, type Seed, wrkScript } from './scheduling';
import { ADMIN, BUN, haveWrk, login, PASSWORD, ROOT, startBareElysia, startMymedic, type RunningServer } from './server';

const N = numberFlag('n', 5_000, 1_000);
const ROUNDS = numberFlag('rounds', 3, 2);
const WARMUP = Math.min(500, N);
const GROUP = numberFlag('group', 32, 32);
const SECONDS = numberFlag('seconds', 6, 3);
const HTTP_ROUNDS = numberFlag('http-rounds', 2, 1);
const WARMUP_S = QUICK ? 1 : 2;
const CONNECTIONS = numberFlag('connections', 32, 32);
const BRANCH_CODE = 'B1';
const INVOICES = 64;
const AMOUNT = 20_000; // ₹200

const FAKE_HASH = '$argon2id$v=19$m=65536,t=2,p=1$bench$bench';

/** A payment's method details, mixed like a front desk: cash, cash, UPI, card. */
function methodOf(k: number): Pick<PaymentInput, 'method' | 'reference' | 'upi_vpa' | 'card_last4' | 'card_auth_code'> {
  switch (k % 4) {
    case 2:
      return { method: 'upi', reference: `UTR${400000000000 + k}`, upi_vpa: 'asha.rao@okaxis' };
    case 3:
      return { method: 'card', card_last4: '4242', card_auth_code: 'A1B2C3' };
    default:
      return { method: 'cash' };
  }
}

/** Big invoices to pay small amounts against: one exempt ₹10 crore line each. */
function bigInvoices(s: Pick<Seed, 'kernel' | 'scope'>, patientIds: string[], n: number): string[] {
  const ctx: CommandContext = { actor: { userId: s.scope.userId, name: s.scope.name, role: s.scope.role, via: 'http' } };
  return Array.from({ length: n }, (_, i) =>
    s.kernel.runner.run(ctx, (tx) =>
      issueInvoice(tx, s.scope, { patient_id: patientIds[i % patientIds.length], lines: [{ item_code: 'PKG', description: 'Treatment package', qty: 1000, unit_price: 10_000_000, tax_rate: 0 }] }),
    ),
  );
}

/** Receipt numbers issued so far: payments, distinct numbers, and the counters' values. */
function receiptCheck(kernel: Pick<Kernel, 'db'>): { payments: number; distinct: number; counter: number; gapless: boolean } {
  const r = kernel.db
    .query(`SELECT count(*) AS payments, count(DISTINCT receipt_number) AS distinct_, (SELECT coalesce(sum(value), 0) FROM counters WHERE name LIKE 'receipt:%') AS counter FROM payments`)
    .get() as { payments: number; distinct_: number; counter: number };
  return { payments: r.payments, distinct: r.distinct_, counter: r.counter, gapless: r.payments === r.distinct_ && r.payments === r.counter };
}

// ---------------------------------------------------------------------------------------
// (a) kernel level

async function kernelPart() {
  const tmp = tempDir('payments');
  try {
    const kernel = openKernel(tmp.dir);
    const ids = kernel.runner.run({ actor: systemActor('setup') }, (tx) =>
      setUpClinic(tx, {
        clinicName: 'Bench Clinic',
        branch: { code: BRANCH_CODE, name: 'Bench Branch', timezone: 'Asia/Kolkata' },
        owner: { username: 'owner', name: 'Owner', passwordHash: FAKE_HASH },
      }),
    );
    const scope: Scope = { userId: ids.ownerId, username: 'owner', name: 'Owner', role: 'owner', branchId: ids.branchId, branchIds: [ids.branchId], sessionId: 'bench', via: 'bearer' };
    const seed: Seed = { kernel, clock: fixedClock(new Date().toISOString()), branchId: ids.branchId, branchCode: BRANCH_CODE, scope };
    const ctx: CommandContext = { actor: { userId: scope.userId, name: scope.name, role: scope.role, via: 'http' } };
    const run = <R>(fn: (tx: Tx) => R) => kernel.runner.run(ctx, fn);

    // Ten doctors (fee ₹500), sessions every day 08:00–21:00 in 10-minute slots; patients;
    // the invoices; and one future appointment per deposit to take.
    const t0 = now();
    const doctors = Array.from({ length: 10 }, (_, i) =>
      run((tx) => registerDoctor(tx, scope, { name: `Dr. Bench ${i + 1}`, specialty: 'General medicine', registration_number: `KMC-${2001 + i}`, slot_minutes: 10, fee: { amount: 50_000, currency: 'INR' } })),
    );
    for (const d of doctors) run((tx) => setAvailability(tx, scope, d, [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '08:00', end: '21:00' })), []));
    const patients = fillPatients(seed, 2_000);
    const invoices = bigInvoices(seed, patients, INVOICES);
    const deposits = 2 * (WARMUP + ROUNDS * N);
    const writer = new HistoryWriter(kernel, ids.branchId, { userId: scope.userId, name: scope.name, role: scope.role });
    const appointments: string[] = [];
    const firstDay = addDays(new Date(Date.now() + 5.5 * 3600_000).toISOString().slice(0, 10), 2);
    kernel.db.transaction(() => {
      for (let k = 0; k < deposits; k++) {
        const slot = Math.floor(k / doctors.length);
        writer.add({ doctorId: doctors[k % doctors.length], patientId: patients[k % patients.length], date: addDays(firstDay, Math.floor(slot / 78)), minute: 8 * 60 + 10 * (slot % 78) }, 10);
      }
    }).immediate();
    for (const r of kernel.db.query(`SELECT id FROM appointments ORDER BY rowid`).all() as { id: string }[]) appointments.push(r.id);
    console.log(`seeded in ${ms(now() - t0)}: 10 doctors, ${withThousands(patients.length)} patients, ${INVOICES} invoices, ${withThousands(appointments.length)} appointments for deposits`);

    let k = 0;
    let dep = 0;
    const balance = (): PaymentInput => ({ invoice_id: invoices[k % INVOICES], amount: AMOUNT, ...methodOf(k++) });
    const deposit = (): PaymentInput => ({ appointment_id: appointments[dep++], amount: AMOUNT, method: 'upi', reference: `UTR${500000000000 + dep}` });
    let appendN = 0;
    const bare = (tx: Tx) => tx.append(`bench-${newId()}`, 0, ids.branchId, [{ type: 'bench.appended', data: { n: ++appendN } }]);

    type Kind = { key: string; label: string; one: () => unknown; async?: boolean };
    const kinds: Kind[] = [
      { key: 'run_append', label: 'runner.run + tx.append (1 event)', one: () => kernel.runner.run(ctx, bare) },
      { key: 'run_balance', label: 'runner.run + recordPayment, balance', one: () => kernel.runner.run(ctx, (tx) => recordPayment(tx, scope, balance())) },
      { key: 'run_deposit', label: 'runner.run + recordPayment, deposit', one: () => kernel.runner.run(ctx, (tx) => recordPayment(tx, scope, deposit())) },
      { key: 'submit_append', label: `runner.submit + tx.append, ${GROUP} in flight`, one: () => kernel.runner.submit(ctx, bare), async: true },
      { key: 'submit_balance', label: `runner.submit + recordPayment, balance, ${GROUP} in flight`, one: () => kernel.runner.submit(ctx, (tx) => recordPayment(tx, scope, balance())), async: true },
      { key: 'submit_deposit', label: `runner.submit + recordPayment, deposit, ${GROUP} in flight`, one: () => kernel.runner.submit(ctx, (tx) => recordPayment(tx, scope, deposit())), async: true },
    ];
    const runKind = async (kind: Kind, n: number) => {
      if (!kind.async) {
        for (let i = 0; i < n; i++) kind.one();
        return;
      }
      for (let i = 0; i < n; i += GROUP) {
        const batch: unknown[] = [];
        for (let j = 0; j < GROUP && i + j < n; j++) batch.push(kind.one());
        await Promise.all(batch);
      }
    };
    const rates: Record<string, number[]> = {};
    for (const kind of kinds) {
      rates[kind.key] = [];
      await runKind(kind, WARMUP);
    }
    for (let r = 0; r < ROUNDS; r++) {
      for (const kind of kinds) {
        Bun.gc(true);
        const t = now();
        await runKind(kind, N);
        rates[kind.key].push((N / (now() - t)) * 1000);
      }
    }
    const check = receiptCheck(kernel);
    kernel.close();
    return { kinds, rates, check };
  } finally {
    tmp.dispose();
  }
}

// ---------------------------------------------------------------------------------------
// (b) HTTP

async function httpPart(): Promise<Awaited<ReturnType<typeof compareWithBare>> & { check: ReturnType<typeof receiptCheck> }> {
  const tmp = tempDir('payments-http');
  const dataDir = join(tmp.dir, 'data');
  const servers: RunningServer[] = [];
  try {
    // `mymedic init` with a short branch code (see the top of this file).
    const pwFile = join(tmp.dir, 'pw');
    writeFileSync(pwFile, PASSWORD + '\n', { mode: 0o600 });
    const init = Bun.spawn(
      [BUN, join(ROOT, 'src/main.ts'), 'init', '--data', dataDir, '--clinic', 'Bench Clinic', '--branch-code', BRANCH_CODE, '--admin', ADMIN, '--admin-name', 'Bench Owner', '--password-file', pwFile],
      { cwd: ROOT, stdout: 'pipe', stderr: 'pipe', stdin: 'ignore' },
    );
    if ((await init.exited) !== 0) throw new Error(`mymedic init failed: ${await new Response(init.stderr).text()}`);
    const seed = openSeed(dataDir, new Date().toISOString());
    const patients = fillPatients(seed, 200);
    const invoices = bigInvoices(seed, patients, INVOICES);
    seed.kernel.db.run('PRAGMA wal_checkpoint(TRUNCATE)');
    seed.kernel.close();

    const app = await startMymedic(dataDir);
    servers.push(app);
    const bare = await startBareElysia();
    servers.push(bare);
    const token = await login(app.url);
    const probe = await fetch(`${app.url}/api/v1/payments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ invoice_id: invoices[0], amount: { amount: AMOUNT, currency: 'INR' }, method: 'cash' }),
    });
    const probeBody = await probe.text();
    if (probe.status !== 201) throw new Error(`POST /api/v1/payments answered ${probe.status}: ${probeBody}`);
    const script = join(tmp.dir, 'pay.lua');
    writeFileSync(
      script,
      wrkScript(`
local invoices = split(os.getenv("BENCH_INVOICES"))
function body(k)
  local inv = invoices[(k % #invoices) + 1]
  local m = k % 4
  if m == 2 then
    return string.format('{"invoice_id":"%s","amount":{"amount":${AMOUNT},"currency":"INR"},"method":"upi","reference":"UTR%d","upi_vpa":"asha.rao@okaxis"}', inv, 400000000000 + k)
  elseif m == 3 then
    return string.format('{"invoice_id":"%s","amount":{"amount":${AMOUNT},"currency":"INR"},"method":"card","card_last4":"4242","card_auth_code":"A1B2C3"}', inv)
  end
  return string.format('{"invoice_id":"%s","amount":{"amount":${AMOUNT},"currency":"INR"},"method":"cash"}', inv)
end
`),
    );
    const res = await compareWithBare({
      bare,
      app,
      appPath: '/api/v1/payments',
      token,
      script,
      env: (run) => ({ BENCH_INVOICES: invoices.join(','), BENCH_OFFSET: String(run * 10_000_000) }),
      seconds: SECONDS,
      rounds: HTTP_ROUNDS,
      warmupS: WARMUP_S,
      connections: CONNECTIONS,
    });
    for (const s of servers.splice(0)) await s.stop();
    const ro = openKernel(dataDir, { readonly: true, migrate: false });
    const check = receiptCheck(ro);
    ro.close();
    return { ...res, check };
  } finally {
    for (const s of servers) await s.stop();
    tmp.dispose();
  }
}

async function main() {
  header('payments: recordPayment + receipt number vs a bare command');
  const k = await kernelPart();
  const m = (key: string) => median(k.rates[key]);
  report('payments.run_append_per_s', m('run_append'));
  report('payments.run_balance_per_s', m('run_balance'));
  report('payments.run_deposit_per_s', m('run_deposit'));
  report('payments.submit_append_per_s', m('submit_append'));
  report('payments.submit_balance_per_s', m('submit_balance'));
  report('payments.submit_deposit_per_s', m('submit_deposit'));
  report('payments.run_balance_ratio', m('run_balance') / m('run_append'));
  report('payments.run_deposit_ratio', m('run_deposit') / m('run_append'));
  report('payments.submit_balance_ratio', m('submit_balance') / m('submit_append'));
  report('payments.submit_deposit_ratio', m('submit_deposit') / m('submit_append'));
  report('payments.kernel_receipts_gapless', k.check.gapless ? 1 : 0);

  let h: Awaited<ReturnType<typeof httpPart>> | null = null;
  if (haveWrk()) {
    h = await httpPart();
    report('payments.bare_rps', h.bare.rps);
    report('payments.http_rps', h.app.rps);
    report('payments.http_ratio', h.app.rps / h.bare.rps);
    report('payments.http_p50_ms', h.app.p50ms);
    report('payments.http_p99_ms', h.app.p99ms);
    report('payments.http_errors', h.appErrors);
    report('payments.http_cpu_us_per_req', h.appCpuUs);
    report('payments.bare_cpu_us_per_req', h.bareCpuUs);
    report('payments.http_receipts_gapless', h.check.gapless ? 1 : 0);
  } else {
    console.log('wrk not found (apt-get install -y wrk): the HTTP part is skipped');
    report('payments.http_skipped', 1);
  }

  console.log(`\nkernel: ${withThousands(N)} commands × ${ROUNDS} rounds each (interleaved, median round shown), after ${WARMUP} warm-up commands; ratios against the bare append of the same mode`);
  const base = (key: string) => (key.startsWith('run_') ? m('run_append') : m('submit_append'));
  console.log(
    table(
      ['path', 'commands/s', 'µs/command', 'vs bare', 'rounds (commands/s)'],
      k.kinds.map((x) => [x.label, m(x.key), (1e6 / m(x.key)).toFixed(1), (m(x.key) / base(x.key)).toFixed(2), k.rates[x.key].map((r) => Math.round(r)).join(' / ')]),
    ),
  );
  console.log(`receipts: ${withThousands(k.check.payments)} payments, ${withThousands(k.check.distinct)} distinct receipt numbers, counter at ${withThousands(k.check.counter)}: ${k.check.gapless ? 'gapless' : 'GAPS OR DUPLICATES'}`);
  if (h) {
    console.log(
      `\nHTTP: wrk -t2 -c${CONNECTIONS}, ${HTTP_ROUNDS} × ${SECONDS} s per server (alternating, median round shown), after ${WARMUP_S} s warm-up each; bearer token; ` +
        `₹200 against one of ${INVOICES} invoices per request, cash/cash/UPI/card; the bare echo gets the same bodies`,
    );
    console.log(
      table(
        ['server', 'requests/s', 'p50', 'p90', 'p99', 'max', 'errors', 'server CPU/req', 'rounds (req/s)'],
        [
          ['bare Elysia POST /echo', h.bare.rps, ms(h.bare.p50ms), ms(h.bare.p90ms), ms(h.bare.p99ms), ms(h.bare.maxMs), String(h.bareErrors), `${h.bareCpuUs.toFixed(0)} µs`, h.results.bare.map((x) => withThousands(x.rps)).join(' / ')],
          ['mymedic POST /api/v1/payments', h.app.rps, ms(h.app.p50ms), ms(h.app.p90ms), ms(h.app.p99ms), ms(h.app.maxMs), String(h.appErrors), `${h.appCpuUs.toFixed(0)} µs`, h.results.app.map((x) => withThousands(x.rps)).join(' / ')],
        ],
      ),
    );
    console.log(
      `ratio ${(h.app.rps / h.bare.rps).toFixed(3)}; receipts: ${withThousands(h.check.payments)} payments, counter at ${withThousands(h.check.counter)}: ${h.check.gapless ? 'gapless' : 'GAPS OR DUPLICATES'}; server RSS under load max ${h.maxRssMb.toFixed(0)} MB`,
    );
  }
}

if (import.meta.main) await main();
