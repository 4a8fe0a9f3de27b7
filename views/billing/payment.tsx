// One payment: its receipt (reprints say DUPLICATE), its refunds with their own receipts,
// and the refund form for the roles that may refund (back to the original method).
import { CsrfField, ErrorSummary, Field, formatDateTime } from '../components';
import { Layout, type Flash, type PageUser } from '../layout';
import { errorOf, type FormError, inr, methodLabel, ReceiptLinks, refundPdf } from './common';

export interface PaymentPageProps {
  user: PageUser;
  clinicName: string | null;
  flash?: Flash | null;
  timeZone: string;
  payment: {
    id: string;
    receipt_number: string;
    kind: 'deposit' | 'balance';
    method: string;
    reference: string | null;
    upi_vpa: string | null;
    card_last4: string | null;
    card_auth_code: string | null;
    amount: number;
    refunded: number;
    business_date: string;
    created_at: string;
    invoice: { id: string; number: string } | null;
    appointment_id: string | null;
    collected_by: string | null;
  };
  patient: { id: string; name: string; mrn: string };
  refunds: { id: string; receipt_number: string; amount: number; reason: string; policy: string; created_at: string }[];
  /** The refund just issued, offered for printing first. */
  justRefunded: string | null;
  canRefund: boolean;
  formToken: string;
  values: { amount?: string; reason?: string };
  error?: FormError | null;
}

export function PaymentPage(p: PaymentPageProps) {
  const x = p.payment;
  const refundable = x.amount - x.refunded;
  const err = errorOf(p.error);
  const formLevel = p.error && !['amount', 'reason'].includes(p.error.field ?? '') ? p.error.message : null;
  const just = p.refunds.find((r) => r.id === p.justRefunded);
  return (
    <Layout title={`Receipt ${x.receipt_number}`} user={p.user} clinicName={p.clinicName} flash={p.flash} active="billing">
      <p class="crumbs">
        <a href="/billing">← Billing</a>
        {x.invoice ? (
          <>
            {' · '}
            <a href={`/billing/invoices/${x.invoice.id}`} safe>
              {`Invoice ${x.invoice.number}`}
            </a>
          </>
        ) : null}
      </p>
      <div class="page-head">
        <div>
          <h1>
            Receipt <span class="mono" safe>{x.receipt_number}</span>
          </h1>
          <p class="muted">
            <a href={`/patients/${p.patient.id}`} safe>
              {p.patient.name}
            </a>{' '}
            · MRN <span class="mono" safe>{p.patient.mrn}</span>
          </p>
        </div>
        <div class="actions head-actions">
          <ReceiptLinks paymentId={x.id} receiptNumber={x.receipt_number} />
        </div>
      </div>
      {just ? (
        <p class="flash flash-ok" role="status">
          Refund <span class="mono" safe>{just.receipt_number}</span> of <strong safe>{inr(just.amount)}</strong> issued.{' '}
          <a href={refundPdf(just.id)} target="_blank" rel="noopener">
            Print the refund receipt
          </a>
        </p>
      ) : null}
      <div class="columns">
        <section class="card" aria-labelledby="pay-h">
          <h2 id="pay-h">Payment</h2>
          <dl class="facts">
            <dt>Amount</dt>
            <dd>
              <strong safe>{inr(x.amount)}</strong>
            </dd>
            <dt>Method</dt>
            <dd safe>{methodLabel(x.method)}</dd>
            {x.reference ? (
              <>
                <dt>Reference</dt>
                <dd class="mono" safe>
                  {x.reference}
                </dd>
              </>
            ) : null}
            {x.upi_vpa ? (
              <>
                <dt>UPI ID</dt>
                <dd class="mono" safe>
                  {x.upi_vpa}
                </dd>
              </>
            ) : null}
            {x.card_last4 ? (
              <>
                <dt>Card</dt>
                <dd class="mono" safe>
                  {`•••• ${x.card_last4}${x.card_auth_code ? ` · auth ${x.card_auth_code}` : ''}`}
                </dd>
              </>
            ) : null}
            <dt>Kind</dt>
            <dd>{x.kind === 'deposit' ? 'Deposit at booking' : 'Payment at the visit'}</dd>
            <dt>Taken</dt>
            <dd safe>{formatDateTime(x.created_at, p.timeZone)}</dd>
            <dt>Refunded</dt>
            <dd safe>{inr(x.refunded)}</dd>
          </dl>
        </section>
        <section class="card" aria-labelledby="refunds-h">
          <h2 id="refunds-h">Refunds</h2>
          {p.refunds.length ? (
            <ul class="plain">
              {p.refunds.map((r) => (
                <li>
                  <span class="mono" safe>
                    {r.receipt_number}
                  </span>{' '}
                  <strong safe>{inr(r.amount)}</strong> <span class="muted" safe>{`· ${r.reason} · ${formatDateTime(r.created_at, p.timeZone)}`}</span>{' '}
                  <a href={refundPdf(r.id)} target="_blank" rel="noopener">
                    Refund receipt<span class="sr-only" safe>{` ${r.receipt_number} (opens the PDF)`}</span>
                  </a>
                </li>
              ))}
            </ul>
          ) : (
            <p class="empty">No refunds.</p>
          )}
          {p.canRefund && refundable > 0 ? (
            <form method="post" action={`/billing/payments/${x.id}/refunds`} class="refund-form">
              <h3>Refund</h3>
              <CsrfField token={p.user.csrf} />
              <input type="hidden" name="_form_token" value={p.formToken} />
              <ErrorSummary message={formLevel} />
              <p class="muted" safe>{`Back to ${methodLabel(x.method)}; at most ${inr(refundable)}.`}</p>
              <Field label="Amount (₹)" name="amount" value={p.values.amount ?? ''} required inputmode="decimal" maxlength={16} autocomplete="off" error={err('amount')} autofocus={!!p.error} />
              <Field label="Reason" name="reason" value={p.values.reason ?? ''} required maxlength={300} autocomplete="off" error={err('reason')} />
              <div class="actions">
                <button type="submit" class="danger">
                  Refund
                </button>
              </div>
            </form>
          ) : null}
        </section>
      </div>
    </Layout>
  );
}
