// Staff pages: the list, the new-account form, and one account's page (details, password,
// disable/enable, recent changes).
import { Card, CsrfField, Field, formatDateTime } from '../components';
import { type Flash, Layout, type PageUser } from '../layout';
import { BranchBoxes, type BranchOption, errorFor, type FormError, FormErrors, RoleSelect, roleName } from './parts';

interface PageBase {
  user: PageUser;
  clinicName: string | null;
  flash?: Flash | null;
}

export interface StaffRow {
  id: string;
  username: string;
  name: string;
  role: string;
  /** Branch codes, or null for roles that reach every branch. */
  branchCodes: string[] | null;
  active: boolean;
  manageable: boolean;
}

const branchText = (codes: string[] | null) => (codes === null ? 'All branches' : codes.length ? codes.join(', ') : '—');

function StatusBadge({ active }: { active: boolean }) {
  return active ? <span class="badge badge-ok">Active</span> : <span class="badge badge-off">Disabled</span>;
}

export function UsersPage(p: PageBase & { rows: StaffRow[] }) {
  return (
    <Layout title="Staff" user={p.user} clinicName={p.clinicName} flash={p.flash} active="users">
      <h1>Staff</h1>
      <div class="actions">
        <a class="button primary" href="/admin/users/new">
          Add staff
        </a>
      </div>
      <table class="list">
        <caption class="sr-only">Staff accounts</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Username</th>
            <th scope="col">Role</th>
            <th scope="col">Branches</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {p.rows.map((r) => (
            <tr>
              <td>
                {r.manageable ? (
                  <a href={`/admin/users/${r.id}`} safe>
                    {r.name}
                  </a>
                ) : (
                  <span safe>{r.name}</span>
                )}
              </td>
              <td safe>{r.username}</td>
              <td safe>{roleName(r.role)}</td>
              <td safe>{branchText(r.branchCodes)}</td>
              <td>
                <StatusBadge active={r.active} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {p.rows.length === 0 ? <p class="muted">No staff accounts yet.</p> : null}
    </Layout>
  );
}

export interface NewUserValues {
  username?: string;
  name?: string;
  role?: string;
  branch_ids?: string[];
}

const NEW_USER_FIELDS = ['username', 'name', 'role', 'branch_ids', 'password', 'password_confirm'];

export function NewUserPage(p: PageBase & { roles: string[]; branches: BranchOption[]; values: NewUserValues; err?: FormError | null }) {
  const v = p.values;
  return (
    <Layout title="Add staff" user={p.user} clinicName={p.clinicName} flash={p.flash} active="users">
      <p>
        <a href="/admin/users">← Staff</a>
      </p>
      <section class="card narrow">
        <h1>Add staff</h1>
        <FormErrors err={p.err} fields={NEW_USER_FIELDS} />
        <form method="post" action="/admin/users">
          <CsrfField token={p.user.csrf} />
          <Field
            label="Username"
            name="username"
            value={v.username}
            required
            autofocus
            autocomplete="off"
            maxlength={32}
            hint="3 to 32 characters: letters, digits, dot, dash or underscore. Used to sign in."
            error={errorFor(p.err, 'username')}
          />
          <Field label="Full name" name="name" value={v.name} required maxlength={120} autocomplete="off" error={errorFor(p.err, 'name')} />
          <RoleSelect roles={p.roles} value={v.role ?? 'front_desk'} error={errorFor(p.err, 'role')} />
          <BranchBoxes branches={p.branches} selected={v.branch_ids ?? (p.branches.length === 1 ? [p.branches[0].id] : [])} error={errorFor(p.err, 'branch_ids')} />
          <Field
            label="Initial password"
            name="password"
            type="password"
            required
            autocomplete="new-password"
            maxlength={200}
            hint="At least 8 characters. Tell it to the person; they sign in with it."
            error={errorFor(p.err, 'password')}
          />
          <Field label="Confirm password" name="password_confirm" type="password" required autocomplete="new-password" maxlength={200} error={errorFor(p.err, 'password_confirm')} />
          <div class="actions">
            <button type="submit" class="primary">
              Create account
            </button>
            <a class="button" href="/admin/users">
              Cancel
            </a>
          </div>
        </form>
      </section>
    </Layout>
  );
}

export interface HistoryItem {
  at: string;
  what: string;
  by: string;
}

export interface UserDetail {
  id: string;
  username: string;
  name: string;
  role: string;
  active: boolean;
  branchIds: string[];
  isSelf: boolean;
  /** The caller may change the role (owners; admins for non-privileged roles). */
  roleEditable: boolean;
}

export type DetailForm = 'details' | 'password' | 'access';

export function UserPage(
  p: PageBase & {
    target: UserDetail;
    roles: string[];
    branches: BranchOption[];
    values?: { name?: string; role?: string; branch_ids?: string[] };
    err?: (FormError & { form: DetailForm }) | null;
    history: HistoryItem[];
    timeZone: string;
  },
) {
  const t = p.target;
  const v = p.values ?? {};
  const errOf = (form: DetailForm) => (p.err && p.err.form === form ? p.err : null);
  const detailsErr = errOf('details');
  const passwordErr = errOf('password');
  const accessErr = errOf('access');
  const base = `/admin/users/${t.id}`;
  return (
    <Layout title={t.name} user={p.user} clinicName={p.clinicName} flash={p.flash} active="users">
      <p>
        <a href="/admin/users">← Staff</a>
      </p>
      <h1 safe>{t.name}</h1>
      <p>
        <span class="muted" safe>
          {`${t.username} · ${roleName(t.role)}`}
        </span>{' '}
        <StatusBadge active={t.active} />
      </p>

      <Card title="Details">
        <FormErrors err={detailsErr} fields={['name', 'role', 'branch_ids']} />
        <form method="post" action={base}>
          <CsrfField token={p.user.csrf} />
          <Field label="Full name" name="name" value={v.name ?? t.name} required maxlength={120} autocomplete="off" error={errorFor(detailsErr, 'name')} />
          {t.roleEditable ? (
            <RoleSelect roles={p.roles} value={v.role ?? t.role} error={errorFor(detailsErr, 'role')} />
          ) : (
            <div class="field">
              <label for="f-role-fixed">Role</label>
              <input id="f-role-fixed" value={roleName(t.role)} readonly aria-describedby="f-role-fixed-hint" />
              <small id="f-role-fixed-hint" class="hint">
                Only an owner can change this role.
              </small>
            </div>
          )}
          <BranchBoxes branches={p.branches} selected={v.branch_ids ?? t.branchIds} error={errorFor(detailsErr, 'branch_ids')} />
          <div class="actions">
            <button type="submit" class="primary">
              Save changes
            </button>
          </div>
        </form>
      </Card>

      <Card title="Password">
        <FormErrors err={passwordErr} fields={['password', 'password_confirm']} />
        <form method="post" action={`${base}/password`}>
          <CsrfField token={p.user.csrf} />
          <Field
            label="New password"
            name="password"
            type="password"
            required
            autocomplete="new-password"
            maxlength={200}
            hint="At least 8 characters. Their current sessions stay signed in."
            error={errorFor(passwordErr, 'password')}
          />
          <Field label="Confirm new password" name="password_confirm" type="password" required autocomplete="new-password" maxlength={200} error={errorFor(passwordErr, 'password_confirm')} />
          <div class="actions">
            <button type="submit">Set password</button>
          </div>
        </form>
      </Card>

      <Card title="Access">
        <FormErrors err={accessErr} fields={['reason']} />
        {t.active ? (
          <form method="post" action={`${base}/disable`}>
            <CsrfField token={p.user.csrf} />
            <p>Disabling signs this person out everywhere at once; they cannot sign in until enabled again.</p>
            {t.isSelf ? <p class="hint">You cannot disable your own account.</p> : null}
            <Field label="Reason" name="reason" required maxlength={300} autocomplete="off" error={errorFor(accessErr, 'reason')} />
            <div class="actions">
              <button type="submit" class="danger">
                Disable account
              </button>
            </div>
          </form>
        ) : (
          <form method="post" action={`${base}/enable`}>
            <CsrfField token={p.user.csrf} />
            <p>This account is disabled; its owner cannot sign in.</p>
            <div class="actions">
              <button type="submit" class="primary">
                Enable account
              </button>
            </div>
          </form>
        )}
      </Card>

      <Card title="Recent changes">
        {p.history.length ? (
          <table class="list">
            <caption class="sr-only">Changes to this account, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">What</th>
                <th scope="col">By</th>
              </tr>
            </thead>
            <tbody>
              {p.history.map((h) => (
                <tr>
                  <td>
                    <time datetime={h.at} safe>
                      {formatDateTime(h.at, p.timeZone)}
                    </time>
                  </td>
                  <td safe>{h.what}</td>
                  <td safe>{h.by}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p class="muted">No changes recorded.</p>
        )}
      </Card>
    </Layout>
  );
}
