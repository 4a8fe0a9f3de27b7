// REST for the HQ views at the hub (read only, `hq.read`: owner, admin, hq). Each answers
// JSON, or the same figures as CSV/XLSX at the same path with `.csv`/`.xlsx`:
//   GET /api/v1/hq/branches[.csv|.xlsx]                     sync health per branch
//   GET /api/v1/hq/daily[.csv|.xlsx]?from=&to=             per branch per business day, chain totals
//   GET /api/v1/hq/price-variance[.csv|.xlsx]?from=&to=    invoice prices vs the chain list
// Only a hub has every branch's events: elsewhere 404 `not_a_hub`. Every query covers only
// the caller's branches (scope.branchIds): a branch admin at the hub sees their branches.
import { Elysia, t } from 'elysia';
import { dateParam } from '../billing/routes';
import { badRequest, DomainError } from '../core/errors';
import type { Scope } from '../core/scope';
import type { authGuard } from '../http/guard';
import type { Services } from '../http/services';
import { getClinic } from '../org/queries';
import { branchToday } from '../patients/routes';
import { addDays } from '../scheduling/time';
import { branchesSheet, dailySheet, priceVarianceSheet, type Sheet, sheetCsv, sheetXlsx } from './export';
import { type DailyFigures, type DailyReport, DEFAULT_RANGE_DAYS, type HqBranch, hqBranches, hqDaily, MAX_RANGE_DAYS, type PriceVarianceRow, priceVariance } from './queries';

const money = (amount: number) => ({ amount, currency: 'INR' as const });
const moneyOrNull = (amount: number | null) => (amount === null ? null : money(amount));

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export function assertHub(svc: Services): void {
  if (svc.config.mode !== 'hub') throw new DomainError(404, 'not_a_hub', 'The HQ views are at the chain’s hub; this server is not a hub');
}

/** Owners and HQ see the whole chain, including branches registered but not joined yet. */
export const isChainWide = (scope: Scope) => scope.role === 'owner' || scope.role === 'hq';

export interface DateRange {
  from: string;
  to: string;
}

/** from..to from the query: real dates, from ≤ to, at most MAX_RANGE_DAYS days; default the last 7 days to today. */
export function rangeOf(raw: { from?: string; to?: string }, today: () => string): DateRange {
  const to = dateParam(raw.to, 'to', today);
  const from = dateParam(raw.from, 'from', () => addDays(to, -(DEFAULT_RANGE_DAYS - 1)));
  if (from > to) throw badRequest('invalid_range', `from (${from}) is after to (${to})`, { field: 'from' });
  if (addDays(from, MAX_RANGE_DAYS - 1) < to) throw badRequest('range_too_long', `A range covers at most ${MAX_RANGE_DAYS} days`, { field: 'to', max_days: MAX_RANGE_DAYS });
  return { from, to };
}

// ---- JSON shapes

export const hqBranchJson = (b: HqBranch) => ({
  id: b.id,
  code: b.code,
  name: b.name,
  timezone: b.timezone,
  kind: b.kind,
  last_sync_at: b.last_sync_at,
  lag_events: b.lag_events,
  lag_seconds: b.lag_seconds,
  health: b.health,
  flagged_reason: b.flagged_reason,
  last_error: b.last_error,
});

const figuresJson = (f: DailyFigures) => ({
  appointments: f.appointments,
  cancelled: f.cancelled,
  due: f.due,
  walk_ins: f.walk_ins,
  no_shows: f.no_shows,
  no_show_rate: f.no_show_rate,
  revenue: { cash: money(f.collected.cash), upi: money(f.collected.upi), card: money(f.collected.card), online: money(f.collected.online), total: money(f.collected_total) },
  refunds: money(f.refunds),
  net: money(f.net),
  day_close_variance: moneyOrNull(f.day_close_variance),
  counters_closed: f.counters_closed,
});

export const dailyJson = (r: DailyReport) => ({
  from: r.from,
  to: r.to,
  branches: r.branches,
  items: r.rows.map((x) => ({ date: x.date, branch_id: x.branch_id, branch_code: x.branch_code, ...figuresJson(x) })),
  totals: { by_date: r.byDate.map((d) => ({ date: d.date, ...figuresJson(d) })), overall: figuresJson(r.overall) },
  next_cursor: null,
});

export const varianceJson = (x: PriceVarianceRow) => ({
  branch_id: x.branch_id,
  branch_code: x.branch_code,
  item_code: x.item_code,
  description: x.description,
  lines: x.lines,
  qty: x.qty,
  min_unit_price: money(x.min_unit_price),
  max_unit_price: money(x.max_unit_price),
  avg_unit_price: money(x.avg_unit_price),
  chain_price: moneyOrNull(x.chain_price),
  difference: moneyOrNull(x.difference),
  lines_off_chain: x.lines_off_chain,
});

// ---- routes

const RangeQuery = t.Object({
  from: t.Optional(t.String({ maxLength: 10, description: 'First business date (YYYY-MM-DD); default 6 days before `to`' })),
  to: t.Optional(t.String({ maxLength: 10, description: 'Last business date (YYYY-MM-DD); default today' })),
});

const TAGS = ['hq'];

export function hqRoutes(svc: Services, guard: ReturnType<typeof authGuard>) {
  const { db, clock } = svc.kernel;
  const today = (scope: Scope) => () => branchToday(svc, scope);
  const branchesOf = (scope: Scope) => hqBranches(db, scope.branchIds, isChainWide(scope), clock.now());
  const dailyOf = (scope: Scope, q: { from?: string; to?: string }) => {
    const r = rangeOf(q, today(scope));
    return hqDaily(db, scope.branchIds, r.from, r.to, clock.now());
  };
  const varianceOf = (scope: Scope, q: { from?: string; to?: string }) => {
    const r = rangeOf(q, today(scope));
    return { ...r, items: priceVariance(db, scope.branchIds, r.from, r.to) };
  };

  const download = async (sheet: Sheet, format: 'csv' | 'xlsx', name: string, title: string) => {
    const headers = { 'cache-control': 'no-store', 'content-disposition': `attachment; filename="${name}.${format}"` };
    if (format === 'csv') return new Response(sheetCsv(sheet), { headers: { ...headers, 'content-type': 'text/csv; charset=utf-8' } });
    const bytes = await sheetXlsx(sheet, { title, clinic: getClinic(db)?.name ?? 'MyMedic', created: clock.now() });
    return new Response(bytes, { headers: { ...headers, 'content-type': XLSX_TYPE } });
  };

  let app = new Elysia({ name: 'hq-routes', seed: svc.kernel.origin })
    .use(guard)
    .get(
      '/api/v1/hq/branches',
      ({ scope }) => {
        assertHub(svc);
        return { items: branchesOf(scope).map(hqBranchJson), next_cursor: null };
      },
      {
        auth: 'hq.read',
        detail: {
          tags: TAGS,
          summary: 'Every branch’s sync health (hub only)',
          description:
            'Per branch the caller may see: `last_sync_at` (its last push), `lag_events` / `lag_seconds` (what it holds that the hub does not yet), `health` (`ok`, `behind`, `offline`, `flagged`, `revoked`, `not_joined`). `kind: "hub"` is the hub’s own branch (always current). Owners and HQ also see registrations not joined yet (`id: null`). Not a hub: 404 `not_a_hub`.',
        },
      },
    )
    .get(
      '/api/v1/hq/daily',
      ({ scope, query }) => {
        assertHub(svc);
        return dailyJson(dailyOf(scope, query));
      },
      {
        auth: 'hq.read',
        query: RangeQuery,
        detail: {
          tags: TAGS,
          summary: 'Daily figures per branch, with chain totals (hub only)',
          description:
            'One item per branch per business date from..to (default the last 7 days; at most 92, else 400 `range_too_long`; from after to: 400 `invalid_range`): `appointments` (that day, not cancelled), `cancelled`, `due` (of those, the ones whose time has come), `walk_ins`, `no_shows`, `no_show_rate` (no_shows / due, 0..1, null when none were due), `revenue` (payments taken by method and in total, gross), `refunds`, `net`, `day_close_variance` (sum over the counters closed that day; null when none closed), `counters_closed`. `totals.by_date` and `totals.overall` add up the caller’s branches.',
        },
      },
    )
    .get(
      '/api/v1/hq/price-variance',
      ({ scope, query }) => {
        assertHub(svc);
        const v = varianceOf(scope, query);
        return { from: v.from, to: v.to, items: v.items.map(varianceJson), next_cursor: null };
      },
      {
        auth: 'hq.read',
        query: RangeQuery,
        detail: {
          tags: TAGS,
          summary: 'What branches charged vs the chain price list (hub only)',
          description:
            'Per branch per item code billed from..to (invoice lines by business date, unit prices before discount and GST): `lines`, `qty`, `min_unit_price`, `max_unit_price`, `avg_unit_price` (per unit), `chain_price` (the chain list price on the latest date billed; null when the item is not in the chain list), `difference` (per unit: unit price − the chain price of each line’s date; null without a chain price), `lines_off_chain`.',
        },
      },
    );

  // The same three as downloads.
  for (const format of ['csv', 'xlsx'] as const) {
    const detail = (what: string) => ({ tags: TAGS, summary: `${what} as ${format.toUpperCase()} (hub only)`, description: `The figures of the JSON route as a ${format.toUpperCase()} download; amounts in rupees.` });
    app = app
      .get(
        `/api/v1/hq/branches.${format}`,
        ({ scope }) => {
          assertHub(svc);
          return download(branchesSheet(branchesOf(scope)), format, `hq-branches-${branchToday(svc, scope)}`, 'Branches');
        },
        { auth: 'hq.read', detail: detail('Branch sync health') },
      )
      .get(
        `/api/v1/hq/daily.${format}`,
        ({ scope, query }) => {
          assertHub(svc);
          const r = dailyOf(scope, query);
          return download(dailySheet(r), format, `hq-daily-${r.from}-${r.to}`, `Daily figures ${r.from} to ${r.to}`);
        },
        { auth: 'hq.read', query: RangeQuery, detail: detail('Daily figures') },
      )
      .get(
        `/api/v1/hq/price-variance.${format}`,
        ({ scope, query }) => {
          assertHub(svc);
          const v = varianceOf(scope, query);
          return download(priceVarianceSheet(v.items), format, `hq-price-variance-${v.from}-${v.to}`, `Price variance ${v.from} to ${v.to}`);
        },
        { auth: 'hq.read', query: RangeQuery, detail: detail('Price variance') },
      );
  }
  return app;
}
