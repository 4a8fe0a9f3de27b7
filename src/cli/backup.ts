// `mymedic backup status|now|drill` and `mymedic restore`: the sysadmin's side of backups.
// The work is in src/ops/backup.ts (snapshot, restore, drill) and src/ops/backup-status.ts.
import { BackupError, resolveSource, restoreInto, runDrill, takeSnapshot } from '../ops/backup';
import { DEFAULT_MAX_LAG_SECONDS, problemsOf, readBackupStatus } from '../ops/backup-status';
import { findConfigFile, readConfig } from '../ops/litestream';
import { assertUsableSqlite, CliExit, dataDirOf, EXIT_FAILED, EXIT_OK, EXIT_USAGE, out, parseFlags, usageError } from './common';

export const backupUsage = `
Usage: mymedic backup <status|now|drill> [options]

  status   where Litestream replicates to, how far behind it is, the last snapshot and
           the last restore drill; exit 0 when healthy, 1 when not
  now      write a consistent, checked snapshot of the database to a file
  drill    restore the latest backup into a scratch folder, check it end to end and
           compare it with the live database; the result shows on the status page

Run \`mymedic backup <command> --help\` for each one's options.

Litestream's config is found at $MYMEDIC_LITESTREAM_CONFIG, else DATA/litestream.yml,
else /etc/mymedic/litestream.yml. See README "Backups and restore".
`;

export const backupStatusUsage = `
Usage: mymedic backup status --data DIR [--max-lag DURATION] [--config FILE] [--json]

Shows the replica named in the Litestream config for DIR's database, its position
(generation/index:offset) and last write, its lag behind the live database, the last
snapshot (mymedic backup now) and the last restore drill (mymedic backup drill).

Lag is 0 while the replica holds every event; once the live log has an event newer than
the replica's last write, it is the time since that write.

Exit codes: 0 healthy; 1 not: the replica is further behind than --max-lag, or cannot
be read, or holds nothing yet; no replica and no snapshot at all; the last drill failed.

Options:
  --data DIR           data folder (default: $MYMEDIC_DATA, else ./data)
  --max-lag DURATION   how far behind the replica may be (default 10m): 90s, 10m, 1h or seconds
  --config FILE        Litestream config (default: $MYMEDIC_LITESTREAM_CONFIG, else
                       DIR/litestream.yml, else /etc/mymedic/litestream.yml)
  --json               one JSON object instead of text
  -h, --help           show this help
`;

export const backupNowUsage = `
Usage: mymedic backup now --data DIR --out FILE [--json]

Writes a consistent snapshot of the database (SQLite's VACUUM INTO, so the server keeps
serving) to a temporary file beside FILE, checks it (PRAGMA integrity_check and every
hash chain), flushes it to disk and only then renames it to FILE. FILE is a plain SQLite
database: \`mymedic restore --from FILE --data NEWDIR\` brings it back. An existing FILE is
replaced only by a checked snapshot. If FILE is a folder, the snapshot is named
mymedic-<UTC time>.db inside it. The snapshot is recorded in DIR/backups.json.

It holds patient records: keep it as safe as the data folder.

Options:
  --data DIR    data folder (default: $MYMEDIC_DATA, else ./data)
  --out FILE    where to write the snapshot (a file, or a folder)
  --json        print the result as JSON
  -h, --help    show this help

Example (cron, nightly, to a USB disk):
  mymedic backup now --data /var/lib/mymedic --out /mnt/usb/mymedic-$(date +%F).db
`;

export const backupDrillUsage = `
Usage: mymedic backup drill --data DIR [--from replica|snapshot|SOURCE] [--scratch DIR] [--json]

Proves the backup restores: restores it into a scratch folder exactly as
\`mymedic restore\` would (PRAGMA integrity_check, hash chains, read tables against a
replay), then compares it with the live database: the backup may lag by a few events but
must never hold events the live log lacks or differ from it. The scratch folder is removed
afterwards, the live data is only read. The result is recorded in DIR/backups.json and
shown by \`mymedic backup status\` and the system status page.

Options:
  --data DIR       data folder (default: $MYMEDIC_DATA, else ./data)
  --from SOURCE    replica (the Litestream replica; the default when one is configured),
                   snapshot (the last \`backup now\` file; the default otherwise), or any
                   source \`mymedic restore\` takes
  --scratch DIR    where to restore (default: a drill-<time> folder inside DIR); must be
                   empty or absent
  --config FILE    Litestream config (as for backup status)
  --json           print the result as JSON
  -h, --help       show this help

Exit codes: 0 the drill passed, 1 it failed (the message says why).
`;

export const restoreUsage = `
Usage: mymedic restore --from SOURCE --data NEWDIR [--force] [--config FILE]

Restores a backup into NEWDIR/mymedic.db:
  1. fetches it into NEWDIR/restore-tmp (litestream restore for a replica, a copy for a
     snapshot file);
  2. checks it: PRAGMA integrity_check, then \`mymedic verify\` (every hash chain, every
     read table against a replay of the log); an older schema is migrated first;
  3. only then flushes it to disk and renames it to NEWDIR/mymedic.db.
A damaged, truncated or foreign source is refused with the reason, and NEWDIR is left as
it was (no partial file). The live data folder is never touched.

SOURCE is one of:
  a Litestream replica folder        /mnt/nas/mymedic
  a replica URL                      file:///mnt/nas/mymedic, s3://bucket/path, sftp://...
                                     (credentials as Litestream reads them, e.g.
                                     LITESTREAM_ACCESS_KEY_ID / LITESTREAM_SECRET_ACCESS_KEY)
  replica                            the replica in the Litestream config (see --config)
  a snapshot file                    written by \`mymedic backup now\`

Options:
  --from SOURCE    what to restore (required)
  --data NEWDIR    where to restore (required); created if needed. A folder that already
                   holds a database is refused
  --force          restore into a folder that holds a database anyway: its files
                   (mymedic.db, -wal, -shm and Litestream's .mymedic.db-litestream) are
                   renamed to *.before-restore-<time>, never deleted. Stop mymedic serve
                   and Litestream first (a database in use is refused)
  --config FILE    Litestream config for --from replica (default: as for backup status)
  -h, --help       show this help

Then: mymedic serve --data NEWDIR. Sessions signed with the old secret.key end: staff
sign in again (copy DIR/secret.key into NEWDIR to keep them).
`;

function parseDuration(raw: string): number | null {
  const m = raw.trim().match(/^(\d+(?:\.\d+)?)\s*(s|m|h|d)?$/i);
  if (!m) return null;
  const unit = { s: 1, m: 60, h: 3600, d: 86400 }[(m[2] ?? 's').toLowerCase() as 's' | 'm' | 'h' | 'd'];
  return Math.round(Number(m[1]) * unit);
}

const ago = (iso: string, now: Date) => {
  const s = Math.max(0, Math.round((now.getTime() - new Date(iso).getTime()) / 1000));
  if (s < 120) return `${s} s ago`;
  if (s < 7200) return `${Math.round(s / 60)} min ago`;
  if (s < 172800) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} days ago`;
};

export function humanBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/** Maps a BackupError to the command's exit; anything else is left to the CLI's reporter. */
function failed(e: unknown): never {
  if (e instanceof BackupError) throw new CliExit(`error: ${e.message}`, e.exitCode);
  throw e;
}

export async function backupCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    out(backupUsage.trim());
    return sub === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (sub === 'status') return backupStatus(rest);
  if (sub === 'now') return backupNow(rest);
  if (sub === 'drill') return backupDrill(rest);
  throw usageError(`unknown backup command '${sub}' (status, now or drill)`, 'backup');
}

async function backupStatus(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, { data: { type: 'string' }, 'max-lag': { type: 'string' }, config: { type: 'string' }, json: { type: 'boolean' } }, backupStatusUsage, 'backup status');
  const maxLag = values['max-lag'] === undefined ? DEFAULT_MAX_LAG_SECONDS : parseDuration(values['max-lag']);
  if (maxLag === null) throw usageError(`--max-lag takes a duration like 90s, 10m or 1h, not '${values['max-lag']}'`, 'backup status');
  const dataDir = dataDirOf(values.data);
  assertUsableSqlite();
  const now = new Date();
  const s = await readBackupStatus(dataDir, { configFile: values.config, now });
  const problems = problemsOf(s, maxLag);
  const ok = problems.length === 0;
  if (values.json) {
    out(JSON.stringify({ ok, problems, maxLagSeconds: maxLag, ...s }));
    return ok ? EXIT_OK : EXIT_FAILED;
  }
  const rows: [string, string][] = [];
  rows.push(['config', s.configFile ?? 'none (DATA/litestream.yml, /etc/mymedic/litestream.yml, $MYMEDIC_LITESTREAM_CONFIG)']);
  rows.push(['replica', s.replica ? `${s.replica.kind} ${s.replica.url}` : 'none']);
  if (s.replica) {
    rows.push(['position', s.position ?? 'unknown']);
    rows.push(['last written', s.lastReplicatedAt ? `${s.lastReplicatedAt} (${ago(s.lastReplicatedAt, now)})` : 'never']);
    rows.push(['lag', s.lagSeconds === null ? 'unknown' : `${s.lagSeconds} s (limit ${maxLag} s)`]);
  }
  rows.push(['live events', s.liveEvents === null ? 'no database' : `${s.liveEvents}${s.lastEventAt ? `, last at ${s.lastEventAt}` : ''}`]);
  rows.push([
    'last snapshot',
    s.lastSnapshot
      ? `${s.lastSnapshot.file}, ${humanBytes(s.lastSnapshot.bytes)}${s.lastSnapshotEvents !== null ? `, ${s.lastSnapshotEvents} events` : ''}, ${s.lastSnapshot.at} (${ago(s.lastSnapshot.at, now)})`
      : 'none',
  ]);
  rows.push(['last drill', s.lastDrill ? `${s.lastDrill.ok ? 'passed' : 'FAILED'} ${s.lastDrill.at} (${ago(s.lastDrill.at, now)}): ${s.lastDrill.message}` : 'never']);
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) out(`${(k + ':').padEnd(width + 2)}${v}`);
  out(ok ? 'status: ok' : `status: NOT OK\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return ok ? EXIT_OK : EXIT_FAILED;
}

async function backupNow(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, { data: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' } }, backupNowUsage, 'backup now');
  if (!values.out) throw usageError('missing --out FILE', 'backup now');
  const dataDir = dataDirOf(values.data);
  assertUsableSqlite();
  process.umask(0o077);
  try {
    const r = takeSnapshot(dataDir, values.out);
    if (values.json) out(JSON.stringify(r));
    else out(`${r.replaced ? 'replaced' : 'wrote'} ${r.file}: ${humanBytes(r.bytes)} (${r.bytes} bytes), ${r.events} events; integrity and hash chains ok`);
    return EXIT_OK;
  } catch (e) {
    failed(e);
  }
}

async function backupDrill(argv: string[]): Promise<number> {
  const { values } = parseFlags(
    argv,
    { data: { type: 'string' }, from: { type: 'string' }, scratch: { type: 'string' }, config: { type: 'string' }, json: { type: 'boolean' } },
    backupDrillUsage,
    'backup drill',
  );
  const dataDir = dataDirOf(values.data);
  assertUsableSqlite();
  process.umask(0o077);
  let from = values.from;
  if (!from) {
    const config = findConfigFile(dataDir, values.config);
    let replica = false;
    try {
      replica = Boolean(config && readConfig(config, dataDir).replica);
    } catch (e) {
      throw new CliExit(`error: ${(e as Error).message}`);
    }
    from = replica ? 'replica' : 'snapshot';
  }
  let source;
  try {
    source = resolveSource(from, { dataDir, configFile: values.config });
  } catch (e) {
    failed(e);
  }
  const say = values.json ? undefined : (line: string) => out(line);
  const r = await runDrill(dataDir, source, { scratchDir: values.scratch, say });
  if (values.json) out(JSON.stringify(r));
  else out(`drill ${r.ok ? 'passed' : 'FAILED'} in ${r.seconds} s: ${r.message}`);
  return r.ok ? EXIT_OK : EXIT_FAILED;
}

export async function restoreCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, { from: { type: 'string' }, data: { type: 'string' }, force: { type: 'boolean' }, config: { type: 'string' } }, restoreUsage, 'restore');
  const missing = [!values.from && '--from', !values.data && '--data'].filter(Boolean);
  if (missing.length) throw usageError(`missing ${missing.join(', ')}`, 'restore');
  assertUsableSqlite();
  process.umask(0o077);
  const target = dataDirOf(values.data);
  try {
    const source = resolveSource(values.from!, { dataDir: target, configFile: values.config });
    const r = await restoreInto(source, target, { force: values.force, say: (line) => out(line) });
    for (const m of r.movedAside) out(`moved aside ${m}`);
    out(`restored ${r.file}: ${humanBytes(r.bytes)}, ${r.events} events, ${r.origins} origins, schema ${r.schema}; integrity ok, verify ok (${r.seconds.toFixed(1)} s)`);
    out(`next: mymedic serve --data ${target}`);
    return EXIT_OK;
  } catch (e) {
    failed(e);
  }
}
