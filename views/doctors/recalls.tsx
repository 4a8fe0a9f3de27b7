// The recall list: follow-ups ("review in N days") due or overdue, with one click to book
// and a way to cancel a recall that is no longer wanted.
import { CsrfField, formatCalendarDate, formatPhone } from '../components';
import { Layout } from '../layout';
import type { PageBase } from './common';

export interface RecallItem {
  id: string;
  patient: { id: string; name: string; mrn: string; phone: string } | null;
  patientId: string;
  doctor: { id: string; name: string };
  dueDate: string;
  /** Days past the due date: > 0 overdue, 0 due today, < 0 due later. */
  overdueDays: number;
  note: string | null;
}

export interface RecallsProps extends PageBase {
  items: RecallItem[];
  truncated: boolean;
  doctors: { id: string; name: string; active: boolean }[];
  filter: { doctorId: string; until: string };
  canBook: boolean;
  /** A refused cancel: which recall, and why. */
  err?: { id: string; message: string } | null;
}

function DueBadge({ days }: { days: number }) {
  if (days > 0) return <span class="badge badge-warn" safe>{`Overdue · ${days} day${days === 1 ? '' : 's'}`}</span>;
  if (days === 0) return <span class="badge">Due today</span>;
  return <span class="badge badge-off" safe>{`Due in ${-days} day${days === -1 ? '' : 's'}`}</span>;
}

export function bookingHref(r: RecallItem): string {
  return `/appointments/new?${new URLSearchParams({ patient_id: r.patientId, doctor_id: r.doctor.id, followup_id: r.id })}`;
}

export function RecallsPage(p: RecallsProps) {
  const back = { doctor_id: p.filter.doctorId, until: p.filter.until };
  return (
    <Layout title="Recalls" user={p.user} clinicName={p.clinicName} flash={p.flash} active="recalls">
      <h1>Recalls</h1>
      <p class="muted">Follow-ups the doctors asked for, due or overdue, oldest first. Book one to take it off this list.</p>
      <form method="get" action="/recalls" class="search-row">
        <div class="field">
          <label for="f-doctor_id">Doctor</label>
          <select id="f-doctor_id" name="doctor_id">
            <option value="">All doctors</option>
            {p.doctors.map((d) => (
              <option value={d.id} selected={d.id === p.filter.doctorId} safe>
                {d.active ? d.name : `${d.name} (inactive)`}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="f-until">Due up to</label>
          <input id="f-until" name="until" type="date" value={p.filter.until} />
        </div>
        <div class="actions">
          <button type="submit">Show</button>
        </div>
      </form>
      {p.items.length ? (
        <div class="table-wrap">
          <table class="list">
            <caption class="sr-only">Follow-ups due</caption>
            <thead>
              <tr>
                <th scope="col">Patient</th>
                <th scope="col">Doctor</th>
                <th scope="col">Due</th>
                <th scope="col">Status</th>
                <th scope="col">Note</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {p.items.map((r) => {
                const error = p.err && p.err.id === r.id ? p.err.message : null;
                return (
                  <tr id={`recall-${r.id}`}>
                    <td>
                      {r.patient ? (
                        <>
                          <a href={`/patients/${r.patient.id}`} safe>
                            {r.patient.name}
                          </a>
                          <br />
                          <small class="muted" safe>
                            {`MRN ${r.patient.mrn} · ${formatPhone(r.patient.phone)}`}
                          </small>
                        </>
                      ) : (
                        <span class="muted">Unknown patient</span>
                      )}
                    </td>
                    <td safe>{r.doctor.name}</td>
                    <td class="mono" safe>
                      {formatCalendarDate(r.dueDate)}
                    </td>
                    <td>
                      <DueBadge days={r.overdueDays} />
                    </td>
                    <td safe>{r.note ?? ''}</td>
                    <td>
                      {p.canBook ? (
                        <>
                          <a class="button primary" href={bookingHref(r)}>
                            Book
                          </a>
                          <details open={error ? true : undefined}>
                            <summary>Cancel recall</summary>
                            <form method="post" action={`/recalls/${r.id}/cancel`} class={error ? 'has-error' : undefined}>
                              <CsrfField token={p.user.csrf} />
                              <input type="hidden" name="doctor_id" value={back.doctor_id} />
                              <input type="hidden" name="until" value={back.until} />
                              <label for={`reason-${r.id}`}>Reason *</label>
                              <input
                                id={`reason-${r.id}`}
                                name="reason"
                                required
                                maxlength="500"
                                aria-invalid={error ? 'true' : undefined}
                                aria-describedby={error ? `reason-${r.id}-error` : undefined}
                              />
                              {error ? (
                                <small id={`reason-${r.id}-error`} class="error" safe>
                                  {error}
                                </small>
                              ) : null}
                              <button type="submit" class="danger">
                                Cancel recall
                              </button>
                            </form>
                          </details>
                        </>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : (
        <p class="empty">Nobody is due for a follow-up in this period.</p>
      )}
      {p.truncated ? <p class="muted">Only the first 500 are shown; narrow the list by doctor or date.</p> : null}
    </Layout>
  );
}
