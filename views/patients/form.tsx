// The patient form, for registering (with the inline duplicate check) and for correcting
// demographics. Built for the keyboard: name first and autofocused, sex as radio buttons
// (arrow keys), Enter submits. Works without JavaScript.
import type { DuplicateMatch } from '../../src/patients/queries';
import { CsrfField, ErrorSummary, Field } from '../components';
import { Layout, type PageUser } from '../layout';
import { DuplicateWarning, SEX_LABELS } from './common';

export interface PatientFormValues {
  name?: string;
  phone?: string;
  sex?: string;
  age_years?: string;
  date_of_birth?: string;
  email?: string;
  address?: string;
  abha_number?: string;
  reason?: string;
}

export interface FormError {
  message: string;
  /** The field the message belongs to; null for the whole form. */
  field: string | null;
}

/**
 * The inline duplicate check, on each field it depends on. The checks share one queue on
 * the form and a newer one replaces an older one in flight: a slow answer about an earlier
 * field must never overwrite the answer about the whole form.
 */
const CHECK_ATTRS = { 'hx-post': '/patients/check', 'hx-trigger': 'change', 'hx-target': '#dup-warning', 'hx-swap': 'innerHTML', 'hx-sync': 'closest form:replace' };

function SexChoice({ value, error, autofocus }: { value?: string; error?: string | null; autofocus?: boolean }) {
  return (
    <fieldset class={error ? 'field choice has-error' : 'field choice'} aria-describedby={error ? 'f-sex-error' : undefined}>
      <legend>Sex *</legend>
      <div class="choices">
        {Object.entries(SEX_LABELS).map(([v, label], i) => (
          <label>
            <input type="radio" name="sex" value={v} checked={value === v} required autofocus={autofocus && i === 0} />{' '}
            <span safe>{label}</span>
          </label>
        ))}
      </div>
      {error ? (
        <small id="f-sex-error" class="error" safe>
          {error}
        </small>
      ) : null}
    </fieldset>
  );
}

function DemographicFields(p: { v: PatientFormValues; err: (f: string) => string | null; today: string; check: boolean; focus: string | null }) {
  const { v, err } = p;
  const af = (f: string) => p.focus === f;
  const check = p.check ? CHECK_ATTRS : undefined;
  return (
    <>
      <Field label="Full name" name="name" value={v.name} required autofocus={af('name')} autocomplete="off" maxlength={120} error={err('name')} attrs={{ spellcheck: 'false', ...check }} />
      <Field
        label="Mobile phone"
        name="phone"
        type="tel"
        value={v.phone}
        required
        inputmode="tel"
        autocomplete="off"
        maxlength={20}
        hint="10 digits, or +country code for a foreign number"
        autofocus={af('phone')}
        error={err('phone')}
        attrs={check}
      />
      <SexChoice value={v.sex} error={err('sex')} autofocus={af('sex')} />
      <div class="field-pair">
        <Field
          label="Age in years"
          name="age_years"
          value={v.age_years}
          inputmode="numeric"
          pattern="[0-9]{1,3}"
          maxlength={3}
          autocomplete="off"
          hint="Or give the date of birth"
          autofocus={af('age_years')}
          error={err('age_years')}
          attrs={check}
        />
        <Field label="Date of birth" name="date_of_birth" type="date" value={v.date_of_birth} max={p.today} min="1890-01-01" autofocus={af('date_of_birth')} error={err('date_of_birth')} attrs={check} />
      </div>
      <Field label="Email" name="email" type="email" value={v.email} inputmode="email" autocomplete="off" maxlength={254} autofocus={af('email')} error={err('email')} />
      <div class={err('address') ? 'field has-error' : 'field'}>
        <label for="f-address">Address</label>
        <textarea id="f-address" name="address" rows="2" maxlength="500" autofocus={af('address')} aria-invalid={err('address') ? 'true' : undefined} aria-describedby={err('address') ? 'f-address-error' : undefined} safe>
          {v.address ?? ''}
        </textarea>
        {err('address') ? (
          <small id="f-address-error" class="error" safe>
            {err('address')!}
          </small>
        ) : null}
      </div>
      <Field
        label="ABHA number (optional)"
        name="abha_number"
        value={v.abha_number}
        inputmode="numeric"
        autocomplete="off"
        maxlength={17}
        hint="14 digits, dashes optional"
        autofocus={af('abha_number')}
        error={err('abha_number')}
      />
    </>
  );
}

const errorOf = (error: FormError | null | undefined) => (f: string) => (error && error.field === f ? error.message : null);
const KNOWN_FIELDS = ['name', 'phone', 'sex', 'age_years', 'date_of_birth', 'email', 'address', 'abha_number', 'reason'];
/** The field to put the cursor in: the one with the error, else the name. */
const focusOf = (error: FormError | null | undefined) => (error?.field && KNOWN_FIELDS.includes(error.field) ? error.field : 'name');

export function RegisterForm(p: {
  csrf: string;
  formToken: string;
  values: PatientFormValues;
  today: string;
  error?: FormError | null;
  duplicates?: DuplicateMatch[];
}) {
  const err = errorOf(p.error);
  const formLevel = p.error && (!p.error.field || !KNOWN_FIELDS.includes(p.error.field)) ? p.error.message : null;
  const dups = p.duplicates ?? [];
  return (
    <form method="post" action="/patients" class="patient-form">
      <CsrfField token={p.csrf} />
      <input type="hidden" name="_form_token" value={p.formToken} />
      <ErrorSummary message={formLevel} />
      {dups.length ? (
        <p class="flash flash-warn" role="alert">
          <strong>Not registered yet:</strong> this looks like a patient who is already registered.{' '}
          <a href="#dup-warning">See the possible duplicate</a> before you decide.
        </p>
      ) : null}
      <DemographicFields v={p.values} err={err} today={p.today} check focus={focusOf(p.error)} />
      <div id="dup-warning" aria-live="polite">
        {dups.length ? <DuplicateWarning matches={dups} confirmable /> : ''}
      </div>
      <div class="actions">
        <button type="submit" class="primary">
          Register
        </button>
        {dups.length ? (
          <button type="submit" name="confirm_duplicate" value="1" class="warn">
            Register anyway
          </button>
        ) : null}
        <a class="button link" href="/patients">
          Cancel
        </a>
      </div>
    </form>
  );
}

export function RegisterPage(p: {
  user: PageUser;
  clinicName: string | null;
  formToken: string;
  values: PatientFormValues;
  today: string;
  error?: FormError | null;
  duplicates?: DuplicateMatch[];
}) {
  return (
    <Layout title="Register a patient" user={p.user} clinicName={p.clinicName} active="patients">
      <section class="card form-card">
        <h1>Register a patient</h1>
        <p class="muted">
          Fields marked * are required. Give the age <em>or</em> the date of birth.
        </p>
        <RegisterForm csrf={p.user.csrf} formToken={p.formToken} values={p.values} today={p.today} error={p.error} duplicates={p.duplicates} />
      </section>
    </Layout>
  );
}

export function EditPatientPage(p: {
  user: PageUser;
  clinicName: string | null;
  patient: { id: string; mrn: string; name: string; version: number };
  formToken: string;
  values: PatientFormValues;
  today: string;
  error?: FormError | null;
  /** Someone else changed the record since this form was opened. */
  stale?: boolean;
}) {
  const err = errorOf(p.error);
  const formLevel = p.error && (!p.error.field || !KNOWN_FIELDS.includes(p.error.field)) ? p.error.message : null;
  return (
    <Layout title={`Correct ${p.patient.name}`} user={p.user} clinicName={p.clinicName} active="patients">
      <section class="card form-card">
        <h1>
          Correct details of <span safe>{p.patient.name}</span> <small class="muted mono" safe>{p.patient.mrn}</small>
        </h1>
        <p class="muted">Every correction is kept in the patient's history with the old value, who changed it and why.</p>
        <form method="post" action={`/patients/${p.patient.id}`} class="patient-form">
          <CsrfField token={p.user.csrf} />
          <input type="hidden" name="expected_version" value={String(p.patient.version)} />
          <input type="hidden" name="_form_token" value={p.formToken} />
          <ErrorSummary message={formLevel} />
          {p.stale ? (
            <p class="stale-note">
              <a class="button" href={`/patients/${p.patient.id}/edit`}>
                Open the current record
              </a>{' '}
              <span class="muted">Your changes below are not saved; make them again on the current record.</span>
            </p>
          ) : null}
          <DemographicFields v={p.values} err={err} today={p.today} check={false} focus={focusOf(p.error)} />
          <Field
            label="Reason for the correction"
            name="reason"
            value={p.values.reason}
            maxlength={500}
            autocomplete="off"
            hint="Optional, e.g. “spelling as on Aadhaar”"
            error={err('reason')}
            autofocus={p.error?.field === 'reason'}
          />
          <div class="actions">
            <button type="submit" class="primary">
              Save correction
            </button>
            <a class="button link" href={`/patients/${p.patient.id}`}>
              Cancel
            </a>
          </div>
        </form>
      </section>
    </Layout>
  );
}
