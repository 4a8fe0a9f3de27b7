// What the HTTP layer is built from: one kernel plus process-wide helpers.
import type { LoginThrottle } from '../auth/throttle';
import type { Config } from '../core/config';
import type { Kernel } from '../kernel';
import type { Logger } from './log';
import type { SyncAgent } from '../sync/agent';
import type { Metrics } from './metrics';

export interface SetupState {
  /** One-time token for the first-run setup page; null once the clinic exists. */
  token: string | null;
}

export interface Services {
  kernel: Kernel;
  config: Config;
  secret: string;
  metrics: Metrics;
  logger: Logger;
  throttle: LoginThrottle;
  setup: SetupState;
  startedAt: Date;
  version: string;
  /** In branch mode: the agent pushing to and pulling from the hub. */
  sync?: SyncAgent;
}

export const VERSION: string = process.env.MYMEDIC_BUILD_VERSION ?? '0.1.0-dev';
