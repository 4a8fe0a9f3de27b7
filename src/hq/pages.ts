// HQ pages at the hub (read only, `hq.read`): /hq the branches and their sync health,
// /hq/daily the chain's days, /hq/prices price variance. Same queries as ./routes.ts; the
// downloads are the REST routes' .csv/.xlsx (a browser session may call them). A bad date
// range renders the page again with the message and a 400.
import { Elysia, t } from 'elysia';
import { HqBranchesPage } from '../../views/hq/branches';
import { HqDailyPage } from '../../views/hq/daily';
import { HqPricesPage } from '../../views/hq/prices';
import { DomainError } from '../core/errors';
import type { Scope } from '../core/scope';
import type { authGuard } from '../http/guard';
import { clinicName, html, pageUser } from '../http/page';
import type { Services } from '../http/services';
import { getBranch } from '../org/queries';
import { branchToday } from '../patients/routes';
import { addDays } from '../scheduling/time';
import { DEFAULT_RANGE_DAYS, hqBranches, hqDaily, priceVariance } from './queries';
import { assertHub, type DateRange, isChainWide, rangeOf } from './routes';

const NO_STORE = { 'cache-control': 'no-store' };

const RangeQuery = t.Object({ from: t.Optional(t.String({ maxLength: 20 })), to: t.Optional(t.String({ maxLength: 20 })) });

export function hqPages(svc: Services, guard: ReturnType<typeof authGuard>) {
  const { db, clock } = svc.kernel;
  const common = (scope: Scope) => ({ user: pageUser(svc, scope), clinicName: clinicName(svc) });

  /** The range asked for, or the message why it cannot be shown (with the fields as typed, or the default range). */
  const rangeFor = (scope: Scope, q: { from?: string; to?: string }): { range: DateRange | null; from: string; to: string; error: string | null } => {
    const today = () => branchToday(svc, scope);
    try {
      const range = rangeOf(q, today);
      return { range, ...range, error: null };
    } catch (e) {
      if (!(e instanceof DomainError) || e.status !== 400) throw e;
      const to = q.to && q.to.length <= 10 ? q.to : today();
      return { range: null, from: q.from && q.from.length <= 10 ? q.from : addDays(today(), -(DEFAULT_RANGE_DAYS - 1)), to, error: e.message };
    }
  };

  return new Elysia({ name: 'hq-pages', seed: svc.kernel.origin })
    .use(guard)
    .get(
      '/hq',
      ({ scope }) => {
        assertHub(svc);
        const now = clock.now();
        return html(
          HqBranchesPage({
            ...common(scope),
            timeZone: getBranch(db, scope.branchId)?.timezone ?? 'Asia/Kolkata',
            now: now.toISOString(),
            branches: hqBranches(db, scope.branchIds, isChainWide(scope), now),
          }) as string,
          200,
          NO_STORE,
        );
      },
      { auth: 'hq.read', detail: { hide: true } },
    )
    .get(
      '/hq/daily',
      ({ scope, query }) => {
        assertHub(svc);
        const r = rangeFor(scope, query);
        const report = r.range ? hqDaily(db, scope.branchIds, r.range.from, r.range.to, clock.now()) : null;
        return html(HqDailyPage({ ...common(scope), from: r.from, to: r.to, report, error: r.error }) as string, r.error ? 400 : 200, NO_STORE);
      },
      { auth: 'hq.read', query: RangeQuery, detail: { hide: true } },
    )
    .get(
      '/hq/prices',
      ({ scope, query }) => {
        assertHub(svc);
        const r = rangeFor(scope, query);
        const items = r.range ? priceVariance(db, scope.branchIds, r.range.from, r.range.to) : null;
        return html(HqPricesPage({ ...common(scope), from: r.from, to: r.to, items, error: r.error }) as string, r.error ? 400 : 200, NO_STORE);
      },
      { auth: 'hq.read', query: RangeQuery, detail: { hide: true } },
    );
}
