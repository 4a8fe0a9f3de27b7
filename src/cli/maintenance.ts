// Maintenance commands over the data folder: migrate, rebuild, verify, export.
import type { Database } from 'bun:sqlite';
import { openDatabase } from '../core/db';
import type { EventRow } from '../core/events';
import { appliedSchemaVersion, latestSchemaVersion, SchemaTooNewError } from '../core/migrate';
import { VERSION } from '../http/services';
import { recordRebuild } from '../ops/status';
import { describeSnapshot, migrateWithSnapshot, type UpgradeResult, upgradeFailureMessage } from '../ops/upgrade';
import { verify } from '../core/verify';
import { allProjections } from '../kernel';
import { eventLine } from '../system/event-lines';
import {
  assertDatabaseExists,
  assertUsableSqlite,
  CliExit,
  dataDirOf,
  EXIT_FAILED,
  incompatible,
  openExisting,
  out,
  parseFlags,
  usageError,
  withKernel,
} from './common';

export const migrateUsage = `
Usage: mymedic migrate --data DIR

Applies the database schema changes this version of mymedic brings, in one transaction.
\`mymedic serve\` does this by itself at start; run it by hand to upgrade ahead of time.
First it saves the database as it was to DIR/backups/pre-migrate-<from>-to-<to>-<time>.db
(a consistent copy; the last three are kept) and prints its name. If a migration fails,
nothing is changed (exit 1): go back with \`install.sh --rollback\`. A database written
by a newer mymedic is refused (exit 3).

Options:
  --data DIR    data folder (default: $MYMEDIC_DATA, else ./data)
  -h, --help    show this help
`;

export const rebuildUsage = `
Usage: mymedic rebuild --data DIR

Empties every read table and refills it by replaying the whole event log, in one
transaction. Use it after \`mymedic verify\` reports a table that differs from the log,
or after an upgrade that asks for it. Writes wait while it runs.

Options:
  --data DIR    data folder (default: $MYMEDIC_DATA, else ./data)
  -h, --help    show this help
`;

export const verifyUsage = `
Usage: mymedic verify --data DIR

Checks the database end to end:
  1. walks every origin's hash chain: no event altered, missing or out of order;
  2. replays the log into a scratch database and compares every read table with it.
Prints "ok: ..." and exits 0, or names the first bad event (seq, id, origin,
origin_seq and the problem) or the table and row that differ, and exits 1.
Nothing is changed. Run it after a restore, and from cron now and then.

Options:
  --data DIR    data folder (default: $MYMEDIC_DATA, else ./data)
  -h, --help    show this help
`;

export const exportUsage = `
Usage: mymedic export --ndjson --data DIR [--after SEQ]

Writes the event log to stdout, one JSON object per line, in seq order, exactly as
stored (seq, id, origin, origin_seq, branch_id, stream, version, type, data, meta, at,
prev_hash, hash): each line's hash can be recomputed from the line alone.
Events hold patient data: keep the output as safe as the database itself.

Options:
  --ndjson      newline-delimited JSON (the only format, required)
  --data DIR    data folder (default: $MYMEDIC_DATA, else ./data)
  --after SEQ   only events with a seq greater than SEQ (for incremental exports)
  -h, --help    show this help

Example:
  mymedic export --ndjson --data /var/lib/mymedic | gzip > events-$(date +%F).ndjson.gz
`;

const dataOnly = { data: { type: 'string' } } as const;

export async function migrateCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, dataOnly, migrateUsage, 'migrate');
  const dataDir = dataDirOf(values.data);
  assertUsableSqlite();
  const file = assertDatabaseExists(dataDir);
  const db = openDatabase(file);
  try {
    const before = appliedSchemaVersion(db);
    let r: UpgradeResult;
    try {
      r = migrateWithSnapshot(db, dataDir);
    } catch (e) {
      const failed = upgradeFailureMessage(e, VERSION);
      throw failed ? new CliExit(failed) : (incompatible(e) ?? e);
    }
    if (r.snapshot) out(describeSnapshot(r.snapshot));
    if (!r.applied.length) out(`schema current (${before})`);
    else {
      for (const name of r.applied) out(`applied ${name}`);
      out(`schema ${before} -> ${appliedSchemaVersion(db)}`);
    }
    return 0;
  } finally {
    db.close();
  }
}

export async function rebuildCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, dataOnly, rebuildUsage, 'rebuild');
  return withKernel(openExisting(dataDirOf(values.data)), (k) => {
    const t0 = performance.now();
    const n = k.projections.rebuild();
    const ms = performance.now() - t0;
    recordRebuild(k.db, { at: new Date().toISOString(), seconds: Math.round(ms) / 1000, events: n });
    out(`rebuilt ${k.projections.tables().length} read tables: ${n} events replayed in ${(ms / 1000).toFixed(2)} s`);
    return 0;
  });
}

export async function verifyCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, dataOnly, verifyUsage, 'verify');
  return withKernel(openExisting(dataDirOf(values.data), { migrate: false }), (k) => {
    assertSchemaCurrent(k.db);
    const report = verify(k.db, k.file, allProjections);
    if (report.ok) {
      out(`ok: ${report.events} events, ${report.origins} origins, projections match`);
      return 0;
    }
    const c = report.chainProblem;
    if (c) {
      throw new CliExit(
        `FAILED: event seq ${c.seq} (id ${c.id}, origin ${c.origin}, origin_seq ${c.origin_seq}): ${c.problem}\n` +
          `checked ${report.events} events before stopping; the log has been tampered with or damaged. Restore from a backup and verify again.`,
        EXIT_FAILED,
      );
    }
    const p = report.projectionProblem!;
    throw new CliExit(
      `FAILED: table ${p.table}: ${p.problem}: ${JSON.stringify(p.row)}\n` +
        `the event log itself is intact (${report.events} events, ${report.origins} origins); \`mymedic rebuild\` refills the read tables from it.`,
      EXIT_FAILED,
    );
  });
}

function assertSchemaCurrent(db: Database): void {
  const have = appliedSchemaVersion(db);
  const want = latestSchemaVersion();
  if (have > want) throw incompatible(new SchemaTooNewError(have, want))!;
  if (have < want) throw new CliExit(`error: the database has schema ${have}, this mymedic expects ${want}; run mymedic migrate first`);
}

export async function exportCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, { ...dataOnly, ndjson: { type: 'boolean' }, after: { type: 'string' } }, exportUsage, 'export');
  if (!values.ndjson) throw usageError('choose the format: --ndjson', 'export');
  const after = values.after === undefined ? 0 : Number(values.after);
  if (!Number.isInteger(after) || after < 0) throw usageError('--after takes an event seq (a whole number, 0 or more)', 'export');
  return withKernel(openExisting(dataDirOf(values.data), { migrate: false }), async (k) => {
    const rows = k.db.prepare('SELECT * FROM events WHERE seq > ? ORDER BY seq').iterate(after) as IterableIterator<EventRow>;
    const sink = Bun.stdout.writer({ highWaterMark: 1 << 16 });
    let pending = 0;
    try {
      for (const r of rows) {
        const line = eventLine(r) + '\n';
        sink.write(line);
        pending += line.length;
        // Flush in chunks so memory stays flat however long the log is.
        if (pending >= 1 << 16) {
          await sink.flush();
          pending = 0;
        }
      }
      await sink.flush();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EPIPE') return 0; // the reader went away (e.g. | head)
      throw e;
    }
    return 0;
  });
}
