// HQ at the hub: the chain's numbers, read from the hub's projections of every branch's
// events (the same read tables as at a branch, keyed by branch_id). Three views, each
// restricted to the branches the caller may see:
//   hqBranches     each branch's sync health (from src/sync/status.ts), the hub's own too
//   hqDaily        per branch per business day: appointments, walk-ins, no-shows,
//                  collections by method, refunds, day-close variance; chain totals
//   priceVariance  per branch per item: what invoice lines charged vs the chain list price
// Read only: nothing here writes. Money is integer paise.
import type { Database } from 'bun:sqlite';
import type { PaymentMethod } from '../billing/events';
import { divRound } from '../billing/money';
import { CHAIN, priceOn } from '../billing/queries';
import { METHODS } from '../billing/reports';
import { listBranches } from '../org/queries';
import { addDays } from '../scheduling/time';
import { type BranchHealth, hubBranches } from '../sync/status';

/** Longest date range a daily or price-variance query covers. */
export const MAX_RANGE_DAYS = 92;
/** Days covered when no range is given (ending today). */
export const DEFAULT_RANGE_DAYS = 7;

export interface HqBranch {
  /** Null for a registration whose branch has not joined yet (its branch is unknown here). */
  id: string | null;
  code: string;
  name: string | null;
  timezone: string | null;
  /** 'hub': the hub's own branch, whose figures are always current. */
  kind: 'hub' | 'branch';
  last_sync_at: string | null;
  lag_events: number;
  lag_seconds: number;
  health: BranchHealth;
  flagged_reason: string | null;
  last_error: string | null;
}

/**
 * Every branch the caller may see with its sync health. A registration that has not joined
 * has no branch yet, so only chain-wide callers (owner, hq) see it.
 */
export function hqBranches(db: Database, branchIds: string[], chainWide: boolean, now: Date): HqBranch[] {
  const allowed = new Set(branchIds);
  const regs = hubBranches(db, now);
  const joined = new Set(regs.map((r) => r.branch_id).filter((id): id is string => !!id));
  const out: HqBranch[] = regs
    .filter((r) => (r.branch_id ? allowed.has(r.branch_id) : chainWide))
    .map((r) => ({
      id: r.branch_id,
      code: r.code,
      name: r.name,
      timezone: r.timezone,
      kind: 'branch' as const,
      last_sync_at: r.last_push_at,
      lag_events: r.lag_events,
      lag_seconds: r.lag_seconds,
      health: r.health,
      flagged_reason: r.flagged_reason,
      last_error: r.last_error,
    }));
  for (const b of listBranches(db, branchIds)) {
    if (joined.has(b.id)) continue;
    out.push({ id: b.id, code: b.code, name: b.name, timezone: b.timezone, kind: 'hub', last_sync_at: null, lag_events: 0, lag_seconds: 0, health: 'ok', flagged_reason: null, last_error: null });
  }
  return out.sort((a, b) => a.code.localeCompare(b.code));
}

// ---- daily figures

export type MethodAmounts = Record<PaymentMethod, number>;

export interface DailyFigures {
  /** Appointments for the day, not cancelled. */
  appointments: number;
  cancelled: number;
  /** Of those, the ones whose time has come (the no-show rate's denominator). */
  due: number;
  walk_ins: number;
  no_shows: number;
  /** no_shows / due, 0..1 (4 decimals); null when nothing was due. */
  no_show_rate: number | null;
  /** Payments taken, by method (gross: refunds are separate). */
  collected: MethodAmounts;
  collected_total: number;
  refunds: number;
  /** collected_total − refunds. */
  net: number;
  /** Sum of the variances of the counters closed that day; null when none closed. */
  day_close_variance: number | null;
  counters_closed: number;
}

export interface DailyRow extends DailyFigures {
  branch_id: string;
  branch_code: string;
  branch_name: string;
  date: string;
}

export interface DailyReport {
  from: string;
  to: string;
  branches: { id: string; code: string; name: string }[];
  /** Every branch × every date of the range, by date then branch code. */
  rows: DailyRow[];
  /** The chain (the caller's branches together) per date. */
  byDate: (DailyFigures & { date: string })[];
  overall: DailyFigures;
}

const emptyFigures = (): DailyFigures => ({
  appointments: 0,
  cancelled: 0,
  due: 0,
  walk_ins: 0,
  no_shows: 0,
  no_show_rate: null,
  collected: Object.fromEntries(METHODS.map((m) => [m, 0])) as MethodAmounts,
  collected_total: 0,
  refunds: 0,
  net: 0,
  day_close_variance: null,
  counters_closed: 0,
});

const rate = (noShows: number, due: number) => (due > 0 ? Math.round((noShows / due) * 10_000) / 10_000 : null);

function addInto(into: DailyFigures, f: DailyFigures): void {
  into.appointments += f.appointments;
  into.cancelled += f.cancelled;
  into.due += f.due;
  into.walk_ins += f.walk_ins;
  into.no_shows += f.no_shows;
  for (const m of METHODS) into.collected[m] += f.collected[m];
  into.collected_total += f.collected_total;
  into.refunds += f.refunds;
  into.net += f.net;
  if (f.day_close_variance !== null) into.day_close_variance = (into.day_close_variance ?? 0) + f.day_close_variance;
  into.counters_closed += f.counters_closed;
  into.no_show_rate = rate(into.no_shows, into.due);
}

/** Dates from..to inclusive (both YYYY-MM-DD, from ≤ to). */
export function datesBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

type Keyed = { branch_id: string; date: string };

/** The daily figures of the caller's branches over from..to (business dates in each branch's zone). */
export function hqDaily(db: Database, branchIds: string[], from: string, to: string, now: Date): DailyReport {
  const branches = listBranches(db, branchIds).map((b) => ({ id: b.id, code: b.code, name: b.name }));
  const ids = JSON.stringify(branches.map((b) => b.id));
  const args = [ids, from, to] as const;
  const cells = new Map<string, DailyFigures>();
  const cell = (r: Keyed) => {
    const k = `${r.branch_id}|${r.date}`;
    let f = cells.get(k);
    if (!f) cells.set(k, (f = emptyFigures()));
    return f;
  };
  const inScope = 'branch_id IN (SELECT value FROM json_each(?1))';

  const appts = db
    .query(
      `SELECT branch_id, local_date AS date,
              sum(status <> 'cancelled') AS appointments,
              sum(status = 'cancelled') AS cancelled,
              sum(status = 'no_show') AS no_shows,
              sum(status IN ('checked_in', 'completed', 'no_show') OR (status = 'booked' AND julianday(start) <= julianday(?4))) AS due
         FROM appointments WHERE ${inScope} AND local_date BETWEEN ?2 AND ?3
        GROUP BY branch_id, local_date`,
    )
    .all(...args, now.toISOString()) as (Keyed & { appointments: number; cancelled: number; no_shows: number; due: number })[];
  for (const r of appts) Object.assign(cell(r), { appointments: r.appointments, cancelled: r.cancelled, no_shows: r.no_shows, due: r.due });

  const walkIns = db
    .query(`SELECT branch_id, date, count(*) AS n FROM queue_tokens WHERE ${inScope} AND kind = 'walk_in' AND date BETWEEN ?2 AND ?3 GROUP BY branch_id, date`)
    .all(...args) as (Keyed & { n: number })[];
  for (const r of walkIns) cell(r).walk_ins = r.n;

  const paid = db
    .query(`SELECT branch_id, business_date AS date, method, sum(amount) AS amount FROM payments WHERE ${inScope} AND business_date BETWEEN ?2 AND ?3 GROUP BY branch_id, business_date, method`)
    .all(...args) as (Keyed & { method: PaymentMethod; amount: number })[];
  for (const r of paid) {
    const f = cell(r);
    if (r.method in f.collected) f.collected[r.method] += r.amount;
    f.collected_total += r.amount;
  }

  const refunded = db
    .query(`SELECT branch_id, business_date AS date, sum(amount) AS amount FROM refunds WHERE ${inScope} AND business_date BETWEEN ?2 AND ?3 GROUP BY branch_id, business_date`)
    .all(...args) as (Keyed & { amount: number })[];
  for (const r of refunded) cell(r).refunds = r.amount;

  const closes = db
    .query(`SELECT branch_id, business_date AS date, sum(variance) AS variance, count(*) AS n FROM day_closes WHERE ${inScope} AND business_date BETWEEN ?2 AND ?3 GROUP BY branch_id, business_date`)
    .all(...args) as (Keyed & { variance: number; n: number })[];
  for (const r of closes) Object.assign(cell(r), { day_close_variance: r.variance, counters_closed: r.n });

  const rows: DailyRow[] = [];
  const byDate: (DailyFigures & { date: string })[] = [];
  const overall = emptyFigures();
  for (const date of datesBetween(from, to)) {
    const day = { date, ...emptyFigures() };
    for (const b of branches) {
      const f = cells.get(`${b.id}|${date}`) ?? emptyFigures();
      f.net = f.collected_total - f.refunds;
      f.no_show_rate = rate(f.no_shows, f.due);
      rows.push({ branch_id: b.id, branch_code: b.code, branch_name: b.name, date, ...f });
      addInto(day, f);
    }
    byDate.push(day);
    addInto(overall, day);
  }
  return { from, to, branches, rows, byDate, overall };
}

// ---- price variance

export interface PriceVarianceRow {
  branch_id: string;
  branch_code: string;
  branch_name: string;
  item_code: string;
  /** The description on the latest line billed. */
  description: string;
  lines: number;
  qty: number;
  min_unit_price: number;
  max_unit_price: number;
  /** Per unit, weighted by quantity, rounded to the paisa. */
  avg_unit_price: number;
  /** The chain list price on the latest date the item was billed; null when not in the chain list. */
  chain_price: number | null;
  /**
   * Per unit, weighted by quantity: unit price − the chain price in effect on each line's
   * business date, over the lines that had a chain price; null when none had.
   */
  difference: number | null;
  /** Lines whose unit price differs from the chain price of their date; null when none had one. */
  lines_off_chain: number | null;
}

interface BilledLine {
  branch_id: string;
  date: string;
  item_code: string;
  description: string;
  qty: number;
  unit_price: number;
}

/** What each branch charged per item over from..to (invoice lines, before discount and GST) against the chain's list. */
export function priceVariance(db: Database, branchIds: string[], from: string, to: string): PriceVarianceRow[] {
  const branches = new Map(listBranches(db, branchIds).map((b) => [b.id, b]));
  const lines = db
    .query(
      `SELECT i.branch_id, i.business_date AS date,
              upper(json_extract(l.value, '$.item_code')) AS item_code, json_extract(l.value, '$.description') AS description,
              json_extract(l.value, '$.qty') AS qty, json_extract(l.value, '$.unit_price') AS unit_price
         FROM invoices i, json_each(i.lines) l
        WHERE i.branch_id IN (SELECT value FROM json_each(?1)) AND i.business_date BETWEEN ?2 AND ?3
        ORDER BY i.branch_id, item_code, i.business_date, i.issued_at`,
    )
    .all(JSON.stringify([...branches.keys()]), from, to) as BilledLine[];
  const chainOn = new Map<string, number | null>();
  const chainPrice = (code: string, date: string) => {
    const k = `${code}|${date}`;
    if (!chainOn.has(k)) chainOn.set(k, priceOn(db, CHAIN, code, date)?.unit_price ?? null);
    return chainOn.get(k)!;
  };
  type Acc = PriceVarianceRow & { sum: number; diffSum: number; diffQty: number; lastDate: string };
  const groups = new Map<string, Acc>();
  for (const l of lines) {
    if (typeof l.item_code !== 'string' || typeof l.unit_price !== 'number' || typeof l.qty !== 'number') continue;
    const key = `${l.branch_id}|${l.item_code}`;
    let g = groups.get(key);
    if (!g) {
      const b = branches.get(l.branch_id)!;
      g = {
        branch_id: l.branch_id,
        branch_code: b.code,
        branch_name: b.name,
        item_code: l.item_code,
        description: '',
        lines: 0,
        qty: 0,
        min_unit_price: l.unit_price,
        max_unit_price: l.unit_price,
        avg_unit_price: 0,
        chain_price: null,
        difference: null,
        lines_off_chain: null,
        sum: 0,
        diffSum: 0,
        diffQty: 0,
        lastDate: l.date,
      };
      groups.set(key, g);
    }
    g.description = String(l.description ?? '');
    g.lines++;
    g.qty += l.qty;
    g.sum += l.qty * l.unit_price;
    g.min_unit_price = Math.min(g.min_unit_price, l.unit_price);
    g.max_unit_price = Math.max(g.max_unit_price, l.unit_price);
    g.lastDate = l.date;
    const chain = chainPrice(l.item_code, l.date);
    if (chain !== null) {
      g.diffSum += l.qty * (l.unit_price - chain);
      g.diffQty += l.qty;
      g.lines_off_chain = (g.lines_off_chain ?? 0) + (l.unit_price === chain ? 0 : 1);
    }
  }
  return [...groups.values()]
    .map(({ sum, diffSum, diffQty, lastDate, ...g }) => ({
      ...g,
      avg_unit_price: g.qty ? divRound(sum, g.qty) : 0,
      chain_price: chainPrice(g.item_code, lastDate),
      difference: diffQty ? divRound(diffSum, diffQty) : null,
    }))
    .sort((a, b) => a.branch_code.localeCompare(b.branch_code) || a.item_code.localeCompare(b.item_code));
}
