// The daily collection report: by method, by doctor, by counter user, and the day's
// payments; downloads as CSV and XLSX.
import type { CollectionReport, CollectionRow } from '../../src/billing/reports';
import { Layout, type PageUser } from '../layout';
import { Amount, formatBusinessDate, formatTime, inr, methodLabel } from './common';

export interface ReportsPageProps {
  user: PageUser;
  clinicName: string | null;
  timeZone: string;
  today: string;
  report: CollectionReport;
}

function ByTable({ id, title, first, rows, total }: { id: string; title: string; first: string; rows: CollectionRow[]; total: CollectionRow }) {
  return (
    <section class="card" aria-labelledby={id}>
      <h2 id={id} safe>
        {title}
      </h2>
      {rows.length ? (
        <div class="table-wrap" tabindex="0" role="region" aria-labelledby={id}>
          <table class="list">
            <thead>
              <tr>
                <th scope="col" safe>
                  {first}
                </th>
                <th scope="col" class="num">
                  Cash
                </th>
                <th scope="col" class="num">
                  UPI
                </th>
                <th scope="col" class="num">
                  Card
                </th>
                <th scope="col" class="num">
                  Online
                </th>
                <th scope="col" class="num">
                  Total
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr>
                  <td safe>{r.name}</td>
                  <Amount paise={r.cash} />
                  <Amount paise={r.upi} />
                  <Amount paise={r.card} />
                  <Amount paise={r.online} />
                  <Amount paise={r.total} strong />
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">Total</th>
                <Amount paise={total.cash} strong />
                <Amount paise={total.upi} strong />
                <Amount paise={total.card} strong />
                <Amount paise={total.online} strong />
                <Amount paise={total.total} strong />
              </tr>
            </tfoot>
          </table>
        </div>
      ) : (
        <p class="empty">No collections.</p>
      )}
    </section>
  );
}

export function ReportsPage(p: ReportsPageProps) {
  const r = p.report;
  const q = `date=${r.date}`;
  return (
    <Layout title={`Collections ${r.date}`} user={p.user} clinicName={p.clinicName} active="billing">
      <p class="crumbs">
        <a href="/billing">← Billing</a>
      </p>
      <div class="page-head">
        <div>
          <h1>Daily collections</h1>
          <p class="muted" safe>
            {`Business date ${formatBusinessDate(r.date)} · net of refunds`}
          </p>
        </div>
        <form method="get" action="/billing/reports" class="search-row">
          <label for="f-date" class="sr-only">
            Business date
          </label>
          <input id="f-date" type="date" name="date" value={r.date} max={p.today} required />
          <button type="submit">Show</button>
        </form>
      </div>
      <div class="actions downloads">
        <a class="button" href={`/billing/reports/collections.csv?${q}`}>
          Download CSV
        </a>
        <a class="button" href={`/billing/reports/collections.xlsx?${q}`}>
          Download XLSX
        </a>
        <a class="button link" href={`/billing/reports/payments.csv?${q}`}>
          Payments as CSV
        </a>
      </div>

      <section class="card" aria-labelledby="method-h">
        <h2 id="method-h">By method</h2>
        <div class="table-wrap" tabindex="0" role="region" aria-labelledby="method-h">
          <table class="list" id="by-method">
            <thead>
              <tr>
                <th scope="col">Method</th>
                <th scope="col" class="num">
                  Receipts
                </th>
                <th scope="col" class="num">
                  Collected
                </th>
                <th scope="col" class="num">
                  Refunded
                </th>
                <th scope="col" class="num">
                  Net
                </th>
              </tr>
            </thead>
            <tbody>
              {r.byMethod.map((m) => (
                <tr>
                  <td safe>{methodLabel(m.method)}</td>
                  <td class="num" safe>
                    {String(m.receipts)}
                  </td>
                  <Amount paise={m.collected} />
                  <Amount paise={m.refunded} />
                  <Amount paise={m.net} strong />
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">Total</th>
                <td class="num" safe>
                  {String(r.total.receipts)}
                </td>
                <Amount paise={r.byMethod.reduce((n, m) => n + m.collected, 0)} strong />
                <Amount paise={r.byMethod.reduce((n, m) => n + m.refunded, 0)} strong />
                <Amount paise={r.total.total} strong />
              </tr>
            </tfoot>
          </table>
        </div>
      </section>
      <ByTable id="doctor-h" title="By doctor" first="Doctor" rows={r.byDoctor} total={r.total} />
      <ByTable id="user-h" title="By user" first="Collected by" rows={r.byUser} total={r.total} />
      <section class="card" aria-labelledby="payments-h">
        <h2 id="payments-h">Payments</h2>
        {r.payments.length ? (
          <div class="table-wrap" tabindex="0" role="region" aria-labelledby="payments-h">
            <table class="list">
              <thead>
                <tr>
                  <th scope="col">Receipt</th>
                  <th scope="col">Time</th>
                  <th scope="col">Patient</th>
                  <th scope="col">Doctor</th>
                  <th scope="col">By</th>
                  <th scope="col">Method</th>
                  <th scope="col" class="num">
                    Amount
                  </th>
                </tr>
              </thead>
              <tbody>
                {r.payments.map((x) => (
                  <tr>
                    <td class="mono">
                      <a href={`/billing/payments/${x.id}`} safe>
                        {x.receipt_number}
                      </a>
                    </td>
                    <td class="mono" safe>
                      {formatTime(x.at, p.timeZone)}
                    </td>
                    <td safe>{x.patient_name}</td>
                    <td safe>{x.doctor_name ?? '—'}</td>
                    <td safe>{x.user_name ?? '—'}</td>
                    <td safe>{methodLabel(x.method) + (x.kind === 'deposit' ? ' · deposit' : '')}</td>
                    <td class="num">
                      <span safe>{inr(x.amount)}</span>
                      {x.refunded ? (
                        <small class="hint" safe>
                          {`refunded ${inr(x.refunded)}`}
                        </small>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p class="empty">No payments on this date.</p>
        )}
      </section>
    </Layout>
  );
}
