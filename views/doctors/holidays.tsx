// Branch holidays: the upcoming ones, adding one, removing one. On a holiday no doctor of
// the branch has sessions.
import { CsrfField, Field, formatCalendarDate } from '../components';
import { errorFor, type FormError, FormErrors } from '../admin/parts';
import { Layout } from '../layout';
import type { PageBase } from './common';

export interface HolidaysProps extends PageBase {
  holidays: { date: string; name: string }[];
  values: { date?: string; name?: string };
  err?: FormError | null;
  today: string;
}

export function HolidaysPage(p: HolidaysProps) {
  return (
    <Layout title="Branch holidays" user={p.user} clinicName={p.clinicName} flash={p.flash} active="doctors">
      <p>
        <a href="/admin/doctors">← Doctors</a>
      </p>
      <h1>Branch holidays</h1>
      <div class="columns">
        <section class="card">
          <h2>Upcoming</h2>
          {p.holidays.length ? (
            <table class="list">
              <caption class="sr-only">Upcoming holidays</caption>
              <thead>
                <tr>
                  <th scope="col">Date</th>
                  <th scope="col">Holiday</th>
                  <th scope="col">
                    <span class="sr-only">Remove</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {p.holidays.map((h) => (
                  <tr>
                    <td class="mono" safe>
                      {formatCalendarDate(h.date)}
                    </td>
                    <td safe>{h.name}</td>
                    <td>
                      <form method="post" action="/admin/holidays/remove">
                        <CsrfField token={p.user.csrf} />
                        <input type="hidden" name="date" value={h.date} />
                        <button type="submit" class="link" aria-label={`Remove ${h.name} on ${formatCalendarDate(h.date)}`}>
                          Remove
                        </button>
                      </form>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p class="empty">No upcoming holidays.</p>
          )}
        </section>
        <section class="card">
          <h2>Add a holiday</h2>
          <FormErrors err={p.err} fields={['date', 'name']} />
          <form method="post" action="/admin/holidays">
            <CsrfField token={p.user.csrf} />
            <Field label="Date" name="date" type="date" value={p.values.date} required min={p.today} error={errorFor(p.err, 'date')} />
            <Field label="Name" name="name" value={p.values.name} required maxlength={120} autocomplete="off" hint="e.g. Republic Day" error={errorFor(p.err, 'name')} />
            <div class="actions">
              <button type="submit" class="primary">
                Add holiday
              </button>
            </div>
          </form>
        </section>
      </div>
    </Layout>
  );
}
