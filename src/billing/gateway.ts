// Online payments through Razorpay: the webhook that records a captured payment, and the
// settlement report import that matches Razorpay's payouts to our payments. The wire formats
// and their sources are in ./razorpay.ts.
//
// Configuration: the webhook secret (the one typed into Razorpay's Dashboard when adding the
// webhook) comes from $MYMEDIC_RAZORPAY_WEBHOOK_SECRET, else the config file's
// `razorpayWebhookSecret` key (DATA/config.json or --config/$MYMEDIC_CONFIG). Without one the
// webhook answers 404 `not_configured`: the route looks absent, and Razorpay's failure mail
// tells the clinic that something is wrong.
//
// Our checkout puts these notes on the Razorpay order (they come back on the payment):
// `branch_id` and either `invoice_id` (pays the balance of an invoice) or `appointment_id`
// (a deposit for an appointment).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { and, asc, eq, gte, lte } from 'drizzle-orm';
import { Elysia, t } from 'elysia';
import { badRequest, DomainError } from '../core/errors';
import { isUuid } from '../core/ids';
import { orm } from '../core/orm';
import { systemActor } from '../core/runner';
import type { Scope } from '../core/scope';
import type { authGuard } from '../http/guard';
import { infoOf } from '../http/request-info';
import type { Services } from '../http/services';
import { getBranch } from '../org/queries';
import { toLocal } from '../scheduling/time';
import { recordPayment } from './commands';
import { getPayment, paymentByGatewayId } from './queries';
import {
  type AmountUnits,
  CsvError,
  type OurGatewayPayment,
  parseSettlementCsv,
  parseWebhookEvent,
  reconcileSettlement,
  type SettlementReport,
  targetOf,
  verifyWebhookSignature,
  type WebhookEvent,
  WebhookPayloadError,
} from './razorpay';
import { payments } from './schema';

export const GATEWAY = 'razorpay';
/** Who "collected" a gateway payment: no counter closes it, so it always falls on its own day. */
export const GATEWAY_COLLECTOR = 'gateway:razorpay';
export const SECRET_ENV = 'MYMEDIC_RAZORPAY_WEBHOOK_SECRET';
export const SECRET_CONFIG_KEY = 'razorpayWebhookSecret';
/** Same limit as the app's (src/http/app.ts), checked again: a chunked body has no Content-Length. */
const MAX_BODY_BYTES = 1_000_000;

/** The webhook secret: the environment first, then the config file; null when unset. */
export function webhookSecret(svc: Services, fileSecret: string | null, env: Record<string, string | undefined> = process.env): string | null {
  const fromEnv = env[SECRET_ENV]?.trim();
  if (fromEnv) return fromEnv;
  const fromConfig = (svc.config as unknown as Record<string, unknown>)[SECRET_CONFIG_KEY];
  if (typeof fromConfig === 'string' && fromConfig.trim()) return fromConfig.trim();
  return fileSecret;
}

/** The key from DATA/config.json, for a config built without that file's extra keys. */
function secretFromDataConfig(dataDir: string): string | null {
  const file = join(dataDir, 'config.json');
  if (!existsSync(file)) return null;
  try {
    const v = (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>)[SECRET_CONFIG_KEY];
    return typeof v === 'string' && v.trim() ? v.trim() : null;
  } catch {
    return null; // loadConfig has already refused an unreadable file at startup
  }
}

/** The scope a gateway payment is recorded in: the branch its notes name, no staff user. */
export function gatewayScope(branchId: string, requestId?: string): Scope {
  return {
    userId: GATEWAY_COLLECTOR,
    username: GATEWAY_COLLECTOR,
    name: 'Razorpay',
    role: 'system',
    branchId,
    branchIds: [branchId],
    sessionId: 'webhook',
    via: 'bearer',
    requestId,
  };
}

/** The unique index on (gateway_name, gateway_payment_id) refused a second row. */
export function isDuplicateGatewayPayment(e: unknown): boolean {
  const m = e instanceof Error ? e.message : '';
  return /UNIQUE constraint failed/i.test(m) && m.includes('payments.gateway_payment_id');
}

async function rawBody(request: Request): Promise<Uint8Array> {
  const bytes = new Uint8Array(await request.arrayBuffer());
  if (bytes.byteLength > MAX_BODY_BYTES) {
    throw new DomainError(413, 'payload_too_large', `The request body is too large (at most ${MAX_BODY_BYTES} bytes)`);
  }
  return bytes;
}

export type WebhookAnswer =
  | { status: 'recorded'; payment_id: string; receipt_number: string }
  | { status: 'duplicate'; payment_id: string | null; receipt_number: string | null }
  | { status: 'ignored'; event: string; reason?: string }
  | { status: 'rejected'; reason: string; message: string };

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function gatewayRoutes(svc: Services, guard: ReturnType<typeof authGuard>) {
  const { db, runner } = svc.kernel;
  const fileSecret = secretFromDataConfig(svc.config.dataDir);

  const duplicateOf = (gatewayPaymentId: string): WebhookAnswer => {
    const p = paymentByGatewayId(db, GATEWAY, gatewayPaymentId);
    return { status: 'duplicate', payment_id: p?.id ?? null, receipt_number: p?.receiptNumber ?? null };
  };

  const reject = (fields: Record<string, unknown>, reason: string, message: string): WebhookAnswer => {
    // Money arrived that we did not book: a person has to look at it (refund or apply it).
    svc.logger.log('warn', 'razorpay payment not recorded', { ...fields, reason, message });
    return { status: 'rejected', reason, message };
  };

  return new Elysia({ name: 'gatewayRoutes', seed: svc.kernel.origin })
    .use(guard)
    .post(
      '/api/v1/payments/gateway/razorpay/webhook',
      async ({ request }) => {
        const secret = webhookSecret(svc, fileSecret);
        if (!secret) {
          throw new DomainError(404, 'not_configured', `Razorpay webhooks are not set up on this server (set ${SECRET_ENV} or "${SECRET_CONFIG_KEY}" in config.json)`);
        }
        // The signature covers the exact bytes sent: read them before anything parses them.
        const raw = await rawBody(request);
        if (!verifyWebhookSignature(raw, request.headers.get('x-razorpay-signature'), secret)) {
          throw badRequest('invalid_signature', 'The X-Razorpay-Signature header is missing or does not match the body');
        }
        let event: WebhookEvent;
        try {
          event = parseWebhookEvent(JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw)));
        } catch (e) {
          const why = e instanceof WebhookPayloadError ? e.reason : 'the body is not JSON';
          throw badRequest('invalid_payload', `Not a Razorpay webhook event: ${why}`);
        }
        const requestId = infoOf(request).id;
        const log = { request_id: requestId, event_id: request.headers.get('x-razorpay-event-id'), event: event.event };
        if (event.kind !== 'payment_captured') return { status: 'ignored', event: event.event } satisfies WebhookAnswer;

        const pay = event.payment;
        const target = targetOf(pay.notes);
        const fields = { ...log, gateway_payment_id: pay.id, amount: pay.amount, currency: pay.currency, ...target };
        if (!target.invoice_id && !target.appointment_id) {
          // A payment on the same Razorpay account for something else (no notes of ours).
          svc.logger.log('info', 'razorpay payment ignored: no invoice_id or appointment_id in its notes', fields);
          return { status: 'ignored', event: event.event, reason: 'not_ours' } satisfies WebhookAnswer;
        }
        if (pay.currency !== 'INR') return reject(fields, 'currency_not_inr', `Only INR payments are recorded; this one is in ${pay.currency}`);
        if (pay.status && pay.status !== 'captured') return reject(fields, 'not_captured', `The payment is ${pay.status}, not captured`);
        if (!target.branch_id || !isUuid(target.branch_id) || !getBranch(db, target.branch_id)) {
          return reject(fields, 'unknown_branch', 'The payment’s notes name no branch of this clinic (branch_id)');
        }
        if (target.invoice_id && !isUuid(target.invoice_id)) return reject(fields, 'unknown_invoice', 'No such invoice in this branch');
        if (!target.invoice_id && target.appointment_id && !isUuid(target.appointment_id)) return reject(fields, 'unknown_appointment', 'No such appointment in this branch');

        const scope = gatewayScope(target.branch_id, requestId);
        try {
          return await runner.submit({ actor: { ...systemActor('system'), name: 'Razorpay webhook', requestId } }, (tx): WebhookAnswer => {
            // Razorpay delivers at least once: the gateway payment id says whether we have it.
            if (paymentByGatewayId(tx.db, GATEWAY, pay.id)) return duplicateOf(pay.id);
            const id = recordPayment(tx, scope, {
              invoice_id: target.invoice_id,
              appointment_id: target.invoice_id ? null : target.appointment_id,
              amount: pay.amount,
              method: 'online',
              reference: pay.id,
              gateway: { name: GATEWAY, payment_id: pay.id },
            });
            return { status: 'recorded', payment_id: id, receipt_number: getPayment(tx.db, scope.branchId, id)!.receiptNumber };
          });
        } catch (e) {
          // The unique index is the last line of defence; by now the command is rolled back.
          if (isDuplicateGatewayPayment(e)) return duplicateOf(pay.id);
          // 200 all the same: Razorpay would otherwise retry for a day, to no avail.
          if (e instanceof DomainError) return reject(fields, e.code, e.message);
          throw e;
        }
      },
      {
        parse: 'none',
        detail: {
          tags: ['payments'],
          summary: 'Razorpay webhook (called by Razorpay, not by staff)',
          description: [
            'Razorpay posts its events here. No staff credentials: the `X-Razorpay-Signature` header (hex HMAC-SHA256 of the raw body with the webhook secret) is the credential; a missing or wrong one gets 400 `invalid_signature` and nothing is recorded.',
            '`payment.captured` with notes `branch_id` and `invoice_id` (balance) or `appointment_id` (deposit) records an online payment with a receipt number: 200 `{"status":"recorded","payment_id","receipt_number"}`.',
            'The same Razorpay payment again: 200 `{"status":"duplicate"}`, nothing recorded. Other events, or payments without our notes: 200 `{"status":"ignored"}`.',
            'A payment that cannot be booked (more than the balance, unknown invoice, not INR…): 200 `{"status":"rejected","reason"}`, nothing recorded, logged as a warning for the clinic to refund or apply by hand.',
            `Without a configured secret (${SECRET_ENV} or "${SECRET_CONFIG_KEY}" in config.json): 404 \`not_configured\`.`,
          ].join('\n\n'),
        },
      },
    )
    .post(
      '/api/v1/payments/gateway/razorpay/settlements',
      async ({ scope, request, query }) => {
        const type = (request.headers.get('content-type') ?? '').toLowerCase();
        if (type.startsWith('multipart/') || type.includes('json') || type.startsWith('application/x-www-form-urlencoded')) {
          throw badRequest('expected_csv', 'Send the settlement report itself as the body, with Content-Type: text/csv');
        }
        if (query.amounts !== undefined && query.amounts !== 'paise' && query.amounts !== 'rupees') throw badRequest('invalid_amounts', 'amounts must be paise or rupees');
        for (const k of ['from', 'to'] as const) if (query[k] !== undefined && !DATE.test(query[k]!)) throw badRequest(`invalid_${k}`, `${k} must be YYYY-MM-DD`);
        const raw = await rawBody(request);
        let text: string;
        try {
          text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
        } catch {
          throw badRequest('invalid_csv', 'The file is not UTF-8 text');
        }
        let report: SettlementReport;
        try {
          report = parseSettlementCsv(text, query.amounts as AmountUnits | undefined);
        } catch (e) {
          if (e instanceof CsvError) throw badRequest('invalid_csv', `The settlement report cannot be read: ${e.message}`, { line: e.line });
          throw e;
        }
        const timezone = getBranch(db, scope.branchId)?.timezone ?? 'Asia/Kolkata';
        // The period whose payments we expect in the file: as asked, else the file's own span.
        const dates = report.rows
          .filter((r) => r.type === 'payment' && r.created_at)
          .map((r) => toLocal(new Date(r.created_at!), timezone).date)
          .sort();
        const from = query.from ?? dates[0] ?? null;
        const to = query.to ?? dates[dates.length - 1] ?? null;
        const toOurs = (p: typeof payments.$inferSelect): OurGatewayPayment => ({
          id: p.id,
          receipt_number: p.receiptNumber,
          gateway_payment_id: p.gatewayPaymentId!,
          amount: p.amount,
          refunded: p.refunded,
          business_date: p.businessDate,
        });
        const oursInPeriod =
          from && to
            ? orm(db)
                .select()
                .from(payments)
                .where(and(eq(payments.branchId, scope.branchId), eq(payments.gatewayName, GATEWAY), gte(payments.businessDate, from), lte(payments.businessDate, to)))
                .orderBy(asc(payments.createdAt))
                .all()
                .map(toOurs)
            : null;
        const r = reconcileSettlement(
          report,
          (gatewayId) => {
            const p = paymentByGatewayId(db, GATEWAY, gatewayId);
            if (!p) return null;
            return p.branchId === scope.branchId ? toOurs(p) : 'other_branch';
          },
          oursInPeriod,
        );
        const inr = (amount: number) => ({ amount, currency: 'INR' });
        return {
          gateway: GATEWAY,
          branch_id: scope.branchId,
          amounts_read_as: r.units,
          period: from && to ? { from, to } : null,
          rows: r.rows,
          settlements: r.settlements.map((s) => ({ ...s, credit: inr(s.credit), debit: inr(s.debit), fee: inr(s.fee), tax: inr(s.tax), net: inr(s.net) })),
          totals: Object.fromEntries(Object.entries(r.totals).map(([k, v]) => [k, inr(v)])),
          fees: inr(r.totals.fee),
          taxes: inr(r.totals.tax),
          matched: {
            count: r.matched.count,
            amount: inr(r.matched.amount),
            fee: inr(r.matched.fee),
            tax: inr(r.matched.tax),
            credit: inr(r.matched.credit),
            items: r.matched.items.map((m) => ({ ...m, amount: inr(m.amount), fee: inr(m.fee), tax: inr(m.tax) })),
          },
          mismatches: {
            amount_differs: r.amount_differs.map((m) => ({ ...m, ours: inr(m.ours), theirs: inr(m.theirs), difference: inr(m.difference) })),
            not_in_our_books: r.not_in_our_books.map((m) => ({ ...m, amount: inr(m.amount) })),
            not_in_settlement: r.not_in_settlement.map((m) => ({ ...m, amount: inr(m.amount) })),
            other_branch: r.other_branch.map((m) => ({ ...m, amount: inr(m.amount) })),
            unsettled: r.unsettled.map((m) => ({ ...m, amount: inr(m.amount) })),
            foreign_currency: r.foreign_currency,
          },
          other_rows: r.other_rows.map((o) => ({ ...o, credit: inr(o.credit), debit: inr(o.debit), fee: inr(o.fee), tax: inr(o.tax) })),
        };
      },
      {
        auth: 'reports.read',
        parse: 'none',
        query: t.Object({
          from: t.Optional(t.String({ description: 'YYYY-MM-DD: first business date whose Razorpay payments should be in the file' })),
          to: t.Optional(t.String({ description: 'YYYY-MM-DD: last such date (both default to the span of the file’s payment rows)' })),
          amounts: t.Optional(t.String({ description: '`paise` (the API’s numbers) or `rupees` (Dashboard export); default: rupees when the amounts have decimals' })),
        }),
        detail: {
          tags: ['payments'],
          summary: 'Reconcile a Razorpay settlement report (CSV)',
          description: [
            'Body: Razorpay’s settlement recon report as CSV (`Content-Type: text/csv`; the columns of `GET /v1/settlements/recon/combined`: `entity_id`, `type`, `debit`, `credit`, `amount`, `currency`, `fee`, `tax`, `on_hold`, `settled`, `created_at`, `settled_at`, `settlement_id`, `settlement_utr`, …).',
            'Each `payment` row is matched to our payment with that Razorpay id. The answer lists `matched` (count and amounts), `mismatches` (`amount_differs`, `not_in_our_books`, `not_in_settlement` — our Razorpay payments of the period missing from the file —, `other_branch`, `unsettled`), fee and tax totals, per-settlement totals, and refunds/adjustments totalled by type.',
            'Read-only: nothing is stored; import the file again at any time.',
          ].join('\n\n'),
        },
      },
    );
}
