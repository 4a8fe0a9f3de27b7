// The branch's price list (as in effect today), deposit rules per doctor and mode, and the
// cancellation policy. Everyone who bills reads it; owners and admins change it.
import type { DepositRule, PriceItem } from '../../src/billing/events';
import { CsrfField, ErrorSummary, Field, formatCalendarDate } from '../components';
import { Layout, type Flash, type PageUser } from '../layout';
import { errorOf, type FormError, inr } from './common';

export type PricesForm = 'item' | 'rule' | 'policy';

export interface PricesPageProps {
  user: PageUser;
  clinicName: string | null;
  flash?: Flash | null;
  today: string;
  items: PriceItem[];
  doctors: { id: string; name: string; fee: number }[];
  rules: DepositRule[];
  policyHours: number;
  canManage: boolean;
  tokens: Record<PricesForm, string>;
  values: Record<string, string>;
  /** Which form the error (and the values) belong to. */
  form?: PricesForm | null;
  error?: FormError | null;
}

export const KIND_LABELS: Record<PriceItem['kind'], string> = { consultation: 'Consultation', procedure: 'Procedure', lab: 'Lab test', other: 'Other' };
export const GST_CHOICES: [string, string][] = [
  ['exempt', 'Exempt (healthcare services)'],
  ['0', '0% (nil rated)'],
  ['5', '5%'],
  ['12', '12%'],
  ['18', '18%'],
  ['28', '28%'],
];

const gstOf = (i: PriceItem) => (i.exempt ? 'Exempt' : `${i.tax_rate_bp / 100}%`);

function Select({ label, name, value, options, error }: { label: string; name: string; value: string; options: [string, string][]; error?: string | null }) {
  const id = `f-${name}`;
  return (
    <div class={error ? 'field has-error' : 'field'}>
      <label for={id} safe>
        {label}
      </label>
      <select id={id} name={name} aria-invalid={error ? 'true' : undefined} aria-describedby={error ? `${id}-error` : undefined}>
        {options.map(([v, l]) => (
          <option value={v} selected={v === value} safe>
            {l}
          </option>
        ))}
      </select>
      {error ? (
        <small id={`${id}-error`} class="error" safe>
          {error}
        </small>
      ) : null}
    </div>
  );
}

export function PricesPage(p: PricesPageProps) {
  const doctorName = (id: string | null) => (id ? (p.doctors.find((d) => d.id === id)?.name ?? 'Former doctor') : null);
  const mine = (f: PricesForm) => (p.form === f ? p.error : null);
  const v = (f: PricesForm, k: string, fallback = '') => (p.form === f ? (p.values[k] ?? fallback) : fallback);
  const ruleText = (r: DepositRule) => (r.kind === 'percent' ? `${r.value}% of the fee` : inr(r.value));
  const doctorOptions: [string, string][] = p.doctors.map((d) => [d.id, d.name]);
  const summary = (f: PricesForm, fields: string[]) => {
    const e = mine(f);
    return e && !fields.includes(e.field ?? '') ? e.message : null;
  };
  const itemErr = errorOf(mine('item'));
  const ruleErr = errorOf(mine('rule'));
  const policyErr = errorOf(mine('policy'));
  const itemFields = ['item_code', 'name', 'kind', 'sac_hsn', 'price', 'gst', 'tax_rate', 'unit_price', 'doctor_id', 'effective_from'];
  return (
    <Layout title="Price list" user={p.user} clinicName={p.clinicName} flash={p.flash} active="billing">
      <p class="crumbs">
        <a href="/billing">← Billing</a>
      </p>
      <div class="page-head">
        <div>
          <h1>Price list</h1>
          <p class="muted" safe>
            {`In effect on ${formatCalendarDate(p.today)}`}
          </p>
        </div>
      </div>
      <section class="card" aria-labelledby="items-h">
        <h2 id="items-h">Items</h2>
        {p.items.length ? (
          <div class="table-wrap" tabindex="0" role="region" aria-labelledby="items-h">
            <table class="list" id="price-items">
              <thead>
                <tr>
                  <th scope="col">Code</th>
                  <th scope="col">Name</th>
                  <th scope="col">Kind</th>
                  <th scope="col">SAC/HSN</th>
                  <th scope="col" class="num">
                    Price
                  </th>
                  <th scope="col">GST</th>
                  <th scope="col">Doctor</th>
                  <th scope="col">From</th>
                  {p.canManage ? (
                    <th scope="col">
                      <span class="sr-only">Edit</span>
                    </th>
                  ) : null}
                </tr>
              </thead>
              <tbody>
                {p.items.map((i) => (
                  <tr>
                    <td class="mono" safe>
                      {i.item_code}
                    </td>
                    <td safe>{i.name}</td>
                    <td safe>{KIND_LABELS[i.kind] ?? i.kind}</td>
                    <td class="mono" safe>
                      {i.sac_hsn ?? '—'}
                    </td>
                    <td class="num" safe>
                      {inr(i.unit_price)}
                    </td>
                    <td safe>{gstOf(i)}</td>
                    <td safe>{doctorName(i.doctor_id) ?? '—'}</td>
                    <td class="nowrap" safe>
                      {formatCalendarDate(i.effective_from)}
                    </td>
                    {p.canManage ? (
                      <td>
                        <a href={`/billing/prices?edit=${encodeURIComponent(i.item_code)}#item-form`}>
                          Edit<span class="sr-only" safe>{` ${i.item_code}`}</span>
                        </a>
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p class="empty">No items yet.</p>
        )}
      </section>

      {p.canManage ? (
        <form method="post" action="/billing/prices" class="card form-card" id="item-form" aria-labelledby="item-form-h">
          <h2 id="item-form-h">Add or change an item</h2>
          <p class="hint">Saving a code that exists sets its new price from the date given; earlier invoices keep the old one.</p>
          <CsrfField token={p.user.csrf} />
          <input type="hidden" name="_form_token" value={p.tokens.item} />
          <ErrorSummary message={summary('item', itemFields)} />
          <div class="field-pair">
            <Field label="Code" name="item_code" value={p.values.item_code ?? ''} required maxlength={32} autocomplete="off" hint="e.g. CONS-RAO, DRESS, CBC" error={itemErr('item_code')} />
            <Field label="Name" name="name" value={p.values.name ?? ''} required maxlength={120} autocomplete="off" error={itemErr('name')} />
          </div>
          <div class="field-pair">
            <Select label="Kind" name="kind" value={p.values.kind ?? 'consultation'} options={Object.entries(KIND_LABELS)} error={itemErr('kind')} />
            <Field label="SAC/HSN code" name="sac_hsn" value={p.values.sac_hsn ?? ''} inputmode="numeric" maxlength={8} autocomplete="off" hint="Healthcare services: SAC 9993xx" error={itemErr('sac_hsn')} />
          </div>
          <div class="field-pair">
            <Field label="Price (₹)" name="price" value={p.values.price ?? ''} required inputmode="decimal" maxlength={16} autocomplete="off" error={itemErr('price') ?? itemErr('unit_price')} />
            <Select label="GST" name="gst" value={p.values.gst ?? 'exempt'} options={GST_CHOICES} error={itemErr('gst') ?? itemErr('tax_rate')} />
          </div>
          <div class="field-pair">
            <Select label="Doctor (for a consultation)" name="doctor_id" value={p.values.doctor_id ?? ''} options={[['', '— none —'], ...doctorOptions]} error={itemErr('doctor_id')} />
            <Field label="Effective from" name="effective_from" type="date" value={p.values.effective_from ?? p.today} required error={itemErr('effective_from')} />
          </div>
          <div class="actions">
            <button type="submit" class="primary">
              Save item
            </button>
          </div>
        </form>
      ) : null}

      <div class="columns">
        <section class="card" aria-labelledby="rules-h">
          <h2 id="rules-h">Deposits at booking</h2>
          <p class="hint">Tele consultations are always paid in full at booking.</p>
          {p.rules.length ? (
            <div class="table-wrap" tabindex="0" role="region" aria-labelledby="rules-h">
              <table class="list" id="deposit-rules">
                <thead>
                  <tr>
                    <th scope="col">Doctor</th>
                    <th scope="col">Mode</th>
                    <th scope="col">Deposit</th>
                  </tr>
                </thead>
                <tbody>
                  {p.rules.map((r) => (
                    <tr>
                      <td safe>{doctorName(r.doctor_id) ?? 'All doctors (branch default)'}</td>
                      <td>{r.mode === 'tele' ? 'Tele' : 'In person'}</td>
                      <td safe>{ruleText(r)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <p class="empty">No deposit is asked at booking.</p>
          )}
          {p.canManage ? (
            <form method="post" action="/billing/prices/deposit-rules" class="sub-form">
              <h3>Set a deposit rule</h3>
              <CsrfField token={p.user.csrf} />
              <input type="hidden" name="_form_token" value={p.tokens.rule} />
              <ErrorSummary message={summary('rule', ['rule_doctor_id', 'mode', 'rule_kind', 'value'])} />
              <Select label="Doctor" name="rule_doctor_id" value={v('rule', 'rule_doctor_id')} options={[['', 'All doctors (branch default)'], ...doctorOptions]} error={ruleErr('rule_doctor_id') ?? ruleErr('doctor_id')} />
              <div class="field-pair">
                <Select label="Mode" name="mode" value={v('rule', 'mode', 'in_person')} options={[['in_person', 'In person'], ['tele', 'Tele']]} error={ruleErr('mode')} />
                <Select label="Deposit as" name="rule_kind" value={v('rule', 'rule_kind', 'amount')} options={[['amount', 'An amount (₹)'], ['percent', 'A percentage of the fee']]} error={ruleErr('rule_kind')} />
              </div>
              <Field label="Amount (₹) or percentage" name="value" value={v('rule', 'value')} required inputmode="decimal" maxlength={16} autocomplete="off" error={ruleErr('value')} />
              <div class="actions">
                <button type="submit">Save rule</button>
              </div>
            </form>
          ) : null}
        </section>

        <section class="card" aria-labelledby="policy-h">
          <h2 id="policy-h">Cancellation policy</h2>
          <p>
            Deposits are refunded automatically when an appointment is cancelled at least <strong safe>{`${p.policyHours} hours`}</strong> before it starts; later, only a
            manager can refund them.
          </p>
          {p.canManage ? (
            <form method="post" action="/billing/prices/cancellation-policy" class="sub-form">
              <CsrfField token={p.user.csrf} />
              <input type="hidden" name="_form_token" value={p.tokens.policy} />
              <ErrorSummary message={summary('policy', ['refundable_until_hours'])} />
              <Field
                label="Refundable until (hours before the appointment)"
                name="refundable_until_hours"
                value={v('policy', 'refundable_until_hours', String(p.policyHours))}
                required
                inputmode="numeric"
                pattern="[0-9]{1,3}"
                maxlength={3}
                autocomplete="off"
                error={policyErr('refundable_until_hours')}
              />
              <div class="actions">
                <button type="submit">Save policy</button>
              </div>
            </form>
          ) : null}
        </section>
      </div>
    </Layout>
  );
}
