// HQ: every branch the viewer may see, with its sync health, last sync (in the viewer's
// time zone) and lag.
import type { HqBranch } from '../../src/hq/queries';
import { formatDateTime } from '../components';
import { Layout, type PageUser } from '../layout';
import { HealthBadge, HqTabs } from './common';

export interface HqBranchesPageProps {
  user: PageUser;
  clinicName: string | null;
  timeZone: string;
  now: string;
  branches: HqBranch[];
}

/** "45 s", "12 min", "3 h", "2 days". */
export function formatAge(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h`;
  const d = Math.floor(seconds / 86_400);
  return `${d} day${d === 1 ? '' : 's'}`;
}

function LastSync({ b, now, timeZone }: { b: HqBranch; now: string; timeZone: string }) {
  if (b.kind === 'hub') return <span class="muted">This hub</span>;
  if (!b.last_sync_at) return <span class="muted">Never</span>;
  const ago = Math.max(0, Math.round((Date.parse(now) - Date.parse(b.last_sync_at)) / 1000));
  return (
    <>
      <time datetime={b.last_sync_at} safe>
        {formatDateTime(b.last_sync_at, timeZone)}
      </time>
      <small class="hint" safe>
        {`${formatAge(ago)} ago`}
      </small>
    </>
  );
}

export function HqBranchesPage(p: HqBranchesPageProps) {
  const problems = p.branches.filter((b) => b.health !== 'ok').length;
  return (
    <Layout title="HQ · Branches" user={p.user} clinicName={p.clinicName} active="hq">
      <div class="page-head">
        <div>
          <h1>Branches</h1>
          <p class="muted" safe>
            {`${p.branches.length} branch${p.branches.length === 1 ? '' : 'es'} · ${problems ? `${problems} need${problems === 1 ? 's' : ''} attention` : 'all in sync'} · times in ${p.timeZone}`}
          </p>
        </div>
      </div>
      <HqTabs active="branches" />
      <div class="actions downloads">
        <a class="button" href="/api/v1/hq/branches.csv">
          Download CSV
        </a>
        <a class="button" href="/api/v1/hq/branches.xlsx">
          Download XLSX
        </a>
      </div>
      <section class="card" aria-labelledby="branches-h">
        <h2 id="branches-h">Sync health</h2>
        {p.branches.length ? (
          <div class="table-wrap" tabindex="0" role="region" aria-labelledby="branches-h">
            <table class="list" id="hq-branches">
              <thead>
                <tr>
                  <th scope="col">Code</th>
                  <th scope="col">Branch</th>
                  <th scope="col">Health</th>
                  <th scope="col">Last sync</th>
                  <th scope="col" class="num">
                    Lag (events)
                  </th>
                  <th scope="col" class="num">
                    Lag (time)
                  </th>
                </tr>
              </thead>
              <tbody>
                {p.branches.map((b) => (
                  <tr data-code={b.code}>
                    <th scope="row" class="mono" safe>
                      {b.code}
                    </th>
                    <td>
                      <span safe>{b.name ?? '—'}</span>
                      {b.flagged_reason ? (
                        <small class="hint" safe>
                          {b.flagged_reason}
                        </small>
                      ) : null}
                    </td>
                    <td>
                      <HealthBadge health={b.health} />
                    </td>
                    <td>
                      <LastSync b={b} now={p.now} timeZone={p.timeZone} />
                    </td>
                    <td class="num" safe>
                      {b.lag_events.toLocaleString('en-IN')}
                    </td>
                    <td class="num">
                      {b.lag_seconds ? formatAge(b.lag_seconds) : '—'}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p class="empty">No branches yet. Register one with mymedic hub add-branch CODE.</p>
        )}
      </section>
    </Layout>
  );
}
