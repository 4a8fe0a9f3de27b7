// Finding a patient: one box for name, phone or MRN; results update as you type (htmx),
// and the same page works without JavaScript through ?q=.
import type { PatientView } from '../../src/patients/queries';
import { formatDate, formatPhone } from '../components';
import { Layout, type Flash, type PageUser } from '../layout';
import { ageSexShort } from './common';

export interface SearchResults {
  q: string;
  items: PatientView[];
  nextCursor: string | null;
  timeZone: string;
}

export function PatientResults({ q, items, nextCursor, timeZone }: SearchResults) {
  const term = q.trim();
  if (!items.length) {
    return (
      <p class="empty" role="status">
        {term ? (
          <>
            No patient matches <strong safe>{`“${term}”`}</strong>.
          </>
        ) : (
          'No patients registered in this branch yet.'
        )}
      </p>
    );
  }
  return (
    <>
      <p class="muted result-count" role="status" safe>
        {term
          ? `${items.length}${nextCursor ? '+' : ''} ${items.length === 1 ? 'patient matches' : 'patients match'} “${term}”`
          : `${items.length}${nextCursor ? '+' : ''} ${items.length === 1 ? 'patient' : 'patients'}, by name`}
      </p>
      <div class="table-wrap">
        <table class="list">
          <thead>
            <tr>
              <th scope="col">MRN</th>
              <th scope="col">Name</th>
              <th scope="col">Age / sex</th>
              <th scope="col">Phone</th>
              <th scope="col">Registered</th>
            </tr>
          </thead>
          <tbody>
            {items.map((p) => (
              <tr>
                <td class="mono" safe>
                  {p.mrn}
                </td>
                <td>
                  <a href={`/patients/${p.id}`} safe>
                    {p.name}
                  </a>
                </td>
                <td safe>{ageSexShort(p)}</td>
                <td class="nowrap" safe>
                  {formatPhone(p.phone)}
                </td>
                <td class="nowrap" safe>
                  {formatDate(p.created_at, timeZone)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {nextCursor ? (
        <p>
          <a href={`/patients?${new URLSearchParams({ q: term, cursor: nextCursor }).toString()}`}>More results</a>
        </p>
      ) : null}
    </>
  );
}

export function PatientSearchPage(p: { user: PageUser; clinicName: string | null; flash: Flash | null; canRegister: boolean; results: SearchResults }) {
  return (
    <Layout title="Patients" user={p.user} clinicName={p.clinicName} flash={p.flash} active="patients">
      <div class="page-head">
        <h1>Patients</h1>
        {p.canRegister ? (
          <a class="button primary" href="/patients/new">
            Register new patient
          </a>
        ) : null}
      </div>
      <section class="card">
        <form method="get" action="/patients" class="search-row" role="search">
          <label for="patient-q" class="sr-only">
            Search by name, phone or MRN
          </label>
          <input
            id="patient-q"
            name="q"
            type="search"
            value={p.results.q}
            placeholder="Name, phone or MRN"
            autofocus
            autocomplete="off"
            spellcheck="false"
            maxlength={100}
            hx-get="/patients/search"
            hx-trigger="input changed delay:200ms, search"
            hx-target="#results"
            hx-sync="this:replace"
            hx-indicator="#search-busy"
          />
          <button type="submit">Search</button>
          <span id="search-busy" class="htmx-indicator muted" aria-hidden="true">
            Searching…
          </span>
        </form>
        <div id="results" aria-live="polite">
          {PatientResults(p.results)}
        </div>
      </section>
    </Layout>
  );
}
