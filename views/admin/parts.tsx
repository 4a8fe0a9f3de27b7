// Pieces shared by the admin pages: form errors, the role select, branch checkboxes.
import { ErrorSummary } from '../components';

/** A refused form: the message, and the field it belongs to (if any). */
export interface FormError {
  message: string;
  field: string | null;
}

export const ROLE_NAMES: Record<string, string> = {
  owner: 'Owner',
  admin: 'Admin',
  doctor: 'Doctor',
  front_desk: 'Front desk',
  billing: 'Billing',
  lab: 'Lab',
  pharmacist: 'Pharmacist',
  hq: 'HQ',
};

const ROLE_HINTS: Record<string, string> = {
  owner: 'Owner: everything, every branch',
  admin: 'Admin: manages staff and details of their branches',
  hq: 'HQ: read-only, every branch',
};

export const roleName = (r: string) => ROLE_NAMES[r] ?? r;

/** The message for one field, when the error is about it. */
export const errorFor = (err: FormError | null | undefined, field: string) => (err && err.field === field ? err.message : null);

/** The error summary of a form, for messages that belong to none of its fields. */
export function FormErrors({ err, fields }: { err?: FormError | null; fields: string[] }) {
  return <ErrorSummary message={err && !(err.field && fields.includes(err.field)) ? err.message : null} />;
}

export function RoleSelect({ roles, value, error }: { roles: string[]; value?: string | null; error?: string | null }) {
  return (
    <div class={error ? 'field has-error' : 'field'}>
      <label for="f-role">Role *</label>
      <select id="f-role" name="role" required aria-invalid={error ? 'true' : undefined} aria-describedby={error ? 'f-role-error' : undefined}>
        {roles.map((r) => (
          <option value={r} selected={r === value} safe>
            {ROLE_HINTS[r] ?? roleName(r)}
          </option>
        ))}
      </select>
      {error ? (
        <small id="f-role-error" class="error" safe>
          {error}
        </small>
      ) : null}
    </div>
  );
}

export interface BranchOption {
  id: string;
  code: string;
  name: string;
}

export function BranchBoxes({ branches, selected, error }: { branches: BranchOption[]; selected: string[]; error?: string | null }) {
  return (
    <fieldset class={error ? 'field has-error' : 'field'} aria-describedby={error ? 'f-branch_ids-error f-branch_ids-hint' : 'f-branch_ids-hint'}>
      <legend>Branches</legend>
      {branches.map((b) => (
        <label>
          <input type="checkbox" name="branch_ids" value={b.id} checked={selected.includes(b.id)} /> <span safe>{`${b.code} · ${b.name}`}</span>
        </label>
      ))}
      <small id="f-branch_ids-hint" class="hint">
        Owners and HQ reach every branch; everyone else needs at least one.
      </small>
      {error ? (
        <small id="f-branch_ids-error" class="error" safe>
          {error}
        </small>
      ) : null}
    </fieldset>
  );
}
