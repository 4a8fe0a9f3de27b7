// Chain-wide commands at the hub: refused elsewhere (404 not_a_hub), and run under the
// hub's chain origin so that every branch pulls the events they record.
import { DomainError } from '../core/errors';
import type { Tx } from '../core/runner';
import { actorOf, type Scope } from '../core/scope';
import { idempotencyOf } from '../http/idempotency';
import type { Services } from '../http/services';
import { chainOrigin } from '../kernel';

/** Runs a chain command at the hub under the chain origin, so that branches pull it. */
export function chainCommands(svc: Services) {
  const { db, runner } = svc.kernel;
  return {
    hubOnly(what: string) {
      if (svc.config.mode !== 'hub') throw new DomainError(404, 'not_a_hub', `${what} are set at the chain’s hub; this server is not a hub`);
    },
    submit<B>(scope: Scope, request: Request, body: unknown, fn: (tx: Tx) => { status: number; body: B }) {
      return runner.submitIdempotent({ actor: actorOf(scope), origin: chainOrigin(db, true)! }, idempotencyOf(scope, request, body ?? null), fn);
    },
  };
}

