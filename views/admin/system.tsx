// The system status page for the owner: at the top, what needs attention (in red) or that
// all is well; then backups, the server, storage, activity and upgrades. Read-only.
import { formatDateTime } from '../components';
import { type Flash, Layout, type PageUser } from '../layout';
import type { SystemStatus } from '../../src/ops/status';
import { formatBytes, formatDuration } from '../../src/ops/status';

export interface SystemPageProps {
  user: PageUser;
  clinicName: string | null;
  flash?: Flash | null;
  status: SystemStatus;
  timeZone: string;
}

const RED_EDGE = 'border-left-color: var(--danger)';

const count = (n: number, one: string, many: string) => `${n.toLocaleString('en-IN')} ${n === 1 ? one : many}`;

function Tile({ num, label, bad }: { num: string; label: string; bad?: boolean }) {
  return (
    <div class="tile" style={bad ? RED_EDGE : undefined}>
      <span class="num" safe>
        {num}
      </span>
      <span class="label" safe>
        {label}
      </span>
    </div>
  );
}

function Fact({ term, value, bad, note }: { term: string; value: string; bad?: boolean; note?: string | null }) {
  return (
    <>
      <dt safe>{term}</dt>
      <dd>
        {bad ? (
          <strong class="error" safe>
            {value}
          </strong>
        ) : (
          <span safe>{value}</span>
        )}
        {note ? (
          <small class="hint" safe>
            {note}
          </small>
        ) : null}
      </dd>
    </>
  );
}

function NoReplica({ dataDir }: { dataDir: string }) {
  return (
    <div class="flash flash-error">
      <h3>No replica configured</h3>
      <p>
        Nothing copies the database off this machine as it changes: if its disk fails, everything since the last snapshot is lost. Set up a Litestream
        replica (it streams every change within seconds) in one of these ways:
      </p>
      <ul>
        <li>
          Re-run the installer with where to copy to, e.g. a NAS share or USB disk: <code>install.sh --replica-dir /mnt/backup/mymedic</code>; or another
          machine: <code>--replica-sftp sftp://user@host/path --sftp-key FILE</code>; or S3-compatible storage: <code>--replica-s3 s3://bucket/path</code>{' '}
          with its keys in the environment.
        </li>
        <li>
          Or write a Litestream config to <code safe>{`${dataDir}/litestream.yml`}</code> (or <code>/etc/mymedic/litestream.yml</code>) and start the
          server under <code>litestream replicate -exec</code>.
        </li>
      </ul>
      <p>
        Until then, take a snapshot now and then: <code safe>{`mymedic backup now --data ${dataDir} --out /mnt/usb/`}</code>
      </p>
    </div>
  );
}

function BackupCard({ s, zone }: { s: SystemStatus; zone: string }) {
  const b = s.backup;
  const when = (iso: string) => formatDateTime(iso, zone);
  if (!b) {
    return (
      <section class="card" aria-labelledby="h-backups">
        <h2 id="h-backups">Backups</h2>
        <p class="flash flash-error" safe>
          {`The backup status cannot be read: ${s.backupError ?? 'unknown error'}`}
        </p>
      </section>
    );
  }
  const behind = b.replica && b.lagSeconds !== null && b.lagSeconds > s.backupMaxAgeSeconds;
  return (
    <section class="card" aria-labelledby="h-backups">
      <h2 id="h-backups">Backups</h2>
      {b.replica ? null : <NoReplica dataDir={s.dataDir} />}
      <dl class="facts">
        {b.replica ? (
          <>
            <Fact term="Replica" value={`${b.replica.kind.toUpperCase()} ${b.replica.url}`} />
            <Fact term="Position" value={b.position ?? 'none yet'} bad={!b.position} />
            <Fact
              term="Last written"
              value={b.lastReplicatedAt ? `${when(b.lastReplicatedAt)} (${formatDuration(s.replicaAgeSeconds ?? 0)} ago)` : 'never'}
              bad={!b.lastReplicatedAt}
            />
            <Fact
              term="Behind by"
              value={b.lagSeconds === null ? 'unknown: the replica cannot be read' : b.lagSeconds === 0 ? 'nothing: it holds every event' : formatDuration(b.lagSeconds)}
              bad={b.lagSeconds === null || Boolean(behind)}
              note={`Red past ${formatDuration(s.backupMaxAgeSeconds)} (MYMEDIC_BACKUP_MAX_AGE).`}
            />
          </>
        ) : (
          <Fact term="Replica" value="none" bad />
        )}
        <Fact
          term="Last snapshot"
          value={b.lastSnapshot ? `${when(b.lastSnapshot.at)} · ${formatBytes(b.lastSnapshot.bytes)}` : 'none'}
          note={b.lastSnapshot ? b.lastSnapshot.file : 'mymedic backup now writes one.'}
        />
        <Fact
          term="Last restore drill"
          value={b.lastDrill ? `${when(b.lastDrill.at)} · ${b.lastDrill.ok ? 'passed' : 'FAILED'}` : 'never'}
          bad={Boolean(b.lastDrill && !b.lastDrill.ok)}
          note={b.lastDrill ? b.lastDrill.message : 'mymedic backup drill restores the latest backup into a scratch folder and checks it.'}
        />
      </dl>
    </section>
  );
}

function SyncCard({ s, zone }: { s: SystemStatus; zone: string }) {
  const y = s.sync!;
  const when = (iso: string | null) => (iso ? formatDateTime(iso, zone) : 'never');
  return (
    <section class="card" aria-labelledby="h-sync" data-sync={y.connected ? 'connected' : 'disconnected'}>
      <h2 id="h-sync">Sync with the hub</h2>
      <dl class="facts">
        <Fact term="Hub" value={y.hub_url ?? 'not linked'} bad={!y.hub_url} note={y.branch_code ? `as branch ${y.branch_code}` : null} />
        <Fact
          term="Connection"
          value={y.connected ? 'connected' : 'not connected'}
          bad={!y.connected}
          note={y.connected ? null : 'Bookings and payments go on here; they are sent when the hub can be reached.'}
        />
        <Fact
          term="Behind by"
          value={y.lag_events === 0 ? 'nothing: the hub holds every event' : `${count(y.lag_events, 'event', 'events')}, the oldest from ${formatDuration(y.lag_seconds)} ago`}
          bad={y.lag_events > 0 && !y.connected}
        />
        <Fact term="Last sent" value={when(y.last_push_ok_at)} />
        <Fact term="Last received" value={when(y.last_pull_ok_at)} note="Chain prices and policies from the hub." />
        {y.last_error ? <Fact term="Last error" value={y.last_error} bad note={y.last_error_at ? `at ${when(y.last_error_at)}` : null} /> : null}
      </dl>
    </section>
  );
}

function HubCard({ s }: { s: SystemStatus }) {
  const h = s.hub!;
  const parts = Object.entries(h.byHealth).map(([k, n]) => `${n} ${k.replace('_', ' ')}`);
  return (
    <section class="card" aria-labelledby="h-hub">
      <h2 id="h-hub">Chain hub</h2>
      <dl class="facts">
        <Fact term="Branches" value={`${h.branches} registered${parts.length ? ` (${parts.join(', ')})` : ''}`} bad={Boolean(h.byHealth.flagged)} />
      </dl>
      <p>
        <a href="/hq">Every branch’s sync, lag and figures</a>
      </p>
    </section>
  );
}

export function SystemPage({ user, clinicName, flash, status: s, timeZone: zone }: SystemPageProps) {
  const when = (iso: string) => formatDateTime(iso, zone);
  const b = s.backup;
  const backupBad = s.attention.some((a) => ['no_replica', 'replica_unreadable', 'replica_behind', 'drill_failed', 'backup_unknown'].includes(a.key));
  const backupTile = !b
    ? { num: 'Unknown', label: 'backup status' }
    : !b.replica
      ? { num: 'None', label: 'no replica configured' }
      : b.lagSeconds === null
        ? { num: 'Unknown', label: 'replica unreadable' }
        : b.lagSeconds === 0
          ? { num: 'Current', label: 'replica holds every event' }
          : { num: formatDuration(b.lagSeconds), label: 'replica behind' };
  const freePct = s.disk && s.disk.totalBytes > 0 ? Math.round((s.disk.freeBytes / s.disk.totalBytes) * 100) : null;
  return (
    <Layout title="System" user={user} clinicName={clinicName} flash={flash} active="system">
      <div class="page-head">
        <h1>System</h1>
        <p class="muted" safe>
          {`As of ${when(s.now)}. Reload the page to refresh.`}
        </p>
      </div>

      {s.attention.length ? (
        <section class="flash flash-error" aria-labelledby="h-attention">
          <h2 id="h-attention">Needs attention</h2>
          <ul>
            {s.attention.map((a) => (
              <li data-attention={a.key} safe>
                {a.text}
              </li>
            ))}
          </ul>
        </section>
      ) : (
        <p class="flash flash-ok">All is well: backups are current, the disk has room and the database schema is current.</p>
      )}

      <div class="tiles">
        <Tile num={backupTile.num} label={backupTile.label} bad={backupBad} />
        <Tile
          num={s.disk ? formatBytes(s.disk.freeBytes) : 'Unknown'}
          label={freePct === null ? 'disk free' : `disk free (${freePct} %)`}
          bad={!s.disk || s.disk.low}
        />
        <Tile num={formatBytes(s.dbBytes + s.walBytes)} label="database with its WAL" />
        <Tile num={s.events.total.toLocaleString('en-IN')} label={`events, ${s.events.lastHour.toLocaleString('en-IN')} in the last hour`} />
      </div>

      <div class="columns">
        <BackupCard s={s} zone={zone} />
        <section class="card" aria-labelledby="h-server">
          <h2 id="h-server">Server</h2>
          <dl class="facts">
            <Fact term="Version" value={s.version} />
            <Fact
              term="Schema"
              value={`${s.schemaApplied} applied, ${s.schemaKnown} known to this version`}
              bad={s.schemaApplied !== s.schemaKnown}
            />
            <Fact term="SQLite" value={s.sqlite} />
            <Fact term="Mode" value={s.mode} />
            <Fact term="Up for" value={formatDuration(s.uptimeSeconds)} note={`since ${when(s.startedAt)}`} />
          </dl>
        </section>
      </div>

      {s.sync || s.hub ? <div class="columns">{s.sync ? <SyncCard s={s} zone={zone} /> : <HubCard s={s} />}</div> : null}

      <div class="columns">
        <section class="card" aria-labelledby="h-storage">
          <h2 id="h-storage">Storage</h2>
          <dl class="facts">
            <Fact term="Data folder" value={s.dataDir} />
            <Fact term="Database" value={formatBytes(s.dbBytes)} />
            <Fact term="Write-ahead log" value={formatBytes(s.walBytes)} />
            <Fact
              term="Disk free"
              value={s.disk ? `${formatBytes(s.disk.freeBytes)} of ${formatBytes(s.disk.totalBytes)}${freePct === null ? '' : ` (${freePct} %)`}` : 'unknown'}
              bad={!s.disk || s.disk.low}
              note="Red below 1 GB or 10 % free."
            />
            <Fact
              term="Last rebuild"
              value={s.lastRebuild ? `${when(s.lastRebuild.at)}: ${s.lastRebuild.events.toLocaleString('en-IN')} events in ${s.lastRebuild.seconds.toFixed(2)} s` : 'never'}
              note="mymedic rebuild refills the read tables from the event log."
            />
          </dl>
        </section>
        <section class="card" aria-labelledby="h-activity">
          <h2 id="h-activity">Activity</h2>
          <dl class="facts">
            <Fact term="Events" value={s.events.total.toLocaleString('en-IN')} note={s.events.lastAt ? `last at ${when(s.events.lastAt)}` : 'none yet'} />
            <Fact term="Last hour" value={count(s.events.lastHour, 'event', 'events')} />
            <Fact term="Signed in" value={`${count(s.sessions.web, 'browser session', 'browser sessions')}, ${count(s.sessions.api, 'API token', 'API tokens')}`} />
            <Fact term="Staff accounts" value={`${s.users.active} active of ${s.users.total}`} />
            <Fact term="Branches" value={`${s.branches.active} open of ${s.branches.total}`} />
          </dl>
        </section>
      </div>

      <section class="card" aria-labelledby="h-upgrades">
        <h2 id="h-upgrades">Upgrades</h2>
        <p>
          Before a new version changes the database schema, it saves the database as it was in <code safe>{`${s.dataDir}/backups`}</code> (the last three are
          kept). To go back, <code>install.sh --rollback</code> puts the previous version back; if the new one already migrated the database, restore its copy
          first: <code>mymedic restore --from FILE --data NEWDIR</code>.
        </p>
        {s.preMigrationSnapshots.length ? (
          <div class="table-wrap" tabindex="0" role="region" aria-labelledby="h-upgrades">
            <table class="list">
              <caption class="sr-only">Copies taken before migrating</caption>
              <thead>
                <tr>
                  <th scope="col">Taken</th>
                  <th scope="col">Schema</th>
                  <th scope="col">Size</th>
                  <th scope="col">File</th>
                </tr>
              </thead>
              <tbody>
                {s.preMigrationSnapshots.map((p) => (
                  <tr>
                    <td class="nowrap" safe>
                      {when(p.at)}
                    </td>
                    <td class="nowrap" safe>
                      {`${p.from} → ${p.to}`}
                    </td>
                    <td class="nowrap" safe>
                      {formatBytes(p.bytes)}
                    </td>
                    <td safe>{p.file}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p class="empty">No upgrade has migrated this database yet.</p>
        )}
      </section>
    </Layout>
  );
}
