// Scheduling: booking over HTTP, the day board and queue pages on a database holding five
// years of a busy branch, and slot computation for a doctor's month.
//   bun bench/scheduling.ts [--quick] [--days=1826] [--patients=40000] [--seconds=6] [--rounds=2]
//                           [--connections=32] [--pages=300] [--page-budget=15] [--reps=400] [--verify] [--keep]
// Targets: POST /api/v1/appointments ≥ 0.4 × bare Elysia requests/s and p99 < 10 ms at 32
// connections; GET /board and GET /queue/{doctor} p99 < 30 ms for a day of 10 doctors and 600
// appointments; slotsOn for a doctor's month < 5 ms.
//
// The database: `mymedic init`, then (in this process, through the kernel) 10 doctors with
// 10-minute slots in two sessions every day (08:00–13:00, 16:00–21:00: 60 slots), patients,
// and `--days` days of history ending today, each day 600 appointments (every slot of every
// doctor, minus a few leave days). History rows are written straight into `events` (real
// rows: canonical JSON, the origin's hash chain continued) and into `appointments` exactly as
// the scheduling projection writes them, in 25,000-appointment transactions (~6% cancelled,
// ~5% no-show, as a second event of the stream), with the two tables' secondary indexes
// dropped during the fill and rebuilt after it; quick mode checks the result with the app's
// own `verify()` (hash chain + a replay of the log compared with the read tables). Today
// goes through the real commands (book, cancel, no-show, check in, call, start, complete,
// walk-ins) on a pinned clock, so the board and the queue show every state.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson } from '../src/core/canonical';
import { fixedClock } from '../src/core/clock';
import { computeHash, EVENT_SCHEMA_VERSION, type EventMeta } from '../src/core/events';
import { newId } from '../src/core/ids';
import type { Tx } from '../src/core/runner';
import type { Scope } from '../src/core/scope';
import { verify } from '../src/core/verify';
import { allProjections, openKernel, type Kernel } from '../src/kernel';
import { formatMrn } from '../src/patients/commands';
import { patientStream } from '../src/patients/events';
import { bookAppointment, cancelAppointment, checkIn, issueWalkIn, markNoShow, moveToken, registerDoctor, setAvailability } from '../src/scheduling/commands';
import type { AvailabilityException, WeeklySession } from '../src/scheduling/events';
import { doctorDay, getDoctor } from '../src/scheduling/queries';
import { slotsOn } from '../src/scheduling/slots';
import { addDays } from '../src/scheduling/time';
import { benchName } from './append';
import { header, median, ms, now, numberFlag, percentile, QUICK, report, table, target, tempDir, withThousands } from './lib';
import { ADMIN, cpuMs, haveWrk, initClinic, login, PASSWORD, type RunningServer, sampleRss, startBareElysia, startMymedic, type WrkResult } from './server';

const DAYS = numberFlag('days', 5 * 365 + 1, 30);
const SECONDS = numberFlag('seconds', 6, 3);
const ROUNDS = numberFlag('rounds', 2, 1);
const WARMUP_S = QUICK ? 1 : 2;
const CONNECTIONS = numberFlag('connections', 32, 32);
const PAGES = numberFlag('pages', 300, 200);
const PAGE_BUDGET_S = numberFlag('page-budget', 15, 8);
const REPS = numberFlag('reps', 400, 100);
const PATIENTS = numberFlag('patients', 40_000, 3_000);
const VERIFY = QUICK || process.argv.includes('--verify');
const KEEP = process.argv.includes('--keep');

const DOCTORS = 10;
const SLOT_MINUTES = 10;
const SESSIONS = [
  { start: '08:00', end: '13:00' },
  { start: '16:00', end: '21:00' },
];
const IST_OFFSET_MS = 5.5 * 3600_000;
/** Minutes after local midnight of every slot start of a doctor's day (60). */
const SLOT_MINS: number[] = SESSIONS.flatMap((s) => {
  const out: number[] = [];
  const [a, b] = [s.start, s.end].map((x) => Number(x.slice(0, 2)) * 60 + Number(x.slice(3)));
  for (let m = a; m + SLOT_MINUTES <= b; m += SLOT_MINUTES) out.push(m);
  return out;
});
const HISTORY_BATCH = 25_000;
/** Days between the booking runs' blocks of future days (each run books into its own days). */
const DAYS_PER_RUN = 200;

// ---------------------------------------------------------------------------------------
// wrk with a Lua script written at run time (shared with bench/payments.ts)

/**
 * A wrk script: JSON POSTs whose body `makeBody` (Lua, a function of k) builds; k is unique
 * over every request of the run (BENCH_OFFSET + counter × threads + thread id), so each
 * request can aim at its own slot or invoice. done() prints one WRK_JSON line.
 */
export function wrkScript(makeBody: string): string {
  return `
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local token = os.getenv("BENCH_TOKEN")
if token and token ~= "" then wrk.headers["Authorization"] = "Bearer " .. token end
local function split(s)
  local t = {}
  for x in string.gmatch(s or "", "[^,]+") do t[#t + 1] = x end
  return t
end
local offset = tonumber(os.getenv("BENCH_OFFSET") or "0") or 0
local nthreads = tonumber(os.getenv("BENCH_THREADS") or "1") or 1
local threads = {}
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
local counter = 0
${makeBody}
function request()
  local k = offset + counter * nthreads + (tid or 0)
  counter = counter + 1
  return wrk.format(nil, nil, nil, body(k))
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"p50":%d,"p90":%d,"p99":%d,"max":%d,"status":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d}\\n',
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.status, e.connect, e.read, e.write, e.timeout))
end
`;
}

/** Runs wrk with a script file and env; the bare echo gets the same bodies (it echoes them). */
export async function runWrkScript(o: { url: string; seconds: number; connections: number; threads?: number; script: string; env: Record<string, string> }): Promise<WrkResult> {
  const threads = o.threads ?? 2;
  const p = Bun.spawn(['wrk', '-t', String(threads), '-c', String(o.connections), '-d', `${o.seconds}s`, '--timeout', '5s', '-s', o.script, o.url], {
    env: { ...process.env, ...o.env, BENCH_THREADS: String(threads) },
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  const line = out.split('\n').find((l) => l.startsWith('WRK_JSON '));
  if (code !== 0 || !line) throw new Error(`wrk failed (${code}):\n${out}\n${err}`);
  const j = JSON.parse(line.slice('WRK_JSON '.length)) as Record<string, number>;
  const durationS = j.duration_us / 1e6;
  return {
    requests: j.requests,
    durationS,
    rps: j.requests / durationS,
    p50ms: j.p50 / 1000,
    p90ms: j.p90 / 1000,
    p99ms: j.p99 / 1000,
    maxMs: j.max / 1000,
    badStatus: j.status,
    socketErrors: j.connect + j.read + j.write + j.timeout,
  };
}

/** The round with the median throughput, so rps and its latencies come from one run. */
export function medianRound(xs: WrkResult[]): WrkResult {
  const m = median(xs.map((x) => x.rps));
  return xs.reduce((a, b) => (Math.abs(b.rps - m) < Math.abs(a.rps - m) ? b : a));
}

/**
 * Alternating rounds of wrk against the bare echo and the app, with the server CPU each
 * side used (from /proc, all threads) divided by its requests.
 */
export async function compareWithBare(o: {
  bare: RunningServer;
  app: RunningServer;
  appPath: string;
  token: string;
  script: string;
  env: (run: number) => Record<string, string>;
  seconds: number;
  rounds: number;
  warmupS: number;
  connections: number;
}) {
  const bareUrl = `${o.bare.url}/echo`;
  const appUrl = `${o.app.url}${o.appPath}`;
  let run = 0;
  const wrk = (url: string, seconds: number, token: string) =>
    runWrkScript({ url, seconds, connections: o.connections, script: o.script, env: { ...o.env(run++), BENCH_TOKEN: token } });
  await wrk(bareUrl, o.warmupS, '');
  await wrk(appUrl, o.warmupS, o.token);
  const results = { bare: [] as WrkResult[], app: [] as WrkResult[] };
  const cpu = { bare: { ms: 0, n: 0 }, app: { ms: 0, n: 0 } };
  const rss: number[] = [];
  for (let r = 0; r < o.rounds; r++) {
    let c0 = await cpuMs(o.bare.pid);
    const rb = await wrk(bareUrl, o.seconds, '');
    cpu.bare.ms += (await cpuMs(o.bare.pid)) - c0;
    cpu.bare.n += rb.requests;
    results.bare.push(rb);
    const sampler = sampleRss(o.app.pid);
    c0 = await cpuMs(o.app.pid);
    const ra = await wrk(appUrl, o.seconds, o.token);
    cpu.app.ms += (await cpuMs(o.app.pid)) - c0;
    cpu.app.n += ra.requests;
    results.app.push(ra);
    rss.push(...sampler.stop());
  }
  const cpuUs = (x: { ms: number; n: number }) => (x.ms * 1000) / Math.max(1, x.n);
  return {
    results,
    bare: medianRound(results.bare),
    app: medianRound(results.app),
    bareCpuUs: cpuUs(cpu.bare),
    appCpuUs: cpuUs(cpu.app),
    appErrors: results.app.reduce((s, x) => s + x.badStatus + x.socketErrors, 0),
    bareErrors: results.bare.reduce((s, x) => s + x.badStatus + x.socketErrors, 0),
    appRequests: results.app.reduce((s, x) => s + x.requests, 0),
    maxRssMb: Math.max(...rss, 0),
    runs: run,
  };
}

// ---------------------------------------------------------------------------------------
// seeding

export interface Seed {
  kernel: Kernel;
  clock: ReturnType<typeof fixedClock>;
  branchId: string;
  branchCode: string;
  scope: Scope;
}

/** The kernel of a data folder made by `mymedic init`, on a pinned clock, with the owner's scope. */
export function openSeed(dataDir: string, at: string): Seed {
  const clock = fixedClock(at);
  const kernel = openKernel(dataDir, { clock });
  const branch = kernel.db.query('SELECT id, code FROM branches ORDER BY code LIMIT 1').get() as { id: string; code: string };
  const owner = kernel.db.query('SELECT id, name FROM users WHERE username = ?').get(ADMIN) as { id: string; name: string };
  const scope: Scope = { userId: owner.id, username: ADMIN, name: owner.name, role: 'owner', branchId: branch.id, branchIds: [branch.id], sessionId: 'bench', via: 'bearer' };
  return { kernel, clock, branchId: branch.id, branchCode: branch.code, scope };
}

/**
 * Registers `n` patients through EventStore.append + the projections (real events, MRN
 * counter), in big transactions, like bench/rebuild.ts. Returns their ids.
 */
export function fillPatients(s: Seed, n: number, firstNumber = 1): string[] {
  const { kernel, branchId, scope } = s;
  const meta: EventMeta = { actor: scope.userId, actor_name: scope.name, role: scope.role, via: 'http', v: EVENT_SCHEMA_VERSION };
  const at = kernel.clock.now();
  const day = at.toISOString().slice(0, 10);
  const ids: string[] = [];
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (let done = 0; done < n; ) {
    const m = Math.min(20_000, n - done);
    kernel.db.transaction(() => {
      for (let i = 0; i < m; i++) {
        const k = firstNumber + done + i;
        const id = newId();
        const data = {
          patient_id: id,
          mrn: formatMrn(s.branchCode, k),
          counter: { name: 'mrn', value: k },
          name: benchName(k),
          phone: `+9198${String(10_000_000 + Math.floor(rand() * 89_999_999)).slice(-8)}`,
          sex: rand() < 0.5 ? 'female' : 'male',
          date_of_birth: null,
          age_years: 1 + Math.floor(rand() * 85),
          age_recorded_on: day,
          email: null,
          address: rand() < 0.5 ? `${1 + Math.floor(rand() * 200)}, MG Road, Bengaluru` : null,
          abha_number: null,
        };
        for (const e of kernel.store.append(patientStream(id), 0, branchId, [{ type: 'patient.registered', data }], meta, at)) kernel.projections.apply(e);
        ids.push(id);
      }
    }).immediate();
    done += m;
  }
  return ids;
}

/** UTC ms of local minute `m` on `date` in IST (no DST: one offset all year). */
const istUtc = (date: string, m: number) => Date.parse(`${date}T00:00:00Z`) + m * 60_000 - IST_OFFSET_MS;

export interface HistoryAppointment {
  doctorId: string;
  patientId: string;
  date: string;
  minute: number;
  /** A second event in the stream: cancelled a day before, or a no-show. */
  then?: 'cancelled' | 'no_show';
}

/**
 * Writes appointments as `appointment.booked` (+ `.cancelled` / `.no_show`) events straight
 * into `events` — the same rows EventStore.append writes (canonical JSON data and meta, the
 * origin's hash chain continued, version 1 and 2 of a new stream) — and the `appointments`
 * rows the scheduling projection makes of them. Must run inside a write transaction; the
 * caller batches. Faster than EventStore.append + ProjectionSet.apply (~45,000 against
 * ~33,000 appointments/s on the first 200,000), which also look up the stream's version and
 * the chain's head on every append; this loop keeps both in memory.
 */
export class HistoryWriter {
  private readonly insEvent;
  private readonly insAppt;
  private seq: number;
  private prev: string;
  private readonly metaJson: string;
  events = 0;
  appointments = 0;

  constructor(
    private readonly kernel: Kernel,
    private readonly branchId: string,
    private readonly actor: { userId: string; name: string; role: string },
  ) {
    const db = kernel.db;
    this.insEvent = db.prepare(
      `INSERT INTO events (id, origin, origin_seq, branch_id, stream, version, type, data, meta, at, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insAppt = db.prepare(
      `INSERT INTO appointments (id, branch_id, patient_id, doctor_id, start, "end", local_date, mode, status, source, note, cancel_reason, token_id, booked_by, version, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'in_person', ?, 'desk', NULL, ?, NULL, ?, ?, ?, ?)`,
    );
    const head = db.query('SELECT origin_seq, hash FROM events WHERE origin = ? ORDER BY origin_seq DESC LIMIT 1').get(kernel.origin) as { origin_seq: number; hash: string };
    this.seq = head.origin_seq;
    this.prev = head.hash;
    const meta: EventMeta = { actor: actor.userId, actor_name: actor.name, role: actor.role, via: 'http', v: EVENT_SCHEMA_VERSION };
    this.metaJson = canonicalJson(meta);
  }

  private event(stream: string, version: number, type: string, data: string, at: string): void {
    this.seq++;
    const row = { id: newId(), origin: this.kernel.origin, origin_seq: this.seq, branch_id: this.branchId, stream, version, type, data, meta: this.metaJson, at, prev_hash: this.prev };
    const hash = computeHash(row);
    this.insEvent.run(row.id, row.origin, row.origin_seq, row.branch_id, row.stream, row.version, row.type, row.data, row.meta, row.at, row.prev_hash, hash);
    this.prev = hash;
    this.events++;
  }

  add(a: HistoryAppointment, slotMinutes: number): void {
    const id = newId();
    const stream = `appointment-${id}`;
    const startMs = istUtc(a.date, a.minute);
    const start = new Date(startMs).toISOString();
    const end = new Date(startMs + slotMinutes * 60_000).toISOString();
    const bookedAt = new Date(startMs - (1 + (this.appointments % 7)) * 86_400_000 - 3_600_000).toISOString();
    // canonicalJson of the appointment.booked data, keys in sorted order (checked once below).
    const data = `{"appointment_id":"${id}","doctor_id":"${a.doctorId}","end":"${end}","followup_id":null,"local_date":"${a.date}","mode":"in_person","note":null,"patient_id":"${a.patientId}","source":"desk","start":"${start}"}`;
    if (this.appointments === 0) {
      const expected = canonicalJson({ appointment_id: id, patient_id: a.patientId, doctor_id: a.doctorId, start, end, local_date: a.date, mode: 'in_person', source: 'desk', note: null, followup_id: null });
      if (expected !== data) throw new Error(`history data is not canonical:\n${data}\n${expected}`);
    }
    this.event(stream, 1, 'appointment.booked', data, bookedAt);
    let status = 'booked';
    let version = 1;
    let updatedAt = bookedAt;
    let reason: string | null = null;
    if (a.then === 'cancelled') {
      reason = 'Patient called to cancel';
      updatedAt = new Date(startMs - 20 * 3_600_000).toISOString();
      this.event(stream, 2, 'appointment.cancelled', canonicalJson({ reason }), updatedAt);
      status = 'cancelled';
      version = 2;
    } else if (a.then === 'no_show') {
      updatedAt = new Date(startMs + 30 * 60_000).toISOString();
      this.event(stream, 2, 'appointment.no_show', '{}', updatedAt);
      status = 'no_show';
      version = 2;
    }
    this.insAppt.run(id, this.branchId, a.patientId, a.doctorId, start, end, a.date, status, reason, this.actor.userId, version, bookedAt, updatedAt);
    this.appointments++;
  }
}

interface Branch {
  doctorIds: string[];
  patientIds: string[];
  today: string;
  firstDay: string;
  historyAppointments: number;
  historyEvents: number;
  fillMs: number;
  patientsMs: number;
  todayMs: number;
  todayCommands: number;
}

/** Leave days of doctor i in the history (no appointments that day): about 10 in 5 years. */
const onLeave = (dayIndex: number, i: number) => (dayIndex + 37 * i) % 180 === 179;

function seedBranch(s: Seed, today: string): Branch {
  const { kernel, clock, scope } = s;
  const firstDay = addDays(today, -(DAYS - 1));
  const run = <R>(fn: (tx: Tx) => R): R => kernel.runner.run({ actor: { userId: scope.userId, name: scope.name, role: scope.role, via: 'http' } }, fn);

  // Doctors, each with the same weekly sessions (every day) and a few leave days.
  clock.set(new Date(istUtc(addDays(firstDay, -30), 9 * 60)).toISOString());
  const weekly: WeeklySession[] = [1, 2, 3, 4, 5, 6, 7].flatMap((weekday) => SESSIONS.map((x) => ({ weekday, start: x.start, end: x.end })));
  const NAMES = ['Meera Iyer', 'Arjun Rao', 'Kavita Shah', 'Rohan Mehta', 'Sunita Devi', 'Imran Khan', 'Lakshmi Nair', 'Vikram Singh', 'Anjali Gupta', 'Farhan Ali'];
  const doctorIds: string[] = [];
  for (let i = 0; i < DOCTORS; i++) {
    const id = run((tx) =>
      registerDoctor(tx, scope, { name: `Dr. ${NAMES[i]}`, specialty: i % 2 ? 'Paediatrics' : 'General medicine', registration_number: `KMC-${1001 + i}`, slot_minutes: SLOT_MINUTES, fee: { amount: 50_000, currency: 'INR' } }),
    );
    const leave: AvailabilityException[] = [];
    for (let d = 0; d < DAYS - 1; d++) if (onLeave(d, i)) leave.push({ date: addDays(firstDay, d), kind: 'leave', note: 'Leave' });
    // Two leave days far ahead, past the days the booking benchmark uses.
    leave.push({ date: addDays(today, 650 + i), kind: 'leave', note: 'Conference' }, { date: addDays(today, 700 + i), kind: 'leave', note: 'Leave' });
    run((tx) => setAvailability(tx, scope, id, weekly, leave));
    doctorIds.push(id);
  }

  let t0 = now();
  const patientIds = fillPatients(s, PATIENTS);
  const patientsMs = now() - t0;

  // History: every slot of every doctor on every day before today.
  t0 = now();
  const writer = new HistoryWriter(kernel, s.branchId, { userId: scope.userId, name: scope.name, role: scope.role });
  let seed = 11;
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  let inTx = 0;
  // Bulk-load style: the secondary indexes of events and appointments are dropped for the
  // fill and built again from their own DDL afterwards (sorting once beats 1.2 million
  // scattered inserts into eight B-trees: ~24 s instead of 35–45 s for five years), and this
  // connection skips the checkpoints' fsyncs. The server opens the file later with its own pragmas.
  const indexes = kernel.db
    .query(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('events', 'appointments')`)
    .all() as { name: string; sql: string }[];
  kernel.db.run('PRAGMA synchronous = OFF');
  for (const ix of indexes) kernel.db.run(`DROP INDEX "${ix.name}"`);
  kernel.db.run('BEGIN IMMEDIATE');
  try {
    for (let d = 0; d < DAYS - 1; d++) {
      const date = addDays(firstDay, d);
      for (let i = 0; i < DOCTORS; i++) {
        if (onLeave(d, i)) continue;
        for (const minute of SLOT_MINS) {
          const r = rand();
          writer.add(
            { doctorId: doctorIds[i], patientId: patientIds[Math.floor(rand() * patientIds.length)], date, minute, then: r < 0.06 ? 'cancelled' : r < 0.11 ? 'no_show' : undefined },
            SLOT_MINUTES,
          );
          if (++inTx >= HISTORY_BATCH) {
            kernel.db.run('COMMIT');
            kernel.db.run('BEGIN IMMEDIATE');
            inTx = 0;
          }
        }
      }
    }
    kernel.db.run('COMMIT');
  } catch (e) {
    kernel.db.run('ROLLBACK');
    throw e;
  } finally {
    for (const ix of indexes) kernel.db.run(ix.sql);
    kernel.db.run('PRAGMA synchronous = NORMAL');
  }
  const fillMs = now() - t0;

  // Today through the real commands, in time order on the pinned clock. Per doctor: all 60
  // slots booked the evening before; 3 cancelled; morning: 2 no-shows, the other 27 checked
  // in, called, started and completed; 3 walk-ins done in the morning; afternoon (the
  // snapshot is ~16:05): 4 checked in (one in consultation, one called, two waiting), 2 walk-ins waiting.
  t0 = now();
  let commands = 0;
  const at = (minute: number) => clock.set(new Date(istUtc(today, minute)).toISOString());
  const act = <R>(minute: number, fn: (tx: Tx) => R): R => {
    at(minute);
    commands++;
    return run(fn);
  };
  clock.set(new Date(istUtc(addDays(today, -1), 18 * 60)).toISOString());
  const appt: string[][] = doctorIds.map(() => []);
  for (let j = 0; j < SLOT_MINS.length; j++) {
    for (let i = 0; i < DOCTORS; i++) {
      const start = new Date(istUtc(today, SLOT_MINS[j])).toISOString();
      commands++;
      appt[i][j] = run((tx) => bookAppointment(tx, scope, { patient_id: patientIds[(j * DOCTORS + i) % patientIds.length], doctor_id: doctorIds[i], start, mode: 'in_person' }));
    }
  }
  const CANCELLED = new Set([12, 40, 50]);
  const NO_SHOW = new Set([5, 20]);
  for (let i = 0; i < DOCTORS; i++) for (const j of CANCELLED) act(7 * 60, (tx) => cancelAppointment(tx, scope, appt[i][j], 'Patient called to cancel'));
  const tokens: string[][] = doctorIds.map(() => []);
  const walkIn = (i: number, minute: number) => act(minute, (tx) => issueWalkIn(tx, scope, { patient_id: patientIds[(5000 + i * 7 + minute) % patientIds.length], doctor_id: doctorIds[i] }));
  for (let j = 0; j < 30; j++) {
    const m = SLOT_MINS[j];
    for (let i = 0; i < DOCTORS; i++) {
      if (CANCELLED.has(j) || NO_SHOW.has(j)) continue;
      const t = act(m - 12, (tx) => checkIn(tx, scope, appt[i][j]));
      tokens[i].push(t.tokenId);
      act(m, (tx) => moveToken(tx, scope, t.tokenId, 'call'));
      act(m + 1, (tx) => moveToken(tx, scope, t.tokenId, 'start'));
      act(m + 9, (tx) => moveToken(tx, scope, t.tokenId, 'complete'));
      if (j % 10 === 3) {
        const w = walkIn(i, m + 2);
        act(m + 9, (tx) => moveToken(tx, scope, w.tokenId, 'call'));
        act(m + 9, (tx) => moveToken(tx, scope, w.tokenId, 'start'));
        act(m + 9, (tx) => moveToken(tx, scope, w.tokenId, 'complete'));
      }
    }
  }
  for (let i = 0; i < DOCTORS; i++) for (const j of NO_SHOW) act(13 * 60 + 5, (tx) => markNoShow(tx, scope, appt[i][j]));
  for (let i = 0; i < DOCTORS; i++) {
    const t = [30, 31, 32, 33].map((j) => act(15 * 60 + 45, (tx) => checkIn(tx, scope, appt[i][j])));
    walkIn(i, 15 * 60 + 50);
    walkIn(i, 15 * 60 + 55);
    act(16 * 60, (tx) => moveToken(tx, scope, t[0].tokenId, 'call'));
    act(16 * 60 + 1, (tx) => moveToken(tx, scope, t[0].tokenId, 'start'));
    act(16 * 60 + 5, (tx) => moveToken(tx, scope, t[1].tokenId, 'call'));
  }
  const todayMs = now() - t0;
  return { doctorIds, patientIds, today, firstDay, historyAppointments: writer.appointments, historyEvents: writer.events, fillMs, patientsMs, todayMs, todayCommands: commands };
}

// ---------------------------------------------------------------------------------------
// slot computation

function slotsBench(kernel: Kernel, branchId: string, doctorIds: string[], today: string) {
  const weekly: WeeklySession[] = [1, 2, 3, 4, 5, 6].flatMap((weekday) => [
    { weekday, start: '09:00', end: '13:00' },
    { weekday, start: '17:00', end: '20:00' },
  ]);
  const month = (first: string, tz: string) => {
    const dates = Array.from({ length: 30 }, (_, i) => addDays(first, i));
    const exceptions: AvailabilityException[] = [
      { date: dates[9], kind: 'leave', note: 'Leave' },
      { date: dates[15], kind: 'block', start: '12:00', end: '13:00', note: 'Ward round' },
      { date: dates[20], kind: 'cancelled', start: '17:00', end: '20:00', note: null },
      // An extra afternoon clinic on the 28th: in March 2027 that is Sunday 28 March, the day
      // London's clocks go forward, whose slots take the slow path (each time through Intl).
      { date: dates[27], kind: 'extra', start: '14:00', end: '16:00', note: 'Extra clinic' },
    ];
    // About half the slots booked (what bookedStarts would give each day).
    const booked = new Map<string, Set<string>>();
    for (const date of dates) {
      const all = slotsOn({ date, sessions: weekly, exceptions, holiday: null, timezone: tz, slotMinutes: 15, booked: new Set(), now: new Date(0) });
      booked.set(date, new Set(all.filter((_, i) => i % 2 === 0).map((x) => x.start.toISOString())));
    }
    const nowAt = new Date(Date.parse(`${first}T00:00:00Z`) - 86_400_000);
    let slots = 0;
    const once = () => {
      slots = 0;
      for (const date of dates) slots += slotsOn({ date, sessions: weekly, exceptions, holiday: null, timezone: tz, slotMinutes: 15, booked: booked.get(date)!, now: nowAt }).length;
    };
    for (let i = 0; i < 20; i++) once();
    const times: number[] = [];
    Bun.gc(true);
    for (let r = 0; r < REPS; r++) {
      const t0 = now();
      once();
      times.push(now() - t0);
    }
    return { p50: percentile(times, 50), p99: percentile(times, 99), slots };
  };
  const kinds = [
    { key: 'ist', label: 'Asia/Kolkata, Dec 2026', ...month('2026-12-01', 'Asia/Kolkata') },
    { key: 'london', label: 'Europe/London, Dec 2026 (no clock change)', ...month('2026-12-01', 'Europe/London') },
    { key: 'london_dst', label: 'Europe/London, Mar 2027 (extra clinic on Sun 28 Mar, the clock change)', ...month('2027-03-01', 'Europe/London') },
  ];
  // What GET /api/v1/slots and every booking do per day: doctorDay() reads availability,
  // the holiday and the day's bookings from the database, then slotsOn.
  const doctor = getDoctor(kernel.db, branchId, doctorIds[0])!;
  const days = Array.from({ length: 30 }, (_, i) => addDays(today, -29 + i));
  const at = new Date(Date.parse(`${days[0]}T00:00:00Z`));
  const dbTimes: number[] = [];
  let dbSlots = 0;
  for (let r = 0; r < Math.max(20, REPS / 4); r++) {
    const t0 = now();
    dbSlots = 0;
    for (const d of days) dbSlots += doctorDay(kernel.db, doctor, d, 'Asia/Kolkata', at).slots.length;
    dbTimes.push(now() - t0);
  }
  return { kinds, db: { p50: percentile(dbTimes.slice(5), 50), p99: percentile(dbTimes.slice(5), 99), slots: dbSlots } };
}

// ---------------------------------------------------------------------------------------
// pages

/** Signs in through the login form (GET /login for the CSRF cookie, POST /login) → a Cookie header. */
export async function signInCookie(baseUrl: string): Promise<string> {
  const jar = new Map<string, string>();
  const take = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const pair = c.split(';')[0];
      const i = pair.indexOf('=');
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1).trim();
      if (value === '' || /max-age=0/i.test(c)) jar.delete(name);
      else jar.set(name, value);
    }
  };
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const form = await fetch(`${baseUrl}/login`, { headers: { accept: 'text/html' }, redirect: 'manual' });
  take(form);
  const html = await form.text();
  const csrf = /name="_csrf"[^>]*value="([^"]*)"/.exec(html)?.[1] ?? /value="([^"]*)"[^>]*name="_csrf"/.exec(html)?.[1];
  if (!csrf) throw new Error('login form without _csrf');
  const res = await fetch(`${baseUrl}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', cookie: cookie() },
    body: new URLSearchParams({ _csrf: csrf, username: ADMIN, password: PASSWORD, next: '/' }),
    redirect: 'manual',
  });
  take(res);
  await res.arrayBuffer();
  if (res.status !== 303 || !jar.has('mm_session')) throw new Error(`sign-in failed: ${res.status}`);
  return cookie();
}

async function pagesBench(app: RunningServer, cookie: string, b: Branch) {
  const get = async (path: string) => {
    const t0 = now();
    const res = await fetch(app.url + path, { headers: { cookie, accept: 'text/html' }, redirect: 'manual' });
    const body = await res.text();
    const t = now() - t0;
    if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${body.slice(0, 300)}`);
    return { t, bytes: body.length, body };
  };
  const boardPath = `/board?date=${b.today}`;
  const queuePath = (i: number) => `/queue/${b.doctorIds[i % DOCTORS]}?date=${b.today}`;
  // Sanity: the board shows every doctor and the day's appointments; the queue its tokens.
  const first = await get(boardPath);
  const missing = b.doctorIds.filter((id) => !first.body.includes(id));
  if (missing.length) throw new Error(`the board lacks ${missing.length} doctors`);
  const boardSlots = (first.body.match(/class="slot s-/g) ?? []).length;
  const q = await get(queuePath(0));
  const queueTokens = (q.body.match(/<li class="token /g) ?? []).length;
  for (let i = 0; i < 10; i++) {
    await get(boardPath);
    await get(queuePath(i));
  }
  const board: number[] = [];
  const queue: number[] = [];
  let boardBytes = 0;
  let queueBytes = 0;
  Bun.gc(true);
  const c0 = await cpuMs(app.pid);
  // PAGES of each, interleaved; a page so slow that its PAGES would not fit in PAGE_BUDGET_S
  // stops there (after at least 30), and the other goes on alone.
  const t0 = now();
  let pairs = 0;
  let cpuPairs = 0;
  for (let i = 0; i < PAGES; i++) {
    const a = await get(boardPath);
    board.push(a.t);
    boardBytes = Math.max(boardBytes, a.bytes);
    if (queue.length < 30 || now() - t0 < PAGE_BUDGET_S * 1000) {
      const c = await get(queuePath(i));
      queue.push(c.t);
      queueBytes = Math.max(queueBytes, c.bytes);
      pairs++;
    }
    if (pairs === i + 1) cpuPairs = await cpuMs(app.pid);
  }
  const cpuPerPair = (cpuPairs - c0) / pairs;
  return { board, queue, boardBytes, queueBytes, boardSlots, queueTokens, cpuPerPair };
}

// ---------------------------------------------------------------------------------------

async function main() {
  header(`scheduling: bookings over HTTP, day board and queue on ${withThousands(DAYS)} days of history, slots`);
  const wrk = haveWrk();
  if (!wrk) console.log('wrk not found (apt-get install -y wrk): the booking throughput part is skipped');
  const tmp = tempDir('scheduling');
  const dataDir = join(tmp.dir, 'data');
  const servers: RunningServer[] = [];
  try {
    await initClinic(dataDir);
    const today = new Date(Date.now() + IST_OFFSET_MS).toISOString().slice(0, 10);
    const seed = openSeed(dataDir, new Date().toISOString());
    const tSeed = now();
    const b = seedBranch(seed, today);
    const seedMs = now() - tSeed;
    const counts = seed.kernel.db.query(`SELECT (SELECT count(*) FROM appointments) AS appts, (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM appointments WHERE local_date = ?) AS day, (SELECT count(*) FROM queue_tokens WHERE date = ?) AS tokens`).get(today, today) as {
      appts: number;
      events: number;
      day: number;
      tokens: number;
    };
    console.log(
      `seeded in ${ms(seedMs)}: ${withThousands(b.patientIds.length)} patients (${ms(b.patientsMs)}), ${withThousands(b.historyAppointments)} appointments in history ` +
        `(${withThousands(b.historyEvents)} events, ${ms(b.fillMs)}, ${withThousands((b.historyAppointments / b.fillMs) * 1000)} appointments/s), ` +
        `today ${b.today}: ${counts.day} appointments, ${counts.tokens} queue tokens through ${withThousands(b.todayCommands)} commands (${ms(b.todayMs)}); ` +
        `${withThousands(counts.appts)} appointments, ${withThousands(counts.events)} events in all`,
    );
    report('scheduling.history_appointments', counts.appts);
    report('scheduling.fill_appointments_per_s', (b.historyAppointments / b.fillMs) * 1000);
    if (VERIFY) {
      const t0 = now();
      const v = verify(seed.kernel.db, seed.kernel.file, allProjections);
      console.log(`verify(): hash chains ${v.chainProblem ? 'BROKEN ' + JSON.stringify(v.chainProblem) : 'hold'}, read tables ${v.projectionProblem ? 'DIFFER ' + JSON.stringify(v.projectionProblem) : 'match a replay of the log'} (${ms(now() - t0)})`);
      report('scheduling.fill_verified', v.ok ? 1 : 0);
    }

    // Slot computation, in this process.
    const slots = slotsBench(seed.kernel, seed.branchId, b.doctorIds, today);
    seed.kernel.db.run('PRAGMA wal_checkpoint(TRUNCATE)');
    seed.kernel.close();

    const app = await startMymedic(dataDir);
    servers.push(app);

    // Pages: sequential requests with the browser's cookie session.
    const cookie = await signInCookie(app.url);
    const pages = await pagesBench(app, cookie, b);

    // Bookings over HTTP.
    let book: Awaited<ReturnType<typeof compareWithBare>> | null = null;
    let booked = 0;
    if (wrk) {
      const bare = await startBareElysia();
      servers.push(bare);
      const token = await login(app.url);
      const firstDay = addDays(today, 2);
      const script = join(tmp.dir, 'book.lua');
      writeFileSync(
        script,
        wrkScript(`
local doctors = split(os.getenv("BENCH_DOCTORS"))
local patients = split(os.getenv("BENCH_PATIENTS"))
local minutes = split(os.getenv("BENCH_MINUTES"))
local base = tonumber(os.getenv("BENCH_BASE"))
local suffix = os.getenv("BENCH_SUFFIX")
function body(k)
  local nd = #doctors
  local rest = math.floor(k / nd)
  local s = rest % #minutes
  local day = math.floor(rest / #minutes)
  local t = base + day * 86400 + tonumber(minutes[s + 1]) * 60
  return string.format('{"patient_id":"%s","doctor_id":"%s","start":"%s%s","mode":"in_person"}',
    patients[(k % #patients) + 1], doctors[(k % nd) + 1], os.date("!%Y-%m-%dT%H:%M:00", t), suffix)
end
`),
      );
      const env = (run: number) => ({
        BENCH_DOCTORS: b.doctorIds.join(','),
        BENCH_PATIENTS: b.patientIds.slice(0, 256).join(','),
        BENCH_MINUTES: SLOT_MINS.join(','),
        BENCH_BASE: String(Date.parse(`${firstDay}T00:00:00Z`) / 1000),
        BENCH_SUFFIX: '+05:30',
        BENCH_OFFSET: String(run * DOCTORS * SLOT_MINS.length * DAYS_PER_RUN),
      });
      // One request by hand: the route must answer 201 before we load it.
      const probeStart = `${addDays(firstDay, -1)}T${String(Math.floor(SLOT_MINS[0] / 60)).padStart(2, '0')}:${String(SLOT_MINS[0] % 60).padStart(2, '0')}:00+05:30`;
      const probe = await fetch(`${app.url}/api/v1/appointments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ patient_id: b.patientIds[0], doctor_id: b.doctorIds[0], start: probeStart, mode: 'in_person' }),
      });
      const probeBody = await probe.text();
      if (probe.status !== 201) throw new Error(`POST /api/v1/appointments answered ${probe.status}: ${probeBody}`);
      book = await compareWithBare({ bare, app, appPath: '/api/v1/appointments', token, script, env, seconds: SECONDS, rounds: ROUNDS, warmupS: WARMUP_S, connections: CONNECTIONS });
      const ro = openKernel(dataDir, { readonly: true, migrate: false });
      booked = (ro.db.query('SELECT count(*) AS n FROM appointments WHERE local_date >= ?').get(firstDay) as { n: number }).n;
      ro.close();
    }

    // ---- figures
    const bp = { p50: percentile(pages.board, 50), p99: percentile(pages.board, 99), max: Math.max(...pages.board) };
    const qp = { p50: percentile(pages.queue, 50), p99: percentile(pages.queue, 99), max: Math.max(...pages.queue) };
    if (book) {
      report('scheduling.bare_rps', book.bare.rps);
      report('scheduling.book_rps', book.app.rps);
      report('scheduling.book_ratio', book.app.rps / book.bare.rps);
      report('scheduling.book_p50_ms', book.app.p50ms);
      report('scheduling.book_p99_ms', book.app.p99ms);
      report('scheduling.book_errors', book.appErrors);
      report('scheduling.book_cpu_us_per_req', book.appCpuUs);
      report('scheduling.bare_cpu_us_per_req', book.bareCpuUs);
      target('scheduling.book_ratio', '>=', 0.4);
      target('scheduling.book_p99_ms', '<=', 10);
    } else report('scheduling.book_skipped', 1);
    report('scheduling.board_p50_ms', bp.p50);
    report('scheduling.board_p99_ms', bp.p99);
    report('scheduling.queue_p50_ms', qp.p50);
    report('scheduling.queue_p99_ms', qp.p99);
    report('scheduling.pages_cpu_ms_per_pair', pages.cpuPerPair);
    report('scheduling.board_requests', pages.board.length);
    report('scheduling.queue_requests', pages.queue.length);
    target('scheduling.board_p99_ms', '<=', 30);
    target('scheduling.queue_p99_ms', '<=', 30);
    for (const k of slots.kinds) {
      report(`scheduling.slots_${k.key}_month_p50_ms`, k.p50);
      report(`scheduling.slots_${k.key}_month_p99_ms`, k.p99);
    }
    const worst = Math.max(...slots.kinds.map((k) => k.p99));
    report('scheduling.slots_month_p99_ms', worst);
    report('scheduling.doctor_day_month_p50_ms', slots.db.p50);
    target('scheduling.slots_month_p99_ms', '<=', 5);

    if (book) {
      console.log(
        `\nPOST /api/v1/appointments: wrk -t2 -c${CONNECTIONS}, ${ROUNDS} × ${SECONDS} s per server (alternating, median round shown), after ${WARMUP_S} s warm-up each; ` +
          `bearer token; every request books a different free slot (10 doctors × 60 slots a day, days from ${addDays(today, 2)} on); the bare echo gets the same bodies`,
      );
      console.log(
        table(
          ['server', 'requests/s', 'p50', 'p90', 'p99', 'max', 'errors', 'server CPU/req', 'rounds (req/s)'],
          [
            ['bare Elysia POST /echo', book.bare.rps, ms(book.bare.p50ms), ms(book.bare.p90ms), ms(book.bare.p99ms), ms(book.bare.maxMs), String(book.bareErrors), `${book.bareCpuUs.toFixed(0)} µs`, book.results.bare.map((x) => withThousands(x.rps)).join(' / ')],
            ['mymedic POST /api/v1/appointments', book.app.rps, ms(book.app.p50ms), ms(book.app.p90ms), ms(book.app.p99ms), ms(book.app.maxMs), String(book.appErrors), `${book.appCpuUs.toFixed(0)} µs`, book.results.app.map((x) => withThousands(x.rps)).join(' / ')],
          ],
        ),
      );
      console.log(`ratio ${(book.app.rps / book.bare.rps).toFixed(2)} (target ≥ 0.4); ${withThousands(booked)} future appointments in the database after the runs (wrk counted ${withThousands(book.appRequests)} answers in the measured rounds); server RSS under load max ${book.maxRssMb.toFixed(0)} MB`);
    }
    console.log(
      `\npages over HTTP, cookie session from POST /login, sequential, interleaved, after 10 warm-up each: ${pages.board.length} boards, ${pages.queue.length} queues${pages.queue.length < PAGES ? ` (the queue stopped short of ${PAGES} after ${PAGE_BUDGET_S} s: it is slow)` : ''}; day ${b.today}: 10 doctors, ${counts.day} appointments, ${counts.tokens} tokens; database ${withThousands(counts.appts)} appointments`,
    );
    console.log(
      table(
        ['page', 'p50', 'p99', 'max', 'size'],
        [
          [`GET /board?date=… (${pages.boardSlots} slot cells)`, ms(bp.p50), ms(bp.p99), ms(bp.max), `${(pages.boardBytes / 1024).toFixed(0)} KB`],
          [`GET /queue/{doctor}?date=… (10 doctors in turn)`, ms(qp.p50), ms(qp.p99), ms(qp.max), `${(pages.queueBytes / 1024).toFixed(0)} KB`],
        ],
      ),
    );
    console.log(`server CPU per board + queue pair: ${pages.cpuPerPair.toFixed(2)} ms (over the ${pages.queue.length} pairs)`);
    console.log(`\nslotsOn() for a doctor's 30 days (two sessions a day, Mon–Sat, 15-minute slots, half booked, a leave day, a block, a cancelled session, an extra session), ${REPS} repetitions`);
    console.log(
      table(
        ['month', 'slots', 'p50', 'p99'],
        [...slots.kinds.map((k) => [k.label, String(k.slots), ms(k.p50), ms(k.p99)]), ['doctorDay() × 30 from the database (IST, 10-min slots)', String(slots.db.slots), ms(slots.db.p50), ms(slots.db.p99)]],
      ),
    );
  } finally {
    for (const s of servers) await s.stop();
    if (KEEP) console.log(`kept ${tmp.dir}`);
    else tmp.dispose();
  }
}

if (import.meta.main) await main();
