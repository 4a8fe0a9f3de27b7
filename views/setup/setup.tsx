import { ErrorSummary, Field } from '../components';
import { Layout } from '../layout';

export interface SetupValues {
  clinic_name?: string;
  branch_name?: string;
  branch_code?: string;
  timezone?: string;
  owner_name?: string;
  username?: string;
}

export function SetupPage(p: { token: string; csrf: string; values?: SetupValues; error?: string | null; field?: string | null }) {
  const v = p.values ?? {};
  const err = (f: string) => (p.field === f ? p.error : null);
  return (
    <Layout title="Set up your clinic">
      <section class="card narrow">
        <h1>Set up your clinic</h1>
        <p>This page works once. It creates the clinic, its first branch and the owner account.</p>
        <ErrorSummary message={p.field ? null : p.error} />
        <form method="post" action="/setup">
          <input type="hidden" name="_csrf" value={p.csrf} />
          <input type="hidden" name="token" value={p.token} />
          <fieldset>
            <legend>Clinic</legend>
            <Field label="Clinic name" name="clinic_name" value={v.clinic_name} required autofocus maxlength={120} error={err('clinic name')} />
            <Field label="Branch name" name="branch_name" value={v.branch_name ?? 'Main'} required maxlength={120} error={err('name')} />
            <Field
              label="Branch code"
              name="branch_code"
              value={v.branch_code}
              required
              maxlength={4}
              pattern="[A-Za-z0-9]{1,4}"
              hint="1–4 letters or digits, e.g. BLR1. It starts every receipt number."
              error={err('code')}
            />
            <Field label="Time zone" name="timezone" value={v.timezone ?? 'Asia/Kolkata'} required error={err('timezone')} />
          </fieldset>
          <fieldset>
            <legend>Owner account</legend>
            <Field label="Your name" name="owner_name" value={v.owner_name} required maxlength={120} />
            <Field label="Username" name="username" value={v.username} required autocomplete="username" maxlength={32} error={err('username')} />
            <Field label="Password" name="password" type="password" required autocomplete="new-password" hint="At least 8 characters." error={err('password')} />
          </fieldset>
          <button type="submit" class="primary">
            Create the clinic
          </button>
        </form>
      </section>
    </Layout>
  );
}

export function SetupClosedPage() {
  return (
    <Layout title="Setup">
      <section class="card narrow">
        <h1>Setup link not valid</h1>
        <p>
          This clinic is already set up, or the setup link is wrong. The link with its token is printed by the server when it
          starts for the first time (and saved in the data folder as <code>setup-token</code>).
        </p>
        <p>
          <a href="/login">Go to sign in</a>
        </p>
      </section>
    </Layout>
  );
}
