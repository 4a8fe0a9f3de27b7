// Append rate: one event per command through the command runner, against raw bun:sqlite
// single-row transactions into an identical `events` table, same pragmas, same run.
//   bun bench/append.ts [--quick] [--n=10000] [--rounds=3] [--group=32] [--breakdown]
// Target: runner ≥ 0.5 × raw (one small event to a fresh stream per command). Measured both
// one command per transaction (runner.run) and group-committed (runner.submit, --group
// commands in flight, as concurrent HTTP requests give).
// --breakdown (on by default in full mode) times each step of the runner's path in isolation.
import type { Database, Statement } from 'bun:sqlite';
import { canonicalJson } from '../src/core/canonical';
import { openDatabase } from '../src/core/db';
import { computeHash, EVENT_SCHEMA_VERSION, type EventMeta } from '../src/core/events';
import { newId, sha256Hex } from '../src/core/ids';
import { type CommandContext, systemActor } from '../src/core/runner';
import type { Scope } from '../src/core/scope';
import { openKernel, type Kernel } from '../src/kernel';
import { setUpClinic } from '../src/org/commands';
import { registerPatient } from '../src/patients/commands';
import { header, median, now, numberFlag, QUICK, report, table, target, tempDir } from './lib';

const N = numberFlag('n', 10_000, 2_000);
const ROUNDS = numberFlag('rounds', 3, 2);
const WARMUP = Math.min(1000, N);
const GROUP = numberFlag('group', 32, 32);
const BREAKDOWN = process.argv.includes('--breakdown') || (!QUICK && !process.argv.includes('--no-breakdown'));

// A fake argon2id hash: the benchmark never logs in.
const FAKE_HASH = '$argon2id$v=19$m=65536,t=2,p=1$bench$bench';

export interface Seeded {
  kernel: Kernel;
  branchId: string;
  scope: Scope;
}

export function seedKernel(dir: string): Seeded {
  const kernel = openKernel(dir);
  const ids = kernel.runner.run({ actor: systemActor('setup') }, (tx) =>
    setUpClinic(tx, {
      clinicName: 'Bench Clinic',
      branch: { code: 'BEN1', name: 'Bench Branch', timezone: 'Asia/Kolkata' },
      owner: { username: 'owner', name: 'Owner', passwordHash: FAKE_HASH },
    }),
  );
  const scope: Scope = {
    userId: ids.ownerId,
    username: 'owner',
    name: 'Owner',
    role: 'owner',
    branchId: ids.branchId,
    branchIds: [ids.branchId],
    sessionId: 'bench',
    via: 'bearer',
  };
  return { kernel, branchId: ids.branchId, scope };
}

/** A distinct, valid patient name for each n: "Bench Patient" + n spelled in letters. */
export function benchName(n: number): string {
  let s = '';
  do {
    s = String.fromCharCode(97 + (n % 26)) + s;
    n = Math.floor(n / 26);
  } while (n > 0);
  return `Bench ${s.charAt(0).toUpperCase()}${s.slice(1)} Patient`;
}

/** The events table's DDL (table + indexes) as the migrations created it. */
function eventsDdl(db: Database): string[] {
  return (
    db
      .query(`SELECT sql FROM sqlite_master WHERE tbl_name = 'events' AND type IN ('table', 'index') AND sql IS NOT NULL ORDER BY type DESC`)
      .all() as { sql: string }[]
  ).map((r) => r.sql);
}

async function main() {
  header('append: one event per command');
  const tmp = tempDir('append');
  try {
    const { kernel, branchId, scope } = seedKernel(tmp.dir);
    const raw = openDatabase(`${tmp.dir}/raw.db`);
    for (const sql of eventsDdl(kernel.db)) raw.run(sql);

    const ctx: CommandContext = { actor: { userId: scope.userId, name: scope.name, role: scope.role, via: 'http' } };
    const meta: EventMeta = { actor: scope.userId, actor_name: scope.name, role: scope.role, via: 'http', v: EVENT_SCHEMA_VERSION };
    const metaJson = canonicalJson(meta);
    const origin = kernel.origin;
    const fakeHash = 'f'.repeat(64);

    // Raw: prepared BEGIN IMMEDIATE / INSERT / COMMIT, a row shaped like the runner's.
    const begin = raw.prepare('BEGIN IMMEDIATE');
    const commit = raw.prepare('COMMIT');
    const rawInsert = raw.prepare(
      `INSERT INTO events (id, origin, origin_seq, branch_id, stream, version, type, data, meta, at, prev_hash, hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    let rawSeq = 0;
    const rawOne = () => {
      rawSeq++;
      begin.run();
      rawInsert.run(newId(), origin, rawSeq, branchId, `bench-${newId()}`, 1, 'bench.appended', `{"n":${rawSeq}}`, metaJson, new Date().toISOString(), fakeHash, fakeHash);
      commit.run();
    };

    let appendN = 0;
    const runnerAppendOne = () => {
      appendN++;
      kernel.runner.run(ctx, (tx) => tx.append(`bench-${newId()}`, 0, branchId, [{ type: 'bench.appended', data: { n: appendN } }]));
    };

    // Distinct people: names and phones vary, as at a real front desk.
    let regN = 0;
    const registerOne = () => {
      regN++;
      const phone = `98${String(10_000_000 + regN).slice(-8)}`;
      kernel.runner.run(ctx, (tx) => registerPatient(tx, scope, { name: benchName(regN), phone, sex: 'female', age_years: 30 }));
    };
    // Every patient named the same (the HTTP example body): shows how the duplicate check
    // scales with patients sharing a name (see README: query plan).
    let sameN = 0;
    const registerSameNameOne = () => {
      sameN++;
      const phone = `97${String(10_000_000 + sameN).slice(-8)}`;
      kernel.runner.run(ctx, (tx) => registerPatient(tx, scope, { name: 'Bench Patient', phone, sex: 'female', age_years: 30 }));
    };

    // Group commit (runner.submit): GROUP commands in flight at once, as 32 HTTP connections
    // would give; they share one transaction, each in its own savepoint.
    const hasSubmit = typeof (kernel.runner as { submit?: unknown }).submit === 'function';
    let subN = 0;
    const submitAppendOne = () => {
      subN++;
      return kernel.runner.submit(ctx, (tx) => tx.append(`bench-${newId()}`, 0, branchId, [{ type: 'bench.appended', data: { n: subN } }]));
    };
    let subReg = 0;
    const submitRegisterOne = () => {
      subReg++;
      const phone = `96${String(10_000_000 + subReg).slice(-8)}`;
      return kernel.runner.submit(ctx, (tx) => registerPatient(tx, scope, { name: benchName(5_000_000 + subReg), phone, sex: 'female', age_years: 30 }));
    };

    type Kind = { key: string; label: string; one: () => unknown; async?: boolean };
    const kinds: Kind[] = [
      { key: 'raw', label: 'raw bun:sqlite insert, 1 row/tx', one: rawOne },
      { key: 'runner_append', label: 'runner.run + tx.append (1 event)', one: runnerAppendOne },
      { key: 'runner_register', label: 'runner.run + registerPatient', one: registerOne },
      { key: 'runner_register_same_name', label: 'registerPatient, all same name', one: registerSameNameOne },
    ];
    if (hasSubmit) {
      kinds.push(
        { key: 'submit_append', label: `runner.submit + tx.append, ${GROUP} in flight`, one: submitAppendOne, async: true },
        { key: 'submit_register', label: `runner.submit + registerPatient, ${GROUP} in flight`, one: submitRegisterOne, async: true },
      );
    }
    const runKind = async (k: Kind, n: number) => {
      if (!k.async) {
        for (let i = 0; i < n; i++) k.one();
        return;
      }
      for (let i = 0; i < n; i += GROUP) {
        const batch: unknown[] = [];
        for (let j = 0; j < GROUP && i + j < n; j++) batch.push(k.one());
        await Promise.all(batch);
      }
    };
    const rates: Record<string, number[]> = {};
    for (const k of kinds) {
      rates[k.key] = [];
      await runKind(k, WARMUP);
    }
    for (let r = 0; r < ROUNDS; r++) {
      for (const k of kinds) {
        Bun.gc(true);
        const t0 = now();
        await runKind(k, N);
        const elapsed = now() - t0;
        rates[k.key].push((N / elapsed) * 1000);
      }
    }
    const rawRate = median(rates.raw);
    const appendRate = median(rates.runner_append);
    const registerRate = median(rates.runner_register);
    report('append.raw_events_per_s', rawRate);
    report('append.runner_events_per_s', appendRate);
    report('append.register_events_per_s', registerRate);
    const sameNameRate = median(rates.runner_register_same_name);
    report('append.register_same_name_events_per_s', sameNameRate);
    report('append.register_same_name_last_round_events_per_s', rates.runner_register_same_name.at(-1)!);
    report('append.runner_ratio', appendRate / rawRate);
    report('append.register_ratio', registerRate / rawRate);
    if (hasSubmit) {
      const sa = median(rates.submit_append);
      const sr = median(rates.submit_register);
      report('append.submit_events_per_s', sa);
      report('append.submit_register_events_per_s', sr);
      report('append.submit_ratio', sa / rawRate);
      report('append.submit_register_ratio', sr / rawRate);
      target('append.submit_ratio', '>=', 0.5);
      target('append.submit_register_ratio', '>=', 0.5);
    }
    target('append.runner_ratio', '>=', 0.5);
    target('append.register_ratio', '>=', 0.5);

    console.log(`\n${N} commands × ${ROUNDS} rounds each (interleaved, median round shown), after ${WARMUP} warm-up commands`);
    console.log(
      table(
        ['path', 'events/s', 'µs/event', 'vs raw', 'rounds (events/s)'],
        kinds.map((k) => {
          const m = median(rates[k.key]);
          return [k.label, m, (1e6 / m).toFixed(1), (m / rawRate).toFixed(2), rates[k.key].map((x) => Math.round(x)).join(' / ')];
        }),
      ),
    );

    console.log(`(same-name rows: ${WARMUP + ROUNDS * N} patients named "Bench Patient" by the last round)`);
    if (BREAKDOWN) breakdown(kernel, raw, { ctx, meta, branchId, scope, rawRate });
    raw.close();
    kernel.close();
  } finally {
    tmp.dispose();
  }
}

/**
 * Where a runner command's time goes: each step of the path timed alone, in µs per call,
 * so the sum can be set against the whole command. Steps that need a write transaction run
 * inside one big transaction (no commit cost); the commit itself is timed with an empty tx.
 */
function breakdown(
  kernel: Kernel,
  raw: Database,
  x: { ctx: CommandContext; meta: EventMeta; branchId: string; scope: Scope; rawRate: number },
) {
  const M = QUICK ? 2_000 : 10_000;
  const db = kernel.db;
  const time = (fn: (i: number) => void, n = M): number => {
    for (let i = 0; i < Math.min(500, n); i++) fn(i);
    const t0 = now();
    for (let i = 0; i < n; i++) fn(i);
    return ((now() - t0) * 1000) / n; // µs per call
  };
  const inTx = (fn: (i: number) => void): number => {
    let us = 0;
    db.run('BEGIN IMMEDIATE');
    try {
      us = time(fn);
    } finally {
      db.run('ROLLBACK');
    }
    return us;
  };
  const rows: [string, number][] = [];
  const beginS = db.prepare('BEGIN IMMEDIATE');
  const commitS = db.prepare('COMMIT');
  rows.push(['empty tx: prepared BEGIN IMMEDIATE + COMMIT', time(() => (beginS.run(), commitS.run()))]);
  rows.push(['empty tx: db.transaction(fn).immediate()', time(() => db.transaction(() => 0).immediate())]);
  rows.push(['empty runner.run (no append)', time(() => kernel.runner.run(x.ctx, () => 0))]);
  rows.push(['canonicalJson(meta)', time(() => canonicalJson(x.meta))]);
  rows.push(['canonicalJson(data {n})', time((i) => canonicalJson({ n: i }))]);
  rows.push(['newId() (UUIDv7)', time(() => newId())]);
  rows.push(['new Date().toISOString()', time(() => new Date().toISOString())]);
  const sample = {
    id: newId(), origin: kernel.origin, origin_seq: 1, branch_id: x.branchId, stream: `bench-${newId()}`, version: 1,
    type: 'bench.appended', data: '{"n":1}', meta: canonicalJson(x.meta), at: new Date().toISOString(), prev_hash: 'f'.repeat(64),
  };
  rows.push(['computeHash (sha256 of ~400 B)', time(() => computeHash(sample))]);
  rows.push(['sha256Hex("x")', time(() => sha256Hex('x'))]);
  const versionS = db.prepare('SELECT max(version) AS v FROM events WHERE stream = ?');
  const headS = db.prepare('SELECT origin_seq, hash FROM events WHERE origin = ? ORDER BY origin_seq DESC LIMIT 1');
  rows.push(['streamVersion query (fresh stream)', time(() => versionS.get(`bench-${newId()}`))]);
  rows.push(['head-of-chain query', time(() => headS.get(kernel.origin))]);
  rows.push(['store.append, in an open tx (no commit)', inTx(() => kernel.store.append(`bench-${newId()}`, 0, x.branchId, [{ type: 'bench.appended', data: { n: 1 } }], x.meta, new Date()))]);
  const rawInsert: Statement = raw.prepare(
    `INSERT INTO events (id, origin, origin_seq, branch_id, stream, version, type, data, meta, at, prev_hash, hash)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  let seq = 10_000_000;
  raw.run('BEGIN IMMEDIATE');
  rows.push(['raw INSERT, in an open tx (no commit)', time(() => rawInsert.run(newId(), sample.origin, ++seq, x.branchId, `bench-${newId()}`, 1, sample.type, sample.data, sample.meta, sample.at, sample.prev_hash, sample.prev_hash))]);
  raw.run('ROLLBACK');
  // registerPatient's extra work, without commit.
  let p = 0;
  const tx = makeTx(kernel);
  rows.push(['registerPatient body, in an open tx (no commit)', inTx(() => {
    p++;
    registerPatient(tx, x.scope, { name: benchName(1_000_000 + p), phone: `96${String(10_000_000 + p).slice(-8)}`, sex: 'female', age_years: 30 });
  })]);
  // Pages each commit writes to the WAL: the commit's real cost grows with them, and so does
  // the checkpoint (the fsyncs) they cause every wal_autocheckpoint (1000) pages.
  const walFrames = (d: Database, file: string, K: number, one: (i: number) => void): number => {
    d.run('PRAGMA wal_checkpoint(TRUNCATE)');
    d.run('PRAGMA wal_autocheckpoint = 0');
    for (let i = 0; i < K; i++) one(i);
    const pageSize = (d.query('PRAGMA page_size').get() as { page_size: number }).page_size;
    const bytes = Bun.file(`${file}-wal`).size;
    d.run('PRAGMA wal_autocheckpoint = 1000');
    d.run('PRAGMA wal_checkpoint(TRUNCATE)');
    return Math.max(0, bytes - 32) / (pageSize + 24) / K;
  };
  const K = 200;
  const rawBegin = raw.prepare('BEGIN IMMEDIATE');
  const rawCommit = raw.prepare('COMMIT');
  const framesRaw = walFrames(raw, raw.filename, K, () => {
    rawBegin.run();
    rawInsert.run(newId(), sample.origin, ++seq, x.branchId, `bench-${newId()}`, 1, sample.type, sample.data, sample.meta, sample.at, sample.prev_hash, sample.prev_hash);
    rawCommit.run();
  });
  const framesAppend = walFrames(db, kernel.file, K, () =>
    kernel.runner.run(x.ctx, (t) => t.append(`bench-${newId()}`, 0, x.branchId, [{ type: 'bench.appended', data: { n: 1 } }])),
  );
  const framesRegister = walFrames(db, kernel.file, K, () => {
    p++;
    kernel.runner.run(x.ctx, (t) => registerPatient(t, x.scope, { name: benchName(2_000_000 + p), phone: `95${String(10_000_000 + p).slice(-8)}`, sex: 'female', age_years: 30 }));
  });
  rows.push(['WAL pages written per commit: raw insert', framesRaw]);
  rows.push(['WAL pages written per commit: runner append', framesAppend]);
  rows.push(['WAL pages written per commit: registerPatient', framesRegister]);
  report('append.wal_pages_per_commit_raw', framesRaw);
  report('append.wal_pages_per_commit_runner', framesAppend);
  report('append.wal_pages_per_commit_register', framesRegister);

  console.log(`\nbreakdown: each step alone, µs per call (${M} calls; raw commit path = ${(1e6 / x.rawRate).toFixed(1)} µs/event)`);
  console.log(table(['step', 'µs'], rows.map(([s, us]) => [s, us.toFixed(2)])));
}

/** A Tx like the runner builds, for timing a command body inside an already-open transaction. */
function makeTx(kernel: Kernel) {
  // The runner's Tx is internal and run() always commits, so capture one from an empty
  // command; its methods only use the store and projections, which work inside any open tx.
  let captured: Parameters<Parameters<Kernel['runner']['run']>[1]>[0] | undefined;
  kernel.runner.run({ actor: systemActor('system') }, (tx) => {
    captured = tx;
  });
  return captured!;
}

if (import.meta.main) await main();
