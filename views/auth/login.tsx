import { Field, ErrorSummary } from '../components';
import { Layout, type Flash } from '../layout';

export function LoginPage(p: {
  csrf: string;
  username?: string;
  error?: string | null;
  next?: string;
  clinicName?: string | null;
  status?: string | null;
  /** Left by the previous page (e.g. "Your clinic is ready"), shown above the form. */
  flash?: Flash | null;
}) {
  return (
    <Layout title="Sign in" clinicName={p.clinicName}>
      <section class="card narrow">
        <h1>Sign in</h1>
        {p.flash ? (
          <p class={`flash flash-${p.flash.kind}`} role={p.flash.kind === 'error' ? 'alert' : 'status'} safe>
            {p.flash.text}
          </p>
        ) : null}
        {p.status ? (
          <p class="flash flash-ok" role="status" safe>
            {p.status}
          </p>
        ) : null}
        <ErrorSummary message={p.error} />
        <form method="post" action="/login">
          <input type="hidden" name="_csrf" value={p.csrf} />
          <input type="hidden" name="next" value={p.next ?? '/'} />
          <Field label="Username" name="username" value={p.username} required autofocus={!p.username} autocomplete="username" maxlength={64} />
          <Field label="Password" name="password" type="password" required autofocus={!!p.username} autocomplete="current-password" maxlength={200} />
          <button type="submit" class="primary">
            Sign in
          </button>
        </form>
      </section>
    </Layout>
  );
}
