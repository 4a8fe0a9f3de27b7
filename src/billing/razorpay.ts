// Razorpay's wire formats, as plain functions (no database, no HTTP): the webhook signature,
// the webhook event payload, and the settlement recon report with its matching against our
// payments. The HTTP side is ./gateway.ts.
//
// Formats followed (Razorpay documentation):
// - Webhooks (razorpay.com/docs/webhooks/, …/webhooks/validate-test/): POST, JSON body; the
//   `X-Razorpay-Signature` header is the hex HMAC-SHA256 of the raw request body keyed with
//   the webhook secret ("do not parse or cast the webhook request body"); the same event can
//   arrive more than once (handle it idempotently); any non-2xx answer is retried hourly for
//   24 hours. `x-razorpay-event-id` names the delivery's event.
// - Event payload (razorpay.com/docs/webhooks/payloads/payments/):
//   {"entity":"event","account_id","event":"payment.captured","contains":["payment"],
//    "payload":{"payment":{"entity":{"id":"pay_…","amount":<paise>,"currency":"INR",
//    "status":"captured","method","order_id","notes":{…}|[],"created_at":<unix s>,…}}},
//    "created_at":<unix s>}. `notes` is an object of strings, or `[]` when there are none.
// - Settlement recon (razorpay.com/docs/api/settlements/fetch-recon/, the same columns as the
//   Dashboard's settlement recon report): entity_id, type (payment | refund | transfer |
//   adjustment), debit, credit, amount, currency, fee, tax, on_hold, settled, created_at,
//   settled_at, settlement_id, posted_at, credit_type, description, notes, payment_id,
//   settlement_utr, order_id, order_receipt, method, card_network, card_issuer, card_type,
//   dispute_id. Amounts are in paise (the API); a Dashboard CSV in rupees ("971.00") is read
//   too.
import { timingSafeEqual } from 'node:crypto';

// ---- webhook signature

/** hex HMAC-SHA256 of the exact bytes received, keyed with the webhook secret. */
export function webhookSignature(rawBody: Uint8Array | string, secret: string): string {
  return new Bun.CryptoHasher('sha256', secret).update(rawBody).digest('hex');
}

/**
 * True when `signature` (the X-Razorpay-Signature header) is the HMAC of `rawBody`. Compares
 * the 32 digest bytes in constant time; anything that is not 64 hex digits is simply wrong.
 */
export function verifyWebhookSignature(rawBody: Uint8Array | string, signature: string | null | undefined, secret: string): boolean {
  if (!secret || !signature) return false;
  const given = signature.trim();
  if (!/^[0-9a-fA-F]{64}$/.test(given)) return false;
  const expected = new Bun.CryptoHasher('sha256', secret).update(rawBody).digest();
  return timingSafeEqual(Buffer.from(given, 'hex'), expected);
}

// ---- webhook payload

export interface CapturedPayment {
  id: string;
  amount: number;
  currency: string;
  status: string;
  method: string | null;
  order_id: string | null;
  notes: Record<string, string>;
  created_at: number | null;
}

export type WebhookEvent =
  | { kind: 'payment_captured'; event: 'payment.captured'; account_id: string | null; payment: CapturedPayment }
  | { kind: 'other'; event: string; account_id: string | null };

/** Why a signed body cannot be read as a Razorpay event. */
export class WebhookPayloadError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'WebhookPayloadError';
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const optionalString = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);

/** Razorpay sends `notes` as an object of strings, or as `[]` when there are none. */
function notesOf(v: unknown): Record<string, string> {
  if (v === undefined || v === null || (Array.isArray(v) && v.length === 0)) return {};
  if (!isObject(v)) throw new WebhookPayloadError('payment notes are not an object');
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    if (typeof x === 'string') out[k] = x;
    else if (typeof x === 'number' || typeof x === 'boolean') out[k] = String(x);
  }
  return out;
}

/** Reads a parsed webhook body. Throws WebhookPayloadError when it is not a Razorpay event. */
export function parseWebhookEvent(body: unknown): WebhookEvent {
  if (!isObject(body) || body.entity !== 'event' || typeof body.event !== 'string' || !body.event) {
    throw new WebhookPayloadError('not a Razorpay event (entity "event" with an "event" name)');
  }
  const account_id = optionalString(body.account_id);
  if (body.event !== 'payment.captured') return { kind: 'other', event: body.event, account_id };
  const entity = isObject(body.payload) && isObject(body.payload.payment) ? body.payload.payment.entity : undefined;
  if (!isObject(entity)) throw new WebhookPayloadError('payment.captured without payload.payment.entity');
  if (typeof entity.id !== 'string' || !/^pay_[A-Za-z0-9]{1,40}$/.test(entity.id)) throw new WebhookPayloadError('payment id is not pay_…');
  if (typeof entity.amount !== 'number' || !Number.isSafeInteger(entity.amount) || entity.amount <= 0) {
    throw new WebhookPayloadError('payment amount is not a positive whole number of paise');
  }
  if (typeof entity.currency !== 'string' || !entity.currency) throw new WebhookPayloadError('payment currency missing');
  return {
    kind: 'payment_captured',
    event: 'payment.captured',
    account_id,
    payment: {
      id: entity.id,
      amount: entity.amount,
      currency: entity.currency,
      status: typeof entity.status === 'string' ? entity.status : '',
      method: optionalString(entity.method),
      order_id: optionalString(entity.order_id),
      notes: notesOf(entity.notes),
      created_at: typeof entity.created_at === 'number' ? entity.created_at : null,
    },
  };
}

/**
 * What a captured payment pays for, from the notes our checkout puts on the Razorpay order:
 * `invoice_id` (a balance) or `appointment_id` (a deposit), and the `branch_id` they belong to.
 */
export interface PaymentTarget {
  branch_id: string | null;
  invoice_id: string | null;
  appointment_id: string | null;
}

export function targetOf(notes: Record<string, string>): PaymentTarget {
  const pick = (k: string) => {
    const v = notes[k]?.trim();
    return v ? v : null;
  };
  return { branch_id: pick('branch_id'), invoice_id: pick('invoice_id'), appointment_id: pick('appointment_id') };
}

// ---- CSV (RFC 4180)

export class CsvError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'CsvError';
  }
}

/**
 * Parses RFC 4180 CSV: comma separated, fields optionally in double quotes, `""` inside quotes
 * for a quote, CRLF (or LF, or CR) between records, line breaks allowed inside quotes. A byte
 * order mark and blank lines are skipped. A quote inside an unquoted field, text after a
 * closing quote, or an unterminated quote is an error, not a guess.
 */
export function parseCsv(text: string): string[][] {
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let line = 1;
  let i = 0;
  let quoted = false; // the current field was quoted (and closed)
  let started = false; // the current record has any content
  const endField = () => {
    record.push(field);
    field = '';
    quoted = false;
  };
  const endRecord = () => {
    endField();
    if (started) records.push(record);
    record = [];
    started = false;
  };
  while (i < s.length) {
    const c = s[i];
    if (c === '"') {
      if (field !== '' || quoted) throw new CsvError('a quote inside an unquoted field (quote the whole field and double the quote)', line);
      started = true;
      const openedAt = line;
      i++;
      for (;;) {
        if (i >= s.length) throw new CsvError('a quoted field is never closed', openedAt);
        const q = s[i];
        if (q === '"') {
          if (s[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (q === '\n' || (q === '\r' && s[i + 1] !== '\n')) line++;
        field += q;
        i++;
      }
      quoted = true;
      const next = s[i];
      if (next !== undefined && next !== ',' && next !== '\r' && next !== '\n') throw new CsvError('text after a closing quote', line);
      continue;
    }
    if (c === ',') {
      started = true;
      endField();
      i++;
      continue;
    }
    if (c === '\r' || c === '\n') {
      endRecord();
      i += c === '\r' && s[i + 1] === '\n' ? 2 : 1;
      line++;
      continue;
    }
    if (quoted) throw new CsvError('text after a closing quote', line);
    started = true;
    field += c;
    i++;
  }
  if (started || field !== '' || record.length) endRecord();
  return records;
}

// ---- settlement recon report

export type AmountUnits = 'paise' | 'rupees';

export interface SettlementRow {
  /** 1-based line of the record in the file (the header is line 1). */
  line: number;
  entity_id: string;
  type: string;
  amount: number;
  credit: number;
  debit: number;
  fee: number;
  tax: number;
  currency: string | null;
  on_hold: boolean;
  settled: boolean;
  settlement_id: string | null;
  settlement_utr: string | null;
  payment_id: string | null;
  order_id: string | null;
  method: string | null;
  /** ISO-8601 UTC, when the file gives a readable time. */
  created_at: string | null;
  settled_at: string | null;
}

export interface SettlementReport {
  units: AmountUnits;
  rows: SettlementRow[];
}

const MONEY_COLUMNS = ['amount', 'credit', 'debit', 'fee', 'tax'] as const;
const REQUIRED_COLUMNS = ['entity_id', 'type', 'amount'] as const;

/** "Entity ID", "entity_id" and " ENTITY-ID " all name the same column. */
const columnName = (h: string) => h.trim().toLowerCase().replace(/[\s-]+/g, '_');

function moneyCell(raw: string, units: AmountUnits, line: number, column: string): number {
  const v = raw.trim().replace(/,/g, '');
  if (v === '') return 0;
  const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(v);
  if (!m || (units === 'paise' && m[3] !== undefined)) throw new CsvError(`${column} "${raw}" is not an amount`, line);
  const paise = units === 'paise' ? Number(m[2]) : Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0') || 0);
  if (!Number.isSafeInteger(paise)) throw new CsvError(`${column} "${raw}" is too large`, line);
  return m[1] ? -paise : paise;
}

const boolCell = (raw: string | undefined) => ['true', '1', 'yes', 'y'].includes((raw ?? '').trim().toLowerCase());

/** Unix seconds (the API), ISO-8601, or the Dashboard's dd/mm/yyyy [hh:mm[:ss]] (IST). */
export function timeCell(raw: string | undefined): string | null {
  const v = (raw ?? '').trim();
  if (!v) return null;
  if (/^\d{9,11}$/.test(v)) return new Date(Number(v) * 1000).toISOString();
  const dmy = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(v);
  if (dmy) {
    const [, d, mo, y, h = '0', mi = '0', se = '0'] = dmy;
    const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(se)) - 330 * 60_000;
    return Number.isNaN(ms) ? null : new Date(ms).toISOString();
  }
  if (/^\d{4}-\d{2}-\d{2}/.test(v)) {
    const ms = Date.parse(/[zZ]|[+-]\d{2}:?\d{2}$/.test(v) || v.length === 10 ? v : v.replace(' ', 'T') + '+05:30');
    return Number.isNaN(ms) ? null : new Date(ms).toISOString();
  }
  return null;
}

/**
 * Reads a settlement recon CSV. Amounts are paise unless `units` says otherwise; without
 * `units`, a file whose amounts carry a decimal point is read as rupees (the Dashboard's
 * export), one without as paise (the API's numbers).
 */
export function parseSettlementCsv(text: string, units?: AmountUnits): SettlementReport {
  const records = parseCsv(text);
  if (!records.length) throw new CsvError('the file is empty', 1);
  const header = records[0].map(columnName);
  const col = new Map<string, number>();
  header.forEach((h, i) => {
    if (h && !col.has(h)) col.set(h, i);
  });
  const missing = REQUIRED_COLUMNS.filter((c) => !col.has(c));
  if (missing.length) throw new CsvError(`not a Razorpay settlement report: no ${missing.join(', ')} column`, 1);
  const cell = (r: string[], name: string) => {
    const i = col.get(name);
    return i === undefined ? undefined : r[i];
  };
  const body = records.slice(1);
  const unitsUsed: AmountUnits =
    units ?? (body.some((r) => MONEY_COLUMNS.some((c) => (cell(r, c) ?? '').includes('.'))) ? 'rupees' : 'paise');
  const text1 = (r: string[], name: string) => {
    const v = cell(r, name)?.trim();
    return v ? v : null;
  };
  const rows: SettlementRow[] = [];
  body.forEach((r, k) => {
    const line = k + 2;
    const entity = text1(r, 'entity_id');
    if (!entity) {
      if (r.every((x) => !x.trim())) return;
      throw new CsvError('entity_id is empty', line);
    }
    const money = Object.fromEntries(MONEY_COLUMNS.map((c) => [c, moneyCell(cell(r, c) ?? '', unitsUsed, line, c)])) as Record<(typeof MONEY_COLUMNS)[number], number>;
    rows.push({
      line,
      entity_id: entity,
      type: (text1(r, 'type') ?? '').toLowerCase(),
      ...money,
      currency: text1(r, 'currency'),
      on_hold: boolCell(cell(r, 'on_hold')),
      // A report without the column lists settled rows only.
      settled: col.has('settled') ? boolCell(cell(r, 'settled')) : true,
      settlement_id: text1(r, 'settlement_id'),
      settlement_utr: text1(r, 'settlement_utr'),
      payment_id: text1(r, 'payment_id'),
      order_id: text1(r, 'order_id'),
      method: text1(r, 'method'),
      created_at: timeCell(cell(r, 'created_at')),
      settled_at: timeCell(cell(r, 'settled_at')),
    });
  });
  return { units: unitsUsed, rows };
}

// ---- matching

/** One of our payments taken through the gateway, as the matcher needs it. */
export interface OurGatewayPayment {
  id: string;
  receipt_number: string;
  gateway_payment_id: string;
  amount: number;
  refunded: number;
  business_date: string;
}

export interface Reconciliation {
  rows: number;
  units: AmountUnits;
  settlements: { settlement_id: string; settlement_utr: string | null; rows: number; credit: number; debit: number; fee: number; tax: number; net: number }[];
  totals: { amount: number; credit: number; debit: number; fee: number; tax: number; net: number };
  matched: { count: number; amount: number; fee: number; tax: number; credit: number; items: { entity_id: string; payment_id: string; receipt_number: string; amount: number; fee: number; tax: number; settlement_id: string | null }[] };
  amount_differs: { entity_id: string; payment_id: string; receipt_number: string; ours: number; theirs: number; difference: number; settlement_id: string | null }[];
  not_in_our_books: { entity_id: string; amount: number; settlement_id: string | null; created_at: string | null; line: number }[];
  /** Payment rows of another branch of this clinic: not reconciled here. */
  other_branch: { entity_id: string; amount: number; settlement_id: string | null }[];
  /** Our gateway payments of the period that the file does not contain (e.g. not settled yet). */
  not_in_settlement: { payment_id: string; receipt_number: string; gateway_payment_id: string; amount: number; business_date: string }[];
  /** Payment rows listed but not (yet) paid out to the bank. */
  unsettled: { entity_id: string; amount: number; on_hold: boolean }[];
  /** Refunds, transfers, adjustments, disputes…: totalled by type, not matched. */
  other_rows: { type: string; count: number; credit: number; debit: number; fee: number; tax: number }[];
  /** Payment rows in a currency other than INR (listed in not_in_our_books or amount_differs as well). */
  foreign_currency: string[];
}

export type OurLookup = (gatewayPaymentId: string) => OurGatewayPayment | 'other_branch' | null;

/**
 * Matches each payment row to our payment with the same gateway id, then lists our gateway
 * payments of the period that the file lacks. Pure: the caller looks payments up.
 */
export function reconcileSettlement(report: SettlementReport, lookup: OurLookup, oursInPeriod: OurGatewayPayment[] | null): Reconciliation {
  const out: Reconciliation = {
    rows: report.rows.length,
    units: report.units,
    settlements: [],
    totals: { amount: 0, credit: 0, debit: 0, fee: 0, tax: 0, net: 0 },
    matched: { count: 0, amount: 0, fee: 0, tax: 0, credit: 0, items: [] },
    amount_differs: [],
    not_in_our_books: [],
    other_branch: [],
    not_in_settlement: [],
    unsettled: [],
    other_rows: [],
    foreign_currency: [],
  };
  const settlements = new Map<string, Reconciliation['settlements'][number]>();
  const others = new Map<string, Reconciliation['other_rows'][number]>();
  const seen = new Set<string>();
  for (const r of report.rows) {
    out.totals.amount += r.amount;
    out.totals.credit += r.credit;
    out.totals.debit += r.debit;
    out.totals.fee += r.fee;
    out.totals.tax += r.tax;
    if (r.settlement_id) {
      let s = settlements.get(r.settlement_id);
      if (!s) settlements.set(r.settlement_id, (s = { settlement_id: r.settlement_id, settlement_utr: r.settlement_utr, rows: 0, credit: 0, debit: 0, fee: 0, tax: 0, net: 0 }));
      s.rows++;
      s.credit += r.credit;
      s.debit += r.debit;
      s.fee += r.fee;
      s.tax += r.tax;
      s.net = s.credit - s.debit;
      s.settlement_utr ??= r.settlement_utr;
    }
    const isPayment = r.type === 'payment' || (!r.type && r.entity_id.startsWith('pay_'));
    if (!isPayment) {
      const key = r.type || 'unknown';
      let o = others.get(key);
      if (!o) others.set(key, (o = { type: key, count: 0, credit: 0, debit: 0, fee: 0, tax: 0 }));
      o.count++;
      o.credit += r.credit;
      o.debit += r.debit;
      o.fee += r.fee;
      o.tax += r.tax;
      continue;
    }
    seen.add(r.entity_id);
    if (r.currency && r.currency.toUpperCase() !== 'INR') out.foreign_currency.push(r.entity_id);
    if (!r.settled || r.on_hold) out.unsettled.push({ entity_id: r.entity_id, amount: r.amount, on_hold: r.on_hold });
    const ours = lookup(r.entity_id);
    if (ours === 'other_branch') {
      out.other_branch.push({ entity_id: r.entity_id, amount: r.amount, settlement_id: r.settlement_id });
    } else if (!ours) {
      out.not_in_our_books.push({ entity_id: r.entity_id, amount: r.amount, settlement_id: r.settlement_id, created_at: r.created_at, line: r.line });
    } else if (ours.amount !== r.amount) {
      out.amount_differs.push({ entity_id: r.entity_id, payment_id: ours.id, receipt_number: ours.receipt_number, ours: ours.amount, theirs: r.amount, difference: r.amount - ours.amount, settlement_id: r.settlement_id });
    } else {
      out.matched.count++;
      out.matched.amount += r.amount;
      out.matched.fee += r.fee;
      out.matched.tax += r.tax;
      out.matched.credit += r.credit;
      out.matched.items.push({ entity_id: r.entity_id, payment_id: ours.id, receipt_number: ours.receipt_number, amount: r.amount, fee: r.fee, tax: r.tax, settlement_id: r.settlement_id });
    }
  }
  out.totals.net = out.totals.credit - out.totals.debit;
  out.settlements = [...settlements.values()];
  out.other_rows = [...others.values()];
  for (const p of oursInPeriod ?? []) {
    if (!seen.has(p.gateway_payment_id)) {
      out.not_in_settlement.push({ payment_id: p.id, receipt_number: p.receipt_number, gateway_payment_id: p.gateway_payment_id, amount: p.amount, business_date: p.business_date });
    }
  }
  return out;
}
