// Closing one's counter for a business date: what the system expects (cash, UPI, card),
// the cash counted by denomination with its running total (htmx; without JavaScript the
// total is worked out when the form is sent), the variance and its reason. After the close,
// later payments at this counter fall on the next business day.
import { DENOMINATIONS } from '../../src/billing/commands';
import type { MethodTotals } from '../../src/billing/queries';
import type { DayCloseLine } from '../../src/billing/reports';
import { CsrfField, ErrorSummary, formatDateTime } from '../components';
import { Layout, type Flash, type PageUser } from '../layout';
import { errorOf, formatBusinessDate, type FormError, inr } from './common';

export interface DayClosePageProps {
  user: PageUser;
  clinicName: string | null;
  flash?: Flash | null;
  timeZone: string;
  date: string;
  expected: MethodTotals;
  /** This counter's close of `date`, if done. */
  closed: DayCloseLine | null;
  counts: Record<string, string>;
  reason: string;
  formToken: string;
  error?: FormError | null;
  mine: DayCloseLine[];
  /** Every counter's closes, for those who read reports. */
  all: DayCloseLine[] | null;
}

export interface CountSummary {
  expectedCash: number;
  counted: number | null;
}

/** The running total: counted cash against expected, and the variance. */
export function DayCloseSummary({ s }: { s: CountSummary }) {
  const variance = s.counted === null ? null : s.counted - s.expectedCash;
  return (
    <dl class="sums">
      <dt>Expected cash</dt>
      <dd safe>{inr(s.expectedCash)}</dd>
      <dt>Counted cash</dt>
      <dd id="dc-counted" safe>
        {s.counted === null ? '—' : inr(s.counted)}
      </dd>
      <dt class="strong">Variance</dt>
      <dd id="dc-variance" class={variance ? 'strong due' : 'strong'} safe>
        {variance === null ? 'Check the counts' : variance === 0 ? `${inr(0)} (matches)` : `${inr(variance)} (${variance > 0 ? 'excess' : 'short'})`}
      </dd>
    </dl>
  );
}

function CloseTable({ rows, showUser, timeZone, labelledBy }: { rows: DayCloseLine[]; showUser: boolean; timeZone: string; labelledBy: string }) {
  return (
    <div class="table-wrap" tabindex="0" role="region" aria-labelledby={labelledBy}>
      <table class="list">
        <thead>
          <tr>
            <th scope="col">Date</th>
            {showUser ? <th scope="col">Counter</th> : null}
            <th scope="col" class="num">
              Expected cash
            </th>
            <th scope="col" class="num">
              Counted
            </th>
            <th scope="col" class="num">
              Variance
            </th>
            <th scope="col" class="num">
              UPI
            </th>
            <th scope="col" class="num">
              Card
            </th>
            <th scope="col">Closed</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((c) => (
            <tr>
              <td class="nowrap" safe>
                {formatBusinessDate(c.business_date)}
              </td>
              {showUser ? <td safe>{c.user_name ?? 'Former user'}</td> : null}
              <td class="num" safe>
                {inr(c.expected.cash)}
              </td>
              <td class="num" safe>
                {inr(c.counted_cash)}
              </td>
              <td class="num">
                <span safe>{inr(c.variance)}</span>
                {c.reason ? (
                  <small class="hint" safe>
                    {c.reason}
                  </small>
                ) : null}
              </td>
              <td class="num" safe>
                {inr(c.expected.upi)}
              </td>
              <td class="num" safe>
                {inr(c.expected.card)}
              </td>
              <td class="nowrap" safe>
                {formatDateTime(c.closed_at, timeZone)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function DayClosePage(p: DayClosePageProps) {
  const err = errorOf(p.error);
  const denomField = (d: number) => `denominations.${d}`;
  const formLevel = p.error && p.error.field !== 'reason' && !DENOMINATIONS.some((d) => p.error!.field === denomField(d)) ? p.error.message : null;
  const counted = countedOf(p.counts);
  return (
    <Layout title="Day close" user={p.user} clinicName={p.clinicName} flash={p.flash} active="billing">
      <p class="crumbs">
        <a href="/billing">← Billing</a>
      </p>
      <div class="page-head">
        <div>
          <h1>Day close</h1>
          <p class="muted">
            My counter · business date <strong safe>{formatBusinessDate(p.date)}</strong>
          </p>
        </div>
      </div>
      <section class="card" aria-labelledby="exp-h">
        <h2 id="exp-h">Expected at my counter</h2>
        <dl class="money-tiles" id="dc-expected">
          <div>
            <dt>Cash</dt>
            <dd safe>{inr(p.expected.cash)}</dd>
          </div>
          <div>
            <dt>UPI</dt>
            <dd safe>{inr(p.expected.upi)}</dd>
          </div>
          <div>
            <dt>Card</dt>
            <dd safe>{inr(p.expected.card)}</dd>
          </div>
          {p.expected.online ? (
            <div>
              <dt>Online</dt>
              <dd safe>{inr(p.expected.online)}</dd>
            </div>
          ) : null}
        </dl>
        <p class="hint">Payments taken at this counter less refunds, for the business date. UPI and card are checked against the bank and terminal statements.</p>
      </section>

      {p.closed ? (
        <section class="card" aria-labelledby="closed-h">
          <h2 id="closed-h">Closed</h2>
          <p>
            <span class="badge badge-ok">Closed</span> <span safe>{` ${formatDateTime(p.closed.closed_at, p.timeZone)}: counted ${inr(p.closed.counted_cash)}, variance ${inr(p.closed.variance)}.`}</span> Payments taken now count for the next business day.
          </p>
        </section>
      ) : (
        <form method="post" action="/billing/day-close" class="card day-close-form">
          <h2 id="count-h">Count the cash</h2>
          <CsrfField token={p.user.csrf} />
          <input type="hidden" name="_form_token" value={p.formToken} />
          <input type="hidden" name="business_date" value={p.date} />
          <ErrorSummary message={formLevel} />
          <div class="count-layout">
            <div class="table-wrap">
              <table class="list denominations" aria-labelledby="count-h">
                <thead>
                  <tr>
                    <th scope="col">Note or coin</th>
                    <th scope="col">Count</th>
                  </tr>
                </thead>
                <tbody>
                  {DENOMINATIONS.map((d) => {
                    const e = err(denomField(d));
                    return (
                      <tr>
                        <th scope="row">
                          <label for={`f-d_${d}`} safe>
                            {`₹${d}`}
                          </label>
                        </th>
                        <td class={e ? 'has-error' : undefined}>
                          <input
                            id={`f-d_${d}`}
                            name={`d_${d}`}
                            value={p.counts[`d_${d}`] ?? ''}
                            inputmode="numeric"
                            pattern="[0-9]{0,6}"
                            maxlength="6"
                            autocomplete="off"
                            placeholder="0"
                            aria-invalid={e ? 'true' : undefined}
                            aria-describedby={e ? `f-d_${d}-error` : undefined}
                          />
                          {e ? (
                            <small id={`f-d_${d}-error`} class="error" safe>
                              {e}
                            </small>
                          ) : null}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
            <div>
              <div id="dc-summary" aria-live="polite" hx-post="/billing/day-close/preview" hx-trigger="input from:'closest form' delay:150ms" hx-swap="innerHTML">
                <DayCloseSummary s={{ expectedCash: p.expected.cash, counted }} />
              </div>
              <div class={err('reason') ? 'field has-error' : 'field'}>
                <label for="f-reason">Reason for a variance</label>
                <textarea id="f-reason" name="reason" rows="2" maxlength="300" aria-invalid={err('reason') ? 'true' : undefined} aria-describedby={err('reason') ? 'f-reason-error f-reason-hint' : 'f-reason-hint'} safe>
                  {p.reason}
                </textarea>
                <small id="f-reason-hint" class="hint">
                  Required when counted cash differs from expected.
                </small>
                {err('reason') ? (
                  <small id="f-reason-error" class="error" safe>
                    {err('reason')!}
                  </small>
                ) : null}
              </div>
              <div class="actions">
                <button type="submit" class="primary">
                  Close the day
                </button>
              </div>
            </div>
          </div>
        </form>
      )}

      <section class="card" aria-labelledby="mine-h">
        <h2 id="mine-h">My closed days</h2>
        {p.mine.length ? <CloseTable rows={p.mine} showUser={false} timeZone={p.timeZone} labelledBy="mine-h" /> : <p class="empty">No day closed yet.</p>}
      </section>
      {p.all ? (
        <section class="card" aria-labelledby="all-h">
          <h2 id="all-h">All counters</h2>
          {p.all.length ? <CloseTable rows={p.all} showUser timeZone={p.timeZone} labelledBy="all-h" /> : <p class="empty">No counter has closed a day yet.</p>}
        </section>
      ) : null}
    </Layout>
  );
}

/** Counted cash in paise from the form's counts; null while a count is not a whole number. */
export function countedOf(counts: Record<string, string>): number | null {
  let total = 0;
  for (const d of DENOMINATIONS) {
    const raw = (counts[`d_${d}`] ?? '').trim();
    if (!raw) continue;
    if (!/^\d{1,6}$/.test(raw)) return null;
    total += d * 100 * Number(raw);
  }
  return total;
}
