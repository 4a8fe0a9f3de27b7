// REST for long-lived API keys (admins). The key is in the 201 answer only.
import { Elysia, t } from 'elysia';
import { WholeNumber } from '../http/schema';
import { notFound } from '../core/errors';
import { isUuid } from '../core/ids';
import { actorOf, type Scope } from '../core/scope';
import type { authGuard } from '../http/guard';
import { idempotencyOf } from '../http/idempotency';
import type { Services } from '../http/services';
import { assertMayManage } from '../org/access';
import { getUser, listUsers } from '../org/queries';
import { userBranchIds } from '../org/routes';
import { apiKeysOfUsers, type ApiKeyRow, getApiKey, issueApiKey, revokeApiKey } from './api-keys';

const keyJson = (k: ApiKeyRow) => ({
  id: k.id,
  name: k.name,
  user_id: k.user_id,
  prefix: k.prefix,
  created_at: k.created_at,
  created_by: k.created_by,
  expires_at: k.expires_at,
  revoked_at: k.revoked_at,
});

export function apiKeyRoutes(svc: Services, guard: ReturnType<typeof authGuard>) {
  const { db, runner } = svc.kernel;
  const manageable = (scope: Scope, userId: string) => {
    const user = isUuid(userId) ? getUser(db, userId) : null;
    if (user?.id !== scope.userId) assertMayManage(scope, user, user ? userBranchIds(svc, userId) : []);
    if (!user) throw notFound('User');
    return user;
  };

  return new Elysia({ name: 'api-key-routes', seed: svc.kernel.origin })
    .use(guard)
    .post(
      '/api/v1/api-keys',
      async ({ scope, body, request }) => {
        const user = manageable(scope, body.user_id ?? scope.userId);
        let key: string | null = null;
        const res = await runner.submitIdempotent({ actor: actorOf(scope) }, idempotencyOf(scope, request, body), (tx) => {
          const issued = issueApiKey(tx, scope.branchId, user.id, body.name, body.expires_in_days ?? null);
          key = issued.key;
          // The stored answer (for Idempotency-Key replays) never holds the key itself.
          return { status: 201, body: keyJson(getApiKey(tx.db, issued.id)!) };
        });
        return new Response(JSON.stringify({ ...res.body, key }), { status: res.status, headers: { 'content-type': 'application/json' } });
      },
      {
        auth: 'users.manage',
        body: t.Object(
          {
            name: t.String({ maxLength: 200, description: 'What uses the key, e.g. "Lab analyser bridge"' }),
            user_id: t.Optional(t.String({ maxLength: 64, description: 'The account the key acts as (default: the caller)' })),
            expires_in_days: t.Optional(WholeNumber({ minimum: 1, maximum: 3650 })),
          },
          { additionalProperties: false },
        ),
        detail: {
          tags: ['auth'],
          summary: 'Mint a long-lived API key',
          description:
            'Answers 201 with `key` (starts with mmk_): use it as `Authorization: Bearer <key>`. It is shown once; only its hash is stored. A replay with the same Idempotency-Key answers `key: null`.',
        },
      },
    )
    .get(
      '/api/v1/api-keys',
      ({ scope }) => {
        const users = listUsers(db, scope.branchIds).filter((u) => scope.role === 'owner' || u.id === scope.userId || (u.role !== 'owner' && u.role !== 'admin' && u.role !== 'hq'));
        return { items: apiKeysOfUsers(db, users.map((u) => u.id)).map(keyJson), next_cursor: null };
      },
      { auth: 'users.manage', detail: { tags: ['auth'], summary: 'API keys of the accounts the caller manages (never the keys themselves)' } },
    )
    .post(
      '/api/v1/api-keys/:id/revoke',
      ({ scope, params, body }) => {
        const row = isUuid(params.id) ? getApiKey(db, params.id) : null;
        if (!row) throw notFound('API key');
        manageable(scope, row.user_id);
        runner.run({ actor: actorOf(scope) }, (tx) => revokeApiKey(tx, row.id, body?.reason?.trim() || null));
        return keyJson(getApiKey(db, row.id)!);
      },
      {
        auth: 'users.manage',
        body: t.Optional(t.Object({ reason: t.Optional(t.String({ maxLength: 300 })) }, { additionalProperties: false })),
        detail: { tags: ['auth'], summary: 'Revoke an API key (refused from the next request on)' },
      },
    );
}
