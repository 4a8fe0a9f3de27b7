// A deposit at booking (PM3: part of the fee, or all of it for a tele consultation), taken
// at the desk against the appointment; the invoice at the visit applies it.
import { formatDateTime } from '../components';
import { Layout, type Flash, type PageUser } from '../layout';
import { type FormError, inr, methodLabel, ReceiptLinks, type SplitValues } from './common';
import { type InvoicePayment, PaymentForm } from './invoice';

export interface DepositPageProps {
  user: PageUser;
  clinicName: string | null;
  flash?: Flash | null;
  timeZone: string;
  appointment: { id: string; start: string; mode: string; status: string; doctorName: string; fee: number };
  patient: { id: string; name: string; mrn: string };
  due: number;
  deposits: InvoicePayment[];
  invoice: { id: string; number: string } | null;
  justPaid: InvoicePayment[];
  canCollect: boolean;
  formToken: string;
  values: SplitValues;
  error?: FormError | null;
}

export function DepositPage(p: DepositPageProps) {
  const paid = p.deposits.reduce((n, d) => n + d.amount - d.refunded, 0);
  const left = Math.max(p.due - paid, 0);
  const room = Math.max(p.appointment.fee - paid, 0);
  const open = p.appointment.status === 'booked' || p.appointment.status === 'checked_in';
  return (
    <Layout title="Deposit" user={p.user} clinicName={p.clinicName} flash={p.flash} active="billing">
      <p class="crumbs">
        <a href="/billing">← Billing</a>
      </p>
      <div class="page-head">
        <div>
          <h1>Deposit at booking</h1>
          <p class="muted">
            <a href={`/patients/${p.patient.id}`} safe>
              {p.patient.name}
            </a>{' '}
            · MRN <span class="mono" safe>{p.patient.mrn}</span> · <span safe>{p.appointment.doctorName}</span> ·{' '}
            <a href={`/appointments/${p.appointment.id}`} safe>
              {formatDateTime(p.appointment.start, p.timeZone) + (p.appointment.mode === 'tele' ? ' (tele)' : '')}
            </a>
          </p>
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

      <section class="card" aria-labelledby="due-h">
          <h2 id="due-h">What is due</h2>
          <dl class="sums">
            <dt>Consultation fee</dt>
            <dd safe>{inr(p.appointment.fee)}</dd>
            <dt>Deposit due at booking</dt>
            <dd safe>{inr(p.due)}</dd>
            <dt>Taken so far</dt>
            <dd safe>{inr(paid)}</dd>
            <dt class="strong">Still to take</dt>
            <dd class="strong" id="deposit-left" safe>
              {inr(left)}
            </dd>
          </dl>
          {p.deposits.length ? (
            <ul class="plain">
              {p.deposits.map((d) => (
                <li>
                  <a class="mono" href={`/billing/payments/${d.id}`} safe>
                    {d.receipt_number}
                  </a>{' '}
                  <span safe>{`${methodLabel(d.method)} ${inr(d.amount)}${d.refunded ? ` (refunded ${inr(d.refunded)})` : ''}`}</span>
                </li>
              ))}
            </ul>
          ) : null}
          {p.invoice ? (
            <p>
              Applied to invoice{' '}
              <a href={`/billing/invoices/${p.invoice.id}`} safe>
                {p.invoice.number}
              </a>
              .
            </p>
          ) : null}
        </section>

        {open && p.canCollect && room > 0 && !p.invoice ? (
          <section class="card" aria-labelledby="take-h">
            <h2 id="take-h">Take the deposit</h2>
            <p class="muted" safe>
              {`At most ${inr(room)} (the consultation fee) can be taken before the visit.`}
            </p>
            <PaymentForm
              action="/billing/deposit"
              formToken={p.formToken}
              csrf={p.user.csrf}
              values={p.values}
              error={p.error}
              hidden={{ appointment_id: p.appointment.id }}
              submitLabel="Record deposit"
              autofocus
            />
          </section>
        ) : null}
    </Layout>
  );
}
