// Billing pages for the front desk and the accountant: the counter (today's collections,
// visits to bill, receipts), invoices from a visit, split payments (cash + UPI + card in one
// transaction: all recorded or none), deposits at booking, refunds, the day close, the daily
// collection report with CSV and XLSX downloads, and the price list. Every form carries the
// CSRF token and a one-time form token, so a double submit acts once. Handlers parse the
// form, call the same commands and queries as the REST routes, and render.
import { Elysia, t } from 'elysia';
import { CounterPage, type CounterVisit } from '../../views/billing/counter';
import { type FormError, SPLIT_FIELDS, type SplitValues } from '../../views/billing/common';
import { DayClosePage, DayCloseSummary, countedOf } from '../../views/billing/day-close';
import { DepositPage } from '../../views/billing/deposit';
import { InvoicePage, type InvoicePayment } from '../../views/billing/invoice';
import { InvoiceFormPage, type LineValues } from '../../views/billing/invoice-form';
import { PaymentPage } from '../../views/billing/payment';
import { type PricesForm, PricesPage } from '../../views/billing/prices';
import { ReportsPage } from '../../views/billing/reports';
import { DomainError, badRequest, notFound, unprocessable } from '../core/errors';
import { isUuid, randomToken } from '../core/ids';
import type { Tx } from '../core/runner';
import { actorOf, type Scope } from '../core/scope';
import type { authGuard } from '../http/guard';
import { idempotencyOf } from '../http/idempotency';
import { clinicName, formFields, html, pageUser, redirectWithFlash, takeFlash } from '../http/page';
import { can } from '../http/permissions';
import { infoOf } from '../http/request-info';
import type { Services } from '../http/services';
import { getBranch, getClinic } from '../org/queries';
import { getPatient } from '../patients/queries';
import { getAppointment, getDoctor, listDoctors } from '../scheduling/queries';
import { addDays, toLocal } from '../scheduling/time';
import {
  businessDate,
  closeDay,
  DENOMINATIONS,
  depositDue,
  type InvoiceLineInput,
  issueInvoice,
  type PaymentInput,
  recordPayment,
  refundPayment,
  setCancellationPolicy,
  setDepositRule,
  setPrice,
} from './commands';
import type { DepositRule, ItemKind, PaymentMethod } from './events';
import { formatInr } from './money';
import {
  collectionsByMethod,
  depositsOfAppointment,
  getInvoice,
  getPayment,
  invoiceJson,
  invoicesOfAppointment,
  isDayClosed,
  openDeposits,
  type PaymentRow,
  paymentsOfInvoice,
  priceList,
  priceOn,
  refundableUntilHours,
  refundsOfPayment,
  balanceOf,
} from './queries';
import {
  collectionCsv,
  collectionReport,
  collectionXlsx,
  dayCloseHistory,
  invoicesWithBalance,
  paymentsCsv,
  recentPayments,
  visitsOn,
} from './reports';

const NO_STORE = { 'cache-control': 'no-store' };
const MAX_LINES = 50;
const EXTRA_LINES = 2;

/**
 * Rupees as typed ("1,234.50", "₹ 500", "1,00,000") to integer paise, from the digits:
 * never through a float. Empty is null.
 */
export function parseRupees(raw: string | undefined, field: string): number | null {
  const s = (raw ?? '').replace(/[\s,₹]/g, '').replace(/^Rs\.?/i, '');
  if (!s) return null;
  const m = /^(\d{1,9})(?:\.(\d{0,2}))?$/.exec(s);
  if (!m) throw unprocessable('invalid_amount', 'Enter an amount in rupees, like 1,234.50', { field });
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

const rupeesValue = (paise: number) => `${Math.floor(paise / 100)}.${String(paise % 100).padStart(2, '0')}`;

/** What a form token stands for: the submission as typed (a double-submit sends the same). */
function submission(f: Record<string, string>): Record<string, string> {
  const { _csrf: _, ...rest } = f;
  return rest;
}

const formErrorOf = (e: DomainError): FormError => ({
  message: e.code === 'idempotency_key_reused' ? 'This form had already been sent with other values. Check the values below and send it again.' : e.message,
  field: typeof e.details?.field === 'string' ? e.details.field : null,
});

const isFormError = (e: unknown): e is DomainError => e instanceof DomainError && (e.status === 400 || e.status === 403 || e.status === 409 || e.status === 422);

function splitValuesOf(f: Record<string, string>): SplitValues {
  const v: SplitValues = {};
  for (const k of SPLIT_FIELDS) if (f[k] !== undefined) v[k] = f[k].slice(0, 120);
  return v;
}

/** The split form as one payment per method with an amount; refused whole if any part is malformed. */
function splitPaymentsOf(f: Record<string, string>): { method: PaymentMethod; amount: number; input: Omit<PaymentInput, 'invoice_id' | 'appointment_id'> }[] {
  const cash = parseRupees(f.cash, 'cash');
  const upi = parseRupees(f.upi, 'upi');
  const card = parseRupees(f.card, 'card');
  const parts: { method: PaymentMethod; amount: number; input: Omit<PaymentInput, 'invoice_id' | 'appointment_id'> }[] = [];
  if (cash) parts.push({ method: 'cash', amount: cash, input: { method: 'cash', amount: cash } });
  if (upi) {
    if (!f.upi_reference?.trim()) throw unprocessable('reference_required', 'For a UPI payment give the transaction reference (UTR)', { field: 'upi_reference' });
    parts.push({ method: 'upi', amount: upi, input: { method: 'upi', amount: upi, reference: f.upi_reference, upi_vpa: f.upi_vpa?.trim() || null } });
  }
  if (card) {
    if (!/^\d{4}$/.test((f.card_last4 ?? '').trim())) throw unprocessable('invalid_card_last4', 'For a card payment give the last 4 digits of the card', { field: 'card_last4' });
    parts.push({ method: 'card', amount: card, input: { method: 'card', amount: card, card_last4: f.card_last4.trim(), card_auth_code: f.card_auth_code?.trim() || null } });
  }
  if (!parts.length) throw unprocessable('no_amount', 'Enter an amount for at least one method', { field: 'cash' });
  return parts;
}

/** Field names of a payment command mapped to the split form's. */
const SPLIT_FIELD_OF: Record<string, Partial<Record<PaymentMethod, string>>> = {
  amount: { cash: 'cash', upi: 'upi', card: 'card' },
  reference: { upi: 'upi_reference' },
  upi_vpa: { upi: 'upi_vpa' },
  card_last4: { card: 'card_last4' },
  card_auth_code: { card: 'card_auth_code' },
};

/**
 * Records every part of a split payment in the caller's transaction: a refused part throws
 * and the runner rolls the whole transaction back, so either all are recorded or none.
 */
function recordSplit(tx: Tx, scope: Scope, target: { invoice_id?: string; appointment_id?: string }, parts: ReturnType<typeof splitPaymentsOf>, due: number | null): string[] {
  const sum = parts.reduce((n, p) => n + p.amount, 0);
  if (due !== null && sum > due) {
    throw unprocessable('overpayment', due > 0 ? `The amounts add up to ${formatInr(sum)}, but only ${formatInr(due)} is due` : 'Nothing is due', { balance: due });
  }
  return parts.map((p) => {
    try {
      return recordPayment(tx, scope, { ...p.input, ...target });
    } catch (e) {
      // Put the message at the field of the method it belongs to.
      if (e instanceof DomainError && typeof e.details?.field === 'string') {
        const field = SPLIT_FIELD_OF[e.details.field]?.[p.method];
        if (field) throw new DomainError(e.status, e.code, e.message, { ...e.details, field });
      }
      throw e;
    }
  });
}

const paymentView = (p: PaymentRow): InvoicePayment => ({
  id: p.id,
  receipt_number: p.receiptNumber,
  kind: p.kind,
  method: p.method,
  reference: p.reference,
  card_last4: p.cardLast4,
  amount: p.amount,
  refunded: p.refunded,
  created_at: p.createdAt,
});

/** Ids named in ?receipts=a,b (the payments just recorded), kept only if they are in `rows`. */
function justPaidOf(raw: string | undefined, rows: InvoicePayment[]): InvoicePayment[] {
  const ids = new Set((raw ?? '').split(',').slice(0, 5));
  return rows.filter((r) => ids.has(r.id));
}

const LINE_FIELDS = ['item', 'qty', 'discount', 'reason'] as const;

function linesOf(f: Record<string, string>): LineValues[] {
  const n = Math.min(Math.max(Number.parseInt(f.line_count ?? '0', 10) || 0, 1), MAX_LINES);
  const lines: LineValues[] = [];
  for (let i = 0; i < n; i++) {
    const get = (k: (typeof LINE_FIELDS)[number]) => (f[`line_${i}_${k}`] ?? '').slice(0, 200);
    lines.push({ item: get('item'), qty: get('qty'), discount: get('discount'), reason: get('reason') });
  }
  return lines;
}

const blankLine = (): LineValues => ({ item: '', qty: '1', discount: '', reason: '' });

/** The form's lines as the command takes them, in form order; lines without an item are left out. */
function invoiceLinesOf(lines: LineValues[], canDiscount: boolean): { inputs: InvoiceLineInput[]; formIndex: number[] } {
  const inputs: InvoiceLineInput[] = [];
  const formIndex: number[] = [];
  lines.forEach((l, i) => {
    if (!l.item.trim()) return;
    const qty = l.qty.trim() || '1';
    if (!/^\d{1,5}$/.test(qty) || Number(qty) < 1) throw unprocessable('invalid_qty', `Line ${i + 1}: quantity must be a whole number from 1`, { field: `line_${i}_qty` });
    const discount = canDiscount ? (parseRupees(l.discount, `line_${i}_discount`) ?? 0) : 0;
    inputs.push({ item_code: l.item.trim(), qty: Number(qty), discount, discount_reason: discount ? l.reason : null });
    formIndex.push(i);
  });
  if (!inputs.length) throw unprocessable('no_lines', 'Pick at least one item', { field: 'line_0_item' });
  return { inputs, formIndex };
}

/**
 * A command's error about "lines.<n>.<field>" (n counts only the lines sent) put at the
 * form's "line_<i>_<field>", its "Line n:" numbered as the form shows it.
 */
function atFormLine(err: FormError, formIndex: number[]): FormError {
  const m = err.field ? /^lines\.(\d+)\.(\w+)$/.exec(err.field) : null;
  if (!m) return err;
  const i = formIndex[Number(m[1])] ?? 0;
  const name = { item_code: 'item', qty: 'qty', discount: 'discount', discount_reason: 'reason', unit_price: 'item', tax_rate: 'item', description: 'item' }[m[2]] ?? 'item';
  return { field: `line_${i}_${name}`, message: err.message.replace(/^Line \d+:/, `Line ${i + 1}:`) };
}

function depositRulesOf(svc: Services, branchId: string): DepositRule[] {
  const rows = svc.kernel.db
    .query('SELECT doctor_key, mode, kind, value FROM deposit_rules WHERE branch_id = ? ORDER BY doctor_key = \'*\' DESC, doctor_key, mode')
    .all(branchId) as { doctor_key: string; mode: DepositRule['mode']; kind: DepositRule['kind']; value: number }[];
  return rows.map((r) => ({ doctor_id: r.doctor_key === '*' ? null : r.doctor_key, mode: r.mode, kind: r.kind, value: r.value }));
}

const ITEM_KINDS: ItemKind[] = ['consultation', 'procedure', 'lab', 'other'];
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

export function billingPages(svc: Services, guard: ReturnType<typeof authGuard>) {
  const { db, runner, clock } = svc.kernel;
  const zoneOf = (scope: Scope) => getBranch(db, scope.branchId)?.timezone ?? 'Asia/Kolkata';
  const todayOf = (scope: Scope) => toLocal(clock.now(), zoneOf(scope)).date;
  const myBusinessDate = (scope: Scope) => businessDate({ db, now: clock.now() }, scope);
  const ctx = (scope: Scope, request: Request) => ({ actor: actorOf(scope), requestId: infoOf(request).id });
  const common = (scope: Scope) => ({ user: pageUser(svc, scope), clinicName: clinicName(svc), timeZone: zoneOf(scope) });

  const findInvoice = (scope: Scope, id: string) => {
    const row = isUuid(id) ? getInvoice(db, scope.branchId, id) : null;
    if (!row) throw notFound('Invoice');
    return row;
  };
  const findPayment = (scope: Scope, id: string) => {
    const row = isUuid(id) ? getPayment(db, scope.branchId, id) : null;
    if (!row) throw notFound('Payment');
    return row;
  };
  const findAppointment = (scope: Scope, id: string | undefined) => {
    const row = id && isUuid(id) ? getAppointment(db, scope.branchId, id) : null;
    if (!row) throw notFound('Appointment');
    return row;
  };
  const patientOf = (scope: Scope, id: string) => {
    const p = getPatient(db, scope.branchId, id);
    if (!p) throw notFound('Patient');
    return { id: p.id, name: p.name, mrn: p.mrn };
  };

  // ---- invoice form

  /** The lines a new invoice starts with: the doctor's consultation if the price list has one, else CONS. */
  const defaultLines = (scope: Scope, doctorId: string | null): LineValues[] => {
    const items = priceList(db, scope.branchId, todayOf(scope));
    const consultation =
      (doctorId ? items.find((i) => i.kind === 'consultation' && i.doctor_id === doctorId) : undefined) ?? items.find((i) => i.item_code === 'CONS');
    return [...(consultation ? [{ ...blankLine(), item: consultation.item_code }] : []), ...Array.from({ length: EXTRA_LINES }, blankLine)];
  };

  const invoiceFormPage = (scope: Scope, target: { patientId: string; appointmentId: string | null }, lines: LineValues[], status: number, error: FormError | null = null) => {
    const patient = patientOf(scope, target.patientId);
    const a = target.appointmentId ? getAppointment(db, scope.branchId, target.appointmentId) : null;
    const doctor = a ? getDoctor(db, scope.branchId, a.doctorId) : null;
    return html(
      InvoiceFormPage({
        ...common(scope),
        formToken: randomToken(18),
        patient,
        appointment: a ? { id: a.id, start: a.start, doctorName: doctor?.name ?? 'Doctor', mode: a.mode, status: a.status } : null,
        items: priceList(db, scope.branchId, todayOf(scope)),
        lines,
        canDiscount: can(scope.role, 'billing.discount'),
        deposits: a ? openDeposits(db, scope.branchId, a.id).map((d) => ({ receipt_number: d.receiptNumber, amount: d.amount, refunded: d.refunded, method: d.method })) : [],
        existing: a ? invoicesOfAppointment(db, scope.branchId, a.id).map((i) => ({ id: i.id, number: i.number })) : [],
        error,
      }) as string,
      status,
      NO_STORE,
    );
  };

  /** Who the invoice is for: the appointment's patient, or the patient given. */
  const invoiceTarget = (scope: Scope, appointmentId: string | undefined, patientId: string | undefined) => {
    if (appointmentId) {
      const a = findAppointment(scope, appointmentId);
      return { patientId: a.patientId, appointmentId: a.id, doctorId: a.doctorId as string | null };
    }
    if (!patientId || !isUuid(patientId) || !getPatient(db, scope.branchId, patientId)) throw notFound('Patient');
    return { patientId, appointmentId: null, doctorId: null };
  };

  // ---- invoice page

  const invoicePage = (scope: Scope, request: Request, id: string, opts: { status?: number; values?: SplitValues; error?: FormError | null; receipts?: string } = {}) => {
    const row = findInvoice(scope, id);
    const headers: Record<string, string> = { ...NO_STORE };
    const flash = opts.error ? null : takeFlash(request, headers);
    const payments = paymentsOfInvoice(db, scope.branchId, row.id).map(paymentView);
    return html(
      InvoicePage({
        ...common(scope),
        flash,
        invoice: invoiceJson(row),
        patient: patientOf(scope, row.patientId),
        doctorName: row.doctorId ? (getDoctor(db, scope.branchId, row.doctorId)?.name ?? null) : null,
        payments,
        justPaid: justPaidOf(opts.receipts, payments),
        canCollect: can(scope.role, 'billing.collect'),
        formToken: randomToken(18),
        values: opts.values ?? {},
        error: opts.error ?? null,
      }) as string,
      opts.status ?? 200,
      headers,
    );
  };

  // ---- deposit page

  const depositPage = (scope: Scope, request: Request, appointmentId: string | undefined, opts: { status?: number; values?: SplitValues; error?: FormError | null; receipts?: string } = {}) => {
    const a = findAppointment(scope, appointmentId);
    const doctor = getDoctor(db, scope.branchId, a.doctorId);
    const headers: Record<string, string> = { ...NO_STORE };
    const flash = opts.error ? null : takeFlash(request, headers);
    const deposits = depositsOfAppointment(db, scope.branchId, a.id).map(paymentView);
    const invoice = invoicesOfAppointment(db, scope.branchId, a.id)[0] ?? null;
    return html(
      DepositPage({
        ...common(scope),
        flash,
        appointment: { id: a.id, start: a.start, mode: a.mode, status: a.status, doctorName: doctor?.name ?? 'Doctor', fee: doctor?.feePaise ?? 0 },
        patient: patientOf(scope, a.patientId),
        due: depositDue({ db }, scope, a.doctorId, a.mode),
        deposits,
        invoice: invoice ? { id: invoice.id, number: invoice.number } : null,
        justPaid: justPaidOf(opts.receipts, deposits),
        canCollect: can(scope.role, 'billing.collect'),
        formToken: randomToken(18),
        values: opts.values ?? {},
        error: opts.error ?? null,
      }) as string,
      opts.status ?? 200,
      headers,
    );
  };

  // ---- payment page

  const paymentPage = (scope: Scope, request: Request, id: string, opts: { status?: number; values?: { amount?: string; reason?: string }; error?: FormError | null; refund?: string } = {}) => {
    const x = findPayment(scope, id);
    const headers: Record<string, string> = { ...NO_STORE };
    const flash = opts.error ? null : takeFlash(request, headers);
    const invoice = x.invoiceId ? getInvoice(db, scope.branchId, x.invoiceId) : null;
    const refundable = x.amount - x.refunded;
    return html(
      PaymentPage({
        ...common(scope),
        flash,
        payment: {
          id: x.id,
          receipt_number: x.receiptNumber,
          kind: x.kind,
          method: x.method,
          reference: x.reference,
          upi_vpa: x.upiVpa,
          card_last4: x.cardLast4,
          card_auth_code: x.cardAuthCode,
          amount: x.amount,
          refunded: x.refunded,
          business_date: x.businessDate,
          created_at: x.createdAt,
          invoice: invoice ? { id: invoice.id, number: invoice.number } : null,
          appointment_id: x.appointmentId,
          collected_by: x.collectedBy,
        },
        patient: patientOf(scope, x.patientId),
        refunds: refundsOfPayment(db, scope.branchId, x.id).map((r) => ({ id: r.id, receipt_number: r.receiptNumber, amount: r.amount, reason: r.reason, policy: r.policy, created_at: r.createdAt })),
        justRefunded: opts.refund ?? null,
        canRefund: can(scope.role, 'payments.refund'),
        formToken: randomToken(18),
        values: opts.values ?? { amount: refundable > 0 ? rupeesValue(refundable) : '' },
        error: opts.error ?? null,
      }) as string,
      opts.status ?? 200,
      headers,
    );
  };

  // ---- day close

  const dayClosePage = (scope: Scope, request: Request, date: string, opts: { status?: number; counts?: Record<string, string>; reason?: string; error?: FormError | null } = {}) => {
    const headers: Record<string, string> = { ...NO_STORE };
    const flash = opts.error ? null : takeFlash(request, headers);
    const mine = dayCloseHistory(db, scope.branchId, scope.userId);
    return html(
      DayClosePage({
        ...common(scope),
        flash,
        date,
        expected: collectionsByMethod(db, scope.branchId, date, scope.userId),
        closed: mine.find((c) => c.business_date === date) ?? null,
        counts: opts.counts ?? {},
        reason: opts.reason ?? '',
        formToken: randomToken(18),
        error: opts.error ?? null,
        mine,
        all: can(scope.role, 'reports.read') ? dayCloseHistory(db, scope.branchId, null) : null,
      }) as string,
      opts.status ?? 200,
      headers,
    );
  };

  /** The date the page closes: ?date= (an earlier day left open), else this counter's business date. */
  const closeDateOf = (scope: Scope, raw: string | undefined) => {
    const open = myBusinessDate(scope);
    if (!raw) return open;
    if (!DATE_RE.test(raw) || raw > open || raw < addDays(open, -400)) throw badRequest('invalid_date', 'Pick a business date up to today');
    return raw;
  };

  const countsOf = (f: Record<string, string>) => {
    const counts: Record<string, string> = {};
    for (const d of DENOMINATIONS) if (f[`d_${d}`] !== undefined) counts[`d_${d}`] = f[`d_${d}`].slice(0, 12);
    return counts;
  };

  // ---- prices

  const pricesPage = (scope: Scope, request: Request, opts: { status?: number; values?: Record<string, string>; form?: PricesForm; error?: FormError | null } = {}) => {
    const headers: Record<string, string> = { ...NO_STORE };
    const flash = opts.error ? null : takeFlash(request, headers);
    const today = todayOf(scope);
    let values = opts.values ?? {};
    const edit = new URL(request.url).searchParams.get('edit');
    if (!opts.values && edit) {
      const item = priceOn(db, scope.branchId, edit.toUpperCase().slice(0, 32), today);
      if (item) {
        values = {
          item_code: item.item_code,
          name: item.name,
          kind: item.kind,
          sac_hsn: item.sac_hsn ?? '',
          price: rupeesValue(item.unit_price),
          gst: item.exempt ? 'exempt' : String(item.tax_rate_bp / 100),
          doctor_id: item.doctor_id ?? '',
          effective_from: today,
        };
      }
    }
    return html(
      PricesPage({
        user: pageUser(svc, scope),
        clinicName: clinicName(svc),
        flash,
        today,
        items: priceList(db, scope.branchId, today),
        doctors: listDoctors(db, scope.branchId, true).map((d) => ({ id: d.id, name: d.name, fee: d.feePaise })),
        rules: depositRulesOf(svc, scope.branchId),
        policyHours: refundableUntilHours(db, scope.branchId),
        canManage: can(scope.role, 'prices.manage'),
        tokens: { item: randomToken(18), rule: randomToken(18), policy: randomToken(18) },
        values,
        form: opts.form ?? null,
        error: opts.error ?? null,
      }) as string,
      opts.status ?? 200,
      headers,
    );
  };

  /** Runs a price list form's command once per form token, then back to the price list. */
  const pricesPost = (scope: Scope, request: Request, body: unknown, form: PricesForm, act: (tx: Tx, f: Record<string, string>) => string) => {
    const f = formFields(body);
    try {
      const idem = idempotencyOf(scope, request, submission(f), f._form_token || undefined);
      const res = runner.runIdempotent(ctx(scope, request), idem, (tx) => ({ status: 200, body: { text: act(tx, f) } }));
      return redirectWithFlash('/billing/prices', { kind: 'ok', text: res.body.text });
    } catch (e) {
      if (isFormError(e)) return pricesPage(scope, request, { status: e.status, values: submission(f), form, error: formErrorOf(e) });
      throw e;
    }
  };

  const DateQuery = t.Object({ date: t.Optional(t.String({ maxLength: 20 })) });
  const reportDateOf = (scope: Scope, raw: string | undefined) => {
    const today = todayOf(scope);
    if (!raw) return today;
    if (!DATE_RE.test(raw) || Number.isNaN(Date.parse(`${raw}T00:00:00Z`))) throw badRequest('invalid_date', 'date must be YYYY-MM-DD');
    return raw;
  };
  const download = (body: string | Uint8Array<ArrayBuffer>, type: string, filename: string) =>
    new Response(body, { headers: { 'content-type': type, 'content-disposition': `attachment; filename="${filename}"`, ...NO_STORE } });
  const branchCode = (scope: Scope) => getBranch(db, scope.branchId)?.code ?? 'branch';

  return new Elysia({ name: 'billing-pages', seed: svc.kernel.origin })
    .use(guard)
    .get(
      '/billing',
      ({ scope, request }) => {
        const headers: Record<string, string> = { ...NO_STORE };
        const flash = takeFlash(request, headers);
        const myDate = myBusinessDate(scope);
        const today = todayOf(scope);
        const visits: CounterVisit[] = visitsOn(db, scope.branchId, today).map((v) => ({ ...v, depositDue: depositDue({ db }, scope, v.doctor_id, v.mode) }));
        return html(
          CounterPage({
            ...common(scope),
            flash,
            myDate,
            mine: collectionsByMethod(db, scope.branchId, myDate, scope.userId),
            branchDate: today,
            branch: collectionsByMethod(db, scope.branchId, today),
            recent: recentPayments(db, scope.branchId, 15),
            due: invoicesWithBalance(db, scope.branchId, 30),
            visits,
            can: {
              collect: can(scope.role, 'billing.collect'),
              dayClose: can(scope.role, 'day.close'),
              reports: can(scope.role, 'reports.read'),
              prices: can(scope.role, 'prices.manage'),
            },
          }) as string,
          200,
          headers,
        );
      },
      { auth: 'billing.read', detail: { hide: true } },
    )

    // ---- invoices
    .get(
      '/billing/invoices/new',
      ({ scope, query }) => {
        const target = invoiceTarget(scope, query.appointment_id, query.patient_id);
        return invoiceFormPage(scope, target, defaultLines(scope, target.doctorId), 200);
      },
      {
        auth: 'billing.collect',
        query: t.Object({ appointment_id: t.Optional(t.String({ maxLength: 64 })), patient_id: t.Optional(t.String({ maxLength: 64 })) }),
        detail: { hide: true },
      },
    )
    .post(
      '/billing/invoices',
      ({ scope, body, request }) => {
        const f = formFields(body);
        const target = invoiceTarget(scope, f.appointment_id || undefined, f.patient_id);
        const lines = linesOf(f);
        if (f._action === 'add_line') {
          return invoiceFormPage(scope, target, lines.length < MAX_LINES ? [...lines, blankLine()] : lines, 200);
        }
        const canDiscount = can(scope.role, 'billing.discount');
        let formIndex: number[] = [];
        try {
          const parsed = invoiceLinesOf(lines, canDiscount);
          formIndex = parsed.formIndex;
          const idem = idempotencyOf(scope, request, submission(f), f._form_token || undefined);
          const res = runner.runIdempotent(ctx(scope, request), idem, (tx) => {
            const id = issueInvoice(tx, scope, { patient_id: target.patientId, appointment_id: target.appointmentId, lines: parsed.inputs });
            const inv = getInvoice(tx.db, scope.branchId, id)!;
            return { status: 201, body: { id, number: inv.number, balance: balanceOf(inv) } };
          });
          return redirectWithFlash(`/billing/invoices/${res.body.id}`, { kind: 'ok', text: `Invoice ${res.body.number} issued: ${formatInr(res.body.balance)} to pay` });
        } catch (e) {
          if (isFormError(e)) {
            return invoiceFormPage(scope, target, lines, e.status, atFormLine(formErrorOf(e), formIndex));
          }
          throw e;
        }
      },
      { auth: 'billing.collect', detail: { hide: true } },
    )
    .get('/billing/invoices/:id', ({ scope, request, params, query }) => invoicePage(scope, request, params.id, { receipts: query.receipts }), {
      auth: 'billing.read',
      query: t.Object({ receipts: t.Optional(t.String({ maxLength: 400 })) }),
      detail: { hide: true },
    })
    .post(
      '/billing/invoices/:id/payments',
      ({ scope, body, request, params }) => {
        const row = findInvoice(scope, params.id);
        const f = formFields(body);
        const values = splitValuesOf(f);
        try {
          const parts = splitPaymentsOf(f);
          const idem = idempotencyOf(scope, request, submission(f), f._form_token || undefined);
          const res = runner.runIdempotent(ctx(scope, request), idem, (tx) => {
            const inv = getInvoice(tx.db, scope.branchId, row.id)!;
            const ids = recordSplit(tx, scope, { invoice_id: row.id }, parts, balanceOf(inv));
            return { status: 201, body: { ids, total: parts.reduce((n, p) => n + p.amount, 0), methods: parts.map((p) => `${p.method === 'upi' ? 'UPI' : p.method} ${formatInr(p.amount)}`) } };
          });
          return redirectWithFlash(`/billing/invoices/${row.id}?receipts=${res.body.ids.join(',')}`, {
            kind: 'ok',
            text: `Recorded ${formatInr(res.body.total)} (${res.body.methods.join(', ')})`,
          });
        } catch (e) {
          if (isFormError(e)) return invoicePage(scope, request, row.id, { status: e.status, values, error: formErrorOf(e) });
          throw e;
        }
      },
      { auth: 'billing.collect', detail: { hide: true } },
    )

    // ---- deposits
    .get('/billing/deposit', ({ scope, request, query }) => depositPage(scope, request, query.appointment_id, { receipts: query.receipts }), {
      auth: 'billing.collect',
      query: t.Object({ appointment_id: t.Optional(t.String({ maxLength: 64 })), receipts: t.Optional(t.String({ maxLength: 400 })) }),
      detail: { hide: true },
    })
    .post(
      '/billing/deposit',
      ({ scope, body, request }) => {
        const f = formFields(body);
        const a = findAppointment(scope, f.appointment_id);
        const values = splitValuesOf(f);
        try {
          const parts = splitPaymentsOf(f);
          const idem = idempotencyOf(scope, request, submission(f), f._form_token || undefined);
          const res = runner.runIdempotent(ctx(scope, request), idem, (tx) => {
            const ids = recordSplit(tx, scope, { appointment_id: a.id }, parts, null);
            return { status: 201, body: { ids, total: parts.reduce((n, p) => n + p.amount, 0) } };
          });
          return redirectWithFlash(`/billing/deposit?appointment_id=${a.id}&receipts=${res.body.ids.join(',')}`, { kind: 'ok', text: `Deposit of ${formatInr(res.body.total)} recorded` });
        } catch (e) {
          if (isFormError(e)) return depositPage(scope, request, a.id, { status: e.status, values, error: formErrorOf(e) });
          throw e;
        }
      },
      { auth: 'billing.collect', detail: { hide: true } },
    )

    // ---- payments and refunds
    .get('/billing/payments/:id', ({ scope, request, params, query }) => paymentPage(scope, request, params.id, { refund: query.refund }), {
      auth: 'billing.read',
      query: t.Object({ refund: t.Optional(t.String({ maxLength: 64 })) }),
      detail: { hide: true },
    })
    .post(
      '/billing/payments/:id/refunds',
      ({ scope, body, request, params }) => {
        const x = findPayment(scope, params.id);
        const f = formFields(body);
        const values = { amount: (f.amount ?? '').slice(0, 20), reason: (f.reason ?? '').slice(0, 300) };
        try {
          const amount = parseRupees(f.amount, 'amount');
          if (!amount) throw unprocessable('invalid_amount', 'Enter the amount to refund', { field: 'amount' });
          const idem = idempotencyOf(scope, request, submission(f), f._form_token || undefined);
          const res = runner.runIdempotent(ctx(scope, request), idem, (tx) => {
            const before = getPayment(tx.db, scope.branchId, x.id)!;
            if (amount > before.amount - before.refunded) {
              throw unprocessable('refund_exceeds_paid', `At most ${formatInr(before.amount - before.refunded)} of this payment can still be refunded`, { field: 'amount' });
            }
            const id = refundPayment(tx, scope, { payment_id: x.id, amount, reason: f.reason ?? '' });
            return { status: 201, body: { id, amount } };
          });
          return redirectWithFlash(`/billing/payments/${x.id}?refund=${res.body.id}`);
        } catch (e) {
          if (isFormError(e)) return paymentPage(scope, request, x.id, { status: e.status, values, error: formErrorOf(e) });
          throw e;
        }
      },
      { auth: 'payments.refund', detail: { hide: true } },
    )

    // ---- day close
    .get('/billing/day-close', ({ scope, request, query }) => dayClosePage(scope, request, closeDateOf(scope, query.date)), {
      auth: 'day.close',
      query: DateQuery,
      detail: { hide: true },
    })
    .post(
      '/billing/day-close/preview',
      ({ scope, body }) => {
        const f = formFields(body);
        const date = closeDateOf(scope, f.business_date || undefined);
        const expected = collectionsByMethod(db, scope.branchId, date, scope.userId);
        return html(DayCloseSummary({ s: { expectedCash: expected.cash, counted: countedOf(countsOf(f)) } }) as string, 200, NO_STORE);
      },
      { auth: 'day.close', detail: { hide: true } },
    )
    .post(
      '/billing/day-close',
      ({ scope, body, request }) => {
        const f = formFields(body);
        const date = closeDateOf(scope, f.business_date || undefined);
        const counts = countsOf(f);
        const reason = (f.reason ?? '').slice(0, 400);
        try {
          const denominations: Record<string, number> = {};
          for (const d of DENOMINATIONS) {
            const raw = (counts[`d_${d}`] ?? '').trim();
            if (!raw) continue;
            if (!/^\d{1,6}$/.test(raw)) throw unprocessable('invalid_count', `Count of ₹${d}: a whole number from 0`, { field: `denominations.${d}` });
            denominations[String(d)] = Number(raw);
          }
          const idem = idempotencyOf(scope, request, submission(f), f._form_token || undefined);
          const res = runner.runIdempotent(ctx(scope, request), idem, (tx) => {
            if (isDayClosed(tx.db, scope.branchId, scope.userId, date)) throw unprocessable('day_closed', `${date} is already closed for this counter`);
            return { status: 201, body: closeDay(tx, scope, { business_date: date, denominations, reason: reason.trim() || null }) };
          });
          const v = res.body.variance;
          return redirectWithFlash('/billing/day-close', {
            kind: v ? 'warn' : 'ok',
            text: `Closed ${date}${v ? ` with a variance of ${formatInr(v)}` : ': cash matches'}. Payments taken now count for the next business day.`,
          });
        } catch (e) {
          if (isFormError(e)) return dayClosePage(scope, request, date, { status: e.status, counts, reason, error: formErrorOf(e) });
          throw e;
        }
      },
      { auth: 'day.close', detail: { hide: true } },
    )

    // ---- reports
    .get(
      '/billing/reports',
      ({ scope, query }) => {
        const date = reportDateOf(scope, query.date);
        return html(ReportsPage({ ...common(scope), today: todayOf(scope), report: collectionReport(db, scope.branchId, date) }) as string, 200, NO_STORE);
      },
      { auth: 'reports.read', query: DateQuery, detail: { hide: true } },
    )
    .get(
      '/billing/reports/collections.csv',
      ({ scope, query }) => {
        const date = reportDateOf(scope, query.date);
        return download(collectionCsv(collectionReport(db, scope.branchId, date)), 'text/csv; charset=utf-8', `collections-${branchCode(scope)}-${date}.csv`);
      },
      { auth: 'reports.read', query: DateQuery, detail: { hide: true } },
    )
    .get(
      '/billing/reports/payments.csv',
      ({ scope, query }) => {
        const date = reportDateOf(scope, query.date);
        return download(paymentsCsv(collectionReport(db, scope.branchId, date), zoneOf(scope)), 'text/csv; charset=utf-8', `payments-${branchCode(scope)}-${date}.csv`);
      },
      { auth: 'reports.read', query: DateQuery, detail: { hide: true } },
    )
    .get(
      '/billing/reports/collections.xlsx',
      async ({ scope, query }) => {
        const date = reportDateOf(scope, query.date);
        const branch = getBranch(db, scope.branchId);
        const bytes = await collectionXlsx(collectionReport(db, scope.branchId, date), {
          clinic: getClinic(db)?.name ?? 'MyMedic',
          branch: branch ? `${branch.code} ${branch.name}` : '',
          timeZone: zoneOf(scope),
        });
        return download(bytes, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', `collections-${branchCode(scope)}-${date}.xlsx`);
      },
      { auth: 'reports.read', query: DateQuery, detail: { hide: true } },
    )

    // ---- price list
    .get('/billing/prices', ({ scope, request }) => pricesPage(scope, request), {
      auth: 'billing.read',
      query: t.Object({ edit: t.Optional(t.String({ maxLength: 64 })) }),
      detail: { hide: true },
    })
    .post(
      '/billing/prices',
      ({ scope, body, request }) =>
        pricesPost(scope, request, body, 'item', (tx, f) => {
          const price = parseRupees(f.price, 'price');
          if (price === null) throw unprocessable('invalid_amount', 'Give the price in rupees', { field: 'price' });
          const kind = (f.kind ?? '') as ItemKind;
          if (!ITEM_KINDS.includes(kind)) throw unprocessable('invalid_kind', 'Pick a kind', { field: 'kind' });
          const gst = f.gst ?? 'exempt';
          if (gst !== 'exempt' && !/^\d{1,2}(\.\d{1,2})?$/.test(gst)) throw unprocessable('invalid_tax_rate', 'Pick a GST rate', { field: 'gst' });
          const from = (f.effective_from ?? '').trim();
          if (!DATE_RE.test(from)) throw unprocessable('invalid_date', 'Effective from: a date', { field: 'effective_from' });
          const doctorId = f.doctor_id?.trim() || null;
          if (doctorId && !isUuid(doctorId)) throw unprocessable('unknown_doctor', 'No such doctor in this branch', { field: 'doctor_id' });
          setPrice(tx, scope, {
            item_code: f.item_code ?? '',
            name: f.name ?? '',
            kind,
            sac_hsn: f.sac_hsn?.trim() || null,
            unit_price: price,
            tax_rate: gst === 'exempt' ? 0 : Number(gst),
            exempt: gst === 'exempt',
            doctor_id: doctorId,
            effective_from: from,
          });
          return `Saved ${(f.item_code ?? '').trim().toUpperCase()} at ${formatInr(price)} from ${from}`;
        }),
      { auth: 'prices.manage', detail: { hide: true } },
    )
    .post(
      '/billing/prices/deposit-rules',
      ({ scope, body, request }) =>
        pricesPost(scope, request, body, 'rule', (tx, f) => {
          const kind = f.rule_kind === 'percent' ? 'percent' : 'amount';
          const mode = f.mode === 'tele' ? 'tele' : 'in_person';
          let value: number;
          if (kind === 'percent') {
            if (!/^\d{1,3}$/.test((f.value ?? '').trim())) throw unprocessable('invalid_value', 'A whole percentage from 0 to 100', { field: 'value' });
            value = Number(f.value.trim());
          } else {
            const v = parseRupees(f.value, 'value');
            if (v === null) throw unprocessable('invalid_value', 'Give the deposit in rupees', { field: 'value' });
            value = v;
          }
          const doctorId = f.rule_doctor_id?.trim() || null;
          if (doctorId && !isUuid(doctorId)) throw unprocessable('unknown_doctor', 'No such doctor in this branch', { field: 'rule_doctor_id' });
          try {
            setDepositRule(tx, scope, { doctor_id: doctorId, mode, kind, value });
          } catch (e) {
            if (e instanceof DomainError && e.details?.field === 'doctor_id') throw new DomainError(e.status, e.code, e.message, { ...e.details, field: 'rule_doctor_id' });
            throw e;
          }
          return `Saved the deposit rule: ${kind === 'percent' ? `${value}% of the fee` : formatInr(value)} (${mode === 'tele' ? 'tele' : 'in person'})`;
        }),
      { auth: 'prices.manage', detail: { hide: true } },
    )
    .post(
      '/billing/prices/cancellation-policy',
      ({ scope, body, request }) =>
        pricesPost(scope, request, body, 'policy', (tx, f) => {
          const raw = (f.refundable_until_hours ?? '').trim();
          if (!/^\d{1,3}$/.test(raw)) throw unprocessable('invalid_hours', 'Hours from 0 to 720', { field: 'refundable_until_hours' });
          setCancellationPolicy(tx, scope, Number(raw));
          return `Deposits are now refundable until ${raw} hours before the appointment`;
        }),
      { auth: 'prices.manage', detail: { hide: true } },
    );
}

