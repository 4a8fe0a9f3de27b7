// Rebuild rate: replay the whole log into the read tables (kernel.projections.rebuild(), what
// `mymedic rebuild` and `mymedic verify` do), in events/s.
//   bun bench/rebuild.ts [--quick] [--events=1000000] [--keep]
// Target: ≥ 200,000 events/s over 1,000,000 events (quick: 100,000).
// The log is filled through EventStore.append (real rows, real hash chain) in big
// transactions with a realistic registry mix: every patient registered, 10% corrected later.
import { statSync } from 'node:fs';
import { canonicalJson } from '../src/core/canonical';
import { EVENT_SCHEMA_VERSION, type EventMeta, type EventRow } from '../src/core/events';
import { newId } from '../src/core/ids';
import { lazyEvent } from '../src/core/projections';
import { formatMrn } from '../src/patients/commands';
import { patientStream } from '../src/patients/events';
import { benchName, seedKernel } from './append';
import { header, ms, now, numberFlag, report, table, target, tempDir, withThousands } from './lib';

const EVENTS = numberFlag('events', 1_000_000, 100_000);
const BATCH = 20_000; // events per fill transaction
const CORRECTED_SHARE = 0.1;

function main() {
  header(`rebuild: replay ${withThousands(EVENTS)} events into the read tables`);
  const tmp = tempDir('rebuild');
  try {
    const { kernel, branchId, scope } = seedKernel(tmp.dir);
    const db = kernel.db;
    const store = kernel.store;

    // Fill. Deterministic pseudo-random so every run replays the same log.
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const meta: EventMeta = { actor: scope.userId, actor_name: scope.name, role: 'front_desk', via: 'http', v: EVENT_SCHEMA_VERSION };
    const base = Date.parse('2025-01-01T03:30:00Z');
    const seeded = (db.query('SELECT count(*) AS n FROM events').get() as { n: number }).n;
    let appended = 0;
    let patients = 0;
    let corrections = 0;
    const tFill = now();
    while (appended < EVENTS - seeded) {
      const n = Math.min(BATCH, EVENTS - seeded - appended);
      db.transaction(() => {
        let inBatch = 0;
        while (inBatch < n) {
          patients++;
          const id = newId();
          const at = new Date(base + patients * 60_000);
          const withDob = rand() < 0.4;
          const registered = {
            type: 'patient.registered',
            data: {
              patient_id: id,
              mrn: formatMrn('BEN1', patients),
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
          const events: { type: string; data: object }[] = [registered];
          if (inBatch + 1 < n && rand() < CORRECTED_SHARE) {
            corrections++;
            events.push({
              type: 'patient.demographics_corrected',
              data: { changes: { phone: { from: registered.data.phone, to: `+9197${String(10_000_000 + patients).slice(-8)}` } }, reason: 'typo at the desk' },
            });
          }
          store.append(patientStream(id), 0, branchId, events, { ...meta, request_id: newId() }, at);
          inBatch += events.length;
        }
      }).immediate();
      appended += n;
    }
    const fillMs = now() - tFill;
    db.run('PRAGMA wal_checkpoint(TRUNCATE)');
    const total = (db.query('SELECT count(*) AS n FROM events').get() as { n: number }).n;
    const sizeMb = statSync(kernel.file).size / 1024 / 1024;
    console.log(
      `filled ${withThousands(total)} events (${withThousands(patients)} registered, ${withThousands(corrections)} corrected) in ${ms(fillMs)} ` +
        `(${withThousands((appended / fillMs) * 1000)} events/s through EventStore.append); database ${sizeMb.toFixed(0)} MB`,
    );

    // What a replay costs before any projection runs: reading rows, then parsing data.
    const scan = () => {
      let n = 0;
      for (const _r of db.prepare('SELECT * FROM events ORDER BY seq').iterate()) n++;
      return n;
    };
    const scanParse = () => {
      let n = 0;
      for (const r of db.prepare('SELECT * FROM events ORDER BY seq').iterate() as IterableIterator<EventRow>) {
        if (lazyEvent(r).data) n++;
      }
      return n;
    };
    const timeIt = (fn: () => number) => {
      Bun.gc(true);
      const t0 = now();
      const n = fn();
      const t = now() - t0;
      return { n, ms: t, rate: (n / t) * 1000 };
    };
    const scanR = timeIt(scan);
    const parseR = timeIt(scanParse);
    // First replay: the read tables are empty (the fill bypassed projections).
    const coldR = timeIt(() => kernel.projections.rebuild());
    // Second replay: what `mymedic rebuild` meets on a live database — full tables to empty first.
    const liveR = timeIt(() => kernel.projections.rebuild());
    const rowsNow = (db.query('SELECT count(*) AS n FROM patients').get() as { n: number }).n;
    if (rowsNow !== patients) console.log(`!! patients table has ${rowsNow} rows, expected ${patients}`);

    report('rebuild.events', total);
    report('rebuild.events_per_s', liveR.rate);
    report('rebuild.empty_tables_events_per_s', coldR.rate);
    report('rebuild.scan_events_per_s', scanR.rate);
    report('rebuild.scan_parse_events_per_s', parseR.rate);
    report('rebuild.fill_events_per_s', (appended / fillMs) * 1000);
    report('rebuild.db_mb', sizeMb);
    target('rebuild.events_per_s', '>=', 200_000);

    console.log(
      '\n' +
        table(
          ['pass over the log', 'events', 'time', 'events/s'],
          [
            ['SELECT * ORDER BY seq, iterate only', scanR.n, ms(scanR.ms), scanR.rate],
            ['  + lazyEvent (JSON.parse data)', parseR.n, ms(parseR.ms), parseR.rate],
            ['rebuild(), read tables empty', coldR.n, ms(coldR.ms), coldR.rate],
            ['rebuild(), live tables (target)', liveR.n, ms(liveR.ms), liveR.rate],
          ],
        ),
    );
    kernel.close();
  } finally {
    if (process.argv.includes('--keep')) console.log(`kept ${tmp.dir}`);
    else tmp.dispose();
  }
}

if (import.meta.main) main();
