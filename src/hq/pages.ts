// HQ pages at the hub (read only, `hq.read`): /hq the branches and their sync health,
// /hq/daily the chain's days, /hq/prices price variance. Same queries as ./routes.ts; the
// downloads are the REST routes' .csv/.xlsx (a browser session may call them). A bad date
// range renders the page again with the message and a 400.
import { Elysia, t } from 'elysia';
import { HqBranchesPage } from '../../views/hq/branches';
import { HqDailyPage } from '../../views/hq/daily';
import { HqPricesPage } from '../../views/hq/prices';
import { HqAnnouncementsPage } from '../../views/hq/announcements';
import { allAnnouncements, postAnnouncement, withdrawAnnouncement } from '../chain/announcements';
import { chainOrigin } from '../kernel';
import { randomToken, isUuid } from '../core/ids';
import { actorOf } from '../core/scope';
import { can } from '../http/permissions';
import { idempotencyOf } from '../http/idempotency';
import { formFields, redirectWithFlash, takeFlash } from '../http/page';
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
    )
    .get('/hq/announcements', ({ scope, request }) => {
      assertHub(svc);
      const headers: Record<string, string> = { ...NO_STORE };
      return announcementsPage(scope, { flash: takeFlash(request, headers) }, headers);
    }, { auth: 'hq.read', detail: { hide: true } })
    .post('/hq/announcements', ({ scope, body, request }) => {
      assertHub(svc);
      const f = formFields(body);
      const values = { title: f.title ?? '', body: f.body ?? '', show_until: f.show_until ?? '' };
      try {
        const idem = idempotencyOf(scope, request, values, f._form_token || undefined);
        svc.kernel.runner.runIdempotent({ actor: actorOf(scope), origin: chainOrigin(db, true)! }, idem, (tx) => {
          postAnnouncement(tx, { title: values.title, body: values.body, show_until: values.show_until.trim() || null }, scope.name, branchToday(svc, scope));
          return { status: 201, body: null };
        });
        return redirectWithFlash('/hq/announcements', { kind: 'ok', text: 'Posted: every branch shows it once synced.' });
      } catch (e) {
        if (e instanceof DomainError && e.status >= 400 && e.status < 500 && e.status !== 401 && e.status !== 403) {
          const field = typeof e.details?.field === 'string' ? e.details.field : null;
          return announcementsPage(scope, { values, error: { message: e.message, field } }, { ...NO_STORE }, e.status);
        }
        throw e;
      }
    }, { auth: 'chain.manage', detail: { hide: true } })
    .post('/hq/announcements/:id/withdraw', ({ scope, params }) => {
      assertHub(svc);
      try {
        if (!isUuid(params.id)) throw new DomainError(404, 'not_found', 'Announcement not found');
        svc.kernel.runner.run({ actor: actorOf(scope), origin: chainOrigin(db, true)! }, (tx) => withdrawAnnouncement(tx, params.id));
        return redirectWithFlash('/hq/announcements', { kind: 'ok', text: 'Withdrawn: branches stop showing it once synced.' });
      } catch (e) {
        if (e instanceof DomainError && (e.status === 404 || e.status === 409)) return redirectWithFlash('/hq/announcements', { kind: 'error', text: e.message });
        throw e;
      }
    }, { auth: 'chain.manage', detail: { hide: true } });

  function announcementsPage(
    scope: Scope,
    opts: { flash?: ReturnType<typeof takeFlash>; values?: { title?: string; body?: string; show_until?: string }; error?: { message: string; field: string | null } },
    headers: Record<string, string>,
    status = 200,
  ) {
    return html(
      HqAnnouncementsPage({
        ...common(scope),
        timeZone: getBranch(db, scope.branchId)?.timezone ?? 'Asia/Kolkata',
        today: branchToday(svc, scope),
        items: allAnnouncements(db),
        canManage: can(scope.role, 'chain.manage'),
        formToken: randomToken(18),
        values: opts.values,
        error: opts.error ?? null,
        flash: opts.flash ?? null,
      }) as string,
      status,
      headers,
    );
  }
}
