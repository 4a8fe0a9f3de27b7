// The chain's price list: set at the hub under its chain origin, pulled by every branch.
//   GET    /api/v1/chain/prices               the chain list in effect on a date (any mode)
//   PUT    /api/v1/chain/prices/{item_code}   set a chain price (hub only)
//   DELETE /api/v1/chain/prices/{item_code}   retire a chain item (hub only)
//   GET    /api/v1/chain/policies             the chain's cancellation policy and default deposit rules
//   PUT    /api/v1/chain/billing-policy       set the chain's cancellation policy (hub only)
//   PUT    /api/v1/chain/deposit-rules        set a chain default deposit rule (hub only)
// A branch's own price for a code (PUT /api/v1/prices/{code} at the branch) overrides the
// chain's there and only there; /api/v1/prices shows each item's `source`.
import { asc, eq } from 'drizzle-orm';
import { Elysia, t } from 'elysia';
import { orm } from '../core/orm';
import { unprocessable } from '../core/errors';
import { WholeNumber as Int } from '../http/schema';
import type { authGuard } from '../http/guard';
import type { Services } from '../http/services';
import { chainCommands } from '../chain/submit';
import { branchToday } from '../patients/routes';
import { retireChainPrice, setCancellationPolicy, setChainPrice, setDepositRule } from './commands';
import type { DepositRule } from './events';
import { billingPolicies, depositRules } from './schema';
import { CHAIN, priceList, priceOn } from './queries';
import { dateParam, DepositRuleBody, json, PriceBody, priceJson, ruleJson } from './routes';

export function chainPriceRoutes(svc: Services, guard: ReturnType<typeof authGuard>) {
  const { db } = svc.kernel;
  const chain = chainCommands(svc);
  const hubOnly = () => chain.hubOnly('Chain prices and policies');
  const submitChain = chain.submit;

  return new Elysia({ name: 'chainPriceRoutes', seed: svc.kernel.origin })
    .use(guard)
    .get(
      '/api/v1/chain/prices',
      ({ scope, query }) => {
        const date = dateParam(query.date, 'date', () => branchToday(svc, scope));
        return { items: priceList(db, CHAIN, date).map(({ source: _s, ...p }) => priceJson(p)), next_cursor: null };
      },
      {
        auth: 'chain.read',
        query: t.Object({ date: t.Optional(t.String({ maxLength: 10, description: 'The chain list as in effect on this date (default today)' })) }),
        detail: {
          tags: ['chain'],
          summary: 'The chain’s price list',
          description: 'The price list the hub publishes to every branch, as in effect on `date`. At a branch it is the list as last pulled from the hub; a branch’s own prices override it there.',
        },
      },
    )
    .put(
      '/api/v1/chain/prices/:item_code',
      async ({ scope, params, body, request }) => {
        hubOnly();
        const res = await submitChain(scope, request, body, (tx) => {
          const item = setChainPrice(tx, scope, { ...body, item_code: params.item_code, unit_price: body.unit_price.amount });
          const { source: _s, ...now } = priceOn(tx.db, CHAIN, item.item_code, item.effective_from)!;
          return { status: 200, body: priceJson(now) };
        });
        return json(res);
      },
      {
        auth: 'chain.manage',
        body: PriceBody,
        detail: {
          tags: ['chain'],
          summary: 'Set a chain price (hub only)',
          description:
            'Creates the chain item or gives it a new price from `effective_from` (default today). Every branch pulls it within seconds of reaching the hub; a branch that set its own price for the code keeps its own. Not a hub: 404 `not_a_hub`. Chain items have no doctor (`doctor_not_chain_wide`).',
        },
      },
    )
    .delete(
      '/api/v1/chain/prices/:item_code',
      async ({ scope, params, query, request }) => {
        hubOnly();
        const from = dateParam(query.effective_from, 'effective_from', () => branchToday(svc, scope));
        const res = await submitChain(scope, request, { effective_from: from }, (tx) => {
          retireChainPrice(tx, scope, params.item_code, from);
          return { status: 200, body: { item_code: params.item_code.toUpperCase(), retired_from: from } };
        });
        return json(res);
      },
      {
        auth: 'chain.manage',
        query: t.Object({ effective_from: t.Optional(t.String({ maxLength: 10, description: 'First day the item is no longer in the chain list (default today)' })) }),
        detail: { tags: ['chain'], summary: 'Retire a chain item (hub only)', description: 'From `effective_from` on the item is no longer in the chain list; branch overrides of it stay. 404 if it is not in the chain list on that date.' },
      },
    )
    .get(
      '/api/v1/chain/policies',
      () => {
        const policy = orm(db).select().from(billingPolicies).where(eq(billingPolicies.branchId, CHAIN)).get();
        const rules = orm(db).select().from(depositRules).where(eq(depositRules.branchId, CHAIN)).orderBy(asc(depositRules.mode)).all();
        return {
          refundable_until_hours: policy?.refundableUntilHours ?? null,
          deposit_rules: rules.map((r) => ruleJson({ doctor_id: null, mode: r.mode, kind: r.kind, value: r.value })),
        };
      },
      {
        auth: 'chain.read',
        detail: {
          tags: ['chain'],
          summary: 'The chain’s billing policies',
          description: 'The cancellation policy and default deposit rules the hub publishes; a branch without its own uses these (null: none set, the built-in 24 hours applies).',
        },
      },
    )
    .put(
      '/api/v1/chain/billing-policy',
      async ({ scope, body, request }) => {
        hubOnly();
        const res = await submitChain(scope, request, body, (tx) => {
          setCancellationPolicy(tx, scope, body.refundable_until_hours, CHAIN);
          return { status: 200, body: { refundable_until_hours: body.refundable_until_hours } };
        });
        return json(res);
      },
      {
        auth: 'chain.manage',
        body: t.Object({ refundable_until_hours: Int({ minimum: 0, maximum: 720, description: 'Hours before the start until which a cancellation refunds the deposit' }) }, { additionalProperties: false }),
        detail: { tags: ['chain'], summary: 'Set the chain’s cancellation policy (hub only)', description: 'Every branch without a policy of its own follows it once pulled.' },
      },
    )
    .put(
      '/api/v1/chain/deposit-rules',
      async ({ scope, body, request }) => {
        hubOnly();
        const isMoney = typeof body.value === 'object';
        if (body.kind === 'amount' && !isMoney) throw unprocessable('invalid_value', 'For kind "amount" give value as money: {"amount": <paise>, "currency": "INR"}', { field: 'value' });
        if (body.kind === 'percent' && isMoney) throw unprocessable('invalid_value', 'For kind "percent" give value as a whole percentage from 0 to 100', { field: 'value' });
        const rule: DepositRule = { doctor_id: body.doctor_id ?? null, mode: body.mode, kind: body.kind, value: typeof body.value === 'object' ? body.value.amount : body.value };
        const res = await submitChain(scope, request, body, (tx) => {
          setDepositRule(tx, scope, rule, CHAIN);
          return { status: 200, body: ruleJson(rule) };
        });
        return json(res);
      },
      {
        auth: 'chain.manage',
        body: DepositRuleBody,
        detail: {
          tags: ['chain'],
          summary: 'Set a chain default deposit rule (hub only)',
          description: 'The deposit taken at booking, per mode, at every branch that has no rule of its own for the doctor or a branch default. No doctor_id: doctors belong to branches (`doctor_not_chain_wide`).',
        },
      },
    );
}
