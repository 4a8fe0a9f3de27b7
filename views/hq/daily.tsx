// HQ: the chain's days — totals per date for the viewer's branches, then every branch's day.
import type { DailyFigures, DailyReport } from '../../src/hq/queries';
import { Amount, formatBusinessDate } from '../billing/common';
import { Layout, type PageUser } from '../layout';
import { Count, HqTabs, percent, RangeForm } from './common';

export interface HqDailyPageProps {
  user: PageUser;
  clinicName: string | null;
  from: string;
  to: string;
  report: DailyReport | null;
  error?: string | null;
}

function FigureHeads() {
  return (
    <>
      <th scope="col" class="num">
        Appointments
      </th>
      <th scope="col" class="num">
        Walk-ins
      </th>
      <th scope="col" class="num">
        No-shows
      </th>
      <th scope="col" class="num">
        No-show rate
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
        Collected
      </th>
      <th scope="col" class="num">
        Refunds
      </th>
      <th scope="col" class="num">
        Close variance
      </th>
    </>
  );
}

function FigureCells({ f, strong }: { f: DailyFigures; strong?: boolean }) {
  return (
    <>
      <Count n={f.appointments} />
      <Count n={f.walk_ins} />
      <Count n={f.no_shows} />
      <td class="num" safe>
        {percent(f.no_show_rate)}
      </td>
      <Amount paise={f.collected.cash} strong={strong} />
      <Amount paise={f.collected.upi} strong={strong} />
      <Amount paise={f.collected.card} strong={strong} />
      <Amount paise={f.collected.online} strong={strong} />
      <Amount paise={f.collected_total} strong />
      <Amount paise={f.refunds} strong={strong} />
      {f.day_close_variance === null ? (
        <td class="num">
          <span class="muted">—</span>
          <span class="sr-only">no counter closed</span>
        </td>
      ) : (
        <Amount paise={f.day_close_variance} strong={strong} />
      )}
    </>
  );
}

export function HqDailyPage(p: HqDailyPageProps) {
  const r = p.report;
  return (
    <Layout title="HQ · Daily figures" user={p.user} clinicName={p.clinicName} active="hq">
      <div class="page-head">
        <div>
          <h1>Daily figures</h1>
          <p class="muted">
            {r ? `${formatBusinessDate(r.from)} to ${formatBusinessDate(r.to)} · ${r.branches.length} branch${r.branches.length === 1 ? '' : 'es'} · collections before refunds` : 'Pick a date range'}
          </p>
        </div>
      </div>
      <HqTabs active="daily" />
      <RangeForm action="/hq/daily" from={p.from} to={p.to} download={r ? '/api/v1/hq/daily' : null} error={p.error} />
      {r ? (
        <>
          <section class="card" aria-labelledby="totals-h">
            <h2 id="totals-h">Chain totals</h2>
            <div class="table-wrap" tabindex="0" role="region" aria-labelledby="totals-h">
              <table class="list" id="hq-totals">
                <thead>
                  <tr>
                    <th scope="col">Date</th>
                    <FigureHeads />
                  </tr>
                </thead>
                <tbody>
                  {r.byDate.map((d) => (
                    <tr data-date={d.date}>
                      <th scope="row" class="nowrap" safe>
                        {formatBusinessDate(d.date)}
                      </th>
                      <FigureCells f={d} />
                    </tr>
                  ))}
                </tbody>
                <tfoot>
                  <tr data-date="all">
                    <th scope="row">All days</th>
                    <FigureCells f={r.overall} strong />
                  </tr>
                </tfoot>
              </table>
            </div>
          </section>
          <section class="card" aria-labelledby="daily-h">
            <h2 id="daily-h">By branch</h2>
            <div class="table-wrap" tabindex="0" role="region" aria-labelledby="daily-h">
              <table class="list" id="hq-daily">
                <thead>
                  <tr>
                    <th scope="col">Date</th>
                    <th scope="col">Branch</th>
                    <FigureHeads />
                  </tr>
                </thead>
                <tbody>
                  {r.rows.map((x) => (
                    <tr data-date={x.date} data-code={x.branch_code}>
                      <td class="nowrap" safe>
                        {formatBusinessDate(x.date)}
                      </td>
                      <th scope="row" safe>
                        {`${x.branch_code} · ${x.branch_name}`}
                      </th>
                      <FigureCells f={x} />
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        </>
      ) : null}
    </Layout>
  );
}
