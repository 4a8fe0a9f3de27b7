// Layouts of printed documents: a payment receipt, a GST invoice (Bill of Supply,
// Invoice-cum-Bill of Supply or Tax Invoice) and a refund voucher, each on A4, A5 or an
// 80 mm thermal roll (height fitted to the content). All text is drawn in the embedded Noto
// fonts, so ₹ and Devanagari names print the same on every machine; a balance due gets a
// UPI QR code drawn as vector modules.
import QRCode from 'qrcode';
import { formatInr, type Line } from '../money';
import { documentFonts } from './fonts';
import { type DocumentKind, type InvoiceSummary, type PaidBy, type PrintedDocument, titleOf } from './documents';
import { MM, PAPER, Sheet, type TextStyle } from './layout';
import { upiPayLink } from './upi';
import { rupeesInWords } from './words';

export { FORMATS_OF } from './formats';
import type { PaperFormat } from './formats';
export type { PaperFormat };

export interface RenderOptions {
  format: PaperFormat;
  /** 1 for the first print (ORIGINAL); every later print is a DUPLICATE. */
  copy: number;
  printedAt: Date;
  /** The clinic's UPI ID: a bill with a balance due gets a QR code to pay it. */
  upi: { vpa: string; payeeName: string } | null;
}

interface Spec {
  width: number;
  height: number;
  margin: number;
  body: number;
  small: number;
  h1: number;
  h2: number;
  thermal: boolean;
}

const SPECS: Record<PaperFormat, Spec> = {
  a4: { ...PAPER.a4, margin: 40, body: 9.5, small: 8.2, h1: 17, h2: 13, thermal: false },
  a5: { ...PAPER.a5, margin: 26, body: 8.2, small: 6.8, h1: 14, h2: 11, thermal: false },
  // 80 mm paper prints about 72 mm: 4 mm each side stays blank.
  thermal80: { ...PAPER.thermal80, margin: 4 * MM, body: 8, small: 7, h1: 11.5, h2: 10, thermal: true },
};

const amt = (paise: number) => formatInr(paise, '');
const inr = (paise: number) => formatInr(paise);
const minus = (paise: number) => `−${formatInr(paise)}`;

const dateFormats = new Map<string, Intl.DateTimeFormat>();
/** "1 Dec 2026, 8:42 am IST" in the branch's time zone. */
export function localDateTime(at: string | Date, timezone: string): string {
  let f = dateFormats.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-IN', { timeZone: timezone, day: 'numeric', month: 'short', year: 'numeric', hour: 'numeric', minute: '2-digit', hour12: true, timeZoneName: 'short' });
    dateFormats.set(timezone, f);
  }
  const p: Record<string, string> = {};
  for (const x of f.formatToParts(typeof at === 'string' ? new Date(at) : at)) p[x.type] = x.value;
  return `${p.day} ${p.month} ${p.year}, ${p.hour}:${p.minute} ${(p.dayPeriod ?? '').toLowerCase()} ${p.timeZoneName ?? ''}`.replace(/\s+/g, ' ').trim();
}

const GATEWAYS: Record<string, string> = { razorpay: 'Razorpay' };

export function methodText(p: Pick<PaidBy, 'method' | 'reference' | 'upiVpa' | 'cardLast4' | 'cardAuthCode' | 'gateway'>): string {
  switch (p.method) {
    case 'cash':
      return 'Cash';
    case 'upi':
      return ['UPI', p.reference && `Ref ${p.reference}`, p.upiVpa].filter(Boolean).join(' · ');
    case 'card':
      return [`Card ending ${p.cardLast4 ?? '····'}`, p.cardAuthCode && `Auth ${p.cardAuthCode}`].filter(Boolean).join(' · ');
    case 'online':
      return [`Online${p.gateway ? ` (${GATEWAYS[p.gateway] ?? p.gateway})` : ''}`, p.reference && `Ref ${p.reference}`].filter(Boolean).join(' · ');
  }
}

const gstRate = (l: Line) => (l.exempt ? 'Exempt' : `${l.tax_rate_bp / 100}%`);

/** GST state codes (the first two digits of a GSTIN), for "Place of supply". */
const STATES: Record<string, string> = {
  '01': 'Jammu and Kashmir', '02': 'Himachal Pradesh', '03': 'Punjab', '04': 'Chandigarh', '05': 'Uttarakhand', '06': 'Haryana',
  '07': 'Delhi', '08': 'Rajasthan', '09': 'Uttar Pradesh', '10': 'Bihar', '11': 'Sikkim', '12': 'Arunachal Pradesh', '13': 'Nagaland',
  '14': 'Manipur', '15': 'Mizoram', '16': 'Tripura', '17': 'Meghalaya', '18': 'Assam', '19': 'West Bengal', '20': 'Jharkhand',
  '21': 'Odisha', '22': 'Chhattisgarh', '23': 'Madhya Pradesh', '24': 'Gujarat', '26': 'Dadra and Nagar Haveli and Daman and Diu',
  '27': 'Maharashtra', '29': 'Karnataka', '30': 'Goa', '31': 'Lakshadweep', '32': 'Kerala', '33': 'Tamil Nadu', '34': 'Puducherry',
  '35': 'Andaman and Nicobar Islands', '36': 'Telangana', '37': 'Andhra Pradesh', '38': 'Ladakh',
};

export function placeOfSupply(gstin: string | null): string | null {
  const code = gstin?.slice(0, 2);
  return code && STATES[code] ? `${STATES[code]} (${code})` : null;
}

/** Renders a document to PDF bytes. */
export async function renderDocument(doc: PrintedDocument, o: RenderOptions): Promise<Uint8Array> {
  const fonts = await documentFonts();
  const spec = SPECS[o.format];
  const sheet = new Sheet(fonts, spec.width, spec.height);
  new Layout(sheet, spec, doc, o).draw();
  return sheet.save({ title: `${titleOf(doc)} ${doc.number}`, author: doc.letterhead.clinicName, subject: `${titleOf(doc)} ${doc.number}`, now: o.printedAt });
}

/** The UPI link for what is due now on the document's bill, when a VPA is configured. */
export function upiLinkFor(doc: PrintedDocument, upi: RenderOptions['upi']): string | null {
  if (!upi || doc.kind === 'refund' || !doc.balanceNow || doc.balanceNow <= 0) return null;
  const bill = doc.kind === 'invoice' ? doc.invoice.number : doc.invoice?.number;
  if (!bill) return null;
  return upiPayLink({ vpa: upi.vpa, payeeName: upi.payeeName, amountPaise: doc.balanceNow, note: `Bill ${bill}`, reference: bill });
}

class Layout {
  private y: number;
  private readonly L: number;
  private readonly R: number;
  private readonly W: number;
  private readonly footer: number;

  constructor(
    private readonly s: Sheet,
    private readonly spec: Spec,
    private readonly doc: PrintedDocument,
    private readonly o: RenderOptions,
  ) {
    this.y = spec.margin;
    this.L = spec.margin;
    this.R = spec.width - spec.margin;
    this.W = this.R - this.L;
    this.footer = spec.thermal ? 0 : spec.small * 4.5;
  }

  // ---- primitives

  private ink(grey: number): number {
    return this.spec.thermal ? 0 : grey; // thermal heads print black or nothing
  }
  private st(size: number, bold = false, grey = 0): TextStyle {
    return { size, bold, grey: this.ink(grey) };
  }
  private lh(size: number): number {
    return size * 1.42;
  }
  /** Room for h more points on this page, else a new page (never on a roll). */
  private need(h: number, onNewPage?: () => void): void {
    if (this.spec.thermal || this.y + h <= this.spec.height - this.spec.margin - this.footer) return;
    this.s.newPage();
    this.y = this.spec.margin;
    this.continuationHeader();
    onNewPage?.();
  }
  /** Text at the cursor: one line per wrapped line, advancing the cursor. */
  private para(text: string, style: TextStyle, o: { x?: number; width?: number; align?: 'left' | 'right' | 'center' } = {}): void {
    const x = o.x ?? this.L;
    const width = o.width ?? this.R - x;
    for (const line of this.s.wrap(text, width, style)) {
      this.need(this.lh(style.size));
      const ax = o.align === 'right' ? x + width : o.align === 'center' ? x + width / 2 : x;
      this.s.text(ax, this.y + style.size, line, style, o.align ?? 'left');
      this.y += this.lh(style.size);
    }
  }
  /** A label on the left and its value on the right, across the given width. */
  private pair(label: string, value: string, o: { size?: number; bold?: boolean; x?: number; width?: number; labelGrey?: number } = {}): void {
    const size = o.size ?? this.spec.body;
    const x = o.x ?? this.L;
    const width = o.width ?? this.W;
    const valueStyle = this.st(size, o.bold);
    const vw = this.s.measure(value, valueStyle);
    const labelLines = this.s.wrap(label, Math.max(width - vw - 8, width * 0.4), this.st(size, o.bold, o.labelGrey ?? 0));
    this.need(this.lh(size) * labelLines.length);
    this.s.text(x + width, this.y + size, value, valueStyle, 'right');
    for (const l of labelLines) {
      this.s.text(x, this.y + size, l, this.st(size, o.bold, o.labelGrey ?? 0));
      this.y += this.lh(size);
    }
  }
  private rule(o: { gap?: number; weight?: number; grey?: number; dashed?: boolean } = {}): void {
    const gap = o.gap ?? 4;
    this.y += gap;
    this.need(1);
    this.s.line(this.L, this.y, this.R, this.y, o.weight ?? 0.5, this.ink(o.grey ?? 0), o.dashed || this.spec.thermal ? [2, 1.5] : undefined);
    this.y += gap;
  }

  // ---- parts

  private copyLabel(): { text: string; duplicate: boolean } {
    if (this.o.copy > 1) return { text: 'DUPLICATE', duplicate: true };
    return { text: this.doc.kind === 'invoice' ? 'ORIGINAL FOR RECIPIENT' : 'ORIGINAL', duplicate: false };
  }

  /** A boxed label: DUPLICATE white on black, big; ORIGINAL small and outlined. */
  private badge(x: number, y: number, align: 'left' | 'right' | 'center'): number {
    const c = this.copyLabel();
    const size = c.duplicate ? this.spec.h2 : this.spec.small;
    const style = this.st(size, true, c.duplicate ? 1 : 0.25);
    const w = this.s.measure(c.text, style) + size * 1.2;
    const h = size * 1.7;
    const bx = align === 'right' ? x - w : align === 'center' ? x - w / 2 : x;
    if (c.duplicate) this.s.rect(bx, y, w, h, { fill: 0 });
    else this.s.rect(bx, y, w, h, { stroke: this.ink(0.4), width: 0.6 });
    this.s.text(bx + w / 2, y + h / 2 + size * 0.36, c.text, c.duplicate ? { size, bold: true, grey: 1 } : style, 'center');
    return h;
  }

  private letterheadLines(): string[] {
    const lh = this.doc.letterhead;
    const contact = [lh.phone && `Phone ${lh.phone}`, lh.gstin && `GSTIN ${lh.gstin}`].filter(Boolean).join(' · ');
    return [[lh.branchName, lh.address].filter(Boolean).join(', '), contact].filter(Boolean);
  }

  private header(): void {
    const { spec, s } = this;
    const lh = this.doc.letterhead;
    const title = titleOf(this.doc);
    if (spec.thermal) {
      this.para(lh.clinicName, this.st(spec.h1, true), { align: 'center' });
      for (const l of this.letterheadLines()) this.para(l, this.st(spec.small), { align: 'center' });
      this.rule({ gap: 5 });
      this.para(title.toUpperCase(), this.st(spec.h2, true), { align: 'center' });
      this.y += 2;
      this.y += this.badge(this.L + this.W / 2, this.y, 'center') + 4;
      return;
    }
    // Letterhead on the left, the document's title and its copy on the right.
    const titleStyle = this.st(spec.h2, true);
    const rightW = Math.max(s.measure(title, titleStyle), this.W * 0.3);
    const leftW = this.W - rightW - 16;
    const top = this.y;
    this.para(lh.clinicName, this.st(spec.h1, true), { width: leftW });
    this.y += 1;
    for (const l of this.letterheadLines()) this.para(l, this.st(spec.small, false, 0.25), { width: leftW });
    const leftBottom = this.y;
    s.text(this.R, top + spec.h2, title, titleStyle, 'right');
    const badgeBottom = top + spec.h2 * 1.5 + this.badge(this.R, top + spec.h2 * 1.5, 'right');
    this.y = Math.max(leftBottom, badgeBottom) + 2;
    this.rule({ gap: 3, weight: 1.2, grey: 0.15 });
  }

  /** On pages after the first: who, what and which page, in one line. */
  private continuationHeader(): void {
    const style = this.st(this.spec.small, false, 0.35);
    this.s.text(this.L, this.y + this.spec.small, `${this.doc.letterhead.clinicName} · ${titleOf(this.doc)} ${this.doc.number} (continued)`, style);
    this.y += this.lh(this.spec.small) + 4;
  }

  /** The numbers of the document and who it is for, in two columns (one on a roll). */
  private facts(): void {
    const d = this.doc;
    const tz = d.letterhead.timezone;
    const numberLabel = d.kind === 'receipt' ? 'Receipt no.' : d.kind === 'refund' ? 'Refund no.' : 'Invoice no.';
    const left: [string, string][] = [
      [numberLabel, d.number],
      ['Date', localDateTime(d.at, tz)],
    ];
    if (d.kind === 'receipt' && d.invoice) left.push(['Against bill', d.invoice.number]);
    if (d.kind === 'refund') {
      left.push(['Against receipt', d.payment.receiptNumber]);
      if (d.invoiceNumber) left.push(['Bill', d.invoiceNumber]);
    }
    if (d.kind === 'invoice' && d.invoice.documentType !== 'bill_of_supply') {
      const pos = placeOfSupply(d.letterhead.gstin);
      if (pos) left.push(['Place of supply', pos]);
    }
    const right: [string, string][] = [
      ['Patient', d.party.patientName],
      ['MRN', d.party.mrn],
    ];
    if (d.party.doctor) right.push(['Doctor', d.party.doctor]);

    const { spec, s } = this;
    if (spec.thermal) {
      for (const [k, v] of [...left, ...right]) this.pair(k, v, { size: spec.body });
      return;
    }
    const colW = (this.W - 16) / 2;
    const labelStyle = this.st(spec.small, false, 0.4);
    const labelW = Math.max(...[...left, ...right].map(([k]) => s.measure(k, labelStyle))) + 8;
    const column = (rows: [string, string][], x: number) => {
      let y = this.y;
      for (const [k, v] of rows) {
        const valueStyle = this.st(spec.body, k === 'Patient' || k.endsWith('no.'));
        const lines = s.wrap(v, colW - labelW, valueStyle).slice(0, 2);
        s.text(x, y + spec.body, k, labelStyle);
        for (const l of lines) {
          s.text(x + labelW, y + spec.body, l, valueStyle);
          y += this.lh(spec.body);
        }
      }
      return y;
    };
    this.y = Math.max(column(left, this.L), column(right, this.L + colW + 16));
  }

  /** The bill's lines: a table on paper, a list on a roll. */
  private lines(lines: Line[]): void {
    if (this.spec.thermal) return this.linesOnRoll(lines);
    const { spec, s } = this;
    const head = this.st(spec.small, true, 0.2);
    const cell = this.st(spec.small);
    type Col = { head: string; align: 'left' | 'right'; text?: (l: Line, i: number) => string; bold?: boolean; w: number };
    const cols: Col[] = [
      { head: '#', align: 'right', text: (_, i) => String(i + 1), w: 0 },
      { head: 'Description', align: 'left', w: 0 },
      { head: 'SAC/HSN', align: 'left', text: (l) => l.sac_hsn ?? '–', w: 0 },
      { head: 'Qty', align: 'right', text: (l) => String(l.qty), w: 0 },
      { head: 'Rate', align: 'right', text: (l) => amt(l.unit_price), w: 0 },
      { head: 'Disc.', align: 'right', text: (l) => (l.discount ? amt(l.discount) : '–'), w: 0 },
      { head: 'Taxable', align: 'right', text: (l) => amt(l.taxable), w: 0 },
      { head: 'GST', align: 'right', text: gstRate, w: 0 },
      { head: 'CGST', align: 'right', text: (l) => (l.exempt ? '–' : amt(l.cgst)), w: 0 },
      { head: 'SGST', align: 'right', text: (l) => (l.exempt ? '–' : amt(l.sgst)), w: 0 },
      { head: 'Amount', align: 'right', text: (l) => amt(l.total), bold: true, w: 0 },
    ];
    const pad = spec.small * 0.9;
    for (const c of cols) {
      if (!c.text) continue;
      c.w = Math.max(s.measure(c.head, head), ...lines.map((l, i) => s.measure(c.text!(l, i), this.st(spec.small, c.bold)))) + pad;
    }
    let desc = cols[1];
    desc.w = this.W - cols.reduce((n, c) => n + c.w, 0);
    // Too narrow for descriptions (A5 with big amounts): the SAC/HSN code goes under them.
    const sacBelow = desc.w < this.W * 0.24;
    if (sacBelow) {
      desc.w += cols[2].w;
      cols.splice(2, 1);
      desc = cols[1];
    }
    const lhs = this.lh(spec.small);
    const headerRow = () => {
      this.s.rect(this.L, this.y, this.W, lhs + 4, { fill: this.ink(0.92) });
      let x = this.L;
      for (const c of cols) {
        s.text(c.align === 'right' ? x + c.w - pad / 2 : x + pad / 2, this.y + 2 + spec.small, c.head, head, c.align);
        x += c.w;
      }
      this.y += lhs + 4;
    };
    this.s.text(this.R, this.y + spec.small, 'Amounts in ₹', this.st(spec.small * 0.9, false, 0.45), 'right');
    this.y += lhs;
    this.need(lhs * 3);
    headerRow();
    lines.forEach((l, i) => {
      const descLines = s.wrap(l.description, desc.w - pad, cell);
      const notes = [sacBelow && l.sac_hsn ? `SAC/HSN ${l.sac_hsn}` : '', l.discount_reason ? `Discount: ${l.discount_reason}` : ''].filter(Boolean);
      const noteLines = notes.flatMap((t) => s.wrap(t, desc.w - pad, this.st(spec.small * 0.88, false, 0.45)));
      const h = descLines.length * lhs + noteLines.length * lhs * 0.88 + 4;
      this.need(h, headerRow);
      const top = this.y + 2;
      let x = this.L;
      for (const c of cols) {
        if (c === desc) {
          let yy = top;
          for (const dl of descLines) {
            s.text(x + pad / 2, yy + spec.small, dl, cell);
            yy += lhs;
          }
          for (const nl of noteLines) {
            s.text(x + pad / 2, yy + spec.small * 0.88, nl, this.st(spec.small * 0.88, false, 0.45));
            yy += lhs * 0.88;
          }
        } else {
          const t = c.text!(l, i);
          s.text(c.align === 'right' ? x + c.w - pad / 2 : x + pad / 2, top + spec.small, t, this.st(spec.small, c.bold, t === '–' ? 0.5 : 0), c.align);
        }
        x += c.w;
      }
      this.y += h;
      this.s.line(this.L, this.y, this.R, this.y, 0.3, this.ink(0.75));
    });
  }

  private linesOnRoll(lines: Line[]): void {
    const { spec, s } = this;
    const small = this.st(spec.small);
    for (const l of lines) {
      const amount = amt(l.total);
      const aw = s.measure(amount, this.st(spec.body, true));
      const descLines = s.wrap(l.description, this.W - aw - 8, this.st(spec.body));
      this.s.text(this.R, this.y + spec.body, amount, this.st(spec.body, true), 'right');
      for (const d of descLines) {
        this.s.text(this.L, this.y + spec.body, d, this.st(spec.body));
        this.y += this.lh(spec.body);
      }
      const code = l.sac_hsn ? `SAC/HSN ${l.sac_hsn} · ` : '';
      this.para(`${code}${l.qty} × ${amt(l.unit_price)} · GST ${gstRate(l)}`, small, { x: this.L + 6 });
      if (l.discount) this.pair(`Discount${l.discount_reason ? ` (${l.discount_reason})` : ''}`, `−${amt(l.discount)}`, { size: spec.small, x: this.L + 6, width: this.W - 6 });
      if (!l.exempt) this.para(`Taxable ${amt(l.taxable)} · CGST ${amt(l.cgst)} · SGST ${amt(l.sgst)}`, small, { x: this.L + 6 });
      this.y += 2;
    }
  }

  /** Right-hand totals block (full width on a roll). */
  private totalsBlock(rows: { label: string; value: string; bold?: boolean; big?: boolean; ruleAbove?: boolean }[]): void {
    const { spec } = this;
    const width = spec.thermal ? this.W : Math.min(this.W, Math.max(this.W * 0.46, 200));
    const x = this.R - width;
    for (const r of rows) {
      if (r.ruleAbove) {
        this.y += 2;
        this.s.line(x, this.y, this.R, this.y, 0.6, this.ink(0.3));
        this.y += 3;
      }
      this.pair(r.label, r.value, { size: r.big ? spec.body * 1.2 : spec.body, bold: r.bold, x, width, labelGrey: r.bold ? 0 : 0.3 });
    }
  }

  private invoiceTotals(inv: InvoiceSummary, o: { thisPayment?: PaidBy } = {}): void {
    const t = inv.totals;
    const rows: Parameters<Layout['totalsBlock']>[0] = [];
    if (t.discount) {
      rows.push({ label: 'Gross', value: inr(t.gross) });
      rows.push({ label: 'Discount', value: minus(t.discount) });
    }
    rows.push({ label: 'Taxable value', value: inr(t.taxable) });
    if (t.tax) {
      rows.push({ label: 'CGST', value: inr(t.cgst) });
      rows.push({ label: 'SGST', value: inr(t.sgst) });
    }
    rows.push({ label: 'Total', value: inr(inv.total), bold: true, big: true, ruleAbove: true });
    if (inv.credited) rows.push({ label: 'Less credit notes', value: minus(inv.credited) });
    if (o.thisPayment) {
      const earlier = inv.paid - (o.thisPayment.amount - o.thisPayment.refunded);
      if (earlier) rows.push({ label: 'Paid earlier', value: minus(earlier) });
      rows.push({ label: 'This receipt', value: minus(o.thisPayment.amount - o.thisPayment.refunded) });
    } else if (inv.paid) {
      rows.push({ label: 'Paid', value: minus(inv.paid) });
    }
    rows.push(inv.balance > 0 ? { label: 'Balance due', value: inr(inv.balance), bold: true, big: true, ruleAbove: true } : { label: 'Balance', value: `${inr(0)} · paid in full`, bold: true, ruleAbove: true });
    this.totalsBlock(rows);
  }

  /** Payments towards the bill, each with its receipt number and method. */
  private paymentsList(payments: PaidBy[], heading: string, exclude?: string): void {
    const list = payments.filter((p) => p.receiptNumber !== exclude);
    if (!list.length) return;
    const { spec } = this;
    this.y += 4;
    this.para(heading, this.st(spec.small, true, 0.2));
    const tz = this.doc.letterhead.timezone;
    for (const p of list) {
      const label = `${p.receiptNumber}${p.kind === 'deposit' ? ' (deposit)' : ''} · ${localDateTime(p.at, tz)} · ${methodText(p)}`;
      const value = p.refunded ? `${amt(p.amount)} (refunded ${amt(p.refunded)})` : amt(p.amount);
      this.pair(label, value, { size: spec.small, labelGrey: 0.25 });
    }
  }

  /** "Received ₹X" (or "Refunded ₹X") in a box, with the amount in words and the method. */
  private amountBox(label: string, paise: number, lines: string[]): void {
    const { spec, s } = this;
    const big = this.st(spec.h1, true);
    const inner = this.W - 16;
    const wrapped = lines.flatMap((l) => s.wrap(l, inner, this.st(spec.small)));
    const h = this.lh(spec.small) + this.lh(spec.h1) + wrapped.length * this.lh(spec.small) + 10;
    this.need(h);
    const top = this.y;
    if (spec.thermal) this.s.rect(this.L, top, this.W, h, { stroke: 0, width: 0.8 });
    else this.s.rect(this.L, top, this.W, h, { fill: 0.955, stroke: 0.8, width: 0.5 });
    let y = top + 5;
    s.text(this.L + 8, y + spec.small, label, this.st(spec.small, true, 0.3));
    y += this.lh(spec.small);
    s.text(this.L + 8, y + spec.h1, inr(paise), big);
    y += this.lh(spec.h1);
    for (const l of wrapped) {
      s.text(this.L + 8, y + spec.small, l, this.st(spec.small, false, 0.15));
      y += this.lh(spec.small);
    }
    this.y = top + h + 6;
  }

  private qrBlock(): void {
    const link = upiLinkFor(this.doc, this.o.upi);
    if (!link || this.doc.kind === 'refund') return;
    const { spec, s } = this;
    // One byte-mode segment: the library's search for the best mix of modes costs more than
    // the whole PDF, and saves nothing on a link this short.
    const modules = QRCode.create([{ data: new TextEncoder().encode(link), mode: 'byte' }], { errorCorrectionLevel: 'M' }).modules;
    const bill = this.doc.kind === 'invoice' ? this.doc.invoice.number : (this.doc.invoice?.number ?? '');
    const text = [`Scan to pay ${inr(this.doc.balanceNow)} by UPI`, `UPI ID ${this.o.upi!.vpa}`, `Bill ${bill}`];
    if (spec.thermal) {
      const module = Math.min(3, (this.W * 0.72) / modules.size);
      const size = module * modules.size;
      this.y += module * 3;
      this.para(text[0], this.st(spec.body, true), { align: 'center' });
      this.y += module * 4;
      s.qr(this.L + (this.W - size) / 2, this.y, module, modules);
      this.y += size + module * 4;
      for (const t of text.slice(1)) this.para(t, this.st(spec.small), { align: 'center' });
      return;
    }
    const module = (spec.width > 500 ? 32 * MM : 26 * MM) / modules.size;
    const size = module * modules.size;
    this.need(size + module * 8);
    this.y += module * 4;
    const top = this.y;
    s.qr(this.L + module * 4, top, module, modules);
    const tx = this.L + size + module * 12;
    let y = top + size / 2 - this.lh(spec.body) * 1.6;
    s.text(tx, y + spec.body * 1.2, text[0], this.st(spec.body * 1.2, true));
    y += this.lh(spec.body * 1.2);
    for (const t of ['Open any UPI app (BHIM, Google Pay, PhonePe, Paytm…) and scan.', ...text.slice(1)]) {
      s.text(tx, y + spec.small, t, this.st(spec.small, false, 0.3));
      y += this.lh(spec.small);
    }
    this.y = top + size + module * 4;
  }

  private signatures(left: string | null, right: string): void {
    const { spec, s } = this;
    const h = spec.thermal ? 34 : 44;
    this.need(h);
    this.y += h - this.lh(spec.small) - 4;
    const w = spec.thermal ? this.W * 0.46 : this.W * 0.3;
    if (left) {
      s.line(this.L, this.y, this.L + w, this.y, 0.5, this.ink(0.3));
      s.text(this.L, this.y + 2 + spec.small, left, this.st(spec.small, false, 0.3));
    }
    s.line(this.R - w, this.y, this.R, this.y, 0.5, this.ink(0.3));
    s.text(this.R, this.y + 2 + spec.small, right, this.st(spec.small, false, 0.3), 'right');
    this.y += this.lh(spec.small) + 4;
  }

  private closing(): void {
    const { spec } = this;
    const printed = `Printed ${localDateTime(this.o.printedAt, this.doc.letterhead.timezone)}`;
    const copy = this.o.copy > 1 ? ` · reprint, copy ${this.o.copy}` : '';
    if (spec.thermal) {
      this.rule({ gap: 5 });
      this.para(this.doc.kind === 'refund' ? 'Refund voucher · keep for your records' : 'Thank you · get well soon', this.st(spec.small, true), { align: 'center' });
      this.para(`Computer-generated · ${printed}`, this.st(spec.small * 0.92), { align: 'center' });
      if (this.o.copy > 1) this.para(`Reprint · copy ${this.o.copy}`, this.st(spec.small * 0.92, true), { align: 'center' });
      return;
    }
    // Every page: what this is, and which page.
    const pages = this.s.pages.length;
    this.s.pages.forEach((_, i) => {
      this.s.onPage(i);
      const y = spec.height - spec.margin + spec.small;
      this.s.line(this.L, y - spec.small * 1.6, this.R, y - spec.small * 1.6, 0.3, 0.8);
      this.s.text(this.L, y, `${this.doc.number} · computer-generated · ${printed}${copy}`, this.st(spec.small * 0.92, false, 0.45));
      this.s.text(this.R, y, `Page ${i + 1} of ${pages}`, this.st(spec.small * 0.92, false, 0.45), 'right');
    });
  }

  // ---- documents

  draw(): void {
    this.header();
    this.facts();
    this.rule({ gap: 5, grey: this.spec.thermal ? 0 : 0.7 });
    const d = this.doc;
    if (d.kind === 'receipt') this.receipt(d);
    else if (d.kind === 'invoice') this.invoice(d);
    else this.refund(d);
    this.closing();
    if (this.spec.thermal) this.s.page.height = this.y + this.spec.margin;
  }

  private receipt(d: Extract<PrintedDocument, { kind: 'receipt' }>): void {
    const tz = d.letterhead.timezone;
    const towards = d.invoice
      ? `towards ${d.invoice.title.toLowerCase().startsWith('tax') ? 'tax invoice' : 'bill'} ${d.invoice.number}`
      : d.appointment
        ? `as a deposit for the ${d.appointment.mode === 'tele' ? 'teleconsultation' : 'consultation'} on ${localDateTime(d.appointment.start, tz)}${d.party.doctor ? ` with ${d.party.doctor}` : ''}`
        : 'as an advance';
    this.amountBox('RECEIVED WITH THANKS', d.payment.amount, [
      `${rupeesInWords(d.payment.amount)}, from ${d.party.patientName}, ${towards}.`,
      `Paid by ${methodText(d.payment)}`,
    ]);
    if (d.payment.refunded) this.pair('Refunded since', minus(d.payment.refunded), { size: this.spec.body });
    if (d.invoice) {
      this.lines(d.invoice.lines);
      this.y += 4;
      this.invoiceTotals(d.invoice, { thisPayment: d.payment });
      this.paymentsList(d.invoice.payments, 'Paid earlier', d.number);
    } else if (d.appointment) {
      this.para('A deposit towards the visit: it is set against the bill, and the balance is paid at the visit.', this.st(this.spec.small, false, 0.3));
    }
    this.qrBlock();
  }

  private invoice(d: Extract<PrintedDocument, { kind: 'invoice' }>): void {
    const inv = d.invoice;
    this.lines(inv.lines);
    this.y += 4;
    this.invoiceTotals(inv);
    this.y += 2;
    this.para(`Amount in words: ${rupeesInWords(inv.total)}`, this.st(this.spec.small, false, 0.2));
    this.paymentsList(inv.payments, 'Payments');
    this.qrBlock();
    this.signatures(null, `For ${d.letterhead.clinicName} · Authorised signatory`);
  }

  private refund(d: Extract<PrintedDocument, { kind: 'refund' }>): void {
    this.amountBox('REFUNDED', d.refund.amount, [
      `${rupeesInWords(d.refund.amount)}, to ${d.party.patientName}, against receipt ${d.payment.receiptNumber} (${inr(d.payment.amount)} paid ${localDateTime(d.payment.at, d.letterhead.timezone)}).`,
      `Refunded to the original method: ${methodText(d.payment)}`,
    ]);
    this.para(`Reason: ${d.refund.reason}`, this.st(this.spec.body));
    const approval = [d.refund.policy, d.refund.approvedBy && `Approved by ${d.refund.approvedBy}`].filter(Boolean).join(' · ');
    if (approval) this.para(approval, this.st(this.spec.small, false, 0.3));
    this.signatures("Patient's signature", `For ${d.letterhead.clinicName}`);
  }
}
