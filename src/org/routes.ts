// REST for branches and staff accounts (admin pages live in ./pages.ts).
import { Elysia, t } from 'elysia';
import { actorOf, type Scope } from '../core/scope';
import { idempotencyOf } from '../http/idempotency';
import type { authGuard } from '../http/guard';
import type { Services } from '../http/services';
import { assertMayGrant, assertMayManage } from './access';
import { changeBranch, createUser, disableUser, enableUser, openBranch, setUserPassword, updateUser } from './commands';
import { ROLES, type Role } from './events';
import { orgPages } from './pages';
import { type BranchRow, getBranch, getUser, listBranches, listUsers, type UserListItem, membershipsOf } from './queries';
import { cleanRole, hashPassword } from './rules';
import { notFound } from '../core/errors';

export function branchJson(b: BranchRow) {
  return { id: b.id, code: b.code, name: b.name, timezone: b.timezone, address: b.address, phone: b.phone, gstin: b.gstin, active: b.active, created_at: b.createdAt, updated_at: b.updatedAt };
}

export function userJson(u: Omit<UserListItem, never>) {
  return { id: u.id, username: u.username, name: u.name, role: u.role, branch_ids: u.branchIds, active: u.active, created_at: u.createdAt, updated_at: u.updatedAt };
}

export function userBranchIds(svc: Services, id: string): string[] {
  return membershipsOf(svc.kernel.db, id);
}

const BranchBody = t.Object(
  {
    code: t.String({ minLength: 1, maxLength: 4 }),
    name: t.String({ minLength: 1, maxLength: 120 }),
    timezone: t.Optional(t.String({ maxLength: 64 })),
    address: t.Optional(t.Nullable(t.String({ maxLength: 500 }))),
    phone: t.Optional(t.Nullable(t.String({ maxLength: 32 }))),
    gstin: t.Optional(t.Nullable(t.String({ maxLength: 15 }))),
  },
  { additionalProperties: false },
);

const RoleSchema = t.Union(ROLES.map((r) => t.Literal(r)));

export function orgRoutes(svc: Services, guard: ReturnType<typeof authGuard>) {
  const { runner, db } = svc.kernel;
  const findUser = (scope: Scope, id: string) => {
    const user = getUser(db, id);
    assertMayManage(scope, user, user ? userBranchIds(svc, id) : []);
    return user;
  };
  const userView = (id: string) => {
    const u = getUser(db, id)!;
    const { passwordHash: _h, ...rest } = u;
    return userJson({ ...rest, branchIds: userBranchIds(svc, id) });
  };

  return new Elysia({ name: 'org-routes', seed: svc.kernel.origin })
    .use(guard)
    .use(orgPages(svc, guard))
    .get('/api/v1/branches', ({ scope }) => ({ items: listBranches(db, scope.branchIds).map(branchJson), next_cursor: null }), {
      auth: 'branches.read',
      detail: { tags: ['branches'], summary: 'Branches the caller may use' },
    })
    .post(
      '/api/v1/branches',
      ({ scope, body, request }) => {
        const res = runner.runIdempotent({ actor: actorOf(scope) }, idempotencyOf(scope, request, body), (tx) => {
          const id = openBranch(tx, body);
          return { status: 201, body: branchJson(getBranch(tx.db, id)!) };
        });
        return new Response(JSON.stringify(res.body), { status: res.status, headers: { 'content-type': 'application/json' } });
      },
      { auth: 'clinic.manage', body: BranchBody, detail: { tags: ['branches'], summary: 'Open a new branch (owner)' } },
    )
    .patch(
      '/api/v1/branches/:id',
      ({ scope, body, params }) => {
        if (!scope.branchIds.includes(params.id) || !getBranch(db, params.id)) throw notFound('Branch');
        runner.run({ actor: actorOf(scope) }, (tx) => changeBranch(tx, params.id, body));
        return branchJson(getBranch(db, params.id)!);
      },
      { auth: 'branches.manage', body: t.Partial(t.Omit(BranchBody, ['code'])), detail: { tags: ['branches'], summary: 'Change a branch’s details' } },
    )
    .get('/api/v1/users', ({ scope }) => ({ items: listUsers(db, scope.branchIds).map(userJson), next_cursor: null }), {
      auth: 'users.manage',
      detail: { tags: ['branches'], summary: 'Staff accounts of the caller’s branches' },
    })
    .post(
      '/api/v1/users',
      async ({ scope, body, request }) => {
        const role = cleanRole(body.role);
        const branchIds = body.branch_ids ?? [scope.branchId];
        assertMayGrant(scope, role, branchIds);
        const passwordHash = await hashPassword(body.password);
        const { password: _p, ...fingerprinted } = body;
        const res = runner.runIdempotent({ actor: actorOf(scope) }, idempotencyOf(scope, request, fingerprinted), (tx) => {
          const id = createUser(tx, { username: body.username, name: body.name, role, branchIds, passwordHash });
          return { status: 201, body: { id } };
        });
        return new Response(JSON.stringify(res.replayed ? res.body : userView((res.body as { id: string }).id)), {
          status: res.status,
          headers: { 'content-type': 'application/json' },
        });
      },
      {
        auth: 'users.manage',
        body: t.Object(
          {
            username: t.String({ maxLength: 32 }),
            name: t.String({ maxLength: 120 }),
            role: RoleSchema,
            branch_ids: t.Optional(t.Array(t.String({ maxLength: 64 }), { maxItems: 100 })),
            password: t.String({ maxLength: 200 }),
          },
          { additionalProperties: false },
        ),
        detail: { tags: ['branches'], summary: 'Create a staff account' },
      },
    )
    .get('/api/v1/users/:id', ({ scope, params }) => (findUser(scope, params.id), userView(params.id)), {
      auth: 'users.manage',
      detail: { tags: ['branches'], summary: 'One staff account' },
    })
    .patch(
      '/api/v1/users/:id',
      ({ scope, params, body }) => {
        const user = findUser(scope, params.id);
        const role = body.role ? (cleanRole(body.role) as Role) : undefined;
        if (role || body.branch_ids) assertMayGrant(scope, role ?? (user.role as Role), body.branch_ids ?? userBranchIds(svc, params.id));
        runner.run({ actor: actorOf(scope) }, (tx) => updateUser(tx, params.id, { name: body.name, role, branchIds: body.branch_ids }));
        return userView(params.id);
      },
      {
        auth: 'users.manage',
        body: t.Object(
          { name: t.Optional(t.String({ maxLength: 120 })), role: t.Optional(RoleSchema), branch_ids: t.Optional(t.Array(t.String({ maxLength: 64 }), { maxItems: 100 })) },
          { additionalProperties: false },
        ),
        detail: { tags: ['branches'], summary: 'Change a staff account’s name, role or branches' },
      },
    )
    .post(
      '/api/v1/users/:id/password',
      async ({ scope, params, body }) => {
        findUser(scope, params.id);
        const hash = await hashPassword(body.password);
        runner.run({ actor: actorOf(scope) }, (tx) => setUserPassword(tx, params.id, hash));
        return userView(params.id);
      },
      {
        auth: 'users.manage',
        body: t.Object({ password: t.String({ maxLength: 200 }) }, { additionalProperties: false }),
        detail: { tags: ['branches'], summary: 'Set a staff account’s password' },
      },
    )
    .post(
      '/api/v1/users/:id/disable',
      ({ scope, params, body }) => {
        findUser(scope, params.id);
        runner.run({ actor: actorOf(scope) }, (tx) => disableUser(tx, params.id, body?.reason?.trim() || null, scope.userId));
        return userView(params.id);
      },
      {
        auth: 'users.manage',
        body: t.Optional(t.Object({ reason: t.Optional(t.String({ maxLength: 300 })) }, { additionalProperties: false })),
        detail: { tags: ['branches'], summary: 'Disable a staff account (ends its sessions now)' },
      },
    )
    .post(
      '/api/v1/users/:id/enable',
      ({ scope, params }) => {
        findUser(scope, params.id);
        runner.run({ actor: actorOf(scope) }, (tx) => enableUser(tx, params.id));
        return userView(params.id);
      },
      { auth: 'users.manage', detail: { tags: ['branches'], summary: 'Enable a disabled staff account' } },
    );
}
