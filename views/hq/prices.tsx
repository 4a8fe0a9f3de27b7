// HQ: what each branch charged per item against the chain's price list.
import type { PriceVarianceRow } from '../../src/hq/queries';
import { Amount, formatBusinessDate } from '../billing/common';
import { Layout, type PageUser } from '../layout';
import { Count, HqTabs, RangeForm } from './common';

export interface HqPricesPageProps {
  user: PageUser;
  clinicName: string | null;
  from: string;
  to: string;
  items: PriceVarianceRow[] | null;
  error?: string | null;
}

function MaybeAmount({ paise, none }: { paise: number | null; none: string }) {
  return paise === null ? (
    <td class="num">
      <span class="muted">—</span>
      <span class="sr-only" safe>
        {none}
      </span>
    </td>
  ) : (
    <Amount paise={paise} />
  );
}

export function HqPricesPage(p: HqPricesPageProps) {
  const items = p.items;
  return (
    <Layout title="HQ · Price variance" user={p.user} clinicName={p.clinicName} active="hq">
      <div class="page-head">
        <div>
          <h1>Price variance</h1>
          <p class="muted">
            {items ? `${formatBusinessDate(p.from)} to ${formatBusinessDate(p.to)} · unit prices on invoices (before discount and GST) against the chain list of each day` : 'Pick a date range'}
          </p>
        </div>
      </div>
      <HqTabs active="prices" />
      <RangeForm action="/hq/prices" from={p.from} to={p.to} download={items ? '/api/v1/hq/price-variance' : null} error={p.error} />
      {items ? (
        <section class="card" aria-labelledby="variance-h">
          <h2 id="variance-h">By branch and item</h2>
          {items.length ? (
            <div class="table-wrap" tabindex="0" role="region" aria-labelledby="variance-h">
              <table class="list" id="hq-prices">
                <thead>
                  <tr>
                    <th scope="col">Branch</th>
                    <th scope="col">Item</th>
                    <th scope="col" class="num">
                      Lines
                    </th>
                    <th scope="col" class="num">
                      Qty
                    </th>
                    <th scope="col" class="num">
                      Min
                    </th>
                    <th scope="col" class="num">
                      Max
                    </th>
                    <th scope="col" class="num">
                      Average
                    </th>
                    <th scope="col" class="num">
                      Chain price
                    </th>
                    <th scope="col" class="num">
                      Difference
                    </th>
                    <th scope="col" class="num">
                      Lines off chain
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((x) => (
                    <tr data-code={x.branch_code} data-item={x.item_code}>
                      <td safe>{x.branch_code}</td>
                      <th scope="row">
                        <span class="mono" safe>
                          {x.item_code}
                        </span>{' '}
                        <small class="hint" safe>
                          {x.description}
                        </small>
                      </th>
                      <Count n={x.lines} />
                      <Count n={x.qty} />
                      <Amount paise={x.min_unit_price} />
                      <Amount paise={x.max_unit_price} />
                      <Amount paise={x.avg_unit_price} />
                      <MaybeAmount paise={x.chain_price} none="not in the chain list" />
                      <MaybeAmount paise={x.difference} none="no chain price to compare" />
                      <Count n={x.lines_off_chain} />
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <p class="empty">No invoices in this range.</p>
          )}
        </section>
      ) : null}
    </Layout>
  );
}
