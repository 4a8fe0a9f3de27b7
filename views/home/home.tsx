import { Layout, type Flash, type PageUser } from '../layout';

export interface HomeStats {
  patients: number;
  registeredToday: number;
}

export function HomePage(p: { user: PageUser; clinicName: string | null; flash: Flash | null; stats: HomeStats; canRegister: boolean }) {
  return (
    <Layout title="Today" user={p.user} clinicName={p.clinicName} flash={p.flash} active="home">
      <h1>Today</h1>
      <div class="tiles">
        <div class="tile">
          <span class="num" safe>
            {String(p.stats.registeredToday)}
          </span>
          <span class="label">registered today</span>
        </div>
        <div class="tile">
          <span class="num" safe>
            {String(p.stats.patients)}
          </span>
          <span class="label">patients in this branch</span>
        </div>
      </div>
      <section class="card">
        <h2>Find a patient</h2>
        <form method="get" action="/patients" class="search-row" role="search">
          <label for="home-q" class="sr-only">
            Name, phone or MRN
          </label>
          <input id="home-q" name="q" type="search" placeholder="Name, phone or MRN" autofocus autocomplete="off" />
          <button type="submit">Search</button>
          {p.canRegister ? (
            <a class="button primary" href="/patients/new">
              Register new patient
            </a>
          ) : null}
        </form>
      </section>
    </Layout>
  );
}
