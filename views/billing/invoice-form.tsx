// A new invoice for a visit: lines pre-filled from the price list (the doctor's consultation),
// more lines picked from the price list with a quantity, a discount with its reason for the
// roles that may give one, and the deposits taken at booking that the invoice will apply.
// Works without JavaScript: "Add a line" sends the form back with one more empty line.
import type { PriceItem } from '../../src/billing/events';
import { CsrfField, ErrorSummary } from '../components';
import { Layout, type PageUser } from '../layout';
import { errorOf, formatTime, type FormError, inr, methodLabel } from './common';

export interface LineValues {
  item: string;
  qty: string;
  discount: string;
  reason: string;
}

export interface InvoiceFormProps {
  user: PageUser;
  clinicName: string | null;
  formToken: string;
  timeZone: string;
  patient: { id: string; name: string; mrn: string };
  appointment: { id: string; start: string; doctorName: string; mode: string; status: string } | null;
  items: PriceItem[];
  lines: LineValues[];
  canDiscount: boolean;
  deposits: { receipt_number: string; amount: number; refunded: number; method: string }[];
  existing: { id: string; number: string }[];
  error?: FormError | null;
}

const gstText = (i: PriceItem) => (i.exempt ? 'GST exempt' : `GST ${i.tax_rate_bp / 100}%`);
export const itemLabel = (i: PriceItem) => `${i.item_code} — ${i.name} — ${inr(i.unit_price)} (${gstText(i)})`;

function LineRow({ i, v, items, canDiscount, err }: { i: number; v: LineValues; items: PriceItem[]; canDiscount: boolean; err: (f: string) => string | null }) {
  const f = (n: string) => `line_${i}_${n}`;
  const itemErr = err(`lines.${i}.item_code`) ?? err(f('item'));
  const qtyErr = err(`lines.${i}.qty`) ?? err(f('qty'));
  const discErr = err(`lines.${i}.discount`) ?? err(f('discount'));
  const reasonErr = err(`lines.${i}.discount_reason`) ?? err(f('reason'));
  const known = !v.item || items.some((x) => x.item_code === v.item);
  return (
    <tr>
      <td class={itemErr ? 'has-error' : undefined}>
        <label class="sr-only" for={`f-${f('item')}`} safe>{`Item, line ${i + 1}`}</label>
        <select id={`f-${f('item')}`} name={f('item')} aria-invalid={itemErr ? 'true' : undefined} aria-describedby={itemErr ? `f-${f('item')}-error` : undefined}>
          <option value="">— no item —</option>
          {items.map((x) => (
            <option value={x.item_code} selected={x.item_code === v.item} safe>
              {itemLabel(x)}
            </option>
          ))}
          {known ? null : (
            <option value={v.item} selected safe>
              {`${v.item} (not in the price list)`}
            </option>
          )}
        </select>
        {itemErr ? (
          <small id={`f-${f('item')}-error`} class="error" safe>
            {itemErr}
          </small>
        ) : null}
      </td>
      <td class={qtyErr ? 'has-error qty' : 'qty'}>
        <label class="sr-only" for={`f-${f('qty')}`} safe>{`Quantity, line ${i + 1}`}</label>
        <input id={`f-${f('qty')}`} name={f('qty')} value={v.qty} inputmode="numeric" pattern="[0-9]{1,5}" maxlength="5" autocomplete="off" aria-invalid={qtyErr ? 'true' : undefined} aria-describedby={qtyErr ? `f-${f('qty')}-error` : undefined} />
        {qtyErr ? (
          <small id={`f-${f('qty')}-error`} class="error" safe>
            {qtyErr}
          </small>
        ) : null}
      </td>
      {canDiscount ? (
        <>
          <td class={discErr ? 'has-error money-in' : 'money-in'}>
            <label class="sr-only" for={`f-${f('discount')}`} safe>{`Discount in rupees, line ${i + 1}`}</label>
            <input id={`f-${f('discount')}`} name={f('discount')} value={v.discount} inputmode="decimal" maxlength="16" autocomplete="off" placeholder="0.00" aria-invalid={discErr ? 'true' : undefined} aria-describedby={discErr ? `f-${f('discount')}-error` : undefined} />
            {discErr ? (
              <small id={`f-${f('discount')}-error`} class="error" safe>
                {discErr}
              </small>
            ) : null}
          </td>
          <td class={reasonErr ? 'has-error' : undefined}>
            <label class="sr-only" for={`f-${f('reason')}`} safe>{`Reason for the discount, line ${i + 1}`}</label>
            <input id={`f-${f('reason')}`} name={f('reason')} value={v.reason} maxlength="200" autocomplete="off" aria-invalid={reasonErr ? 'true' : undefined} aria-describedby={reasonErr ? `f-${f('reason')}-error` : undefined} />
            {reasonErr ? (
              <small id={`f-${f('reason')}-error`} class="error" safe>
                {reasonErr}
              </small>
            ) : null}
          </td>
        </>
      ) : null}
    </tr>
  );
}

/** Messages shown at a line's field; anything else goes on top of the form. */
const isLineField = (field: string | null | undefined) => !!field && (/^lines\.\d+\./.test(field) || /^line_\d+_/.test(field));

export function InvoiceFormPage(p: InvoiceFormProps) {
  const err = errorOf(p.error);
  const formLevel = p.error && !isLineField(p.error.field) ? p.error.message : null;
  const depositTotal = p.deposits.reduce((n, d) => n + d.amount - d.refunded, 0);
  return (
    <Layout title="New invoice" user={p.user} clinicName={p.clinicName} active="billing">
      <p class="crumbs">
        <a href="/billing">← Billing</a>
      </p>
      <div class="page-head">
        <div>
          <h1>New invoice</h1>
          <p class="muted">
            <a href={`/patients/${p.patient.id}`} safe>
              {p.patient.name}
            </a>{' '}
            · MRN <span class="mono" safe>{p.patient.mrn}</span>
            {p.appointment ? (
              <>
                {' '}
                · <span safe>{p.appointment.doctorName}</span> ·{' '}
                <a href={`/appointments/${p.appointment.id}`} safe>
                  {`${formatTime(p.appointment.start, p.timeZone)}${p.appointment.mode === 'tele' ? ' (tele)' : ''}`}
                </a>
              </>
            ) : null}
          </p>
        </div>
      </div>
      {p.existing.length ? (
        <p class="flash flash-warn" role="status">
          This visit already has an invoice:{' '}
          {p.existing.map((x, i) => (
            <>
              {i ? ', ' : ''}
              <a href={`/billing/invoices/${x.id}`} safe>
                {x.number}
              </a>
            </>
          ))}
          . An issued invoice is never edited; correct it with a credit note.
        </p>
      ) : null}
      <form method="post" action="/billing/invoices" class="card invoice-form">
        <CsrfField token={p.user.csrf} />
        <input type="hidden" name="_form_token" value={p.formToken} />
        <input type="hidden" name="patient_id" value={p.patient.id} />
        {p.appointment ? <input type="hidden" name="appointment_id" value={p.appointment.id} /> : null}
        <input type="hidden" name="line_count" value={String(p.lines.length)} />
        <ErrorSummary message={formLevel} />
        <h2 id="lines-h">Lines</h2>
        {p.items.length ? null : (
          <p class="flash flash-warn">
            The price list is empty. <a href="/billing/prices">Add items to the price list</a> first.
          </p>
        )}
        <div class="table-wrap" tabindex="0" role="region" aria-labelledby="lines-h">
          <table class="list lines-table" aria-labelledby="lines-h">
            <thead>
              <tr>
                <th scope="col">Item</th>
                <th scope="col">Qty</th>
                {p.canDiscount ? (
                  <>
                    <th scope="col">Discount (₹)</th>
                    <th scope="col">Discount reason</th>
                  </>
                ) : null}
              </tr>
            </thead>
            <tbody id="invoice-lines">
              {p.lines.map((v, i) => (
                <LineRow i={i} v={v} items={p.items} canDiscount={p.canDiscount} err={err} />
              ))}
            </tbody>
          </table>
        </div>
        <p class="hint">Prices and GST come from the price list. Lines without an item are left out.</p>
        {p.deposits.length ? (
          <section class="deposits" aria-labelledby="deposits-h">
            <h2 id="deposits-h">Deposits this invoice will apply</h2>
            <ul class="plain">
              {p.deposits.map((d) => (
                <li>
                  <span class="mono" safe>
                    {d.receipt_number}
                  </span>{' '}
                  · <span safe>{methodLabel(d.method)}</span> · <strong safe>{inr(d.amount - d.refunded)}</strong>
                  {d.refunded ? <span class="muted" safe>{` (${inr(d.refunded)} refunded)`}</span> : null}
                </li>
              ))}
            </ul>
            <p>
              Paid before the visit: <strong safe>{inr(depositTotal)}</strong>
            </p>
          </section>
        ) : null}
        <div class="actions">
          <button type="submit" class="primary" name="_action" value="issue">
            Issue invoice
          </button>
          <button type="submit" name="_action" value="add_line" formnovalidate>
            Add a line
          </button>
          <a class="button link" href="/billing">
            Cancel
          </a>
        </div>
      </form>
    </Layout>
  );
}
