// Doctor pages for admins: the list, registering a doctor, and one doctor's page (profile,
// linked staff account, active/inactive, calendar subscription link).
import { CsrfField, ErrorSummary, Field } from '../components';
import { errorFor, type FormError, FormErrors } from '../admin/parts';
import { Layout } from '../layout';
import { DoctorTabs, formatMoney, type PageBase } from './common';

export interface DoctorListItem {
  id: string;
  name: string;
  specialty: string;
  registrationNumber: string;
  slotMinutes: number;
  feePaise: number;
  currency: string;
  languages: string[];
  linkedUser: string | null;
  active: boolean;
}

function ActiveBadge({ active }: { active: boolean }) {
  return active ? <span class="badge badge-ok">Active</span> : <span class="badge badge-off">Inactive</span>;
}

export function DoctorsPage(p: PageBase & { doctors: DoctorListItem[] }) {
  return (
    <Layout title="Doctors" user={p.user} clinicName={p.clinicName} flash={p.flash} active="doctors">
      <h1>Doctors</h1>
      <div class="actions">
        <a class="button primary" href="/admin/doctors/new">
          Add doctor
        </a>
        <a class="button" href="/admin/holidays">
          Branch holidays
        </a>
      </div>
      {p.doctors.length ? (
        <div class="table-wrap">
          <table class="list">
            <caption class="sr-only">Doctors of this branch</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Specialty</th>
                <th scope="col">Registration no.</th>
                <th scope="col" class="num">
                  Slot
                </th>
                <th scope="col" class="num">
                  Fee
                </th>
                <th scope="col">Languages</th>
                <th scope="col">Staff account</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {p.doctors.map((d) => (
                <tr>
                  <td>
                    <a href={`/admin/doctors/${d.id}`} safe>
                      {d.name}
                    </a>
                  </td>
                  <td safe>{d.specialty}</td>
                  <td class="mono" safe>
                    {d.registrationNumber}
                  </td>
                  <td class="num" safe>
                    {`${d.slotMinutes} min`}
                  </td>
                  <td class="num" safe>
                    {formatMoney(d.feePaise, d.currency)}
                  </td>
                  <td safe>{d.languages.join(', ') || '—'}</td>
                  <td safe>{d.linkedUser ?? '—'}</td>
                  <td>
                    <ActiveBadge active={d.active} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p class="empty">No doctors yet. Add the first one to start taking appointments.</p>
      )}
    </Layout>
  );
}

export interface DoctorFormValues {
  name?: string;
  specialty?: string;
  registration_number?: string;
  slot_minutes?: string;
  fee?: string;
  languages?: string;
  user_id?: string;
}

export interface UserOption {
  id: string;
  label: string;
}

const DOCTOR_FIELDS = ['name', 'specialty', 'registration_number', 'slot_minutes', 'fee', 'languages', 'user_id'];

function DoctorFields({ v, err, users }: { v: DoctorFormValues; err?: FormError | null; users: UserOption[] }) {
  const userError = errorFor(err, 'user_id');
  return (
    <>
      <Field label="Name" name="name" value={v.name} required maxlength={120} autocomplete="off" hint="As patients should see it, e.g. Dr. Meera Rao" error={errorFor(err, 'name')} />
      <Field label="Specialty" name="specialty" value={v.specialty} required maxlength={80} autocomplete="off" hint="e.g. General Medicine, Paediatrics" error={errorFor(err, 'specialty')} />
      <Field
        label="Registration number"
        name="registration_number"
        value={v.registration_number}
        required
        maxlength={40}
        autocomplete="off"
        hint="Medical council registration, e.g. KMC 45678"
        error={errorFor(err, 'registration_number')}
      />
      <div class="field-pair">
        <Field
          label="Slot length (minutes)"
          name="slot_minutes"
          type="number"
          value={v.slot_minutes}
          required
          min={5}
          max={240}
          attrs={{ step: '5' }}
          inputmode="numeric"
          hint="5 to 240, in steps of 5"
          error={errorFor(err, 'slot_minutes')}
        />
        <Field
          label="Consultation fee (₹)"
          name="fee"
          value={v.fee}
          required
          maxlength={14}
          inputmode="decimal"
          autocomplete="off"
          hint="In rupees, e.g. 500 or 650.50"
          error={errorFor(err, 'fee')}
        />
      </div>
      <Field
        label="Languages"
        name="languages"
        value={v.languages}
        maxlength={400}
        autocomplete="off"
        hint="Separated by commas, e.g. English, Hindi, Kannada"
        error={errorFor(err, 'languages')}
      />
      <div class={userError ? 'field has-error' : 'field'}>
        <label for="f-user_id">Staff account</label>
        <select id="f-user_id" name="user_id" aria-describedby={userError ? 'f-user_id-error f-user_id-hint' : 'f-user_id-hint'} aria-invalid={userError ? 'true' : undefined}>
          <option value="">— none —</option>
          {users.map((u) => (
            <option value={u.id} selected={u.id === v.user_id} safe>
              {u.label}
            </option>
          ))}
        </select>
        <small id="f-user_id-hint" class="hint">
          The doctor's own sign-in (role Doctor, this branch): they then see their own queue and day.
        </small>
        {userError ? (
          <small id="f-user_id-error" class="error" safe>
            {userError}
          </small>
        ) : null}
      </div>
    </>
  );
}

export function NewDoctorPage(p: PageBase & { values: DoctorFormValues; users: UserOption[]; formToken: string; err?: FormError | null }) {
  return (
    <Layout title="Add doctor" user={p.user} clinicName={p.clinicName} flash={p.flash} active="doctors">
      <p>
        <a href="/admin/doctors">← Doctors</a>
      </p>
      <section class="card narrow">
        <h1>Add doctor</h1>
        <FormErrors err={p.err} fields={DOCTOR_FIELDS} />
        <form method="post" action="/admin/doctors/new">
          <CsrfField token={p.user.csrf} />
          <input type="hidden" name="_form_token" value={p.formToken} />
          <DoctorFields v={p.values} err={p.err} users={p.users} />
          <div class="actions">
            <button type="submit" class="primary">
              Add doctor
            </button>
            <a class="button" href="/admin/doctors">
              Cancel
            </a>
          </div>
        </form>
      </section>
    </Layout>
  );
}

export interface DoctorPageProps extends PageBase {
  doctor: { id: string; name: string; active: boolean; hasCalendarFeed: boolean };
  values: DoctorFormValues;
  users: UserOption[];
  err?: (FormError & { form: 'profile' | 'status' | 'calendar' }) | null;
  /** The subscription URL just created: shown once, never stored. */
  feedUrl?: string | null;
}

export function DoctorPage(p: DoctorPageProps) {
  const errOf = (form: 'profile' | 'status' | 'calendar') => (p.err && p.err.form === form ? p.err : null);
  return (
    <Layout title={p.doctor.name} user={p.user} clinicName={p.clinicName} flash={p.flash} active="doctors">
      <p>
        <a href="/admin/doctors">← Doctors</a>
      </p>
      <div class="page-head">
        <h1 safe>{p.doctor.name}</h1>
        <p>{p.doctor.active ? <span class="badge badge-ok">Active</span> : <span class="badge badge-off">Inactive</span>}</p>
      </div>
      <DoctorTabs id={p.doctor.id} current="profile" />
      <div class="columns">
        <section class="card">
          <h2>Profile</h2>
          <FormErrors err={errOf('profile')} fields={DOCTOR_FIELDS} />
          <form method="post" action={`/admin/doctors/${p.doctor.id}`}>
            <CsrfField token={p.user.csrf} />
            <DoctorFields v={p.values} err={errOf('profile')} users={p.users} />
            <div class="actions">
              <button type="submit" class="primary">
                Save profile
              </button>
            </div>
          </form>
        </section>
        <div>
          <section class="card" id="calendar-feed">
            <h2>Calendar subscription</h2>
            <ErrorSummary message={errOf('calendar')?.message} />
            <p>
              A private link the doctor adds to their phone or desktop calendar (Google Calendar, Apple Calendar, Outlook) to see their
              appointments. It shows each patient's name and MRN, nothing more.
            </p>
            {p.feedUrl ? (
              <div class="flash flash-ok" role="status">
                <p>
                  <strong>Subscription link created.</strong> Copy it now: it is shown only this once. Anyone with the link can read this
                  calendar, so give it only to the doctor.
                </p>
                <div class="field">
                  <label for="feed-url">Subscription link</label>
                  <input id="feed-url" type="text" readonly value={p.feedUrl} onfocus="this.select()" />
                </div>
                <p>
                  <a href={p.feedUrl.replace(/^https?:/, 'webcal:')}>Open in the calendar app on this device</a>
                </p>
              </div>
            ) : p.doctor.hasCalendarFeed ? (
              <p>
                <span class="badge badge-ok">Link active</span> A subscription link was created earlier. It is not shown again: create a new one
                (the old one stops working) or revoke it.
              </p>
            ) : (
              <p>
                <span class="badge badge-off">No link</span> No subscription link yet.
              </p>
            )}
            <div class="actions">
              <form method="post" action={`/admin/doctors/${p.doctor.id}/calendar-token`}>
                <CsrfField token={p.user.csrf} />
                <button type="submit">{p.doctor.hasCalendarFeed ? 'Create a new subscription link' : 'Create subscription link'}</button>
              </form>
              {p.doctor.hasCalendarFeed ? (
                <form method="post" action={`/admin/doctors/${p.doctor.id}/calendar-token/revoke`}>
                  <CsrfField token={p.user.csrf} />
                  <button type="submit" class="danger">
                    Revoke
                  </button>
                </form>
              ) : null}
            </div>
          </section>
          <section class="card">
            <h2>Status</h2>
            <ErrorSummary message={errOf('status')?.message} />
            {p.doctor.active ? (
              <form method="post" action={`/admin/doctors/${p.doctor.id}/deactivate`}>
                <CsrfField token={p.user.csrf} />
                <p>Deactivating stops new bookings for this doctor. Appointments already booked stay as they are.</p>
                <button type="submit" class="danger">
                  Deactivate
                </button>
              </form>
            ) : (
              <form method="post" action={`/admin/doctors/${p.doctor.id}/reactivate`}>
                <CsrfField token={p.user.csrf} />
                <p>This doctor is inactive: no new bookings are taken.</p>
                <button type="submit" class="primary">
                  Reactivate
                </button>
              </form>
            )}
          </section>
        </div>
      </div>
    </Layout>
  );
}
