// HQ: announcements for every branch's staff. Owners and admins at the hub post and withdraw
// them; the hq role reads. Branches pull them and show them on their start page.
import type { AnnouncementRow } from '../../src/chain/announcements';
import { CsrfField, ErrorSummary, Field, formatDateTime } from '../components';
import { type Flash, Layout, type PageUser } from '../layout';
import { HqTabs } from './common';

export interface HqAnnouncementsPageProps {
  user: PageUser;
  clinicName: string | null;
  timeZone: string;
  today: string;
  items: AnnouncementRow[];
  canManage: boolean;
  formToken: string;
  values?: { title?: string; body?: string; show_until?: string };
  error?: { message: string; field: string | null } | null;
  flash?: Flash | null;
}

function status(a: AnnouncementRow, today: string): string {
  if (a.withdrawn_at) return 'Withdrawn';
  if (a.show_until && a.show_until < today) return 'Ended';
  return a.show_until ? `Shown until ${a.show_until}` : 'Shown until withdrawn';
}

export function HqAnnouncementsPage(p: HqAnnouncementsPageProps) {
  const err = (field: string) => (p.error?.field === field ? p.error.message : null);
  return (
    <Layout title="HQ · Announcements" user={p.user} clinicName={p.clinicName} flash={p.flash ?? null} active="hq">
      <h1>Announcements</h1>
      <HqTabs active="announcements" />
      <p class="muted">Every branch shows these on its start page once it has synced, until their last day or until withdrawn.</p>
      {p.canManage ? (
        <section class="card" aria-labelledby="h-post">
          <h2 id="h-post">Post to every branch</h2>
          <ErrorSummary message={p.error && !p.error.field ? p.error.message : null} />
          <form method="post" action="/hq/announcements">
            <CsrfField token={p.user.csrf} />
            <input type="hidden" name="_form_token" value={p.formToken} />
            <Field label="Title" name="title" value={p.values?.title} required maxlength={120} error={err('title')} />
            <div class={err('body') ? 'field has-error' : 'field'}>
              <label for="f-body">Message *</label>
              <textarea id="f-body" name="body" rows="4" maxlength="2000" required aria-describedby={err('body') ? 'f-body-error' : undefined} safe>
                {p.values?.body ?? ''}
              </textarea>
              {err('body') ? (
                <p class="error" id="f-body-error" safe>
                  {err('body')!}
                </p>
              ) : null}
            </div>
            <Field label="Last day shown" name="show_until" type="date" value={p.values?.show_until} min={p.today} hint="Leave empty to show it until withdrawn" error={err('show_until')} />
            <button type="submit" class="primary">
              Post
            </button>
          </form>
        </section>
      ) : null}
      <section class="card" aria-labelledby="h-list">
        <h2 id="h-list">Posted</h2>
        {p.items.length ? (
          p.items.map((a) => (
            <article class="announcement" data-announcement={a.id}>
              <h3 safe>{a.title}</h3>
              <p class="pre" safe>
                {a.body}
              </p>
              <p class="muted">
                <small safe>{`${status(a, p.today)} · posted ${formatDateTime(a.posted_at, p.timeZone)}${a.posted_by ? ` by ${a.posted_by}` : ''}`}</small>
              </p>
              {p.canManage && !a.withdrawn_at ? (
                <form method="post" action={`/hq/announcements/${a.id}/withdraw`}>
                  <CsrfField token={p.user.csrf} />
                  <button type="submit" aria-label={`Withdraw “${a.title}”`}>
                    Withdraw
                  </button>
                </form>
              ) : null}
            </article>
          ))
        ) : (
          <p class="muted">None yet.</p>
        )}
      </section>
    </Layout>
  );
}
