// Who is asking, and for which branch. The auth guard resolves it once per request and
// every handler and query receives it; queries filter on scope.branchId.
import type { Actor } from './runner';

export interface Scope {
  userId: string;
  username: string;
  name: string;
  role: string;
  /** The branch this request acts in. */
  branchId: string;
  /** Every branch the user may use. */
  branchIds: string[];
  sessionId: string;
  /** 'cookie' for the browser, 'bearer' for the API. */
  via: 'cookie' | 'bearer';
  /** The request's id, written into the meta of the events it causes. */
  requestId?: string;
}

export function actorOf(scope: Scope): Actor {
  return { userId: scope.userId, name: scope.name, role: scope.role, via: 'http', requestId: scope.requestId };
}
