// Admin pages for staff and branches: server-rendered forms that work without JavaScript.
// Every change is a command run with the signed-in user as actor; a refused command
// re-renders its form (422) with the message next to the field it is about.
import { Elysia } from 'elysia';
import { type BranchItem, BranchesPage, BranchPage, type BranchValues, NewBranchPage } from '../../views/admin/branches';
import type { FormError } from '../../views/admin/parts';
import { roleName } from '../../views/admin/parts';
import { type DetailForm, type HistoryItem, NewUserPage, type NewUserValues, type StaffRow, UserPage, UsersPage } from '../../views/admin/users';
import { DomainError, notFound, unprocessable } from '../core/errors';
import { actorOf, type Scope } from '../core/scope';
import type { authGuard } from '../http/guard';
import { clinicName, formFields, html, pageUser, redirectWithFlash, takeFlash } from '../http/page';
import type { Services } from '../http/services';
import { assertMayGrant, assertMayManage } from './access';
import { changeBranch, createUser, disableUser, enableUser, openBranch, renameClinic, setUserPassword, updateUser } from './commands';
import { ROLES, type Role } from './events';
import { type BranchRow, getBranch, getUser, listBranches, listUsers, type UserHistoryItem, type UserRow, userHistory } from './queries';
import { cleanLabel, cleanRole, cleanUsername, hashPassword } from './rules';

const NO_STORE = { 'cache-control': 'no-store' };

/** A command's refusal as a form error; anything else (404, bugs) goes on to the error page. */
function refusal(e: unknown): FormError {
  if (e instanceof DomainError && e.status < 500 && e.status !== 404 && e.status !== 401) {
    const field = e.details?.field;
    return { message: e.message, field: typeof field === 'string' ? field : null };
  }
  throw e;
}

/** All values of a repeated form field (checkboxes): one value arrives as a string, several as an array. */
function listField(body: unknown, name: string): string[] {
  const v = body && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
  const all = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return [...new Set(all.filter((x): x is string => typeof x === 'string' && x.length > 0))];
}

const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));

const WHO_VIA: Record<string, string> = { cli: 'Command line', setup: 'First-run setup', sync: 'Sync', system: 'System', http: 'System' };

export function orgPages(svc: Services, guard: ReturnType<typeof authGuard>) {
  const { db, runner } = svc.kernel;

  const userBranchIds = (id: string) =>
    (db.query('SELECT branch_id FROM user_branches WHERE user_id = ?').all(id) as { branch_id: string }[]).map((r) => r.branch_id);

  /** The user, if the caller may manage them; anyone else is "not found". */
  const manageableUser = (scope: Scope, id: string): UserRow => {
    const user = getUser(db, id);
    try {
      assertMayManage(scope, user, user ? userBranchIds(id) : []);
    } catch (e) {
      if (e instanceof DomainError && e.status === 403) throw notFound('User');
      throw e;
    }
    return user;
  };

  /** Roles the caller may give, by the same rule the commands' callers check. */
  const grantableRoles = (scope: Scope): Role[] =>
    ROLES.filter((r) => {
      try {
        assertMayGrant(scope, r, []);
        return true;
      } catch {
        return false;
      }
    });

  const myBranches = (scope: Scope) => listBranches(db, scope.branchIds).map((b) => ({ id: b.id, code: b.code, name: b.name }));
  const zoneOf = (scope: Scope) => getBranch(db, scope.branchId)?.timezone ?? 'Asia/Kolkata';
  const base = (scope: Scope, request: Request, headers: Record<string, string>) => ({
    user: pageUser(svc, scope),
    clinicName: clinicName(svc),
    flash: takeFlash(request, headers),
  });

  // ---- staff

  const describe = (h: UserHistoryItem, codes: Map<string, string>): string => {
    const d = h.data;
    const branchList = (ids: unknown) => (Array.isArray(ids) && ids.length ? ids.map((b) => codes.get(String(b)) ?? String(b)).join(', ') : 'none');
    switch (h.type) {
      case 'user.created':
        return `Account ${String(d.username)} created as ${roleName(String(d.role))}; branches: ${branchList(d.branch_ids)}`;
      case 'user.updated': {
        const parts: string[] = [];
        if (d.name !== undefined) parts.push(`name changed to ${String(d.name)}`);
        if (d.role !== undefined) parts.push(`role changed to ${roleName(String(d.role))}`);
        if (d.branch_ids !== undefined) parts.push(`branches changed to ${branchList(d.branch_ids)}`);
        const s = parts.join('; ') || 'updated';
        return s[0].toUpperCase() + s.slice(1);
      }
      case 'user.password_changed':
        return 'Password set';
      case 'user.disabled':
        return d.reason ? `Disabled: ${String(d.reason)}` : 'Disabled';
      case 'user.enabled':
        return 'Enabled';
      default:
        return h.type;
    }
  };

  const historyOf = (id: string): HistoryItem[] => {
    const codes = new Map(listBranches(db).map((b) => [b.id, b.code]));
    return userHistory(db, id)
      .reverse()
      .slice(0, 50)
      .map((h) => ({
        at: h.at,
        what: describe(h, codes),
        by: h.meta.actor ? `${h.meta.actor_name ?? h.meta.actor}${h.meta.role ? ` (${roleName(h.meta.role)})` : ''}` : (WHO_VIA[h.meta.via ?? 'system'] ?? 'System'),
      }));
  };

  const userPage = (
    scope: Scope,
    request: Request,
    id: string,
    opts: { status?: number; err?: (FormError & { form: DetailForm }) | null; values?: { name?: string; role?: string; branch_ids?: string[] } } = {},
  ) => {
    const target = manageableUser(scope, id);
    const headers: Record<string, string> = { ...NO_STORE };
    const roles = grantableRoles(scope);
    return html(
      UserPage({
        ...base(scope, request, headers),
        target: {
          id: target.id,
          username: target.username,
          name: target.name,
          role: target.role,
          active: target.active,
          branchIds: userBranchIds(id),
          isSelf: target.id === scope.userId,
          roleEditable: roles.includes(target.role as Role),
        },
        roles,
        branches: myBranches(scope),
        values: opts.values,
        err: opts.err,
        history: historyOf(id),
        timeZone: zoneOf(scope),
      }) as string,
      opts.status ?? 200,
      headers,
    );
  };

  const newUserPage = (scope: Scope, request: Request, values: NewUserValues, err: FormError | null, status: number) => {
    const headers: Record<string, string> = { ...NO_STORE };
    return html(
      NewUserPage({ ...base(scope, request, headers), roles: grantableRoles(scope), branches: myBranches(scope), values, err }) as string,
      status,
      headers,
    );
  };

  // ---- branches

  const branchesPage = (scope: Scope, request: Request, opts: { status?: number; clinicValue?: string; clinicErr?: FormError | null } = {}) => {
    const headers: Record<string, string> = { ...NO_STORE };
    const isOwner = scope.role === 'owner';
    const rows = isOwner ? listBranches(db) : listBranches(db, scope.branchIds);
    const branches: BranchItem[] = rows.map((b) => ({
      id: b.id,
      code: b.code,
      name: b.name,
      timezone: b.timezone,
      gstin: b.gstin,
      phone: b.phone,
      active: b.active,
      editable: scope.branchIds.includes(b.id),
    }));
    return html(
      BranchesPage({ ...base(scope, request, headers), branches, isOwner, clinicValue: opts.clinicValue, clinicErr: opts.clinicErr }) as string,
      opts.status ?? 200,
      headers,
    );
  };

  const branchInScope = (scope: Scope, id: string): BranchRow => {
    const b = scope.branchIds.includes(id) ? getBranch(db, id) : null;
    if (!b) throw notFound('Branch');
    return b;
  };

  const branchValues = (f: Record<string, string>): BranchValues => ({
    code: f.code,
    name: f.name,
    timezone: f.timezone,
    address: f.address,
    phone: f.phone,
    gstin: f.gstin,
  });

  const branchPage = (scope: Scope, request: Request, b: BranchRow, values: BranchValues | null, err: FormError | null, status: number) => {
    const headers: Record<string, string> = { ...NO_STORE };
    const v = values ?? { name: b.name, timezone: b.timezone, address: b.address ?? '', phone: b.phone ?? '', gstin: b.gstin ?? '' };
    return html(BranchPage({ ...base(scope, request, headers), id: b.id, code: b.code, values: v, err }) as string, status, headers);
  };

  return (
    new Elysia({ name: 'org-pages', seed: svc.kernel.origin })
      .use(guard)
      // ---- staff
      .get(
        '/admin/users',
        ({ scope, request }) => {
          const headers: Record<string, string> = { ...NO_STORE };
          const codes = new Map(listBranches(db).map((b) => [b.id, b.code]));
          const rows: StaffRow[] = listUsers(db, scope.branchIds).map((u) => {
            let manageable = true;
            try {
              assertMayManage(scope, { ...u, passwordHash: '' }, u.branchIds);
            } catch {
              manageable = false;
            }
            return {
              id: u.id,
              username: u.username,
              name: u.name,
              role: u.role,
              branchCodes: u.role === 'owner' || u.role === 'hq' ? null : u.branchIds.map((b) => codes.get(b) ?? b).sort(),
              active: u.active,
              manageable,
            };
          });
          return html(UsersPage({ ...base(scope, request, headers), rows }) as string, 200, headers);
        },
        { auth: 'users.manage', detail: { hide: true } },
      )
      .get('/admin/users/new', ({ scope, request }) => newUserPage(scope, request, {}, null, 200), { auth: 'users.manage', detail: { hide: true } })
      .post(
        '/admin/users',
        async ({ scope, request, body }) => {
          const f = formFields(body);
          const branchIds = listField(body, 'branch_ids');
          const values: NewUserValues = { username: f.username, name: f.name, role: f.role, branch_ids: branchIds };
          let id: string;
          try {
            // Checked again by createUser; first here, in the form's order, before the slow hash.
            cleanUsername(f.username ?? '');
            cleanLabel(f.name ?? '', 'name');
            const role = cleanRole(f.role ?? '');
            assertMayGrant(scope, role, branchIds);
            if ((f.password ?? '') !== (f.password_confirm ?? '')) {
              throw unprocessable('password_mismatch', 'The two passwords do not match', { field: 'password_confirm' });
            }
            const passwordHash = await hashPassword(f.password ?? '');
            id = runner.run({ actor: actorOf(scope) }, (tx) =>
              createUser(tx, { username: f.username ?? '', name: f.name ?? '', role, branchIds, passwordHash }),
            );
          } catch (e) {
            return newUserPage(scope, request, values, refusal(e), 422);
          }
          const u = getUser(db, id)!;
          return redirectWithFlash(`/admin/users/${id}`, { kind: 'ok', text: `Account ${u.username} created for ${u.name}. They can sign in now.` });
        },
        { auth: 'users.manage', detail: { hide: true } },
      )
      .get('/admin/users/:id', ({ scope, request, params }) => userPage(scope, request, params.id), { auth: 'users.manage', detail: { hide: true } })
      .post(
        '/admin/users/:id',
        ({ scope, request, params, body }) => {
          const user = manageableUser(scope, params.id);
          const f = formFields(body);
          const checked = listField(body, 'branch_ids');
          const values = { name: f.name, role: f.role, branch_ids: checked };
          try {
            const role = f.role !== undefined && f.role !== user.role ? cleanRole(f.role) : undefined;
            // The form shows only the caller's branches: memberships elsewhere are kept.
            const current = userBranchIds(user.id);
            const next = [...current.filter((b) => !scope.branchIds.includes(b)), ...checked];
            const branchesChanged = !sameSet(next, current);
            if (role || branchesChanged) assertMayGrant(scope, role ?? (user.role as Role), checked);
            runner.run({ actor: actorOf(scope) }, (tx) =>
              updateUser(tx, user.id, { name: f.name ?? user.name, role, branchIds: branchesChanged ? next : undefined }),
            );
          } catch (e) {
            return userPage(scope, request, params.id, { status: 422, err: { ...refusal(e), form: 'details' }, values });
          }
          return redirectWithFlash(`/admin/users/${user.id}`, { kind: 'ok', text: 'Changes saved' });
        },
        { auth: 'users.manage', detail: { hide: true } },
      )
      .post(
        '/admin/users/:id/password',
        async ({ scope, request, params, body }) => {
          const user = manageableUser(scope, params.id);
          const f = formFields(body);
          try {
            if ((f.password ?? '') !== (f.password_confirm ?? '')) {
              throw unprocessable('password_mismatch', 'The two passwords do not match', { field: 'password_confirm' });
            }
            const hash = await hashPassword(f.password ?? '');
            runner.run({ actor: actorOf(scope) }, (tx) => setUserPassword(tx, user.id, hash));
          } catch (e) {
            return userPage(scope, request, params.id, { status: 422, err: { ...refusal(e), form: 'password' } });
          }
          return redirectWithFlash(`/admin/users/${user.id}`, { kind: 'ok', text: `New password set for ${user.name}` });
        },
        { auth: 'users.manage', detail: { hide: true } },
      )
      .post(
        '/admin/users/:id/disable',
        ({ scope, request, params, body }) => {
          const user = manageableUser(scope, params.id);
          const reason = (formFields(body).reason ?? '').trim();
          try {
            if (!reason) throw unprocessable('reason_required', 'Give a reason for disabling the account', { field: 'reason' });
            if (reason.length > 300) throw unprocessable('reason_too_long', 'The reason is too long (at most 300 characters)', { field: 'reason' });
            runner.run({ actor: actorOf(scope) }, (tx) => disableUser(tx, user.id, reason, scope.userId));
          } catch (e) {
            return userPage(scope, request, params.id, { status: 422, err: { ...refusal(e), form: 'access' } });
          }
          return redirectWithFlash(`/admin/users/${user.id}`, { kind: 'ok', text: `${user.name} is disabled and has been signed out everywhere` });
        },
        { auth: 'users.manage', detail: { hide: true } },
      )
      .post(
        '/admin/users/:id/enable',
        ({ scope, request, params }) => {
          const user = manageableUser(scope, params.id);
          try {
            runner.run({ actor: actorOf(scope) }, (tx) => enableUser(tx, user.id));
          } catch (e) {
            return userPage(scope, request, params.id, { status: 422, err: { ...refusal(e), form: 'access' } });
          }
          return redirectWithFlash(`/admin/users/${user.id}`, { kind: 'ok', text: `${user.name} can sign in again` });
        },
        { auth: 'users.manage', detail: { hide: true } },
      )
      // ---- branches and the clinic
      .get('/admin/branches', ({ scope, request }) => branchesPage(scope, request), { auth: 'branches.manage', detail: { hide: true } })
      .post(
        '/admin/clinic',
        ({ scope, request, body }) => {
          const name = formFields(body).clinic_name ?? '';
          try {
            runner.run({ actor: actorOf(scope) }, (tx) => renameClinic(tx, name));
          } catch (e) {
            return branchesPage(scope, request, { status: 422, clinicValue: name, clinicErr: refusal(e) });
          }
          return redirectWithFlash('/admin/branches', { kind: 'ok', text: 'Clinic name saved' });
        },
        { auth: 'clinic.manage', detail: { hide: true } },
      )
      .get(
        '/admin/branches/new',
        ({ scope, request }) => {
          const headers: Record<string, string> = { ...NO_STORE };
          return html(NewBranchPage({ ...base(scope, request, headers), values: { timezone: 'Asia/Kolkata' } }) as string, 200, headers);
        },
        { auth: 'clinic.manage', detail: { hide: true } },
      )
      .post(
        '/admin/branches',
        ({ scope, request, body }) => {
          const f = formFields(body);
          let id: string;
          try {
            id = runner.run({ actor: actorOf(scope) }, (tx) =>
              openBranch(tx, { code: f.code ?? '', name: f.name ?? '', timezone: f.timezone || 'Asia/Kolkata', address: f.address, phone: f.phone, gstin: f.gstin }),
            );
          } catch (e) {
            const headers: Record<string, string> = { ...NO_STORE };
            return html(NewBranchPage({ ...base(scope, request, headers), values: branchValues(f), err: refusal(e) }) as string, 422, headers);
          }
          const b = getBranch(db, id)!;
          return redirectWithFlash('/admin/branches', { kind: 'ok', text: `Branch ${b.code} · ${b.name} is open. Switch to it from the header.` });
        },
        { auth: 'clinic.manage', detail: { hide: true } },
      )
      .get('/admin/branches/:id', ({ scope, request, params }) => branchPage(scope, request, branchInScope(scope, params.id), null, null, 200), {
        auth: 'branches.manage',
        detail: { hide: true },
      })
      .post(
        '/admin/branches/:id',
        ({ scope, request, params, body }) => {
          const b = branchInScope(scope, params.id);
          const f = formFields(body);
          try {
            runner.run({ actor: actorOf(scope) }, (tx) =>
              changeBranch(tx, b.id, { name: f.name ?? '', timezone: f.timezone ?? '', address: f.address ?? null, phone: f.phone ?? null, gstin: f.gstin ?? null }),
            );
          } catch (e) {
            return branchPage(scope, request, b, branchValues(f), refusal(e), 422);
          }
          return redirectWithFlash('/admin/branches', { kind: 'ok', text: `Branch ${b.code} saved` });
        },
        { auth: 'branches.manage', detail: { hide: true } },
      )
  );
}
