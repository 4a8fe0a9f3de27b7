// Sync figures for /metrics: at a branch, how far behind the hub is; at the hub, per branch.
import type { Services } from '../http/services';
import { describeHub } from './link';
import { branchSyncStatus, hubBranches } from './status';

export function addSyncGauges(svc: Services): void {
  const { db, origin, clock } = svc.kernel;
  const m = svc.metrics;
  if (svc.config.mode === 'branch') {
    const status = () => branchSyncStatus(db, origin, svc.sync ? describeHub(svc.sync.client.link) : null, clock.now());
    m.gauge('mymedic_sync_lag_events', "At a branch: this branch's events the hub does not hold yet", () => status().lag_events);
    m.gauge('mymedic_sync_lag_seconds', 'At a branch: age of the oldest event the hub does not hold yet (0 when caught up)', () => status().lag_seconds);
    m.gauge('mymedic_sync_connected', 'At a branch: 1 when the last sync round reached the hub, else 0', () => (svc.sync?.connected ? 1 : 0));
  }
  if (svc.config.mode === 'hub') {
    const rows = () => hubBranches(db, clock.now()).filter((r) => r.branch_id);
    const per = (pick: (r: ReturnType<typeof rows>[number]) => number) => () => rows().map((r) => ({ labels: { branch: r.code }, value: pick(r) }));
    m.labelledGauge('mymedic_sync_branch_lag_events', 'At the hub: events a branch said it holds that the hub does not', per((r) => r.lag_events));
    m.labelledGauge('mymedic_sync_branch_lag_seconds', 'At the hub: how far behind the branch the hub is, in seconds of its log', per((r) => r.lag_seconds));
    m.labelledGauge('mymedic_sync_branch_last_push_age_seconds', 'At the hub: seconds since the branch last pushed (its heartbeat included)', per((r) =>
      r.last_push_at ? Math.round((clock.now().getTime() - Date.parse(r.last_push_at)) / 1000) : -1,
    ));
    m.labelledGauge('mymedic_sync_branch_flagged', 'At the hub: 1 when a refused batch flagged the branch', per((r) => (r.flagged_reason ? 1 : 0)));
  }
}
