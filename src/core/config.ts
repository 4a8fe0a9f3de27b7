// Configuration: defaults < config file < environment < command-line flags.
// The config file is JSON: --config FILE, else $MYMEDIC_CONFIG, else DATA/config.json if present.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomToken } from './ids';

export type Mode = 'standalone' | 'branch' | 'hub';

export interface Config {
  dataDir: string;
  host: string;
  port: number;
  mode: Mode;
  /** Set when served over HTTPS (directly or behind a proxy): cookies get the Secure flag. */
  secureCookies: boolean;
  /** Trust X-Forwarded-For from a reverse proxy for the client address (login throttling, logs). */
  trustProxy: boolean;
  /** Hours a staff session stays valid. */
  sessionHours: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** PEM certificate and key files: when both are set the server speaks HTTPS itself (a hub on the internet). */
  tlsCert: string | null;
  tlsKey: string | null;
  /** Branch mode: pause between sync rounds when caught up, and the longest backoff after failures. */
  syncIntervalMs: number;
  syncBackoffMaxMs: number;
}

export const defaults: Config = {
  dataDir: './data',
  host: '0.0.0.0',
  port: 8080,
  mode: 'standalone',
  secureCookies: false,
  trustProxy: false,
  sessionHours: 12,
  logLevel: 'info',
  tlsCert: null,
  tlsKey: null,
  syncIntervalMs: 2_000,
  syncBackoffMaxMs: 60_000,
};

export interface ConfigOverrides {
  configFile?: string;
  dataDir?: string;
  host?: string;
  port?: number | string;
  mode?: string;
}

function bool(v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  return ['1', 'true', 'yes', 'on'].includes(v.toLowerCase());
}

export function loadConfig(flags: ConfigOverrides = {}, rawEnv: Record<string, string | undefined> = process.env): Config {
  // An empty variable (MYMEDIC_PORT=) means unset, not "port 0".
  const env = Object.fromEntries(Object.entries(rawEnv).filter(([, v]) => v !== undefined && v.trim() !== ''));
  const dataDir = resolve(flags.dataDir ?? env.MYMEDIC_DATA ?? defaults.dataDir);
  const file = flags.configFile ?? env.MYMEDIC_CONFIG ?? (existsSync(join(dataDir, 'config.json')) ? join(dataDir, 'config.json') : undefined);
  let fromFile: Partial<Config> = {};
  if (file) {
    try {
      fromFile = JSON.parse(readFileSync(file, 'utf8')) as Partial<Config>;
    } catch (e) {
      throw new Error(`cannot read config file ${file}: ${(e as Error).message}`);
    }
  }
  const port = Number(flags.port ?? env.MYMEDIC_PORT ?? fromFile.port ?? defaults.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port: ${flags.port ?? env.MYMEDIC_PORT}`);
  // A data folder that joined a hub (`mymedic join` wrote hub.json) is a branch unless told otherwise.
  const joined = existsSync(join(dataDir, 'hub.json'));
  const mode = (flags.mode ?? env.MYMEDIC_MODE ?? fromFile.mode ?? (joined ? 'branch' : defaults.mode)) as Mode;
  if (!['standalone', 'branch', 'hub'].includes(mode)) throw new Error(`invalid mode: ${mode} (standalone, branch or hub)`);
  return {
    ...defaults,
    ...fromFile,
    dataDir,
    host: flags.host ?? env.MYMEDIC_HOST ?? fromFile.host ?? defaults.host,
    port,
    mode,
    secureCookies: bool(env.MYMEDIC_SECURE_COOKIES) ?? fromFile.secureCookies ?? defaults.secureCookies,
    trustProxy: bool(env.MYMEDIC_TRUST_PROXY) ?? fromFile.trustProxy ?? defaults.trustProxy,
    tlsCert: env.MYMEDIC_TLS_CERT ?? fromFile.tlsCert ?? defaults.tlsCert,
    tlsKey: env.MYMEDIC_TLS_KEY ?? fromFile.tlsKey ?? defaults.tlsKey,
    syncIntervalMs: positiveMs(env.MYMEDIC_SYNC_INTERVAL_MS ?? fromFile.syncIntervalMs, defaults.syncIntervalMs, 'syncIntervalMs'),
    syncBackoffMaxMs: positiveMs(env.MYMEDIC_SYNC_BACKOFF_MAX_MS ?? fromFile.syncBackoffMaxMs, defaults.syncBackoffMaxMs, 'syncBackoffMaxMs'),
  };
}

function positiveMs(v: string | number | undefined, fallback: number, name: string): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 10 || n > 3_600_000) throw new Error(`invalid ${name}: ${v} (milliseconds, 10 to 3600000)`);
  return n;
}

export function databaseFile(dataDir: string): string {
  return join(dataDir, 'mymedic.db');
}

/**
 * The key that signs sessions: $MYMEDIC_SECRET, else DATA/secret.key, created (mode 0600)
 * on first use. Never in the repository, never in the database (backups stay harmless).
 */
export function loadSecret(dataDir: string, env: Record<string, string | undefined> = process.env): string {
  if (env.MYMEDIC_SECRET) return env.MYMEDIC_SECRET;
  const file = join(dataDir, 'secret.key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomToken(48);
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return secret;
}
