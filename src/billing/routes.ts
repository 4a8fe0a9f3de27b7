// REST for billing: the price list, deposit rules and cancellation policy; invoices and
// their credit notes; payments (deposits at booking, balances at the visit) and refunds;
// the counter's day close and the daily collection report. Money in and out is
// {"amount": <integer paise>, "currency": "INR"}. Handlers parse, call the commands of
// ./commands.ts inside one transaction each, and answer; the money rules live in the
// commands, only checks of what a request may ask for (a day not yet begun, a refund of
// deposits before the cancellation) live here.
import type { Database } from 'bun:sqlite';
import { and, asc, eq, sql, type SQL } from 'drizzle-orm';
import { Elysia, t } from 'elysia';
import { WholeNumber } from '../http/schema';
import { badRequest, conflict, notFound, unprocessable } from '../core/errors';
import { isUuid } from '../core/ids';
import { orm } from '../core/orm';
import type { StoredResponse, Tx } from '../core/runner';
import { actorOf, type Scope } from '../core/scope';
import type { authGuard } from '../http/guard';
import { idempotencyOf } from '../http/idempotency';
import { can } from '../http/permissions';
import type { Services } from '../http/services';
import { getBranch, getUser } from '../org/queries';
import { branchToday } from '../patients/routes';
import { isValidDate } from '../patients/rules';
import { getAppointment, getDoctor } from '../scheduling/queries';
import { toLocal } from '../scheduling/time';
import {
  businessDate,
  closeDay,
  depositDue,
  issueCreditNote,
  issueInvoice,
  recordPayment,
  refundDepositsOnCancel,
  refundPayment,
  retirePrice,
  setCancellationPolicy,
  setDepositRule,
  setPrice,
} from './commands';
import type { DepositRule, PaymentMethod, PriceItem } from './events';
import type { Line } from './money';
import {
  collectionsByMethod,
  depositsOfAppointment,
  getInvoice,
  getPayment,
  getRefund,
  invoiceJson,
  type InvoiceRow,
  type MethodTotals,
  paymentJson,
  type PaymentRow,
  paymentsOfInvoice,
  priceList,
  priceOn,
  refundableUntilHours,
  refundJson,
  refundsOfPayment,
} from './queries';
import { creditNotes, dayCloses, depositRules, invoices, payments, refunds } from './schema';
import { type CollectionRow, collectionReport } from './reports';

// ---- schemas

const MAX_PAISE = 10_000_000_000; // ₹10 crore

const money = (amount: number) => ({ amount, currency: 'INR' as const });

const Int = WholeNumber;

function MoneySchema(opts: { minimum?: number; description?: string } = {}) {
  return t.Object(
    {
      amount: Int({ minimum: opts.minimum ?? 0, maximum: MAX_PAISE, description: 'Integer paise (₹1 = 100)' }),
      currency: t.Literal('INR', { description: 'Always "INR"' }),
    },
    { additionalProperties: false, description: opts.description ?? 'Money: {"amount": <integer paise>, "currency": "INR"}' },
  );
}

const DateString = (description: string) => t.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: `${description} (YYYY-MM-DD, the branch's calendar)` });
const Id = (description: string) => t.String({ maxLength: 64, description });
const Kind = t.Union([t.Literal('consultation'), t.Literal('procedure'), t.Literal('lab'), t.Literal('other')]);
const Mode = t.Union([t.Literal('in_person'), t.Literal('tele')]);
const TaxRate = t.Number({ minimum: 0, maximum: 100, description: 'GST rate in percent, e.g. 18; 0 for exempt supplies' });

export const PriceBody = t.Object(
  {
    name: t.String({ maxLength: 120, description: 'What the patient sees on the bill' }),
    kind: Kind,
    sac_hsn: t.Optional(t.Nullable(t.String({ maxLength: 8, description: 'SAC (services) or HSN (goods) code, 4–8 digits' }))),
    unit_price: MoneySchema({ description: 'Price before GST' }),
    tax_rate: TaxRate,
    exempt: t.Optional(t.Boolean({ description: 'GST-exempt supply (most consultations). Default: true when tax_rate is 0' })),
    doctor_id: t.Optional(t.Nullable(Id('For a doctor-specific item, e.g. that doctor\'s consultation'))),
    effective_from: t.Optional(DateString('First day this price applies; default today')),
  },
  { additionalProperties: false },
);

export const DepositRuleBody = t.Object(
  {
    doctor_id: t.Optional(t.Nullable(Id('The doctor the rule is for; omit for the branch default'))),
    mode: Mode,
    kind: t.Union([t.Literal('amount'), t.Literal('percent')]),
    value: t.Union([MoneySchema(), Int({ minimum: 0, maximum: 100 })], {
      description: 'For kind "amount": money; for kind "percent": a whole percentage of the doctor\'s fee (0–100)',
    }),
  },
  { additionalProperties: false },
);

const LineBody = t.Object(
  {
    item_code: t.String({ maxLength: 32, description: 'Price-list code; unit_price, tax_rate and description default from the price list' }),
    description: t.Optional(t.String({ maxLength: 200 })),
    qty: Int({ minimum: 1, maximum: 10_000 }),
    unit_price: t.Optional(MoneySchema({ description: 'Unit price before GST (default: the price list)' })),
    tax_rate: t.Optional(TaxRate),
    discount: t.Optional(MoneySchema({ description: 'Off this line, before GST; needs billing.discount and a reason' })),
    discount_reason: t.Optional(t.Nullable(t.String({ maxLength: 200 }))),
  },
  { additionalProperties: false },
);

const InvoiceBody = t.Object(
  {
    patient_id: Id('The patient billed'),
    appointment_id: t.Optional(t.Nullable(Id('The visit; deposits taken for it are applied to this invoice'))),
    lines: t.Array(LineBody, { minItems: 1, maxItems: 100 }),
  },
  { additionalProperties: false },
);

const CreditNoteBody = t.Object(
  {
    lines: t.Array(LineBody, { minItems: 1, maxItems: 100 }),
    reason: t.String({ maxLength: 300, description: 'Why value is taken off the invoice' }),
  },
  { additionalProperties: false },
);

const Method = t.Union([t.Literal('cash'), t.Literal('upi'), t.Literal('card')], { description: 'cash, upi or card (online payments arrive through the gateway webhook)' });

const PaymentBody = t.Object(
  {
    invoice_id: t.Optional(t.Nullable(Id('Pay (part of) the balance of this invoice'))),
    appointment_id: t.Optional(t.Nullable(Id('Or: a deposit for this appointment, before the visit'))),
    amount: MoneySchema({ minimum: 1 }),
    method: Method,
    reference: t.Optional(t.Nullable(t.String({ maxLength: 64, description: 'UPI transaction reference (UTR), required for UPI; slip number for cards' }))),
    upi_vpa: t.Optional(t.Nullable(t.String({ maxLength: 100, description: 'The payer\'s UPI ID (name@bank)' }))),
    card_last4: t.Optional(t.Nullable(t.String({ maxLength: 4, description: 'Last 4 digits of the card; required for card' }))),
    card_auth_code: t.Optional(t.Nullable(t.String({ maxLength: 12, description: 'Card terminal approval code' }))),
  },
  { additionalProperties: false },
);

const RefundBody = t.Object(
  {
    payment_id: Id('The payment refunded (the refund goes back to its method)'),
    amount: MoneySchema({ minimum: 1 }),
    reason: t.String({ maxLength: 300 }),
  },
  { additionalProperties: false },
);

const DayCloseBody = t.Object(
  {
    business_date: t.Optional(DateString('The day closed; default today')),
    denominations: t.Record(t.String({ pattern: '^\\d{1,4}$' }), Int({ minimum: 0, maximum: 100_000 }), {
      description: 'Cash counted: notes and coins by rupee value, e.g. {"500": 3, "100": 2}',
    }),
    reason: t.Optional(t.Nullable(t.String({ maxLength: 300, description: 'Required when counted cash differs from expected' }))),
  },
  { additionalProperties: false },
);

const ListQuery = {
  limit: t.Optional(t.String({ description: '1–500, default 50' })),
  cursor: t.Optional(t.String({ maxLength: 500 })),
};

// ---- JSON

export const priceJson = (p: PriceItem & { source?: 'branch' | 'chain' }) => ({
  item_code: p.item_code,
  name: p.name,
  kind: p.kind,
  sac_hsn: p.sac_hsn,
  unit_price: money(p.unit_price),
  tax_rate: p.tax_rate_bp / 100,
  exempt: p.exempt,
  doctor_id: p.doctor_id,
  effective_from: p.effective_from,
  /** 'chain' when the item comes from the chain's list (pulled from the hub), 'branch' when it is the branch's own or its override. */
  ...(p.source ? { source: p.source } : {}),
});

export const ruleJson = (r: DepositRule) => ({ doctor_id: r.doctor_id, mode: r.mode, kind: r.kind, value: r.kind === 'amount' ? money(r.value) : r.value });

const lineJson = (l: Line) => ({
  item_code: l.item_code,
  description: l.description,
  sac_hsn: l.sac_hsn,
  qty: l.qty,
  unit_price: money(l.unit_price),
  discount: money(l.discount),
  discount_reason: l.discount_reason,
  taxable: money(l.taxable),
  tax_rate: l.tax_rate_bp / 100,
  exempt: l.exempt,
  cgst: money(l.cgst),
  sgst: money(l.sgst),
  total: money(l.total),
});

type CreditNoteRow = typeof creditNotes.$inferSelect;

function creditNoteJson(c: CreditNoteRow) {
  const lines = JSON.parse(c.lines) as Line[];
  const sum = (k: 'taxable' | 'cgst' | 'sgst') => lines.reduce((n, l) => n + l[k], 0);
  return {
    id: c.id,
    number: c.number,
    invoice_id: c.invoiceId,
    lines: lines.map(lineJson),
    subtotal: money(sum('taxable')),
    cgst: money(sum('cgst')),
    sgst: money(sum('sgst')),
    total: money(c.total),
    reason: c.reason,
    business_date: c.businessDate,
    issued_at: c.issuedAt,
  };
}

function creditNotesOf(db: Database, branchId: string, invoiceId: string): CreditNoteRow[] {
  return orm(db).select().from(creditNotes).where(and(eq(creditNotes.branchId, branchId), eq(creditNotes.invoiceId, invoiceId))).orderBy(asc(creditNotes.issuedAt), asc(creditNotes.id)).all();
}

/** An invoice with the payments made on it (deposits applied included) and its credit notes. */
function invoiceView(db: Database, inv: InvoiceRow) {
  return {
    ...invoiceJson(inv),
    payments: paymentsOfInvoice(db, inv.branchId, inv.id).map(paymentJson),
    credit_notes: creditNotesOf(db, inv.branchId, inv.id).map(creditNoteJson),
  };
}

const paymentView = (db: Database, p: PaymentRow) => ({ ...paymentJson(p), refunds: refundsOfPayment(db, p.branchId, p.id).map(refundJson) });

const methodMoney = (m: MethodTotals) => ({ cash: money(m.cash), upi: money(m.upi), card: money(m.card), online: money(m.online) });

type DayCloseRow = typeof dayCloses.$inferSelect;

function dayCloseJson(db: Database, r: DayCloseRow) {
  const expected = JSON.parse(r.expected) as MethodTotals;
  return {
    business_date: r.businessDate,
    user_id: r.userId,
    user_name: getUser(db, r.userId)?.name ?? null,
    closed: true,
    expected: methodMoney(expected),
    counted_cash: money(r.countedCash),
    denominations: JSON.parse(r.denominations) as Record<string, number>,
    variance: money(r.variance),
    reason: r.reason,
    closed_at: r.closedAt,
  };
}

// ---- reading helpers

function parseLimit(raw: string | undefined): number {
  if (raw === undefined) return 50;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 500) throw badRequest('invalid_limit', 'limit must be an integer from 1 to 500');
  return n;
}

/** Keyset cursors over (time, id): opaque base64url JSON. */
function decodeCursor(raw: string | undefined): { at: string; id: string } | null {
  if (!raw) return null;
  try {
    const c = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as unknown;
    if (c && typeof c === 'object' && typeof (c as { at: unknown }).at === 'string' && typeof (c as { id: unknown }).id === 'string') return c as { at: string; id: string };
  } catch {
    // falls through to the 400 below
  }
  throw badRequest('invalid_cursor', 'cursor is not one this server gave out');
}
const encodeCursor = (at: string, id: string) => Buffer.from(JSON.stringify({ at, id })).toString('base64url');

function page<R, J>(rows: R[], limit: number, keyOf: (r: R) => { at: string; id: string }, toJson: (r: R) => J) {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  const last = items[items.length - 1];
  return { items: items.map(toJson), next_cursor: more && last ? encodeCursor(keyOf(last).at, keyOf(last).id) : null };
}

export function dateParam(raw: string | undefined, field: string, fallback: () => string): string {
  if (raw === undefined || raw === '') return fallback();
  if (!isValidDate(raw)) throw badRequest('invalid_date', `${field} must be a real date as YYYY-MM-DD`, { field });
  return raw;
}

/** Another branch's record, or a malformed id, is simply not found: existence must not leak. */
const found = <R>(row: R | null | undefined, what: string): R => {
  if (!row) throw notFound(what);
  return row;
};

export const json = (res: StoredResponse<unknown>, location?: string) =>
  new Response(JSON.stringify(res.body), {
    status: res.status,
    headers: { 'content-type': 'application/json', ...(location ? { location } : {}), ...(res.replayed ? { 'idempotent-replayed': 'true' } : {}) },
  });

// ---- reports

/**
 * Net collections (payments − refunds) of a business date by method, by doctor (the
 * invoice's doctor, else the appointment's) and by the user who took or gave the money:
 * the report of src/billing/reports.ts in the API's shape.
 */
export function collectionsReport(db: Database, branchId: string, date: string) {
  const r = collectionReport(db, branchId, date);
  const rows = <K extends string>(list: CollectionRow[], idKey: K, nameOf: (id: string) => string | null) =>
    list
      .map((x) => ({ [idKey]: x.id, name: x.id ? nameOf(x.id) : null, ...methodMoney(x), total: money(x.total) }) as Record<K, string | null> & { name: string | null; total: { amount: number } })
      .sort((a, b) => b.total.amount - a.total.amount || String(a.name).localeCompare(String(b.name)));
  return {
    business_date: date,
    by_method: methodMoney(r.total),
    total: money(r.total.total),
    refunded: money(r.byMethod.reduce((n, m) => n + m.refunded, 0)),
    by_doctor: rows(r.byDoctor, 'doctor_id', (id) => getDoctor(db, branchId, id)?.name ?? null),
    by_user: rows(r.byUser, 'user_id', (id) => getUser(db, id)?.name ?? null),
  };
}

/** Each counter's day: what it should hold (live, or as frozen at its close) and what was counted. */
function dayCloseReport(db: Database, branchId: string, date: string, onlyUserId: string | null) {
  const closed = orm(db).select().from(dayCloses).where(and(eq(dayCloses.branchId, branchId), eq(dayCloses.businessDate, date))).all();
  const users = new Set<string>();
  const collectors = db
    .query(
      `SELECT collected_by AS u FROM payments WHERE branch_id = ?1 AND business_date = ?2 AND collected_by IS NOT NULL
       UNION SELECT created_by FROM refunds WHERE branch_id = ?1 AND business_date = ?2 AND created_by IS NOT NULL`,
    )
    .all(branchId, date) as { u: string }[];
  for (const c of collectors) users.add(c.u);
  for (const c of closed) users.add(c.userId);
  const items = [...users]
    .filter((u) => !onlyUserId || u === onlyUserId)
    .map((u) => {
      const row = closed.find((c) => c.userId === u);
      if (row) return dayCloseJson(db, row);
      const expected = collectionsByMethod(db, branchId, date, u);
      return {
        business_date: date,
        user_id: u,
        user_name: getUser(db, u)?.name ?? null,
        closed: false,
        expected: methodMoney(expected),
        counted_cash: null,
        denominations: null,
        variance: null,
        reason: null,
        closed_at: null,
      };
    })
    .sort((a, b) => String(a.user_name).localeCompare(String(b.user_name)) || a.user_id.localeCompare(b.user_id));
  return { business_date: date, items, next_cursor: null };
}

// ---- routes

export function billingRoutes(svc: Services, guard: ReturnType<typeof authGuard>) {
  const { db, runner } = svc.kernel;
  /** Runs one command with the caller's Idempotency-Key; the answer is built inside the transaction. */
  const submit = <B>(scope: Scope, request: Request, body: unknown, fn: (tx: Tx) => { status: number; body: B }) =>
    runner.submitIdempotent({ actor: actorOf(scope) }, idempotencyOf(scope, request, body ?? null), fn);
  const invoiceOf = (scope: Scope, id: string) => found(isUuid(id) ? getInvoice(db, scope.branchId, id) : null, 'Invoice');
  const paymentOf = (scope: Scope, id: string) => found(isUuid(id) ? getPayment(db, scope.branchId, id) : null, 'Payment');

  return (
    new Elysia({ name: 'billingRoutes', seed: svc.kernel.origin })
      .use(guard)

      // ---- price list
      .get(
        '/api/v1/prices',
        ({ scope, query }) => {
          const date = dateParam(query.date, 'date', () => branchToday(svc, scope));
          return { items: priceList(db, scope.branchId, date).map(priceJson), next_cursor: null };
        },
        {
          auth: 'billing.read',
          query: t.Object({ date: t.Optional(t.String({ maxLength: 10, description: 'The price list as in effect on this date (default today)' })) }),
          detail: { tags: ['billing'], summary: 'The price list', description: 'Every item in effect on `date` (default today), with its price before GST, GST rate, SAC/HSN code and exemption.' },
        },
      )
      .put(
        '/api/v1/prices/:item_code',
        async ({ scope, params, body, request }) => {
          if (body.effective_from && !isValidDate(body.effective_from)) throw unprocessable('invalid_date', 'effective_from must be a real date as YYYY-MM-DD', { field: 'effective_from' });
          const res = await submit(scope, request, body, (tx) => {
            setPrice(tx, scope, { ...body, item_code: params.item_code, unit_price: body.unit_price.amount });
            const from = body.effective_from ?? branchToday(svc, scope);
            return { status: 200, body: priceJson(priceOn(tx.db, scope.branchId, params.item_code.trim().toUpperCase(), from)!) };
          });
          return json(res);
        },
        {
          auth: 'prices.manage',
          body: PriceBody,
          detail: {
            tags: ['billing'],
            summary: 'Set an item’s price',
            description:
              'Creates the item or gives it a new price from `effective_from` (default today); earlier prices stay for earlier dates, so old invoices keep their prices. Item codes are 1–32 letters, digits, - or _ (stored in capitals). A consultation is usually GST-exempt (tax_rate 0).',
          },
        },
      )
      .delete(
        '/api/v1/prices/:item_code',
        async ({ scope, params, query, request }) => {
          const from = dateParam(query.effective_from, 'effective_from', () => branchToday(svc, scope));
          const res = await submit(scope, request, { effective_from: from }, (tx) => {
            retirePrice(tx, scope, params.item_code, from);
            return { status: 200, body: { item_code: params.item_code.toUpperCase(), retired_from: from } };
          });
          return json(res);
        },
        {
          auth: 'prices.manage',
          query: t.Object({ effective_from: t.Optional(t.String({ maxLength: 10, description: 'First day the item is no longer sold (default today)' })) }),
          detail: { tags: ['billing'], summary: 'Retire an item from the price list', description: 'From `effective_from` on the item is no longer in the list; invoices already issued keep it. 404 if the item is not in the list on that date.' },
        },
      )

      // ---- deposit rules and the cancellation policy
      .get(
        '/api/v1/deposit-rules',
        ({ scope }) => {
          const rows = orm(db).select().from(depositRules).where(eq(depositRules.branchId, scope.branchId)).orderBy(asc(depositRules.doctorKey), asc(depositRules.mode)).all();
          return { items: rows.map((r) => ruleJson({ doctor_id: r.doctorKey === '*' ? null : r.doctorKey, mode: r.mode, kind: r.kind, value: r.value })), next_cursor: null };
        },
        {
          auth: 'billing.read',
          detail: { tags: ['billing'], summary: 'Deposit rules', description: 'What to take at booking, per doctor and mode; `doctor_id: null` is the branch default. Tele consultations are always paid in full at booking.' },
        },
      )
      .put(
        '/api/v1/deposit-rules',
        async ({ scope, body, request }) => {
          const isMoney = typeof body.value === 'object';
          if (body.kind === 'amount' && !isMoney) throw unprocessable('invalid_value', 'For kind "amount" give value as money: {"amount": <paise>, "currency": "INR"}', { field: 'value' });
          if (body.kind === 'percent' && isMoney) throw unprocessable('invalid_value', 'For kind "percent" give value as a whole percentage from 0 to 100', { field: 'value' });
          const rule: DepositRule = { doctor_id: body.doctor_id ?? null, mode: body.mode, kind: body.kind, value: typeof body.value === 'object' ? body.value.amount : body.value };
          const res = await submit(scope, request, body, (tx) => {
            setDepositRule(tx, scope, rule);
            return { status: 200, body: ruleJson(rule) };
          });
          return json(res);
        },
        {
          auth: 'prices.manage',
          body: DepositRuleBody,
          detail: {
            tags: ['billing'],
            summary: 'Set a deposit rule',
            description: 'The deposit taken at booking for a doctor (or, without doctor_id, the branch default) and mode: a fixed amount or a percentage of the doctor’s fee, never more than the fee.',
          },
        },
      )
      .get('/api/v1/billing-policy', ({ scope }) => ({ refundable_until_hours: refundableUntilHours(db, scope.branchId) }), {
        auth: 'billing.read',
        detail: { tags: ['billing'], summary: 'The cancellation policy', description: 'Deposits are refunded automatically when an appointment is cancelled at least `refundable_until_hours` before its start (default 24).' },
      })
      .put(
        '/api/v1/billing-policy',
        async ({ scope, body, request }) => {
          const res = await submit(scope, request, body, (tx) => {
            setCancellationPolicy(tx, scope, body.refundable_until_hours);
            return { status: 200, body: { refundable_until_hours: body.refundable_until_hours } };
          });
          return json(res);
        },
        {
          auth: 'prices.manage',
          body: t.Object({ refundable_until_hours: Int({ minimum: 0, maximum: 720, description: 'Hours before the start until which a cancellation refunds the deposit' }) }, { additionalProperties: false }),
          detail: { tags: ['billing'], summary: 'Set the cancellation policy', description: 'Later cancellations keep the deposit unless a manager (payments.refund) overrides.' },
        },
      )
      .get(
        '/api/v1/deposits/due',
        ({ scope, query }) => {
          const doctor = found(isUuid(query.doctor_id) ? getDoctor(db, scope.branchId, query.doctor_id) : null, 'Doctor');
          const mode = query.mode ?? 'in_person';
          return { doctor_id: doctor.id, mode, amount: money(depositDue({ db }, scope, doctor.id, mode)), fee: money(doctor.feePaise) };
        },
        {
          auth: 'billing.read',
          query: t.Object({ doctor_id: t.String({ maxLength: 64 }), mode: t.Optional(Mode) }),
          detail: { tags: ['billing'], summary: 'The deposit to take at booking', description: 'For a doctor and mode (default in_person): the deposit rule applied to the doctor’s fee; tele consultations are the full fee. `amount` may be 0.' },
        },
      )

      // ---- invoices and credit notes
      .post(
        '/api/v1/invoices',
        async ({ scope, body, request }) => {
          const res = await submit(scope, request, body, (tx) => {
            const id = issueInvoice(tx, scope, {
              patient_id: body.patient_id,
              appointment_id: body.appointment_id ?? null,
              lines: body.lines.map((l) => ({ ...l, unit_price: l.unit_price?.amount, discount: l.discount?.amount })),
            });
            return { status: 201, body: invoiceView(tx.db, getInvoice(tx.db, scope.branchId, id)!) };
          });
          return json(res, `/api/v1/invoices/${(res.body as { id: string }).id}`);
        },
        {
          auth: 'billing.collect',
          body: InvoiceBody,
          detail: {
            tags: ['billing'],
            summary: 'Issue an invoice',
            description:
              'Issued once and numbered (gapless per branch and financial year); later changes are credit notes. GST is computed per line (rounded half up to the paisa) and split into CGST and SGST; `document_type` is `bill_of_supply` (only exempt lines), `tax_invoice` (only taxable lines) or `invoice_cum_bill_of_supply`. Deposits taken for `appointment_id` count as paid. A discount needs billing.discount (403 otherwise) and a reason. 201 with id, number, lines, cgst, sgst, total, paid, balance.',
          },
        },
      )
      .get(
        '/api/v1/invoices',
        ({ scope, query }) => {
          const limit = parseLimit(query.limit);
          const cursor = decodeCursor(query.cursor);
          const conds: SQL[] = [eq(invoices.branchId, scope.branchId)];
          if (query.patient_id) conds.push(eq(invoices.patientId, query.patient_id));
          if (query.appointment_id) conds.push(eq(invoices.appointmentId, query.appointment_id));
          if (query.date || (!query.patient_id && !query.appointment_id)) conds.push(eq(invoices.businessDate, dateParam(query.date, 'date', () => branchToday(svc, scope))));
          if (cursor) conds.push(sql`(${invoices.issuedAt}, ${invoices.id}) > (${cursor.at}, ${cursor.id})`);
          const rows = orm(db).select().from(invoices).where(and(...conds)).orderBy(asc(invoices.issuedAt), asc(invoices.id)).limit(limit + 1).all();
          return page(rows, limit, (r) => ({ at: r.issuedAt, id: r.id }), invoiceJson);
        },
        {
          auth: 'billing.read',
          query: t.Object({
            patient_id: t.Optional(t.String({ maxLength: 64 })),
            appointment_id: t.Optional(t.String({ maxLength: 64 })),
            date: t.Optional(t.String({ maxLength: 10, description: 'Business date; default today when no patient or appointment is given' })),
            ...ListQuery,
          }),
          detail: { tags: ['billing'], summary: 'List invoices', description: 'Of a patient, an appointment and/or a business date, oldest first.' },
        },
      )
      .get('/api/v1/invoices/:id', ({ scope, params }) => invoiceView(db, invoiceOf(scope, params.id)), {
        auth: 'billing.read',
        detail: { tags: ['billing'], summary: 'One invoice', description: 'With its lines, GST split, payments (deposits applied included), credit notes, paid and balance.' },
      })
      .post(
        '/api/v1/invoices/:id/credit-notes',
        async ({ scope, params, body, request }) => {
          const inv = invoiceOf(scope, params.id);
          const res = await submit(scope, request, body, (tx) => {
            const id = issueCreditNote(tx, scope, inv.id, { reason: body.reason, lines: body.lines.map((l) => ({ ...l, unit_price: l.unit_price?.amount, discount: l.discount?.amount })) });
            const note = orm(tx.db).select().from(creditNotes).where(eq(creditNotes.id, id)).get()!;
            const after = getInvoice(tx.db, scope.branchId, inv.id)!;
            const { total, credited, paid, balance } = invoiceJson(after);
            return { status: 201, body: { ...creditNoteJson(note), invoice: { id: after.id, number: after.number, total, credited, paid, balance } } };
          });
          return json(res, `/api/v1/invoices/${inv.id}`);
        },
        {
          auth: 'payments.refund',
          body: CreditNoteBody,
          detail: {
            tags: ['billing'],
            summary: 'Issue a credit note against an invoice',
            description: 'Takes value off an issued invoice (lines with GST as on an invoice), never more than is left on it (422 credit_exceeds_invoice). Numbered in its own series. Money already paid beyond the new total is given back with POST /api/v1/refunds.',
          },
        },
      )

      // ---- payments and refunds
      .post(
        '/api/v1/payments',
        async ({ scope, body, request }) => {
          const res = await submit(scope, request, body, (tx) => {
            const id = recordPayment(tx, scope, { ...body, amount: body.amount.amount });
            return { status: 201, body: paymentView(tx.db, getPayment(tx.db, scope.branchId, id)!) };
          });
          return json(res, `/api/v1/payments/${(res.body as { id: string }).id}`);
        },
        {
          auth: 'billing.collect',
          body: PaymentBody,
          detail: {
            tags: ['billing'],
            summary: 'Take a payment',
            description:
              'Against an invoice’s balance (`invoice_id`) or as a deposit before the visit (`appointment_id`, at most the consultation fee). 201 with id and receipt_number (gapless per branch and financial year, e.g. BLR1/26-27/00123). More than is due → 422 overpayment. UPI needs `reference`; card needs `card_last4`. After the counter’s day close, payments fall on the next business day.',
          },
        },
      )
      .get(
        '/api/v1/payments',
        ({ scope, query }) => {
          const limit = parseLimit(query.limit);
          const cursor = decodeCursor(query.cursor);
          const conds: SQL[] = [eq(payments.branchId, scope.branchId)];
          if (query.invoice_id) conds.push(eq(payments.invoiceId, query.invoice_id));
          if (query.appointment_id) conds.push(eq(payments.appointmentId, query.appointment_id));
          if (query.patient_id) conds.push(eq(payments.patientId, query.patient_id));
          if (query.date || (!query.invoice_id && !query.appointment_id && !query.patient_id)) conds.push(eq(payments.businessDate, dateParam(query.date, 'date', () => branchToday(svc, scope))));
          if (query.method) conds.push(eq(payments.method, query.method));
          if (query.user_id) conds.push(eq(payments.collectedBy, query.user_id));
          if (cursor) conds.push(sql`(${payments.createdAt}, ${payments.id}) > (${cursor.at}, ${cursor.id})`);
          const rows = orm(db).select().from(payments).where(and(...conds)).orderBy(asc(payments.createdAt), asc(payments.id)).limit(limit + 1).all();
          return page(rows, limit, (r) => ({ at: r.createdAt, id: r.id }), paymentJson);
        },
        {
          auth: 'billing.read',
          query: t.Object({
            date: t.Optional(t.String({ maxLength: 10, description: 'Business date; default today unless an invoice, appointment or patient is given' })),
            method: t.Optional(t.Union([t.Literal('cash'), t.Literal('upi'), t.Literal('card'), t.Literal('online')])),
            user_id: t.Optional(t.String({ maxLength: 64, description: 'Who collected' })),
            invoice_id: t.Optional(t.String({ maxLength: 64 })),
            appointment_id: t.Optional(t.String({ maxLength: 64 })),
            patient_id: t.Optional(t.String({ maxLength: 64 })),
            ...ListQuery,
          }),
          detail: { tags: ['billing'], summary: 'List payments', description: 'Filtered by business date, method, collecting user, invoice, appointment or patient; oldest first.' },
        },
      )
      .get('/api/v1/payments/:id', ({ scope, params }) => paymentView(db, paymentOf(scope, params.id)), {
        auth: 'billing.read',
        detail: { tags: ['billing'], summary: 'One payment', description: 'With its receipt number and the refunds made from it.' },
      })
      .post(
        '/api/v1/refunds',
        async ({ scope, body, request }) => {
          const res = await submit(scope, request, body, (tx) => {
            const id = refundPayment(tx, scope, { payment_id: body.payment_id, amount: body.amount.amount, reason: body.reason });
            return { status: 201, body: refundJson(getRefund(tx.db, scope.branchId, id)!) };
          });
          return json(res, `/api/v1/refunds/${(res.body as { id: string }).id}`);
        },
        {
          auth: 'payments.refund',
          body: RefundBody,
          detail: {
            tags: ['billing'],
            summary: 'Refund (part of) a payment',
            description: 'Back to the payment’s own method, with a reason; 201 with id and receipt_number (its own gapless series, e.g. BLR1/R2627/00012). More than is left of the payment → 422 refund_exceeds_paid.',
          },
        },
      )
      .get(
        '/api/v1/refunds',
        ({ scope, query }) => {
          const limit = parseLimit(query.limit);
          const cursor = decodeCursor(query.cursor);
          const conds: SQL[] = [eq(refunds.branchId, scope.branchId)];
          if (query.payment_id) conds.push(eq(refunds.paymentId, query.payment_id));
          else conds.push(eq(refunds.businessDate, dateParam(query.date, 'date', () => branchToday(svc, scope))));
          if (cursor) conds.push(sql`(${refunds.createdAt}, ${refunds.id}) > (${cursor.at}, ${cursor.id})`);
          const rows = orm(db).select().from(refunds).where(and(...conds)).orderBy(asc(refunds.createdAt), asc(refunds.id)).limit(limit + 1).all();
          return page(rows, limit, (r) => ({ at: r.createdAt, id: r.id }), refundJson);
        },
        {
          auth: 'billing.read',
          query: t.Object({ date: t.Optional(t.String({ maxLength: 10 })), payment_id: t.Optional(t.String({ maxLength: 64 })), ...ListQuery }),
          detail: { tags: ['billing'], summary: 'List refunds', description: 'Of a business date (default today) or of one payment.' },
        },
      )
      .get('/api/v1/refunds/:id', ({ scope, params }) => refundJson(found(isUuid(params.id) ? getRefund(db, scope.branchId, params.id) : null, 'Refund')), {
        auth: 'billing.read',
        detail: { tags: ['billing'], summary: 'One refund' },
      })
      .post(
        '/api/v1/appointments/:id/refund-deposits',
        async ({ scope, params, body, request }) => {
          const a = found(isUuid(params.id) ? getAppointment(db, scope.branchId, params.id) : null, 'Appointment');
          const res = await submit(scope, request, body, (tx) => {
            const now = getAppointment(tx.db, scope.branchId, a.id)!;
            if (now.status !== 'cancelled') throw conflict('appointment_not_cancelled', `The appointment is ${now.status.replace('_', ' ')}; deposits are refunded when it is cancelled`, { status: now.status });
            const ids = refundDepositsOnCancel(tx, scope, a.id, body?.override ?? false);
            const rows = ids.map((id) => getRefund(tx.db, scope.branchId, id)!);
            const left = depositsOfAppointment(tx.db, scope.branchId, a.id).reduce((n, d) => n + d.amount - d.refunded, 0);
            const outcome = rows.length ? rows[0].policy : left > 0 ? 'outside_policy' : 'nothing_to_refund';
            return {
              status: 200,
              body: {
                appointment_id: a.id,
                outcome,
                refundable_until_hours: refundableUntilHours(tx.db, scope.branchId),
                refunded: money(rows.reduce((n, r) => n + r.amount, 0)),
                kept: money(left),
                refunds: rows.map(refundJson),
              },
            };
          });
          return json(res);
        },
        {
          auth: 'billing.collect',
          body: t.Optional(t.Object({ override: t.Optional(t.Boolean({ description: 'Refund even after the policy’s deadline (needs payments.refund)' })) }, { additionalProperties: false })),
          detail: {
            tags: ['billing'],
            summary: 'Refund the deposits of a cancelled appointment',
            description:
              'Applies the cancellation policy: cancelled at least `refundable_until_hours` before the start → every deposit is refunded to its method (`outcome: within_policy`); later → nothing (`outside_policy`, deposits kept) unless `override: true` from a manager (payments.refund; 403 otherwise) → `override`. Refunds already made are not repeated. 409 if the appointment is not cancelled.',
          },
        },
      )

      // ---- day close and reports
      .post(
        '/api/v1/day-close',
        async ({ scope, body, request }) => {
          const res = await submit(scope, request, body, (tx) => {
            const current = businessDate(tx, scope);
            const date = body.business_date ?? todayAt(tx, scope);
            if (!isValidDate(date)) throw unprocessable('invalid_business_date', 'business_date must be a real date as YYYY-MM-DD', { field: 'business_date' });
            if (date > current) throw unprocessable('invalid_business_date', `${date} has not begun for this counter (its business day is ${current})`, { field: 'business_date' });
            closeDay(tx, scope, { business_date: date, denominations: body.denominations, reason: body.reason ?? null });
            const row = orm(tx.db).select().from(dayCloses).where(and(eq(dayCloses.branchId, scope.branchId), eq(dayCloses.userId, scope.userId), eq(dayCloses.businessDate, date))).get()!;
            return { status: 201, body: dayCloseJson(tx.db, row) };
          });
          return json(res);
        },
        {
          auth: 'day.close',
          body: DayCloseBody,
          detail: {
            tags: ['billing'],
            summary: 'Close the caller’s counter for the day',
            description:
              'Counts the cash by denomination against what this user collected (net of refunds) on the business date (default today); expected UPI, card and online totals are recorded too. A variance needs a reason (422 variance_reason_required). After the close, this counter’s payments fall on the next business day. 409 day_closed if already closed.',
          },
        },
      )
      .get(
        '/api/v1/day-close',
        ({ scope, query }) => {
          const date = dateParam(query.date, 'date', () => branchToday(svc, scope));
          return dayCloseReport(db, scope.branchId, date, can(scope.role, 'reports.read') ? null : scope.userId);
        },
        {
          auth: 'day.close',
          query: t.Object({ date: t.Optional(t.String({ maxLength: 10, description: 'Business date (default today)' })) }),
          detail: {
            tags: ['billing'],
            summary: 'Counters of a day: expected vs counted',
            description: 'Per user who took or gave money that day (or closed it): expected by method and, once closed, the cash counted and the variance. Without reports.read, only the caller’s own counter.',
          },
        },
      )
      .get('/api/v1/reports/collections', ({ scope, query }) => collectionsReport(db, scope.branchId, dateParam(query.date, 'date', () => branchToday(svc, scope))), {
        auth: 'reports.read',
        query: t.Object({ date: t.Optional(t.String({ maxLength: 10, description: 'Business date (default today)' })) }),
        detail: {
          tags: ['billing'],
          summary: 'Daily collections by method, doctor and user',
          description: 'Net of refunds given that day. A payment counts for the invoice’s doctor, or for a deposit the appointment’s doctor.',
        },
      })
  );
}

/** Today in the branch, at the transaction's time. */
function todayAt(tx: Tx, scope: Scope): string {
  return toLocal(tx.now, getBranch(tx.db, scope.branchId)?.timezone ?? 'Asia/Kolkata').date;
}
