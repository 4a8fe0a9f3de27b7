// One invoice: its title by GST document type, lines with the CGST/SGST split, what was
// paid and what is due, the payments with their receipts, and the split payment form.
import { DOCUMENT_TITLES, type DocumentType } from '../../src/billing/money';
import type { invoiceJson } from '../../src/billing/queries';
import { CsrfField, ErrorSummary, formatDateTime } from '../components';
import { Layout, type Flash, type PageUser } from '../layout';
import { Amount, errorOf, type FormError, inr, invoicePdf, methodLabel, ReceiptLinks, SPLIT_FIELDS, SplitPaymentFields, type SplitValues } from './common';

export interface InvoicePayment {
  id: string;
  receipt_number: string;
  kind: 'deposit' | 'balance';
  method: string;
  reference: string | null;
  card_last4: string | null;
  amount: number;
  refunded: number;
  created_at: string;
}

export interface InvoicePageProps {
  user: PageUser;
  clinicName: string | null;
  flash?: Flash | null;
  timeZone: string;
  invoice: ReturnType<typeof invoiceJson>;
  patient: { id: string; name: string; mrn: string };
  doctorName: string | null;
  payments: InvoicePayment[];
  /** Payments just recorded: their receipts are offered for printing first. */
  justPaid: InvoicePayment[];
  canCollect: boolean;
  formToken: string;
  values: SplitValues;
  error?: FormError | null;
}

const detailOf = (p: InvoicePayment) => [p.reference ? `ref ${p.reference}` : null, p.card_last4 ? `card ••${p.card_last4}` : null].filter(Boolean).join(' · ');

export function PaymentForm({ action, formToken, csrf, values, error, hidden, submitLabel, autofocus }: {
  action: string;
  formToken: string;
  csrf: string;
  values: SplitValues;
  error?: FormError | null;
  hidden?: Record<string, string>;
  submitLabel: string;
  autofocus?: boolean;
}) {
  const err = errorOf(error);
  const formLevel = error && !(SPLIT_FIELDS as readonly string[]).includes(error.field ?? '') ? error.message : null;
  return (
    <form method="post" action={action} class="payment-form">
      <CsrfField token={csrf} />
      <input type="hidden" name="_form_token" value={formToken} />
      {Object.entries(hidden ?? {}).map(([k, v]) => (
        <input type="hidden" name={k} value={v} />
      ))}
      <ErrorSummary message={formLevel} />
      <SplitPaymentFields values={values} err={err} autofocus={autofocus || !!error} />
      <div class="actions">
        <button type="submit" class="primary" safe>
          {submitLabel}
        </button>
      </div>
    </form>
  );
}

export function InvoicePage(p: InvoicePageProps) {
  const inv = p.invoice;
  const title = DOCUMENT_TITLES[inv.document_type as DocumentType] ?? 'Invoice';
  const balance = inv.balance.amount;
  const anyDiscount = inv.lines.some((l) => l.discount.amount > 0);
  return (
    <Layout title={`${title} ${inv.number}`} user={p.user} clinicName={p.clinicName} flash={p.flash} active="billing">
      <p class="crumbs">
        <a href="/billing">← Billing</a>
      </p>
      <div class="page-head">
        <div>
          <h1>
            <span safe>{title}</span> <span class="mono" safe>{inv.number}</span>
          </h1>
          <p class="muted">
            <a href={`/patients/${p.patient.id}`} safe>
              {p.patient.name}
            </a>{' '}
            · MRN <span class="mono" safe>{p.patient.mrn}</span>
            {p.doctorName ? <span safe>{` · ${p.doctorName}`}</span> : null}
            <span safe>{` · issued ${formatDateTime(inv.issued_at, p.timeZone)}`}</span>
          </p>
        </div>
        <div class="actions head-actions">
          <a class="button" href={invoicePdf(inv.id)} target="_blank" rel="noopener">
            Print invoice<span class="sr-only"> (opens the PDF)</span>
          </a>
        </div>
      </div>

      {p.justPaid.length ? (
        <section class="card just-paid" aria-labelledby="paid-h">
          <h2 id="paid-h">Print the receipts</h2>
          <ul class="plain">
            {p.justPaid.map((x) => (
              <li>
                <span safe>{`${methodLabel(x.method)} ${inr(x.amount)}`}</span> <ReceiptLinks paymentId={x.id} receiptNumber={x.receipt_number} />
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      <section class="card" aria-labelledby="lines-h">
        <h2 id="lines-h">Lines</h2>
        <div class="table-wrap" tabindex="0" role="region" aria-labelledby="lines-h">
          <table class="list invoice-lines">
            <thead>
              <tr>
                <th scope="col">Item</th>
                <th scope="col">SAC/HSN</th>
                <th scope="col" class="num">
                  Qty
                </th>
                <th scope="col" class="num">
                  Rate
                </th>
                {anyDiscount ? (
                  <th scope="col" class="num">
                    Discount
                  </th>
                ) : null}
                <th scope="col" class="num">
                  Taxable
                </th>
                <th scope="col" class="num">
                  GST
                </th>
                <th scope="col" class="num">
                  CGST
                </th>
                <th scope="col" class="num">
                  SGST
                </th>
                <th scope="col" class="num">
                  Amount
                </th>
              </tr>
            </thead>
            <tbody>
              {inv.lines.map((l) => (
                <tr>
                  <td>
                    <span safe>{l.description}</span>{' '}
                    <small class="muted mono" safe>
                      {l.item_code}
                    </small>
                    {l.discount_reason ? (
                      <small class="hint" safe>
                        {`Discount: ${l.discount_reason}`}
                      </small>
                    ) : null}
                  </td>
                  <td class="mono" safe>
                    {l.sac_hsn ?? '—'}
                  </td>
                  <td class="num" safe>
                    {String(l.qty)}
                  </td>
                  <Amount paise={l.unit_price.amount} />
                  {anyDiscount ? <Amount paise={-l.discount.amount} /> : null}
                  <Amount paise={l.taxable.amount} />
                  <td class="num" safe>
                    {l.exempt ? 'Exempt' : `${l.tax_rate}%`}
                  </td>
                  <Amount paise={l.cgst.amount} />
                  <Amount paise={l.sgst.amount} />
                  <Amount paise={l.total.amount} />
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <dl class="sums">
          <dt>Taxable value</dt>
          <dd safe>{inr(inv.subtotal.amount)}</dd>
          {inv.discount.amount ? (
            <>
              <dt>Discount given</dt>
              <dd safe>{inr(inv.discount.amount)}</dd>
            </>
          ) : null}
          <dt>CGST</dt>
          <dd safe>{inr(inv.cgst.amount)}</dd>
          <dt>SGST</dt>
          <dd safe>{inr(inv.sgst.amount)}</dd>
          <dt class="strong">Invoice total</dt>
          <dd class="strong" safe>
            {inr(inv.total.amount)}
          </dd>
          {inv.credited.amount ? (
            <>
              <dt>Credit notes</dt>
              <dd safe>{inr(-inv.credited.amount)}</dd>
            </>
          ) : null}
          <dt>Paid</dt>
          <dd safe>{inr(inv.paid.amount)}</dd>
          <dt class="strong">Balance due</dt>
          <dd class={balance > 0 ? 'strong due' : 'strong'} id="balance-due" safe>
            {inr(balance)}
          </dd>
        </dl>
      </section>

        {balance > 0 && p.canCollect ? (
          <section class="card" aria-labelledby="pay-h">
            <h2 id="pay-h">Take payment</h2>
            <p>
              Due now: <strong safe>{inr(balance)}</strong>. Split it across methods as the patient pays; every method with an amount gets its own receipt.
            </p>
            <PaymentForm action={`/billing/invoices/${inv.id}/payments`} formToken={p.formToken} csrf={p.user.csrf} values={p.values} error={p.error} submitLabel="Record payment" />
          </section>
        ) : balance <= 0 ? (
          <section class="card" aria-labelledby="settled-h">
            <h2 id="settled-h">Settled</h2>
            <p>
              <span class="badge badge-ok">Paid in full</span>
            </p>
          </section>
        ) : null}
        <section class="card" aria-labelledby="payments-h">
          <h2 id="payments-h">Payments</h2>
          {p.payments.length ? (
            <div class="table-wrap" tabindex="0" role="region" aria-labelledby="payments-h">
              <table class="list">
                <thead>
                  <tr>
                    <th scope="col">Receipt</th>
                    <th scope="col">Method</th>
                    <th scope="col" class="num">
                      Amount
                    </th>
                    <th scope="col">
                      <span class="sr-only">Print</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {p.payments.map((x) => (
                    <tr>
                      <td class="mono">
                        <a href={`/billing/payments/${x.id}`} safe>
                          {x.receipt_number}
                        </a>
                        <small class="hint" safe>
                          {formatDateTime(x.created_at, p.timeZone) + (x.kind === 'deposit' ? ' · deposit at booking' : '')}
                        </small>
                      </td>
                      <td>
                        <span safe>{methodLabel(x.method)}</span>
                        {detailOf(x) ? (
                          <small class="hint" safe>
                            {detailOf(x)}
                          </small>
                        ) : null}
                      </td>
                      <td class="num">
                        <span safe>{inr(x.amount)}</span>
                        {x.refunded ? (
                          <small class="hint" safe>
                            {`refunded ${inr(x.refunded)}`}
                          </small>
                        ) : null}
                      </td>
                      <td>
                        <a href={`/api/v1/payments/${x.id}/receipt.pdf?format=thermal80`} target="_blank" rel="noopener">
                          Receipt<span class="sr-only" safe>{` ${x.receipt_number} (opens the PDF)`}</span>
                        </a>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <p class="empty">No payments yet.</p>
          )}
        </section>
    </Layout>
  );
}
