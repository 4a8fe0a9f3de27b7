import { formatDateTime } from '../components';
import { Layout, type Flash, type PageUser } from '../layout';

export interface HomeStats {
  patients: number;
  registeredToday: number;
}

export interface HomeAnnouncement {
  id: string;
  title: string;
  body: string;
  posted_by: string | null;
  posted_at: string;
}

/** Notices from the chain's HQ (pulled from the hub), newest first. */
function Announcements({ items, timeZone }: { items: HomeAnnouncement[]; timeZone: string }) {
  if (!items.length) return null;
  return (
    <section class="card" aria-labelledby="h-announcements" data-announcements>
      <h2 id="h-announcements">From HQ</h2>
      {items.map((a) => (
        <article class="announcement" data-announcement={a.id}>
          <h3 safe>{a.title}</h3>
          <p class="pre" safe>
            {a.body}
          </p>
          <p class="muted">
            <small safe>{`${a.posted_by ? `${a.posted_by}, ` : ''}${formatDateTime(a.posted_at, timeZone)}`}</small>
          </p>
        </article>
      ))}
    </section>
  );
}

export function HomePage(p: { user: PageUser; clinicName: string | null; flash: Flash | null; stats: HomeStats; canRegister: boolean; announcements?: HomeAnnouncement[]; timeZone?: string }) {
  return (
    <Layout title="Today" user={p.user} clinicName={p.clinicName} flash={p.flash} active="home">
      <h1>Today</h1>
      <Announcements items={p.announcements ?? []} timeZone={p.timeZone ?? 'Asia/Kolkata'} />
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
