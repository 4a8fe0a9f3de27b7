// HQ: the chain's doctor directory. Owners and admins at the hub list doctors, edit and
// delist them; the hq role reads. Branches pull it and show it at /directory.
import type { DirectoryRow } from '../../src/chain/directory';
import { CsrfField, ErrorSummary, Field, formatDateTime } from '../components';
import { type Flash, Layout, type PageUser } from '../layout';
import { HqTabs } from './common';

export interface DirectoryFormValues {
  name?: string;
  specialty?: string;
  qualifications?: string;
  registration_number?: string;
  branch_codes?: string;
  visiting?: string;
}

export interface HqDoctorsPageProps {
  user: PageUser;
  clinicName: string | null;
  timeZone: string;
  items: DirectoryRow[];
  branchCodes: string[];
  canManage: boolean;
  formToken: string;
  /** Editing this entry (the form then updates it). */
  editing?: DirectoryRow | null;
  values?: DirectoryFormValues;
  error?: { message: string; field: string | null } | null;
  flash?: Flash | null;
}

export const formValuesOf = (d: DirectoryRow): DirectoryFormValues => ({
  name: d.name,
  specialty: d.specialty,
  qualifications: d.qualifications ?? '',
  registration_number: d.registration_number ?? '',
  branch_codes: d.branch_codes.join(', '),
  visiting: d.visiting ?? '',
});

/** The directory's common cells: doctor (name, qualifications, registration), specialty, branches, visiting. */
export function DirectoryCells({ d }: { d: DirectoryRow }) {
  return (
    <>
      <td>
        <strong safe>{d.name}</strong>
        {d.qualifications ? (
          <>
            <br />
            <small safe>{d.qualifications}</small>
          </>
        ) : null}
        {d.registration_number ? (
          <>
            <br />
            <small class="muted" safe>{`Reg. ${d.registration_number}`}</small>
          </>
        ) : null}
      </td>
      <td safe>{d.specialty}</td>
      <td safe>{d.branch_codes.join(', ') || '—'}</td>
      <td safe>{d.visiting ?? '—'}</td>
    </>
  );
}

const statusOf = (d: DirectoryRow, timeZone: string): string => (d.delisted_at ? `Delisted ${formatDateTime(d.delisted_at, timeZone)}` : 'Listed');

function EntryForm(p: HqDoctorsPageProps) {
  const err = (field: string) => (p.error?.field === field ? p.error.message : null);
  const v = p.values ?? {};
  const action = p.editing ? `/hq/doctors/${p.editing.id}` : '/hq/doctors';
  const heading: string = p.editing ? `Edit ${p.editing.name}` : 'List a doctor';
  return (
    <section class="card" aria-labelledby="h-entry">
      <h2 id="h-entry" safe>
        {heading}
      </h2>
      <ErrorSummary message={p.error && !p.error.field ? p.error.message : null} />
      <form method="post" action={action}>
        <CsrfField token={p.user.csrf} />
        <input type="hidden" name="_form_token" value={p.formToken} />
        <Field label="Name" name="name" value={v.name} required maxlength={120} error={err('name')} />
        <Field label="Specialty" name="specialty" value={v.specialty} required maxlength={80} error={err('specialty')} />
        <Field label="Qualifications" name="qualifications" value={v.qualifications} maxlength={160} hint="e.g. MBBS, MD (Paediatrics)" error={err('qualifications')} />
        <Field label="Registration number" name="registration_number" value={v.registration_number} maxlength={40} hint="Medical council registration" error={err('registration_number')} />
        <Field
          label="Branches"
          name="branch_codes"
          value={v.branch_codes}
          maxlength={400}
          hint={`Branch codes, separated by commas${p.branchCodes.length ? `: ${p.branchCodes.join(', ')}` : ''}`}
          error={err('branch_codes')}
        />
        <Field label="Visiting hours" name="visiting" value={v.visiting} maxlength={300} hint="e.g. Mon, Thu 10:00–13:00 at BLR1" error={err('visiting')} />
        <div class="actions">
          <button type="submit" class="primary">
            {p.editing ? 'Save' : 'List'}
          </button>
          {p.editing ? (
            <a class="button" href="/hq/doctors">
              Cancel
            </a>
          ) : null}
        </div>
      </form>
    </section>
  );
}

export function HqDoctorsPage(p: HqDoctorsPageProps) {
  return (
    <Layout title="HQ · Doctor directory" user={p.user} clinicName={p.clinicName} flash={p.flash ?? null} active="hq">
      <h1>Doctor directory</h1>
      <HqTabs active="doctors" />
      <p class="muted">Every branch’s staff see this list once synced, to refer patients across the chain.</p>
      {p.canManage ? <EntryForm {...p} /> : null}
      {p.editing ? null : (
        <section class="card" aria-labelledby="h-list">
          <h2 id="h-list">Listed</h2>
          {p.items.length ? (
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Doctor</th>
                    <th scope="col">Specialty</th>
                    <th scope="col">Branches</th>
                    <th scope="col">Visiting</th>
                    <th scope="col">Status</th>
                    {p.canManage ? <th scope="col">Actions</th> : null}
                  </tr>
                </thead>
                <tbody>
                  {p.items.map((d) => (
                    <tr data-directory-doctor={d.id}>
                      <DirectoryCells d={d} />
                      <td safe>{statusOf(d, p.timeZone)}</td>
                      {p.canManage ? (
                        <td>
                          {d.delisted_at ? null : (
                            <div class="actions">
                              <a class="button" href={`/hq/doctors/${d.id}`} aria-label={`Edit ${d.name}`}>
                                Edit
                              </a>
                              <form method="post" action={`/hq/doctors/${d.id}/delist`}>
                                <CsrfField token={p.user.csrf} />
                                <button type="submit" aria-label={`Delist ${d.name}`}>
                                  Delist
                                </button>
                              </form>
                            </div>
                          )}
                        </td>
                      ) : null}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <p class="muted">None yet.</p>
          )}
        </section>
      )}
    </Layout>
  );
}
