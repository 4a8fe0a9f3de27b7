// The waiting-room display for a TV: per doctor, the token called now in very large type and
// the next few numbers. Token numbers only, never a patient's name. It refreshes itself
// every 3 s (htmx polling; a meta refresh when scripts are off) and needs no staff login:
// its link carries the branch's display secret.
import { Layout, type Flash, type PageUser } from '../layout';

export interface DisplayDoctor {
  id: string;
  name: string;
  specialty: string;
  /** The number called now, else the one with the doctor. */
  now: number | null;
  nowState: 'called' | 'in_consultation' | null;
  next: number[];
}

export interface DisplayModel {
  title: string;
  time: string;
  doctors: DisplayDoctor[];
  url: string;
}

export function DisplayBoard(m: DisplayModel) {
  return (
    <main id="display" class="display" hx-get={m.url} hx-trigger="every 3s" hx-swap="outerHTML">
      <header class="display-head">
        <h1 safe>{m.title}</h1>
        <p class="display-clock" safe>
          {m.time}
        </p>
      </header>
      {m.doctors.length ? (
        <div class="display-grid">
          {m.doctors.map((d) => (
            <section class={d.nowState === 'called' ? 'display-doc calling' : 'display-doc'} aria-labelledby={`dd-${d.id}`}>
              <h2 id={`dd-${d.id}`}>
                <span safe>{d.name}</span> <small safe>{d.specialty}</small>
              </h2>
              <p class="now-label">{d.nowState === 'in_consultation' ? 'With the doctor' : 'Now calling'}</p>
              <p class="now-number" data-state={d.nowState ?? 'none'} safe>
                {d.now === null ? '—' : String(d.now)}
              </p>
              <p class="next-label">{d.next.length ? 'Next' : 'No one waiting'}</p>
              {d.next.length ? (
                <ol class="next-numbers">
                  {d.next.map((n) => (
                    <li safe>{String(n)}</li>
                  ))}
                </ol>
              ) : null}
            </section>
          ))}
        </div>
      ) : (
        <p class="display-empty">No doctor is seeing patients today.</p>
      )}
    </main>
  );
}

export function DisplayPage(m: DisplayModel) {
  return (
    <>
      {'<!doctype html>'}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="robots" content="noindex" />
          <meta name="htmx-config" content='{"defaultTimeout":10000}' />
          <title safe>{`${m.title} · waiting room`}</title>
          <link rel="stylesheet" href="/public/app.css" />
          <link rel="icon" href="/public/favicon.svg" type="image/svg+xml" />
          <script src="/public/vendor/htmx.min.js" defer></script>
          <noscript>
            <meta http-equiv="refresh" content="3" />
          </noscript>
        </head>
        <body class="display-body">{DisplayBoard(m)}</body>
      </html>
    </>
  );
}

/** For admins: the display's address, to open on the TV. */
export function DisplayLinkPage(p: { user: PageUser; clinicName: string | null; flash: Flash | null; url: string; branchName: string }) {
  return (
    <Layout title="Waiting-room display" user={p.user} clinicName={p.clinicName} flash={p.flash} active="queue">
      <p class="crumbs">
        <a href="/queue">← Queues</a>
      </p>
      <section class="card form-card">
        <h1>Waiting-room display</h1>
        <p>
          Open this address on the TV in the waiting room of <strong safe>{p.branchName}</strong>. It shows the token numbers being called, never patients' names,
          and needs no sign-in.
        </p>
        <div class="field">
          <label for="display-url">Display address</label>
          <input id="display-url" type="text" readonly value={p.url} onfocus="this.select()" />
        </div>
        <div class="actions">
          <a class="button primary" href={p.url} target="_blank" rel="noopener">
            Open the display
          </a>
        </div>
        <p class="muted">
          Anyone with this address sees the numbers, so keep it to the clinic's screens. The address is derived from the server's secret: it stays the same
          across restarts and changes only when that secret is replaced (which also signs everyone out).
        </p>
      </section>
    </Layout>
  );
}
