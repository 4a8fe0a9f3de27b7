// Branch pages: the list (with the clinic's name for the owner), opening a branch, and
// changing a branch's details.
import { CsrfField, Field } from '../components';
import { type Flash, Layout, type PageUser } from '../layout';
import { errorFor, type FormError, FormErrors } from './parts';

interface PageBase {
  user: PageUser;
  clinicName: string | null;
  flash?: Flash | null;
}

export interface BranchItem {
  id: string;
  code: string;
  name: string;
  timezone: string;
  gstin: string | null;
  phone: string | null;
  active: boolean;
  /** The caller may open its page (it is one of their branches). */
  editable: boolean;
}

export function BranchesPage(
  p: PageBase & { branches: BranchItem[]; isOwner: boolean; clinicValue?: string | null; clinicErr?: FormError | null },
) {
  return (
    <Layout title="Branches" user={p.user} clinicName={p.clinicName} flash={p.flash} active="branches">
      <h1>Branches</h1>
      {p.isOwner ? (
        <div class="actions">
          <a class="button primary" href="/admin/branches/new">
            Open a branch
          </a>
        </div>
      ) : null}
      <table class="list">
        <caption class="sr-only">Branches</caption>
        <thead>
          <tr>
            <th scope="col">Code</th>
            <th scope="col">Name</th>
            <th scope="col">Time zone</th>
            <th scope="col">GSTIN</th>
            <th scope="col">Phone</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {p.branches.map((b) => (
            <tr>
              <td safe>{b.code}</td>
              <td>
                {b.editable ? (
                  <a href={`/admin/branches/${b.id}`} safe>
                    {b.name}
                  </a>
                ) : (
                  <span safe>{b.name}</span>
                )}
              </td>
              <td safe>{b.timezone}</td>
              <td safe>{b.gstin ?? '—'}</td>
              <td safe>{b.phone ?? '—'}</td>
              <td>{b.active ? <span class="badge badge-ok">Active</span> : <span class="badge badge-off">Inactive</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {p.isOwner ? (
        <section class="card">
          <h2>Clinic name</h2>
          <FormErrors err={p.clinicErr} fields={['clinic name']} />
          <form method="post" action="/admin/clinic">
            <CsrfField token={p.user.csrf} />
            <Field
              label="Clinic name"
              name="clinic_name"
              value={p.clinicValue ?? p.clinicName}
              required
              maxlength={120}
              autocomplete="organization"
              hint="Shown in the header of every page and on printed documents."
              error={errorFor(p.clinicErr, 'clinic name')}
            />
            <div class="actions">
              <button type="submit">Rename clinic</button>
            </div>
          </form>
        </section>
      ) : null}
    </Layout>
  );
}

export interface BranchValues {
  code?: string;
  name?: string;
  timezone?: string;
  address?: string;
  phone?: string;
  gstin?: string;
}

const ZONES = ['Asia/Kolkata', 'Asia/Kathmandu', 'Asia/Dhaka', 'Asia/Colombo', 'Asia/Dubai', 'Asia/Singapore', 'Europe/London', 'UTC'];
const BRANCH_FIELDS = ['code', 'name', 'timezone', 'address', 'phone', 'gstin'];

function BranchFields({ v, err }: { v: BranchValues; err?: FormError | null }) {
  return (
    <>
      <Field label="Name" name="name" value={v.name} required maxlength={120} autocomplete="off" hint="e.g. Indiranagar" error={errorFor(err, 'name')} />
      <Field
        label="Time zone"
        name="timezone"
        value={v.timezone ?? 'Asia/Kolkata'}
        required
        maxlength={64}
        autocomplete="off"
        hint="An IANA name; India is Asia/Kolkata. Dates and times of this branch are shown in it."
        error={errorFor(err, 'timezone')}
        attrs={{ list: 'tz-list' }}
      />
      <datalist id="tz-list">
        {ZONES.map((z) => (
          <option value={z} />
        ))}
      </datalist>
      <Field label="Address" name="address" value={v.address} maxlength={500} autocomplete="street-address" error={errorFor(err, 'address')} />
      <Field label="Phone" name="phone" type="tel" value={v.phone} maxlength={32} autocomplete="tel" inputmode="tel" error={errorFor(err, 'phone')} />
      <Field
        label="GSTIN"
        name="gstin"
        value={v.gstin}
        maxlength={15}
        autocomplete="off"
        hint="Optional. 15 characters like 29ABCDE1234F1Z5; printed on this branch's receipts."
        error={errorFor(err, 'gstin')}
      />
    </>
  );
}

export function NewBranchPage(p: PageBase & { values: BranchValues; err?: FormError | null }) {
  return (
    <Layout title="Open a branch" user={p.user} clinicName={p.clinicName} flash={p.flash} active="branches">
      <p>
        <a href="/admin/branches">← Branches</a>
      </p>
      <section class="card narrow">
        <h1>Open a branch</h1>
        <FormErrors err={p.err} fields={BRANCH_FIELDS} />
        <form method="post" action="/admin/branches">
          <CsrfField token={p.user.csrf} />
          <Field
            label="Code"
            name="code"
            value={p.values.code}
            required
            autofocus
            maxlength={4}
            pattern="[A-Za-z0-9]{1,4}"
            autocomplete="off"
            hint="1 to 4 letters or digits, e.g. BLR2. It starts every receipt number of the branch and cannot be changed later."
            error={errorFor(p.err, 'code')}
          />
          <BranchFields v={p.values} err={p.err} />
          <div class="actions">
            <button type="submit" class="primary">
              Open branch
            </button>
            <a class="button" href="/admin/branches">
              Cancel
            </a>
          </div>
        </form>
      </section>
    </Layout>
  );
}

export function BranchPage(p: PageBase & { id: string; code: string; values: BranchValues; err?: FormError | null }) {
  return (
    <Layout title={`Branch ${p.code}`} user={p.user} clinicName={p.clinicName} flash={p.flash} active="branches">
      <p>
        <a href="/admin/branches">← Branches</a>
      </p>
      <section class="card narrow">
        <h1 safe>{`Branch ${p.code}`}</h1>
        <FormErrors err={p.err} fields={BRANCH_FIELDS} />
        <form method="post" action={`/admin/branches/${p.id}`}>
          <CsrfField token={p.user.csrf} />
          <div class="field">
            <label for="f-code">Code</label>
            <input id="f-code" value={p.code} readonly aria-describedby="f-code-hint" />
            <small id="f-code-hint" class="hint">
              The code starts every receipt number, so it cannot be changed.
            </small>
          </div>
          <BranchFields v={p.values} err={p.err} />
          <div class="actions">
            <button type="submit" class="primary">
              Save changes
            </button>
            <a class="button" href="/admin/branches">
              Cancel
            </a>
          </div>
        </form>
      </section>
    </Layout>
  );
}
