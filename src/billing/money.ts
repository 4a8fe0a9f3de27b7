// Money is integer paise, always. GST is computed per line, rounded half-up to the paisa,
// and split into CGST and SGST halves (intra-state supply); the odd paisa goes to SGST.
import { unprocessable } from '../core/errors';

export interface Money {
  amount: number; // paise
  currency: string;
}

export const inr = (amount: number): Money => ({ amount, currency: 'INR' });

/** ₹1,23,456.78 — Indian digit grouping. */
export function formatInr(paise: number, symbol = '₹'): string {
  const neg = paise < 0;
  const abs = Math.abs(paise);
  const rupees = Math.floor(abs / 100);
  const p = String(abs % 100).padStart(2, '0');
  const s = String(rupees);
  const last3 = s.slice(-3);
  const rest = s.slice(0, -3).replace(/\B(?=(\d{2})+(?!\d))/g, ',');
  return `${neg ? '-' : ''}${symbol}${rest ? rest + ',' : ''}${last3}.${p}`;
}

/** Rounds a/b to the nearest integer, halves away from zero, for integers a and b > 0. */
export function divRound(a: number, b: number): number {
  const q = Math.floor(Math.abs(a) / b);
  const r = Math.abs(a) % b;
  const n = 2 * r >= b ? q + 1 : q;
  return a < 0 ? -n : n;
}

export interface LineInput {
  item_code: string;
  description: string;
  qty: number;
  unit_price: number; // paise
  /** Percent, up to two decimals (18, 5, 0.25); 0 with exempt=true for exempt supplies. */
  tax_rate: number;
  exempt?: boolean;
  sac_hsn?: string | null;
  discount?: number; // paise off this line
  discount_reason?: string | null;
}

export interface Line {
  item_code: string;
  description: string;
  sac_hsn: string | null;
  qty: number;
  unit_price: number;
  gross: number; // qty × unit price
  discount: number;
  discount_reason: string | null;
  taxable: number; // gross − discount
  tax_rate_bp: number; // basis points: 1800 = 18%
  exempt: boolean;
  cgst: number;
  sgst: number;
  total: number; // taxable + cgst + sgst
}

export interface Totals {
  gross: number;
  discount: number;
  taxable: number;
  cgst: number;
  sgst: number;
  tax: number;
  total: number;
  /** Per GST rate: the summary a tax invoice prints. */
  by_rate: { tax_rate_bp: number; exempt: boolean; taxable: number; cgst: number; sgst: number }[];
}

export type DocumentType = 'bill_of_supply' | 'invoice_cum_bill_of_supply' | 'tax_invoice';

export const DOCUMENT_TITLES: Record<DocumentType, string> = {
  bill_of_supply: 'Bill of Supply',
  invoice_cum_bill_of_supply: 'Invoice-cum-Bill of Supply',
  tax_invoice: 'Tax Invoice',
};

const MAX_AMOUNT = 100_000_000_00; // ₹10 crore in paise: far above any clinic bill

export function toBasisPoints(rate: number, field: string): number {
  const bp = Math.round(rate * 100);
  if (!Number.isFinite(rate) || rate < 0 || rate > 100 || Math.abs(bp - rate * 100) > 1e-6) {
    throw unprocessable('invalid_tax_rate', 'tax_rate must be a percentage from 0 to 100 with at most two decimals', { field });
  }
  return bp;
}

export function computeLine(l: LineInput, i: number): Line {
  const f = (name: string) => `lines.${i}.${name}`;
  if (!Number.isInteger(l.qty) || l.qty < 1 || l.qty > 10_000) throw unprocessable('invalid_qty', `Line ${i + 1}: quantity must be a whole number from 1 to 10,000`, { field: f('qty') });
  if (!Number.isInteger(l.unit_price) || l.unit_price < 0 || l.unit_price > MAX_AMOUNT) {
    throw unprocessable('invalid_amount', `Line ${i + 1}: unit price must be a whole number of paise, not negative`, { field: f('unit_price') });
  }
  const bp = toBasisPoints(l.tax_rate, f('tax_rate'));
  const exempt = l.exempt ?? bp === 0;
  if (exempt && bp !== 0) throw unprocessable('invalid_tax_rate', `Line ${i + 1}: an exempt line has no tax rate`, { field: f('tax_rate') });
  const gross = l.qty * l.unit_price;
  const discount = l.discount ?? 0;
  if (!Number.isInteger(discount) || discount < 0 || discount > gross) {
    throw unprocessable('invalid_discount', `Line ${i + 1}: the discount must be whole paise between 0 and the line's amount`, { field: f('discount') });
  }
  const taxable = gross - discount;
  const tax = divRound(taxable * bp, 10_000);
  const cgst = Math.floor(tax / 2);
  const sgst = tax - cgst;
  return {
    item_code: l.item_code,
    description: l.description,
    sac_hsn: l.sac_hsn ?? null,
    qty: l.qty,
    unit_price: l.unit_price,
    gross,
    discount,
    discount_reason: discount ? (l.discount_reason ?? null) : null,
    taxable,
    tax_rate_bp: bp,
    exempt,
    cgst,
    sgst,
    total: taxable + cgst + sgst,
  };
}

export function totalsOf(lines: readonly Line[]): Totals {
  const sum = (k: keyof Line) => lines.reduce((n, l) => n + (l[k] as number), 0);
  const groups = new Map<string, Totals['by_rate'][number]>();
  for (const l of lines) {
    const key = `${l.tax_rate_bp}:${l.exempt}`;
    const g = groups.get(key) ?? { tax_rate_bp: l.tax_rate_bp, exempt: l.exempt, taxable: 0, cgst: 0, sgst: 0 };
    g.taxable += l.taxable;
    g.cgst += l.cgst;
    g.sgst += l.sgst;
    groups.set(key, g);
  }
  const cgst = sum('cgst');
  const sgst = sum('sgst');
  return {
    gross: sum('gross'),
    discount: sum('discount'),
    taxable: sum('taxable'),
    cgst,
    sgst,
    tax: cgst + sgst,
    total: sum('total'),
    by_rate: [...groups.values()].sort((a, b) => a.tax_rate_bp - b.tax_rate_bp),
  };
}

/** CGST rule 46A: exempt only → Bill of Supply; taxable only → Tax Invoice; both → Invoice-cum-Bill of Supply. */
export function documentType(lines: readonly Line[]): DocumentType {
  const exempt = lines.some((l) => l.exempt);
  const taxable = lines.some((l) => !l.exempt);
  return exempt && taxable ? 'invoice_cum_bill_of_supply' : taxable ? 'tax_invoice' : 'bill_of_supply';
}

/** Indian financial year (April–March) of a local date, as "26-27". */
export function financialYear(localDate: string): string {
  const [y, m] = localDate.split('-').map(Number);
  const start = m >= 4 ? y : y - 1;
  return `${String(start % 100).padStart(2, '0')}-${String((start + 1) % 100).padStart(2, '0')}`;
}

export type Series = 'receipt' | 'refund' | 'invoice' | 'credit_note';
const SERIES_MARK: Record<Series, string> = { receipt: '', refund: 'R', invoice: 'I', credit_note: 'C' };

/**
 * Document numbers, gapless per branch, series and financial year, within GST's 16
 * characters (letters, digits, - and /): receipts BLR1/26-27/00123; the other series carry a
 * letter and a compact year to keep five digits: refunds BLR1/R2627/00012, invoices
 * BLR1/I2627/00012, credit notes BLR1/C2627/00012.
 */
export function documentNumber(branchCode: string, series: Series, fy: string, n: number): string {
  const mark = SERIES_MARK[series];
  const year = mark ? mark + fy.replace('-', '') : fy;
  const width = 16 - branchCode.length - 2 - year.length;
  const digits = String(n);
  if (!Number.isInteger(n) || n < 1 || digits.length > width) throw unprocessable('series_exhausted', `The ${series} number series for ${fy} has run out of numbers`);
  return `${branchCode}/${year}/${digits.padStart(Math.min(width, 5), '0')}`;
}

export const counterName = (series: Series, fy: string) => `${series}:${fy}`;
