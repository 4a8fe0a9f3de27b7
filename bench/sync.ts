// Sync (issue 6): how fast a hub takes a branch's events, how long a branch with a backlog
// takes to catch up, and what pushing every commit costs a branch's bookings.
//   bun bench/sync.ts [--quick] [--ingest=100000] [--catchup=1000000] [--bookings=250] [--rounds=4] [--gap=25]
// Targets: hub ingest ≥ 50,000 events/s on loopback; catch-up of 1,000,000 unsent events
// < 60 s; push overhead on a branch's booking latency (p50) < 5 %.
//
// The hubs are real `mymedic serve --mode hub` child processes (their databases seeded in this
// process: clinic with branch HQ, the branches registered with real tokens). The branches of
// the first two parts are kernels in this process with the real SyncAgent (defaults: batches
// of 2,000 events / 2 MB, gzip), timed over agent.round() (hello, push until the hub holds
// everything, pull). The third part runs two `mymedic serve` children built alike, one
// standalone and one in branch mode with its agent pushing to a live hub.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson } from '../src/core/canonical';
import { HUB_WAL_AUTOCHECKPOINT_PAGES } from '../src/core/db';
import { computeHash, EVENT_SCHEMA_VERSION, type EventMeta } from '../src/core/events';
import { newId } from '../src/core/ids';
import { type CommandContext, systemActor, type Tx } from '../src/core/runner';
import type { Scope } from '../src/core/scope';
import { silentLogger } from '../src/http/log';
import { openKernel, type Kernel } from '../src/kernel';
import { setUpClinic } from '../src/org/commands';
import { correctPatient, formatMrn, registerPatient } from '../src/patients/commands';
import { patientStream } from '../src/patients/events';
import { registerDoctor, setAvailability } from '../src/scheduling/commands';
import type { WeeklySession } from '../src/scheduling/events';
import { addDays } from '../src/scheduling/time';
import { readPushBatch, SyncAgent } from '../src/sync/agent';
import { registerBranch } from '../src/sync/registry';
import { appendReplicated } from '../src/sync/replicate';
import { gzip, inflateBody, parsePushBody } from '../src/sync/wire';
import { benchName } from './append';
import { flag, header, median, ms, now, numberFlag, percentile, QUICK, report, sleep, table, target, tempDir, withThousands } from './lib';
import { fillPatients, openSeed } from './scheduling';
import { cpuMs, initClinic, login, type RunningServer, serveCommand, spawnServer } from './server';

const INGEST = numberFlag('ingest', 100_000, 20_000);
const CATCHUP = numberFlag('catchup', 1_000_000, 100_000);
const BOOKINGS = numberFlag('bookings', 250, 100);
const ROUNDS = numberFlag('rounds', 4, 2);
const GAP_MS = numberFlag('gap', 25, 25);
const CATCHUP_TARGET_EVENTS = 1_000_000;
/** --only=ingest,overhead,catchup runs some parts; --profile=DIR writes the servers' CPU profiles (markdown) there. */
const ONLY = new Set((flag('only') ?? 'ingest,overhead,catchup').split(','));
const PROFILE_DIR = flag('profile');

const FAKE_HASH = '$argon2id$v=19$m=65536,t=2,p=1$bench$bench'; // nobody logs in to these
const BATCH_EVENTS = 2_000; // the agent's default maxBatchEvents
const BATCH_BYTES = 2 * 1_048_576;
const IST_OFFSET_MS = 5.5 * 3600_000;

interface Instance {
  kernel: Kernel;
  branchId: string;
  branchCode: string;
  scope: Scope;
  dir: string;
}

/** A fresh installation in `dir`: clinic, one branch with `code`, an owner (fake hash). */
function seedInstance(dir: string, code: string): Instance {
  const kernel = openKernel(dir);
  const ids = kernel.runner.run({ actor: systemActor('setup') }, (tx) =>
    setUpClinic(tx, {
      clinicName: 'Bench Clinics',
      branch: { code, name: `Bench ${code}`, timezone: 'Asia/Kolkata' },
      owner: { username: 'owner', name: 'Owner', passwordHash: FAKE_HASH },
    }),
  );
  const scope: Scope = { userId: ids.ownerId, username: 'owner', name: 'Owner', role: 'owner', branchId: ids.branchId, branchIds: [ids.branchId], sessionId: 'bench', via: 'bearer' };
  return { kernel, branchId: ids.branchId, branchCode: code, scope, dir };
}

interface Hub {
  server: RunningServer;
  dir: string;
  tokens: Record<string, string>;
  stop(): Promise<void>;
}

/** `mymedic serve` on dataDir, from source; with --profile, under Bun's CPU profiler. */
function serve(dataDir: string, ...extra: string[]): string[] {
  const cmd = [...serveCommand(dataDir), ...extra];
  return PROFILE_DIR ? [cmd[0], '--cpu-prof-md', `--cpu-prof-dir=${PROFILE_DIR}`, ...cmd.slice(1)] : cmd;
}

/** A hub database (branch HQ, `codes` registered), then `mymedic serve --mode hub` on it. */
async function startHub(dir: string, codes: string[]): Promise<Hub> {
  const h = seedInstance(dir, 'HQ');
  const tokens: Record<string, string> = {};
  for (const c of codes) tokens[c] = h.kernel.runner.run({ actor: systemActor('cli') }, (tx) => registerBranch(tx, c)).token;
  h.kernel.close();
  const server = await spawnServer(serve(dir, '--mode', 'hub'));
  return { server, dir, tokens, stop: () => server.stop() };
}

/** Highest origin_seq of `origin` in a live server's database, read from the side (WAL). */
function heldAt(dir: string, origin: string): number {
  const k = openKernel(dir, { readonly: true, migrate: false });
  try {
    return (k.db.query('SELECT coalesce(max(origin_seq), 0) AS n FROM events WHERE origin = ?').get(origin) as { n: number }).n;
  } finally {
    k.close();
  }
}

function batchesAccepted(dir: string, origin: string): number {
  const k = openKernel(dir, { readonly: true, migrate: false });
  try {
    return (k.db.query('SELECT coalesce(max(batches_accepted), 0) AS n FROM sync_peers WHERE origin = ?').get(origin) as { n: number }).n;
  } finally {
    k.close();
  }
}

const headSeq = (k: Kernel) => (k.db.query('SELECT coalesce(max(origin_seq), 0) AS n FROM events WHERE origin = ?').get(k.origin) as { n: number }).n;
const cpuSelfMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

function makeAgent(b: Instance, hub: Hub, code: string): SyncAgent {
  // No heartbeat pushes and a long timeout: the timed round is nothing but the backlog.
  return new SyncAgent(b.kernel, { url: hub.server.url, token: hub.tokens[code] }, silentLogger, { heartbeatMs: 3_600_000, requestTimeoutMs: 300_000 });
}

// ---------------------------------------------------------------------------------------
// 1. hub ingest: events written by real commands, pushed by the agent over HTTP

/**
 * `n` events of real commands through the runner, in transactions of 500 commands (the
 * runner's group commit, larger): ~90% registerPatient (distinct names and phones, some with
 * an address or an e-mail), ~10% correctPatient of an earlier patient (a new address).
 */
function writeByCommands(b: Instance, n: number): { events: number; ms: number } {
  const ctx: CommandContext = { actor: { userId: b.scope.userId, name: b.scope.name, role: b.scope.role, via: 'http' } };
  const ids: string[] = [];
  let seed = 17;
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const start = headSeq(b.kernel);
  let k = 0;
  const t0 = now();
  while (headSeq(b.kernel) - start < n) {
    const left = n - (headSeq(b.kernel) - start);
    b.kernel.runner.run(ctx, (tx) => {
      for (let j = 0; j < Math.min(500, left); j++) {
        k++;
        if (ids.length > 50 && rand() < 0.1) {
          correctPatient(tx, b.scope, ids[Math.floor(rand() * ids.length)], { address: `${1 + Math.floor(rand() * 400)}, 5th Cross, Jayanagar, Bengaluru 5600${10 + (k % 89)}` }, 'moved house');
        } else {
          const r = registerPatient(tx, b.scope, {
            name: benchName(k),
            phone: `98${String(10_000_000 + k).slice(-8)}`,
            sex: rand() < 0.5 ? 'female' : 'male',
            age_years: 1 + Math.floor(rand() * 85),
            ...(rand() < 0.5 ? { address: `${1 + Math.floor(rand() * 200)}, MG Road, Bengaluru 5600${10 + (k % 89)}` } : {}),
            ...(rand() < 0.3 ? { email: `patient${k}@example.in` } : {}),
          });
          ids.push(r.patient.id);
        }
      }
    });
  }
  return { events: headSeq(b.kernel) - start, ms: now() - t0 };
}

interface IngestResult {
  events: number;
  wallMs: number;
  hubCpuMs: number;
  agentCpuMs: number;
  batches: number;
  genMs: number;
  genEvents: number;
  bytesJson: number;
  bytesGzip: number;
  inproc: { readMs: number; gzipMs: number; inflateParseMs: number; applyMs: number; events: number };
}

async function ingestPart(hub: Hub, dir: string, code: string): Promise<IngestResult> {
  const b = seedInstance(join(dir, 'branch'), code);
  const gen = writeByCommands(b, INGEST);
  b.kernel.db.run('PRAGMA wal_checkpoint(TRUNCATE)');
  const head = headSeq(b.kernel);

  // Over HTTP to the hub process.
  const agent = makeAgent(b, hub, code);
  Bun.gc(true);
  const hubCpu0 = await cpuMs(hub.server.pid);
  const batches0 = batchesAccepted(hub.dir, b.kernel.origin);
  const self0 = cpuSelfMs();
  const t0 = now();
  const r = await agent.round();
  const wallMs = now() - t0;
  const agentCpuMs = cpuSelfMs() - self0;
  const hubCpuMs = (await cpuMs(hub.server.pid)) - hubCpu0;
  const held = heldAt(hub.dir, b.kernel.origin);
  if (held !== head) throw new Error(`the hub holds ${held} of ${head} events after the round`);
  const batches = batchesAccepted(hub.dir, b.kernel.origin) - batches0;

  // The same events in this process, step by step: the agent's batches (read + serialize,
  // gzip), then at a fresh hub database the hub's work (gunzip + parse, appendReplicated in
  // one transaction per batch, projections included), without HTTP.
  const select = b.kernel.db.prepare('SELECT * FROM events WHERE origin = ? AND origin_seq > ? ORDER BY origin_seq LIMIT ?');
  const headStmt = b.kernel.db.prepare('SELECT origin_seq, at FROM events WHERE origin = ? ORDER BY origin_seq DESC LIMIT 1');
  const myHead = () => headStmt.get(b.kernel.origin) as { origin_seq: number; at: string };
  const bodies: Uint8Array[] = [];
  let readMs = 0;
  let gzipMs = 0;
  let bytesJson = 0;
  let bytesGzip = 0;
  for (let after = 0; ; ) {
    let t = now();
    const batch = readPushBatch(select, myHead, b.kernel.origin, after, BATCH_EVENTS, BATCH_BYTES);
    readMs += now() - t;
    if (!batch.count) break;
    t = now();
    const z = gzip(batch.json);
    gzipMs += now() - t;
    bytesJson += batch.json.length;
    bytesGzip += z.byteLength;
    bodies.push(z);
    after = batch.lastOriginSeq;
  }
  const h2 = seedInstance(join(dir, 'hub-inproc'), 'HQ');
  h2.kernel.db.run(`PRAGMA wal_autocheckpoint = ${HUB_WAL_AUTOCHECKPOINT_PAGES}`); // as `serve --mode hub` does
  let inflateParseMs = 0;
  let applyMs = 0;
  let applied = 0;
  for (const z of bodies) {
    let t = now();
    const push = parsePushBody(inflateBody(z, 'gzip'));
    inflateParseMs += now() - t;
    t = now();
    const res = h2.kernel.db.transaction(() => appendReplicated(h2.kernel, b.kernel.origin, push.events, (e) => (e.branch_id === b.branchId || e.branch_id === '*' ? null : 'foreign'))).immediate();
    applyMs += now() - t;
    applied += res.appended;
  }
  h2.kernel.close();
  b.kernel.close();
  return {
    events: r.pushed,
    wallMs,
    hubCpuMs,
    agentCpuMs,
    batches,
    genMs: gen.ms,
    genEvents: gen.events,
    bytesJson,
    bytesGzip,
    inproc: { readMs, gzipMs, inflateParseMs, applyMs, events: applied },
  };
}

// ---------------------------------------------------------------------------------------
// 2. catch-up: a branch with a big backlog of unsent events

/**
 * `n` events written straight into `events`, the rows EventStore.append writes (canonical
 * JSON data and meta, the origin's hash chain continued, version 1 and 2 of each stream), in
 * 20,000-event transactions, keeping the chain's head in memory (like bench/scheduling.ts's
 * HistoryWriter) and without the branch's projections: the agent reads only the log, and the
 * hub applies its projections to every event. Patients registered with varied details, ~10%
 * corrected later in the same stream, like bench/rebuild.ts. Commands would take minutes for
 * a million (see the ingest part's fill rate).
 */
function fillDirect(b: Instance, n: number): { events: number; ms: number } {
  const { kernel, branchId, scope } = b;
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const meta: EventMeta = { actor: scope.userId, actor_name: scope.name, role: 'front_desk', via: 'http', v: EVENT_SCHEMA_VERSION };
  const base = Date.parse('2025-01-01T03:30:00Z');
  const insert = kernel.db.prepare(
    `INSERT INTO events (id, origin, origin_seq, branch_id, stream, version, type, data, meta, at, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  let { origin_seq: seq, hash: prev } = kernel.store.head(kernel.origin);
  const write = (stream: string, version: number, type: string, data: object, metaJson: string, at: string) => {
    seq++;
    const row = { id: newId(), origin: kernel.origin, origin_seq: seq, branch_id: branchId, stream, version, type, data: canonicalJson(data), meta: metaJson, at, prev_hash: prev };
    const hash = computeHash(row);
    insert.run(row.id, row.origin, row.origin_seq, row.branch_id, row.stream, row.version, row.type, row.data, row.meta, row.at, row.prev_hash, hash);
    prev = hash;
  };
  let appended = 0;
  let patients = 0;
  const t0 = now();
  while (appended < n) {
    const m = Math.min(20_000, n - appended);
    kernel.db
      .transaction(() => {
        let inBatch = 0;
        while (inBatch < m) {
          patients++;
          const id = newId();
          const at = new Date(base + patients * 30_000);
          const withDob = rand() < 0.4;
          const registered = {
            type: 'patient.registered',
            data: {
              patient_id: id,
              mrn: formatMrn(b.branchCode, patients),
              counter: { name: 'mrn', value: patients },
              name: benchName(patients),
              phone: `+9198${String(10_000_000 + Math.floor(rand() * 89_999_999)).slice(-8)}`,
              sex: rand() < 0.5 ? 'female' : 'male',
              date_of_birth: withDob ? `19${50 + Math.floor(rand() * 49)}-0${1 + Math.floor(rand() * 9)}-1${Math.floor(rand() * 9)}` : null,
              age_years: withDob ? null : Math.floor(rand() * 90),
              age_recorded_on: withDob ? null : at.toISOString().slice(0, 10),
              email: rand() < 0.3 ? `patient${patients}@example.in` : null,
              address: rand() < 0.5 ? `${1 + Math.floor(rand() * 200)}, MG Road, Bengaluru 5600${10 + Math.floor(rand() * 89)}` : null,
              abha_number: rand() < 0.2 ? `91-${String(1000 + Math.floor(rand() * 8999))}-${String(1000 + Math.floor(rand() * 8999))}-${String(1000 + Math.floor(rand() * 8999))}` : null,
            },
          };
          const stream = patientStream(id);
          const metaJson = canonicalJson({ ...meta, request_id: newId() });
          write(stream, 1, registered.type, registered.data, metaJson, at.toISOString());
          inBatch++;
          if (inBatch < m && rand() < 0.1) {
            const changes = { changes: { phone: { from: registered.data.phone, to: `+9197${String(10_000_000 + patients).slice(-8)}` } }, reason: 'typo at the desk' };
            write(stream, 2, 'patient.demographics_corrected', changes, canonicalJson({ ...meta, request_id: newId() }), new Date(at.getTime() + 600_000).toISOString());
            inBatch++;
          }
        }
      })
      .immediate();
    appended += m;
  }
  return { events: appended, ms: now() - t0 };
}

interface CatchupResult {
  events: number;
  wallMs: number;
  fillMs: number;
  fillEvents: number;
  hubCpuMs: number;
  agentCpuMs: number;
  dbMb: number;
}

async function catchupPart(dir: string): Promise<CatchupResult> {
  const hub = await startHub(join(dir, 'hub'), ['CAT1']);
  try {
    const b = seedInstance(join(dir, 'branch'), 'CAT1');
    const fill = fillDirect(b, CATCHUP);
    b.kernel.db.run('PRAGMA wal_checkpoint(TRUNCATE)');
    const dbMb = Bun.file(b.kernel.file).size / 1_048_576;
    const head = headSeq(b.kernel);
    const agent = makeAgent(b, hub, 'CAT1');
    Bun.gc(true);
    const hubCpu0 = await cpuMs(hub.server.pid);
    const self0 = cpuSelfMs();
    const t0 = now();
    const r = await agent.round();
    const wallMs = now() - t0;
    const agentCpuMs = cpuSelfMs() - self0;
    const hubCpuMs = (await cpuMs(hub.server.pid)) - hubCpu0;
    const held = heldAt(hub.dir, b.kernel.origin);
    if (held !== head) throw new Error(`the hub holds ${held} of ${head} events after catching up`);
    b.kernel.close();
    return { events: r.pushed, wallMs, fillMs: fill.ms, fillEvents: fill.events, hubCpuMs, agentCpuMs, dbMb };
  } finally {
    await hub.stop();
  }
}

// ---------------------------------------------------------------------------------------
// 3. push overhead on bookings

const DOCTORS = 10;
const SLOT_MINUTES = 10;
const SESSIONS = [
  { start: '08:00', end: '13:00' },
  { start: '16:00', end: '21:00' },
];
const SLOT_MINS: number[] = SESSIONS.flatMap((s) => {
  const out: number[] = [];
  const [a, z] = [s.start, s.end].map((x) => Number(x.slice(0, 2)) * 60 + Number(x.slice(3)));
  for (let m = a; m + SLOT_MINUTES <= z; m += SLOT_MINUTES) out.push(m);
  return out;
});

/** `mymedic init` (branch BEN1, real owner password), then 10 doctors seeing every day and 2,000 patients. */
async function seedBookingBranch(dataDir: string): Promise<{ doctorIds: string[]; patientIds: string[] }> {
  await initClinic(dataDir);
  const s = openSeed(dataDir, new Date().toISOString());
  const run = <R,>(fn: (tx: Tx) => R): R => s.kernel.runner.run({ actor: { userId: s.scope.userId, name: s.scope.name, role: s.scope.role, via: 'http' } }, fn);
  const weekly: WeeklySession[] = [1, 2, 3, 4, 5, 6, 7].flatMap((weekday) => SESSIONS.map((x) => ({ weekday, start: x.start, end: x.end })));
  const doctorIds: string[] = [];
  for (let i = 0; i < DOCTORS; i++) {
    const id = run((tx) =>
      registerDoctor(tx, s.scope, { name: `Dr. Bench ${benchName(i)}`, specialty: 'General medicine', registration_number: `KMC-${2001 + i}`, slot_minutes: SLOT_MINUTES, fee: { amount: 50_000, currency: 'INR' } }),
    );
    run((tx) => setAvailability(tx, s.scope, id, weekly, []));
    doctorIds.push(id);
  }
  const patientIds = fillPatients(s, 2_000);
  s.kernel.db.run('PRAGMA wal_checkpoint(TRUNCATE)');
  s.kernel.close();
  return { doctorIds, patientIds };
}

interface BookingTarget {
  name: string;
  server: RunningServer;
  token: string;
  doctorIds: string[];
  patientIds: string[];
  /** Next booking number: booking k takes doctor k mod 10, slot (k / 10) mod 60, day k / 600 from the day after tomorrow. */
  k: number;
  firstDay: string;
}

function bookingBody(t: BookingTarget): string {
  const k = t.k++;
  const nd = t.doctorIds.length;
  const rest = Math.floor(k / nd);
  const minute = SLOT_MINS[rest % SLOT_MINS.length];
  const day = addDays(t.firstDay, Math.floor(rest / SLOT_MINS.length));
  const hh = String(Math.floor(minute / 60)).padStart(2, '0');
  const mm = String(minute % 60).padStart(2, '0');
  return JSON.stringify({ patient_id: t.patientIds[k % t.patientIds.length], doctor_id: t.doctorIds[k % nd], start: `${day}T${hh}:${mm}:00+05:30`, mode: 'in_person' });
}

async function bookOne(t: BookingTarget): Promise<number> {
  const body = bookingBody(t);
  const t0 = now();
  const res = await fetch(`${t.server.url}/api/v1/appointments`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${t.token}` }, body });
  const text = await res.text();
  const took = now() - t0;
  if (res.status !== 201) throw new Error(`${t.name}: POST /api/v1/appointments answered ${res.status}: ${text}`);
  return took;
}

/** `n` bookings one at a time; `gapMs` > 0 starts one every gapMs (paced), 0 back to back. */
async function bookingRun(t: BookingTarget, n: number, gapMs: number): Promise<number[]> {
  const lat: number[] = [];
  const t0 = now();
  for (let i = 0; i < n; i++) {
    if (gapMs > 0) {
      const wait = t0 + i * gapMs - now();
      if (wait > 0) await sleep(wait);
    }
    lat.push(await bookOne(t));
  }
  return lat;
}

interface Side {
  lat: number[];
  roundP50: number[];
  cpuMs: number;
  hubCpuMs: number;
  n: number;
}

interface OverheadResult {
  paced: { std: Side; branch: Side };
  closed: { std: Side; branch: Side };
  pushesPaced: number;
  pushesClosed: number;
  caughtUp: boolean;
}

async function overheadPart(hub: Hub, dir: string): Promise<OverheadResult> {
  const stdDir = join(dir, 'standalone');
  const brDir = join(dir, 'branch');
  mkdirSync(dir, { recursive: true });
  const [stdSeed, brSeed] = await Promise.all([seedBookingBranch(stdDir), seedBookingBranch(brDir)]);
  const servers: RunningServer[] = [];
  try {
    const std = await spawnServer(serve(stdDir));
    servers.push(std);
    const br = await spawnServer(serve(brDir, '--mode', 'branch'), { env: { MYMEDIC_HUB_URL: hub.server.url, MYMEDIC_HUB_TOKEN: hub.tokens.BEN1 } });
    servers.push(br);
    const brKernel = () => openKernel(brDir, { readonly: true, migrate: false });
    const brOrigin = (() => {
      const k = brKernel();
      try {
        return k.origin;
      } finally {
        k.close();
      }
    })();
    const brHead = () => heldAt(brDir, brOrigin);
    // The branch's setup, doctors and patients reach the hub before anything is timed.
    const waitCaughtUp = async (ms: number) => {
      const end = now() + ms;
      while (now() < end) {
        if (heldAt(hub.dir, brOrigin) === brHead()) return true;
        await sleep(20);
      }
      return false;
    };
    if (!(await waitCaughtUp(60_000))) throw new Error('the branch did not push its seed to the hub within 60 s');

    const today = new Date(Date.now() + IST_OFFSET_MS).toISOString().slice(0, 10);
    const firstDay = addDays(today, 2);
    const targets: BookingTarget[] = [
      { name: 'standalone', server: std, token: await login(std.url), ...stdSeed, k: 0, firstDay },
      { name: 'branch', server: br, token: await login(br.url), ...brSeed, k: 0, firstDay },
    ];
    for (const t of targets) await bookingRun(t, 50, 0); // warm-up
    await waitCaughtUp(10_000);

    const measure = async (gapMs: number) => {
      const sides: Record<string, Side> = {};
      for (const t of targets) sides[t.name] = { lat: [], roundP50: [], cpuMs: 0, hubCpuMs: 0, n: 0 };
      const pushes0 = batchesAccepted(hub.dir, brOrigin);
      for (let r = 0; r < ROUNDS; r++) {
        // Alternate which server goes first, so neither always follows the other's pushes.
        const order = r % 2 ? [...targets].reverse() : targets;
        for (const t of order) {
          await waitCaughtUp(10_000);
          await sleep(100);
          const c0 = await cpuMs(t.server.pid);
          const h0 = await cpuMs(hub.server.pid);
          const lat = await bookingRun(t, BOOKINGS, gapMs);
          // The branch's last push belongs to its round: wait for the hub to hold it.
          if (t.name === 'branch') await waitCaughtUp(10_000);
          const s = sides[t.name];
          s.cpuMs += (await cpuMs(t.server.pid)) - c0;
          s.hubCpuMs += (await cpuMs(hub.server.pid)) - h0;
          s.lat.push(...lat);
          s.roundP50.push(percentile(lat, 50));
          s.n += lat.length;
        }
      }
      const pushes = batchesAccepted(hub.dir, brOrigin) - pushes0;
      return { std: sides.standalone, branch: sides.branch, pushes };
    };
    const paced = await measure(GAP_MS);
    const closed = await measure(0);
    const caughtUp = await waitCaughtUp(10_000);
    return { paced: { std: paced.std, branch: paced.branch }, closed: { std: closed.std, branch: closed.branch }, pushesPaced: paced.pushes, pushesClosed: closed.pushes, caughtUp };
  } finally {
    for (const s of servers) await s.stop();
  }
}

// ---------------------------------------------------------------------------------------

function reportIngest(ing: IngestResult): void {
  const ingestRate = (ing.events / ing.wallMs) * 1000;
  const ip = ing.inproc;
  const hubApplyRate = (ip.events / (ip.inflateParseMs + ip.applyMs)) * 1000;
  report('sync.hub_ingest_events_per_s', ingestRate);
  report('sync.ingest_events', ing.events);
  report('sync.ingest_s', ing.wallMs / 1000);
  report('sync.ingest_hub_cpu_us_per_event', (ing.hubCpuMs * 1000) / ing.events);
  report('sync.ingest_agent_cpu_us_per_event', (ing.agentCpuMs * 1000) / ing.events);
  report('sync.hub_apply_events_per_s', hubApplyRate);
  report('sync.hub_appendreplicated_events_per_s', (ip.events / ip.applyMs) * 1000);
  report('sync.agent_batch_events_per_s', (ip.events / (ip.readMs + ip.gzipMs)) * 1000);
  report('sync.command_fill_events_per_s', (ing.genEvents / ing.genMs) * 1000);
  target('sync.hub_ingest_events_per_s', '>=', 50_000);

  console.log(
    `\nhub ingest: ${withThousands(ing.genEvents)} events of real commands (registerPatient ~90%, correctPatient ~10%, 500 commands per runner.run transaction) written in ${ms(ing.genMs)}; ` +
      `then one agent.round() in this process pushing them to \`mymedic serve --mode hub\` (child process) over HTTP on 127.0.0.1: ${ing.batches} pushes, ` +
      `${(ing.bytesJson / 1_048_576).toFixed(1)} MB of JSON, ${(ing.bytesGzip / 1_048_576).toFixed(1)} MB gzipped`,
  );
  const per = (msv: number, n = ing.events) => `${((msv * 1000) / n).toFixed(1)} µs`;
  console.log(
    table(
      ['step', 'time', 'per event', 'events/s'],
      [
        ['over HTTP: agent.round() wall time', ms(ing.wallMs), per(ing.wallMs), ingestRate],
        ['  hub process CPU (all threads)', ms(ing.hubCpuMs), per(ing.hubCpuMs), (ing.events / ing.hubCpuMs) * 1000],
        ['  agent process CPU (all threads)', ms(ing.agentCpuMs), per(ing.agentCpuMs), (ing.events / ing.agentCpuMs) * 1000],
        ['in process: agent reads + serializes batches (readPushBatch)', ms(ip.readMs), per(ip.readMs, ip.events), (ip.events / ip.readMs) * 1000],
        ['in process: agent gzips them (level 1)', ms(ip.gzipMs), per(ip.gzipMs, ip.events), (ip.events / ip.gzipMs) * 1000],
        ['in process: hub gunzips + parses (inflateBody, parsePushBody)', ms(ip.inflateParseMs), per(ip.inflateParseMs, ip.events), (ip.events / ip.inflateParseMs) * 1000],
        ['in process: hub appendReplicated + commit, 1 tx per batch', ms(ip.applyMs), per(ip.applyMs, ip.events), (ip.events / ip.applyMs) * 1000],
        ['in process: hub side alone (parse + append)', ms(ip.inflateParseMs + ip.applyMs), per(ip.inflateParseMs + ip.applyMs, ip.events), hubApplyRate],
      ],
    ),
  );

}

function reportOverhead(ov: OverheadResult): void {
  const pct = (a: number, b: number) => (a / b - 1) * 100;
  const p50 = (s: Side) => percentile(s.lat, 50);
  const p99 = (s: Side) => percentile(s.lat, 99);
  const cpuUs = (s: Side) => (s.cpuMs * 1000) / s.n;
  const hubUs = (s: Side) => (s.hubCpuMs * 1000) / s.n;
  const overhead = pct(p50(ov.paced.branch), p50(ov.paced.std));
  const overheadClosed = pct(p50(ov.closed.branch), p50(ov.closed.std));
  report('sync.book_p50_ms_standalone', p50(ov.paced.std));
  report('sync.book_p50_ms_branch', p50(ov.paced.branch));
  report('sync.book_p99_ms_standalone', p99(ov.paced.std));
  report('sync.book_p99_ms_branch', p99(ov.paced.branch));
  report('sync.push_overhead_pct', overhead);
  report('sync.push_overhead_p99_pct', pct(p99(ov.paced.branch), p99(ov.paced.std)));
  report('sync.pushes_per_booking', ov.pushesPaced / ov.paced.branch.n);
  report('sync.book_cpu_us_standalone', cpuUs(ov.paced.std));
  report('sync.book_cpu_us_branch', cpuUs(ov.paced.branch));
  report('sync.push_cpu_overhead_pct', pct(cpuUs(ov.paced.branch), cpuUs(ov.paced.std)));
  report('sync.closed_book_p50_ms_standalone', p50(ov.closed.std));
  report('sync.closed_book_p50_ms_branch', p50(ov.closed.branch));
  report('sync.closed_push_overhead_pct', overheadClosed);
  report('sync.closed_pushes_per_booking', ov.pushesClosed / ov.closed.branch.n);
  target('sync.push_overhead_pct', '<=', 5);

  console.log(
    `\npush overhead: two \`mymedic serve\` children seeded alike (init, 10 doctors seeing every day, 2,000 patients): one standalone, one --mode branch ` +
      `pushing to the live hub (agent defaults: intervalMs 2 s, a commit wakes it at once). POST /api/v1/appointments one at a time from this process, ` +
      `each a different free slot; ${ROUNDS} rounds × ${BOOKINGS} bookings per server, alternating, after 50 warm-up each. ` +
      `Paced: one booking started every ${GAP_MS} ms (${Math.round(1000 / GAP_MS)}/s, far above a desk's rate, so every commit is pushed alone). Back to back: the next as soon as the last answered.`,
  );
  const row = (label: string, s: Side, pushes: number | null): (string | number)[] => [
    label,
    ms(p50(s)),
    ms(percentile(s.lat, 90)),
    ms(p99(s)),
    s.roundP50.map((x) => x.toFixed(2)).join(' / '),
    `${cpuUs(s).toFixed(0)} µs`,
    `${hubUs(s).toFixed(0)} µs`,
    pushes === null ? '' : (pushes / s.n).toFixed(2),
  ];
  console.log(
    table(
      ['bookings', 'p50', 'p90', 'p99', 'round p50s (ms)', 'server CPU/booking', 'hub CPU/booking', 'pushes/booking'],
      [
        row(`paced, standalone`, ov.paced.std, null),
        row(`paced, branch + agent`, ov.paced.branch, ov.pushesPaced),
        row(`back to back, standalone`, ov.closed.std, null),
        row(`back to back, branch + agent`, ov.closed.branch, ov.pushesClosed),
      ],
    ),
  );
  console.log(
    `overhead of pushing on booking p50: paced ${overhead.toFixed(1)} % (target < 5 %), back to back ${overheadClosed.toFixed(1)} %; ` +
      `on server CPU per booking: paced ${pct(cpuUs(ov.paced.branch), cpuUs(ov.paced.std)).toFixed(1)} %, back to back ${pct(cpuUs(ov.closed.branch), cpuUs(ov.closed.std)).toFixed(1)} %; ` +
      `the hub held every booking at the end: ${ov.caughtUp ? 'yes' : 'NO'}`,
  );
  console.log(`(median of per-round p50s: paced standalone ${median(ov.paced.std.roundP50).toFixed(2)} ms, branch ${median(ov.paced.branch.roundP50).toFixed(2)} ms)`);

}

function reportCatchup(cu: CatchupResult): void {
  const cuRate = (cu.events / cu.wallMs) * 1000;
  const scaled = (cu.wallMs / 1000) * (CATCHUP_TARGET_EVENTS / cu.events);
  report('sync.catchup_1m_s', scaled);
  report('sync.catchup_events', cu.events);
  report('sync.catchup_measured_s', cu.wallMs / 1000);
  report('sync.catchup_events_per_s', cuRate);
  report('sync.catchup_hub_cpu_us_per_event', (cu.hubCpuMs * 1000) / cu.events);
  report('sync.catchup_agent_cpu_us_per_event', (cu.agentCpuMs * 1000) / cu.events);
  report('sync.catchup_fill_events_per_s', (cu.fillEvents / cu.fillMs) * 1000);
  target('sync.catchup_1m_s', '<=', 60);

  console.log(
    `\ncatch-up: ${withThousands(cu.fillEvents)} events written straight into the events table (the rows EventStore.append writes: canonical JSON, the hash chain; patient registrations + ~10% corrections, ` +
      `20,000 per transaction, branch projections skipped) in ${ms(cu.fillMs)} (${withThousands((cu.fillEvents / cu.fillMs) * 1000)} events/s), database ${cu.dbMb.toFixed(0)} MB; ` +
      `then one agent.round() to a fresh hub process`,
  );
  console.log(
    table(
      ['figure', 'value'],
      [
        ['events pushed', withThousands(cu.events)],
        ['catch-up wall time', ms(cu.wallMs)],
        ['events/s', withThousands(cuRate)],
        [QUICK ? `1,000,000 events at that rate (scaled ×${(CATCHUP_TARGET_EVENTS / cu.events).toFixed(1)})` : 'for 1,000,000 events', `${scaled.toFixed(1)} s (target < 60 s)`],
        ['hub process CPU per event', `${((cu.hubCpuMs * 1000) / cu.events).toFixed(1)} µs`],
        ['agent process CPU per event', `${((cu.agentCpuMs * 1000) / cu.events).toFixed(1)} µs`],
      ],
    ),
  );
}

async function main() {
  header(`sync: hub ingest (${withThousands(INGEST)} events), push overhead on bookings, catch-up (${withThousands(CATCHUP)} events)`);
  const tmp = tempDir('sync');
  let hub: Hub | null = null;
  try {
    if (ONLY.has('ingest') || ONLY.has('overhead')) hub = await startHub(join(tmp.dir, 'hub'), ['ING1', 'BEN1']);
    if (hub && ONLY.has('ingest')) reportIngest(await ingestPart(hub, join(tmp.dir, 'ingest'), 'ING1'));
    // Bookings on the same live hub; the catch-up gets a fresh one.
    if (hub && ONLY.has('overhead')) reportOverhead(await overheadPart(hub, join(tmp.dir, 'overhead')));
    if (hub) await hub.stop();
    hub = null;
    if (ONLY.has('catchup')) reportCatchup(await catchupPart(join(tmp.dir, 'catchup')));
  } finally {
    if (hub) await hub.stop();
    tmp.dispose();
  }
}

if (import.meta.main) await main();
