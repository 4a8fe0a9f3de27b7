// `mymedic serve`: opens the data folder (applying pending migrations), then serves the
// web app and the API until SIGTERM/SIGINT. On a data folder without a clinic it prints a
// one-time link to the setup page, the way PocketBase hands out its first admin link.
import { existsSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { type Config, databaseFile, loadConfig, loadSecret } from '../core/config';
import { openDatabase } from '../core/db';
import { randomToken } from '../core/ids';
import { jsonLogger, type Logger } from '../http/log';
import { type Services, VERSION } from '../http/services';
import type { Kernel } from '../kernel';
import type { App } from '../http/app';
import { getClinic } from '../org/queries';
import { chainOrigin } from '../kernel';
import { SyncAgent } from '../sync/agent';
import { describeHub, type HubLink, loadHubLink } from '../sync/link';
import { addSyncGauges } from '../sync/metrics';
import { backupLagGauge } from '../ops/backup-status';
import { HUB_WAL_AUTOCHECKPOINT_PAGES } from '../core/db';
import { guardWalSize, runsUnderLitestream } from '../ops/litestream';
import { addSystemGauges } from '../ops/status';
import { describeSnapshot, migrateWithSnapshot, upgradeFailureMessage } from '../ops/upgrade';
import { DEMO_ACCOUNTS, seedDemoClinic } from './demo';
import { assertUsableSqlite, CliExit, incompatible, openKernelChecked, out, parseFlags, reachableBaseUrls, usageError } from './common';

export const serveUsage = `
Usage: mymedic serve [--data DIR] [--host H] [--port P] [--config FILE] [--mode MODE] [--demo] [--litestream]

Serves the clinic's web pages and REST API until stopped (SIGTERM or Ctrl-C).
Pending database migrations are applied at start, after saving the database as it was
to DIR/backups/pre-migrate-<from>-to-<to>-<time>.db (the last three are kept); if one
fails, nothing changes and it exits 1 naming that copy and \`install.sh --rollback\`.
On a data folder without a clinic,
it prints a one-time setup link (also written to DIR/setup-token) that lets the first
person who opens it create the clinic and the owner's account; or use \`mymedic init\`.

Options:
  --data DIR       data folder (default: $MYMEDIC_DATA, else ./data); created if needed
  --host H         address to listen on (default: $MYMEDIC_HOST, else 0.0.0.0 = every
                   interface; 127.0.0.1 when a reverse proxy on this machine fronts it)
  --port P         TCP port (default: $MYMEDIC_PORT, else 8080; 0 picks a free port)
  --config FILE    JSON config file (default: $MYMEDIC_CONFIG, else DIR/config.json if
                   present) with any of: host, port, mode, secureCookies, trustProxy,
                   sessionHours, logLevel, tlsCert, tlsKey, syncIntervalMs,
                   syncBackoffMaxMs
  --mode MODE      standalone (default), branch (pushes to a hub; the default once
                   \`mymedic join\` has run) or hub (a chain's hub)
  --demo           on a data folder without a clinic, create a demo clinic instead of
                   printing the setup link: accounts owner/demo-owner-1, desk/demo-desk-1,
                   doctor/demo-doctor-1 and a few patients. For trying it out only.
  --litestream     Litestream replicates this database: leave WAL checkpoints to it
                   (wal_autocheckpoint=0). Implied when started by \`litestream
                   replicate -exec\`, or when MYMEDIC_LITESTREAM=1, LITESTREAM=1 or
                   MYMEDIC_LITESTREAM_CONFIG is set; MYMEDIC_LITESTREAM=0 turns it off.
  -h, --help       show this help

Settings apply in this order, later ones winning: defaults, config file, environment
(MYMEDIC_DATA, MYMEDIC_HOST, MYMEDIC_PORT, MYMEDIC_MODE, MYMEDIC_SECURE_COOKIES,
MYMEDIC_TRUST_PROXY, MYMEDIC_SECRET, MYMEDIC_TLS_CERT, MYMEDIC_TLS_KEY,
MYMEDIC_SYNC_INTERVAL_MS, MYMEDIC_SYNC_BACKOFF_MAX_MS, MYMEDIC_HUB_URL, MYMEDIC_HUB_TOKEN,
MYMEDIC_HUB_CA), flags.

HTTPS: with tlsCert and tlsKey (PEM files) the server speaks HTTPS itself, as a hub on the
internet should; or keep it on 127.0.0.1 behind a reverse proxy that terminates TLS (then
set secureCookies and trustProxy).

Logs are JSON lines on stdout. Once listening it logs {"msg":"listening","url":...}.
Metrics for Prometheus are at /metrics; health at /healthz and /readyz.

Exit codes: 0 stopped by a signal, 1 failed to start (e.g. port in use, a migration
failed), 2 wrong
usage, 3 the database was written by a newer mymedic or this build's SQLite is too old.
`;

const options = {
  data: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  config: { type: 'string' },
  mode: { type: 'string' },
  demo: { type: 'boolean' },
  litestream: { type: 'boolean' },
} as const;

// Above the app's own 1 MB limit (src/http/app.ts), so an oversized body gets the JSON 413, not a bare one.
export const MAX_REQUEST_BODY = 8 * 1_048_576;

export async function serveCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, options, serveUsage, 'serve');
  let config: Config;
  try {
    config = loadConfig({ configFile: values.config, dataDir: values.data, host: values.host, port: values.port, mode: values.mode });
  } catch (e) {
    throw usageError((e as Error).message, 'serve');
  }
  // The data folder holds patient records and the session key: nobody else may read what we create.
  process.umask(0o077);
  assertUsableSqlite();
  // Loaded only now, so --help and bad flags answer without loading the whole web app.
  const [{ createApp }, { Metrics }, { LoginThrottle }] = await Promise.all([
    import('../http/app'),
    import('../http/metrics'),
    import('../auth/throttle'),
  ]);
  const logger = jsonLogger(config.logLevel);

  applyMigrations(config, logger);
  const litestream = runsUnderLitestream(values.litestream);
  const kernel = openKernelChecked(config.dataDir, { leaveCheckpointsToLitestream: litestream.yes });
  if (litestream.yes) {
    logger.log('info', 'leaving WAL checkpoints to Litestream', { why: litestream.why });
    guardWalSize(kernel.db, kernel.file, (walBytes) => logger.log('warn', 'WAL past 512 MB: checkpointed it (is Litestream running?)', { walBytes }));
  }
  if (config.mode === 'hub' && !litestream.yes) {
    // A hub appends branches' batches of thousands of events: checkpointing (and syncing) the
    // WAL every 1,000 pages costs a third of each batch's time (bench/sync.ts). Every 10,000
    // pages (~40 MB of WAL) copies each hot page once instead of ten times.
    kernel.db.run(`PRAGMA wal_autocheckpoint = ${HUB_WAL_AUTOCHECKPOINT_PAGES}`);
  }
  let link: HubLink | null = null;
  if (config.mode === 'branch') {
    try {
      link = loadHubLink(config.dataDir);
    } catch (e) {
      kernel.close();
      throw new CliExit(`error: ${(e as Error).message}`);
    }
    if (!link) {
      kernel.close();
      throw new CliExit('error: branch mode needs a hub: run `mymedic join --hub URL --token T` first (or set MYMEDIC_HUB_URL and MYMEDIC_HUB_TOKEN)');
    }
  }
  if (config.mode === 'hub') chainOrigin(kernel.db, true);
  let svc: Services;
  try {
    svc = {
      kernel,
      config,
      secret: loadSecret(config.dataDir),
      metrics: new Metrics(),
      logger,
      throttle: new LoginThrottle(),
      setup: { token: null },
      startedAt: new Date(),
      version: VERSION,
    };
    if (link) {
      svc.sync = new SyncAgent(kernel, link, logger, { intervalMs: config.syncIntervalMs, backoffMaxMs: config.syncBackoffMaxMs, version: VERSION });
    }
    addGauges(svc);
  } catch (e) {
    kernel.close();
    throw e;
  }

  const tokenFile = join(config.dataDir, 'setup-token');
  if (values.demo && (await seedDemoClinic(kernel))) {
    out(`Demo clinic created. Sign in as ${DEMO_ACCOUNTS.map((a) => `${a.username} / ${a.password}`).join(', ')}`);
  }
  if (!getClinic(kernel.db)) {
    svc.setup.token = randomToken();
    writeFileSync(tokenFile, svc.setup.token + '\n', { mode: 0o600 });
    chmodSync(tokenFile, 0o600);
  } else if (existsSync(tokenFile)) {
    rmSync(tokenFile, { force: true }); // left over from before the clinic was set up
  }

  let app: App;
  try {
    const tls = tlsOptions(config);
    app = createApp(svc).listen({ hostname: config.host, port: config.port, maxRequestBodySize: MAX_REQUEST_BODY, ...(tls ? { tls } : {}) });
  } catch (e) {
    kernel.close();
    throw new CliExit(`error: cannot listen on ${config.host}:${config.port}: ${(e as Error).message}`);
  }
  const server = app.server;
  if (!server) {
    kernel.close();
    throw new CliExit(`error: the server did not start on ${config.host}:${config.port}`);
  }
  const port = server.port ?? config.port;
  const scheme = config.tlsCert ? 'https' : 'http';
  const urls = reachableBaseUrls(config.host, port).map((u) => u.replace(/^http:/, `${scheme}:`));
  logger.log('info', 'listening', {
    url: `${scheme}://127.0.0.1:${port}`,
    urls,
    host: config.host,
    port,
    mode: config.mode,
    data: config.dataDir,
    version: VERSION,
    pid: process.pid,
  });
  if (svc.setup.token) {
    for (const base of urls) out(`Open ${base}/setup?token=${svc.setup.token} to set up the clinic`);
  }
  if (svc.sync && link) {
    svc.sync.start();
    logger.log('info', 'syncing with the hub', { hub: describeHub(link) });
  }

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.log('info', 'stopping', { signal });
      // Let requests in flight finish, but not forever.
      const force = setTimeout(() => void app.stop(true), 5000);
      try {
        await svc.sync?.stop();
        await app.stop();
      } catch (e) {
        logger.log('error', 'stop failed', { error: (e as Error).message });
      }
      clearTimeout(force);
      closeKernel(kernel, logger);
      logger.log('info', 'stopped', { signal });
      resolve(0);
    };
    process.once('SIGTERM', () => void stop('SIGTERM'));
    process.once('SIGINT', () => void stop('SIGINT'));
  });
}

/**
 * Applies pending migrations before the kernel opens, so the log says which ran, after saving
 * the database as it was (src/ops/upgrade.ts). A failed migration changes nothing, and this
 * build does not serve the old schema: it exits 1 naming the saved copy and --rollback.
 */
function applyMigrations(config: Config, logger: Logger): void {
  const db = openDatabase(databaseFile(config.dataDir));
  try {
    const r = migrateWithSnapshot(db, config.dataDir);
    if (r.snapshot) logger.log('info', describeSnapshot(r.snapshot), { file: r.snapshot.file, from: r.from, to: r.to, reused: r.snapshot.reused });
    if (r.applied.length) logger.log('info', 'migrations applied', { migrations: r.applied, from: r.from, to: r.to });
  } catch (e) {
    const failed = upgradeFailureMessage(e, VERSION);
    if (failed) {
      logger.log('error', 'migrations failed; not serving', { error: (e as Error).message });
      throw new CliExit(failed);
    }
    throw incompatible(e) ?? e;
  } finally {
    db.close();
  }
}

function closeKernel(kernel: Kernel, logger: Logger): void {
  try {
    kernel.close(); // closing the last connection checkpoints the WAL into the file
  } catch (e) {
    logger.log('warn', 'closing the database failed', { error: (e as Error).message });
  }
}

function addGauges(svc: Services): void {
  const { db } = svc.kernel;
  const pageCount = db.prepare('PRAGMA page_count');
  const pageSize = db.prepare('PRAGMA page_size');
  const lastSeq = db.prepare('SELECT coalesce(max(seq), 0) AS n FROM events');
  const m = svc.metrics;
  m.gauge('mymedic_db_size_bytes', 'Size of the SQLite database file (page_count * page_size), WAL excluded', () => {
    const c = pageCount.get() as { page_count: number };
    const s = pageSize.get() as { page_size: number };
    return c.page_count * s.page_size;
  });
  // seq is strictly increasing and events are never deleted: the highest seq is the count.
  m.gauge('mymedic_events_stored', 'Events in the log', () => (lastSeq.get() as { n: number }).n);
  m.gauge('mymedic_process_resident_memory_bytes', 'Resident memory of the server process', () => process.memoryUsage.rss());
  m.gauge('mymedic_backup_lag_seconds', 'Seconds the Litestream replica is behind the live database; -1 without a replica, NaN when it cannot be read', () =>
    backupLagGauge(svc.config.dataDir),
  );
  m.gauge('mymedic_uptime_seconds', 'Seconds since the server started', () => Math.round((Date.now() - svc.startedAt.getTime()) / 1000));
  addSystemGauges(svc);
  addSyncGauges(svc);
}

/** HTTPS when the config names both a certificate and its key (PEM files). */
function tlsOptions(config: Config): { cert: string; key: string } | null {
  if (!config.tlsCert && !config.tlsKey) return null;
  if (!config.tlsCert || !config.tlsKey) throw new CliExit('error: HTTPS needs both tlsCert and tlsKey (MYMEDIC_TLS_CERT, MYMEDIC_TLS_KEY)');
  try {
    return { cert: readFileSync(config.tlsCert, 'utf8'), key: readFileSync(config.tlsKey, 'utf8') };
  } catch (e) {
    throw new CliExit(`error: cannot read the TLS certificate or key: ${(e as Error).message}`);
  }
}
