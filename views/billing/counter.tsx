// The billing counter: today's collections (mine and the branch's) by method, the visits
// to bill and deposits to take, recent payments with their receipts, invoices with a balance.
import type { MethodTotals } from '../../src/billing/queries';
import type { DueInvoice, PaymentLine, VisitToBill } from '../../src/billing/reports';
import { Layout, type Flash, type PageUser } from '../layout';
import { Amount, formatBusinessDate, formatTime, inr, methodLabel, receiptPdf } from './common';

export interface CounterVisit extends VisitToBill {
  depositDue: number;
}

export interface CounterProps {
  user: PageUser;
  clinicName: string | null;
  flash?: Flash | null;
  timeZone: string;
  myDate: string;
  mine: MethodTotals;
  branchDate: string;
  branch: MethodTotals;
  recent: PaymentLine[];
  due: DueInvoice[];
  visits: CounterVisit[];
  can: { collect: boolean; dayClose: boolean; reports: boolean; prices: boolean };
}

const sum = (t: MethodTotals) => t.cash + t.upi + t.card + t.online;

function Totals({ id, title, date, t }: { id: string; title: string; date: string; t: MethodTotals }) {
  return (
    <section class="card" aria-labelledby={id}>
      <h2 id={id}>
        <span safe>{title}</span> <small class="muted" safe>{formatBusinessDate(date)}</small>
      </h2>
      <dl class="money-tiles">
        {(['cash', 'upi', 'card'] as const).map((m) => (
          <div>
            <dt safe>{methodLabel(m)}</dt>
            <dd safe>{inr(t[m])}</dd>
          </div>
        ))}
        {t.online ? (
          <div>
            <dt>Online</dt>
            <dd safe>{inr(t.online)}</dd>
          </div>
        ) : null}
        <div class="total">
          <dt>Total</dt>
          <dd safe>{inr(sum(t))}</dd>
        </div>
      </dl>
    </section>
  );
}

function VisitAction({ v, collect }: { v: CounterVisit; collect: boolean }) {
  if (v.invoice_id) return <a href={`/billing/invoices/${v.invoice_id}`}>Open invoice</a>;
  if (!collect) return <span class="muted">Not billed</span>;
  if (v.status === 'booked' && v.depositDue > v.deposits) {
    return (
      <a class="button" href={`/billing/deposit?appointment_id=${v.appointment_id}`}>
        Take deposit<span class="sr-only" safe>{` from ${v.patient_name}`}</span>
      </a>
    );
  }
  return (
    <a class="button primary" href={`/billing/invoices/new?appointment_id=${v.appointment_id}`}>
      Create invoice<span class="sr-only" safe>{` for ${v.patient_name}`}</span>
    </a>
  );
}

const STATUS: Record<string, string> = { booked: 'Booked', checked_in: 'Checked in', completed: 'Seen' };

export function CounterPage(p: CounterProps) {
  return (
    <Layout title="Billing" user={p.user} clinicName={p.clinicName} flash={p.flash} active="billing">
      <div class="page-head">
        <div>
          <h1>Billing</h1>
          <p class="muted">Collections at this counter and the branch, visits to bill, receipts.</p>
        </div>
        <div class="actions head-actions">
          {p.can.dayClose ? (
            <a class="button" href="/billing/day-close">
              Day close
            </a>
          ) : null}
          {p.can.reports ? (
            <a class="button" href="/billing/reports">
              Reports
            </a>
          ) : null}
          <a class="button" href="/billing/prices">
            Price list
          </a>
        </div>
      </div>
      <div class="columns even">
        <Totals id="mine-h" title="My collections" date={p.myDate} t={p.mine} />
        <Totals id="branch-h" title="Branch collections" date={p.branchDate} t={p.branch} />
      </div>

      <section class="card" aria-labelledby="visits-h">
        <h2 id="visits-h">Today's visits</h2>
        {p.visits.length ? (
          <div class="table-wrap" tabindex="0" role="region" aria-labelledby="visits-h">
            <table class="list">
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Patient</th>
                  <th scope="col">Doctor</th>
                  <th scope="col">Status</th>
                  <th scope="col" class="num">
                    Paid before
                  </th>
                  <th scope="col">
                    <span class="sr-only">Action</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {p.visits.map((v) => (
                  <tr>
                    <td class="mono" safe>
                      {formatTime(v.start, p.timeZone)}
                    </td>
                    <td>
                      <a href={`/patients/${v.patient_id}`} safe>
                        {v.patient_name}
                      </a>{' '}
                      <small class="muted mono" safe>
                        {v.patient_mrn}
                      </small>
                    </td>
                    <td safe>{v.doctor_name + (v.mode === 'tele' ? ' · tele' : '')}</td>
                    <td>
                      <a href={`/appointments/${v.appointment_id}`} safe>
                        {STATUS[v.status] ?? v.status}
                      </a>
                    </td>
                    <Amount paise={v.deposits} />
                    <td>
                      <VisitAction v={v} collect={p.can.collect} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p class="empty">
            No appointments today. <a href="/board">Day board</a>
          </p>
        )}
      </section>

      <div class="columns">
        <section class="card" aria-labelledby="due-h">
          <h2 id="due-h">Balance due</h2>
          {p.due.length ? (
            <div class="table-wrap" tabindex="0" role="region" aria-labelledby="due-h">
              <table class="list">
                <thead>
                  <tr>
                    <th scope="col">Invoice</th>
                    <th scope="col">Patient</th>
                    <th scope="col" class="num">
                      Due
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {p.due.map((i) => (
                    <tr>
                      <td class="mono">
                        <a href={`/billing/invoices/${i.id}`} safe>
                          {i.number}
                        </a>
                      </td>
                      <td safe>{i.patient_name}</td>
                      <Amount paise={i.balance} strong />
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <p class="empty">Nothing is due.</p>
          )}
        </section>

        <section class="card" aria-labelledby="recent-h">
          <h2 id="recent-h">Recent payments</h2>
          {p.recent.length ? (
            <div class="table-wrap" tabindex="0" role="region" aria-labelledby="recent-h">
              <table class="list">
                <thead>
                  <tr>
                    <th scope="col">Receipt</th>
                    <th scope="col">Time</th>
                    <th scope="col">Patient</th>
                    <th scope="col">Method</th>
                    <th scope="col" class="num">
                      Amount
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {p.recent.map((r) => (
                    <tr>
                      <td class="mono">
                        <a href={receiptPdf(r.id, 'thermal80')} target="_blank" rel="noopener" safe>
                          {r.receipt_number}
                        </a>{' '}
                        <a class="small-link" href={`/billing/payments/${r.id}`}>
                          details<span class="sr-only" safe>{` of receipt ${r.receipt_number}`}</span>
                        </a>
                      </td>
                      <td class="mono" safe>
                        {formatTime(r.at, p.timeZone)}
                      </td>
                      <td safe>{r.patient_name}</td>
                      <td safe>{methodLabel(r.method) + (r.kind === 'deposit' ? ' · deposit' : '')}</td>
                      <Amount paise={r.amount} />
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <p class="empty">No payments yet.</p>
          )}
        </section>
      </div>
    </Layout>
  );
}
