// Collection reports of a business date: net collections (payments − refunds) by method,
// by doctor and by counter user, the day's payments line by line, and the closes of the
// day's counters; with CSV (UTF-8 with a BOM, RFC 4180) and XLSX exports of the same figures.
// Amounts are integer paise here; the exports state their unit (rupees) in the header row.
import type { Database } from 'bun:sqlite';
import type { PaymentMethod } from './events';
import type { MethodTotals } from './queries';

export const METHODS: readonly PaymentMethod[] = ['cash', 'upi', 'card', 'online'];
export const METHOD_LABELS: Record<PaymentMethod, string> = { cash: 'Cash', upi: 'UPI', card: 'Card', online: 'Online' };

export interface CollectionRow extends MethodTotals {
  /** Doctor or user id; null for payments with no doctor (or no user, e.g. the gateway). */
  id: string | null;
  name: string;
  total: number;
  receipts: number;
  refunds: number;
}

export interface MethodRow {
  method: PaymentMethod;
  receipts: number;
  collected: number;
  refunds: number;
  refunded: number;
  net: number;
}

export interface PaymentLine {
  id: string;
  receipt_number: string;
  kind: 'deposit' | 'balance';
  at: string;
  patient_name: string;
  patient_mrn: string;
  doctor_name: string | null;
  user_name: string | null;
  method: PaymentMethod;
  reference: string | null;
  amount: number;
  refunded: number;
  invoice_id: string | null;
  invoice_number: string | null;
}

export interface CollectionReport {
  date: string;
  byMethod: MethodRow[];
  byDoctor: CollectionRow[];
  byUser: CollectionRow[];
  total: CollectionRow;
  payments: PaymentLine[];
}

interface Movement {
  method: PaymentMethod;
  amount: number; // negative for a refund
  user_id: string | null;
  user_name: string | null;
  doctor_id: string | null;
  doctor_name: string | null;
  refund: number;
}

const emptyRow = (id: string | null, name: string): CollectionRow => ({ id, name, cash: 0, upi: 0, card: 0, online: 0, total: 0, receipts: 0, refunds: 0 });

/** Every payment and refund of the date with the doctor it belongs to (invoice's, else appointment's) and its user. */
function movementsOf(db: Database, branchId: string, date: string): Movement[] {
  return db
    .query(
      `SELECT p.method, p.amount, p.collected_by AS user_id, u.name AS user_name,
              COALESCE(i.doctor_id, a.doctor_id) AS doctor_id, d.name AS doctor_name, 0 AS refund
         FROM payments p
         LEFT JOIN invoices i ON i.id = p.invoice_id
         LEFT JOIN appointments a ON a.id = p.appointment_id
         LEFT JOIN doctors d ON d.id = COALESCE(i.doctor_id, a.doctor_id)
         LEFT JOIN users u ON u.id = p.collected_by
        WHERE p.branch_id = ?1 AND p.business_date = ?2
       UNION ALL
       SELECT r.method, -r.amount, r.created_by, u.name,
              COALESCE(i.doctor_id, a.doctor_id), d.name, 1
         FROM refunds r
         JOIN payments p ON p.id = r.payment_id
         LEFT JOIN invoices i ON i.id = p.invoice_id
         LEFT JOIN appointments a ON a.id = p.appointment_id
         LEFT JOIN doctors d ON d.id = COALESCE(i.doctor_id, a.doctor_id)
         LEFT JOIN users u ON u.id = r.created_by
        WHERE r.branch_id = ?1 AND r.business_date = ?2`,
    )
    .all(branchId, date) as Movement[];
}

function add(row: CollectionRow, m: Movement): void {
  row[m.method] += m.amount;
  row.total += m.amount;
  if (m.refund) row.refunds++;
  else row.receipts++;
}

function groupBy(moves: Movement[], key: (m: Movement) => string | null, name: (m: Movement) => string): CollectionRow[] {
  const rows = new Map<string, CollectionRow>();
  for (const m of moves) {
    const id = key(m);
    const k = id ?? '';
    let row = rows.get(k);
    if (!row) rows.set(k, (row = emptyRow(id, name(m))));
    add(row, m);
  }
  // Named rows by name; the row without a doctor or user last.
  return [...rows.values()].sort((a, b) => (a.id === null ? 1 : b.id === null ? -1 : a.name.localeCompare(b.name, 'en-IN') || a.id.localeCompare(b.id)));
}

/** The collection report of one business date in one branch. */
export function collectionReport(db: Database, branchId: string, date: string): CollectionReport {
  const moves = movementsOf(db, branchId, date);
  const total = emptyRow(null, 'All counters');
  for (const m of moves) add(total, m);
  const byMethod = METHODS.map((method) => {
    const ms = moves.filter((m) => m.method === method);
    const collected = ms.filter((m) => !m.refund).reduce((n, m) => n + m.amount, 0);
    const refunded = ms.filter((m) => m.refund).reduce((n, m) => n - m.amount, 0);
    return { method, receipts: ms.filter((m) => !m.refund).length, collected, refunds: ms.filter((m) => m.refund).length, refunded, net: collected - refunded };
  });
  return {
    date,
    byMethod,
    byDoctor: groupBy(moves, (m) => m.doctor_id, (m) => m.doctor_name ?? 'No doctor'),
    byUser: groupBy(moves, (m) => m.user_id, (m) => m.user_name ?? (m.user_id?.startsWith('gateway:') ? 'Online (Razorpay)' : m.user_id ? 'Former user' : 'Online (no counter)')),
    total,
    payments: paymentsOn(db, branchId, date),
  };
}

/** The payments of a business date, oldest first, with patient, doctor and user names. */
export function paymentsOn(db: Database, branchId: string, date: string, limit = 10_000): PaymentLine[] {
  return db
    .query(
      `SELECT p.id, p.receipt_number, p.kind, p.created_at AS at, pt.name AS patient_name, pt.mrn AS patient_mrn,
              d.name AS doctor_name, u.name AS user_name, p.method, p.reference, p.amount, p.refunded,
              p.invoice_id, i.number AS invoice_number
         FROM payments p
         JOIN patients pt ON pt.id = p.patient_id
         LEFT JOIN invoices i ON i.id = p.invoice_id
         LEFT JOIN appointments a ON a.id = p.appointment_id
         LEFT JOIN doctors d ON d.id = COALESCE(i.doctor_id, a.doctor_id)
         LEFT JOIN users u ON u.id = p.collected_by
        WHERE p.branch_id = ? AND p.business_date = ?
        ORDER BY p.created_at, p.receipt_number
        LIMIT ?`,
    )
    .all(branchId, date, limit) as PaymentLine[];
}

/** The latest payments of the branch, newest first (the counter page). */
export function recentPayments(db: Database, branchId: string, limit = 20): PaymentLine[] {
  return db
    .query(
      `SELECT p.id, p.receipt_number, p.kind, p.created_at AS at, pt.name AS patient_name, pt.mrn AS patient_mrn,
              d.name AS doctor_name, u.name AS user_name, p.method, p.reference, p.amount, p.refunded,
              p.invoice_id, i.number AS invoice_number
         FROM payments p
         JOIN patients pt ON pt.id = p.patient_id
         LEFT JOIN invoices i ON i.id = p.invoice_id
         LEFT JOIN appointments a ON a.id = p.appointment_id
         LEFT JOIN doctors d ON d.id = COALESCE(i.doctor_id, a.doctor_id)
         LEFT JOIN users u ON u.id = p.collected_by
        WHERE p.branch_id = ?
        ORDER BY p.created_at DESC, p.receipt_number DESC
        LIMIT ?`,
    )
    .all(branchId, limit) as PaymentLine[];
}

export interface DueInvoice {
  id: string;
  number: string;
  issued_at: string;
  patient_id: string;
  patient_name: string;
  patient_mrn: string;
  doctor_name: string | null;
  total: number;
  balance: number;
}

/** Invoices with a balance still due, newest first. */
export function invoicesWithBalance(db: Database, branchId: string, limit = 50): DueInvoice[] {
  return db
    .query(
      `SELECT i.id, i.number, i.issued_at, i.patient_id, pt.name AS patient_name, pt.mrn AS patient_mrn, d.name AS doctor_name,
              i.total, i.total - i.credited - (i.paid - i.refunded) AS balance
         FROM invoices i
         JOIN patients pt ON pt.id = i.patient_id
         LEFT JOIN doctors d ON d.id = i.doctor_id
        WHERE i.branch_id = ? AND i.total - i.credited - (i.paid - i.refunded) > 0
        ORDER BY i.issued_at DESC
        LIMIT ?`,
    )
    .all(branchId, limit) as DueInvoice[];
}

export interface VisitToBill {
  appointment_id: string;
  start: string;
  status: string;
  mode: 'in_person' | 'tele';
  patient_id: string;
  patient_name: string;
  patient_mrn: string;
  doctor_id: string;
  doctor_name: string;
  fee: number;
  deposits: number;
  invoice_id: string | null;
}

/** The day's appointments that are not cancelled, with what was paid before the visit and their invoice, if any. */
export function visitsOn(db: Database, branchId: string, localDate: string): VisitToBill[] {
  return db
    .query(
      `SELECT a.id AS appointment_id, a.start, a.status, a.mode, a.patient_id, pt.name AS patient_name, pt.mrn AS patient_mrn,
              a.doctor_id, d.name AS doctor_name, d.fee_paise AS fee,
              COALESCE((SELECT sum(p.amount - p.refunded) FROM payments p WHERE p.appointment_id = a.id AND p.kind = 'deposit'), 0) AS deposits,
              (SELECT i.id FROM invoices i WHERE i.appointment_id = a.id ORDER BY i.issued_at LIMIT 1) AS invoice_id
         FROM appointments a
         JOIN patients pt ON pt.id = a.patient_id
         JOIN doctors d ON d.id = a.doctor_id
        WHERE a.branch_id = ? AND a.local_date = ? AND a.status IN ('booked', 'checked_in', 'completed')
        ORDER BY a.start, pt.name`,
    )
    .all(branchId, localDate) as VisitToBill[];
}

export interface DayCloseLine {
  user_id: string;
  user_name: string | null;
  business_date: string;
  expected: MethodTotals;
  counted_cash: number;
  denominations: Record<string, number>;
  variance: number;
  reason: string | null;
  closed_at: string;
}

/** Counter closes, newest first: one user's, or (userId null) every counter's. */
export function dayCloseHistory(db: Database, branchId: string, userId: string | null, limit = 30): DayCloseLine[] {
  const rows = db
    .query(
      `SELECT c.user_id, u.name AS user_name, c.business_date, c.expected, c.counted_cash, c.denominations, c.variance, c.reason, c.closed_at
         FROM day_closes c LEFT JOIN users u ON u.id = c.user_id
        WHERE c.branch_id = ?1 AND (?2 IS NULL OR c.user_id = ?2)
        ORDER BY c.business_date DESC, c.closed_at DESC
        LIMIT ?3`,
    )
    .all(branchId, userId, limit) as (Omit<DayCloseLine, 'expected' | 'denominations'> & { expected: string; denominations: string })[];
  return rows.map((r) => ({ ...r, expected: JSON.parse(r.expected) as MethodTotals, denominations: JSON.parse(r.denominations) as Record<string, number> }));
}

// ---- exports

/** Paise as a rupee amount with two decimals and no grouping ("-1234.50"): exact, from the digits. */
export function rupeesText(paise: number): string {
  const abs = Math.abs(paise);
  return `${paise < 0 ? '-' : ''}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/**
 * A text cell a spreadsheet must not run as a formula (CSV injection): one that starts
 * with = + - @ or a tab/CR gets a leading apostrophe. Numbers are never passed here.
 */
export function safeText(s: string): string {
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

/** One RFC 4180 field: quoted when it holds a comma, quote, CR or LF; quotes doubled. */
export function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** RFC 4180 rows (CRLF line ends) behind a UTF-8 byte order mark, so Excel reads ₹ and Indian scripts right. */
export function csvOf(rows: (string | number)[][]): string {
  return '\uFEFF' + rows.map((r) => r.map((v) => csvField(String(v))).join(',')).join('\r\n') + '\r\n';
}

const SUMMARY_HEADER = ['Section', 'Name', 'Cash (₹)', 'UPI (₹)', 'Card (₹)', 'Online (₹)', 'Total (₹)', 'Receipts', 'Refunds'];
const PAYMENTS_HEADER = ['Receipt number', 'Time', 'Kind', 'Patient', 'MRN', 'Doctor', 'Collected by', 'Method', 'Reference', 'Amount (₹)', 'Refunded (₹)', 'Invoice'];

type Cell = { text: string } | { paise: number } | { count: number };

function summaryCells(r: CollectionReport): Cell[][] {
  const line = (section: string, row: CollectionRow): Cell[] => [
    { text: section },
    { text: row.name },
    ...[row.cash, row.upi, row.card, row.online, row.total].map((paise) => ({ paise })),
    { count: row.receipts },
    { count: row.refunds },
  ];
  return [...r.byDoctor.map((row) => line('Doctor', row)), ...r.byUser.map((row) => line('User', row)), line('Branch total', r.total)];
}

function paymentCells(r: CollectionReport, timeZone: string): Cell[][] {
  const time = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hour12: false });
  return r.payments.map((p) => [
    { text: p.receipt_number },
    { text: time.format(new Date(p.at)) },
    { text: p.kind === 'deposit' ? 'Deposit' : 'Balance' },
    { text: p.patient_name },
    { text: p.patient_mrn },
    { text: p.doctor_name ?? '' },
    { text: p.user_name ?? '' },
    { text: METHOD_LABELS[p.method] },
    { text: p.reference ?? '' },
    { paise: p.amount },
    { paise: p.refunded },
    { text: p.invoice_number ?? '' },
  ]);
}

const csvCell = (c: Cell): string => ('text' in c ? safeText(c.text) : 'paise' in c ? rupeesText(c.paise) : String(c.count));

/** The summary (doctors, users, branch total; amounts in rupees) as CSV. */
export function collectionCsv(r: CollectionReport): string {
  return csvOf([SUMMARY_HEADER, ...summaryCells(r).map((row) => row.map(csvCell))]);
}

/** The day's payments, one per line, as CSV. */
export function paymentsCsv(r: CollectionReport, timeZone: string): string {
  return csvOf([PAYMENTS_HEADER, ...paymentCells(r, timeZone).map((row) => row.map(csvCell))]);
}

/**
 * The report as an XLSX workbook: sheets "Summary", "By method" and "Payments". Amounts are
 * numbers in rupees with two decimals (the header says ₹), counts are whole numbers.
 */
export async function collectionXlsx(r: CollectionReport, meta: { clinic: string; branch: string; timeZone: string }): Promise<Uint8Array<ArrayBuffer>> {
  // Loaded on first use: the workbook library is large and only exports need it.
  const { default: ExcelJS } = await import('exceljs');
  const wb = new ExcelJS.Workbook();
  wb.creator = 'MyMedic';
  wb.created = new Date(`${r.date}T00:00:00Z`);
  const put = (name: string, header: string[], rows: Cell[][], widths: number[]) => {
    const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.addRow(header).font = { bold: true };
    for (const row of rows) {
      const added = ws.addRow(row.map((c) => ('text' in c ? c.text : 'paise' in c ? c.paise / 100 : c.count)));
      row.forEach((c, i) => {
        if ('paise' in c) added.getCell(i + 1).numFmt = '#,##0.00';
      });
    }
    widths.forEach((w, i) => (ws.getColumn(i + 1).width = w));
  };
  put('Summary', SUMMARY_HEADER, summaryCells(r), [14, 28, 12, 12, 12, 12, 13, 10, 10]);
  put(
    'By method',
    ['Method', 'Receipts', 'Collected (₹)', 'Refunds', 'Refunded (₹)', 'Net (₹)'],
    r.byMethod.map((m) => [{ text: METHOD_LABELS[m.method] }, { count: m.receipts }, { paise: m.collected }, { count: m.refunds }, { paise: m.refunded }, { paise: m.net }]),
    [10, 10, 14, 10, 14, 14],
  );
  put('Payments', PAYMENTS_HEADER, paymentCells(r, meta.timeZone), [18, 8, 9, 26, 14, 22, 18, 8, 16, 12, 12, 18]);
  wb.title = `Collections ${r.date} · ${meta.branch}`;
  wb.company = meta.clinic;
  const buf = (await wb.xlsx.writeBuffer()) as unknown as Uint8Array;
  const out = new Uint8Array(new ArrayBuffer(buf.byteLength));
  out.set(buf);
  return out;
}
