// The HQ views as downloads: CSV (RFC 4180 behind a UTF-8 BOM, via src/billing/reports.ts's
// csvOf) and XLSX (exceljs). Amounts are rupees with two decimals (headers say ₹), counts
// whole numbers, rates percent; an empty cell means "none" (no close, no chain price).
import { METHOD_LABELS, METHODS, rupeesText, safeText, csvOf } from '../billing/reports';
import type { DailyFigures, DailyReport, HqBranch, PriceVarianceRow } from './queries';

type Cell = { text: string } | { paise: number } | { count: number } | { ratio: number } | { none: true };

export interface Sheet {
  name: string;
  header: string[];
  rows: Cell[][];
  widths: number[];
}

const text = (s: string | null | undefined): Cell => (s ? { text: s } : { none: true });
const paise = (n: number | null): Cell => (n === null ? { none: true } : { paise: n });
const count = (n: number | null): Cell => (n === null ? { none: true } : { count: n });
const ratio = (n: number | null): Cell => (n === null ? { none: true } : { ratio: n });

const DAILY_HEADER = [
  'Date',
  'Branch code',
  'Branch',
  'Appointments',
  'Cancelled',
  'Walk-ins',
  'No-shows',
  'No-show rate (%)',
  ...METHODS.map((m) => `${METHOD_LABELS[m]} (₹)`),
  'Collected (₹)',
  'Refunds (₹)',
  'Net (₹)',
  'Day-close variance (₹)',
  'Counters closed',
];

const figureCells = (f: DailyFigures): Cell[] => [
  count(f.appointments),
  count(f.cancelled),
  count(f.walk_ins),
  count(f.no_shows),
  ratio(f.no_show_rate),
  ...METHODS.map((m) => paise(f.collected[m])),
  paise(f.collected_total),
  paise(f.refunds),
  paise(f.net),
  paise(f.day_close_variance),
  count(f.counters_closed),
];

/** Branch rows, then one "Chain total" row per date, then the range's total ("All days"). */
export function dailySheet(r: DailyReport): Sheet {
  return {
    name: 'Daily',
    header: DAILY_HEADER,
    rows: [
      ...r.rows.map((x) => [text(x.date), text(x.branch_code), text(x.branch_name), ...figureCells(x)]),
      ...r.byDate.map((d) => [text(d.date), { none: true } as Cell, text('Chain total'), ...figureCells(d)]),
      [text('All days'), { none: true }, text('Chain total'), ...figureCells(r.overall)],
    ],
    widths: [12, 10, 24, 12, 10, 10, 10, 12, 12, 12, 12, 12, 14, 12, 14, 16, 10],
  };
}

export function priceVarianceSheet(rows: PriceVarianceRow[]): Sheet {
  return {
    name: 'Price variance',
    header: ['Branch code', 'Branch', 'Item code', 'Description', 'Lines', 'Quantity', 'Min unit price (₹)', 'Max unit price (₹)', 'Avg unit price (₹)', 'Chain price (₹)', 'Difference per unit (₹)', 'Lines off chain price'],
    rows: rows.map((x) => [
      text(x.branch_code),
      text(x.branch_name),
      text(x.item_code),
      text(x.description),
      count(x.lines),
      count(x.qty),
      paise(x.min_unit_price),
      paise(x.max_unit_price),
      paise(x.avg_unit_price),
      paise(x.chain_price),
      paise(x.difference),
      count(x.lines_off_chain),
    ]),
    widths: [10, 24, 12, 28, 8, 10, 14, 14, 14, 14, 16, 12],
  };
}

export function branchesSheet(rows: HqBranch[]): Sheet {
  return {
    name: 'Branches',
    header: ['Code', 'Name', 'Kind', 'Health', 'Last sync (UTC)', 'Lag (events)', 'Lag (seconds)'],
    rows: rows.map((b) => [text(b.code), text(b.name), text(b.kind), text(b.health), text(b.last_sync_at), count(b.lag_events), count(b.lag_seconds)]),
    widths: [10, 24, 8, 12, 26, 12, 12],
  };
}

const csvCell = (c: Cell): string =>
  'text' in c ? safeText(c.text) : 'paise' in c ? rupeesText(c.paise) : 'count' in c ? String(c.count) : 'ratio' in c ? (c.ratio * 100).toFixed(1) : '';

export function sheetCsv(s: Sheet): string {
  return csvOf([s.header, ...s.rows.map((r) => r.map(csvCell))]);
}

/** One sheet as an XLSX workbook: header row bold and frozen, amounts as numbers in rupees. */
export async function sheetXlsx(s: Sheet, meta: { title: string; clinic: string; created: Date }): Promise<Uint8Array<ArrayBuffer>> {
  // Loaded on first use: the workbook library is large and only exports need it.
  const { default: ExcelJS } = await import('exceljs');
  const wb = new ExcelJS.Workbook();
  wb.creator = 'MyMedic';
  wb.created = meta.created;
  wb.title = meta.title;
  wb.company = meta.clinic;
  const ws = wb.addWorksheet(s.name, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.addRow(s.header).font = { bold: true };
  for (const row of s.rows) {
    const added = ws.addRow(row.map((c) => ('text' in c ? c.text : 'paise' in c ? c.paise / 100 : 'count' in c ? c.count : 'ratio' in c ? c.ratio : null)));
    row.forEach((c, i) => {
      if ('paise' in c) added.getCell(i + 1).numFmt = '#,##0.00';
      if ('ratio' in c) added.getCell(i + 1).numFmt = '0.0%';
    });
  }
  s.widths.forEach((w, i) => (ws.getColumn(i + 1).width = w));
  const buf = (await wb.xlsx.writeBuffer()) as unknown as Uint8Array;
  const out = new Uint8Array(new ArrayBuffer(buf.byteLength));
  out.set(buf);
  return out;
}
