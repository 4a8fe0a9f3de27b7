// A real HTTP server on 127.0.0.1 (random port) over a real SQLite file in a temp folder,
// with a clinic, its BLR1 branch and an owner whose password is real argon2id.
import { rmSync } from 'node:fs';
import { LoginThrottle } from '../../src/auth/throttle';
import type { Clock } from '../../src/core/clock';
import { loadConfig, type Mode } from '../../src/core/config';
import { systemActor } from '../../src/core/runner';
import { createApp } from '../../src/http/app';
import { silentLogger } from '../../src/http/log';
import { Metrics } from '../../src/http/metrics';
import type { Services } from '../../src/http/services';
import { openKernel } from '../../src/kernel';
import { createUser, openBranch, setUpClinic } from '../../src/org/commands';
import type { Role } from '../../src/org/events';
import { hashPassword } from '../../src/org/rules';
import { tempDir } from './kernel';

export const OWNER = { username: 'owner', password: 'owner-pass-1' };

export interface TestServer {
  url: string;
  svc: Services;
  dir: string;
  branchId: string;
  ownerId: string;
  stop(): Promise<void>;
  /** Bearer token for a user. */
  token(username?: string, password?: string): Promise<string>;
  /** Adds a staff account; returns its id. */
  addUser(username: string, role: Role, branchIds?: string[], password?: string): Promise<string>;
  addBranch(code: string, name?: string): string;
  api(path: string, init?: RequestInit & { token?: string; json?: unknown }): Promise<Response>;
  eventCount(): number;
}

export async function startServer(
  opts: { setupToken?: string | null; clock?: Clock; bare?: boolean; throttle?: LoginThrottle; branchCode?: string; mode?: Mode } = {},
): Promise<TestServer> {
  const dir = tempDir('mymedic-http-');
  const kernel = openKernel(dir, { clock: opts.clock });
  let branchId = '';
  let ownerId = '';
  if (!opts.bare) {
    const passwordHash = await hashPassword(OWNER.password);
    const ids = kernel.runner.run({ actor: systemActor('setup') }, (tx) =>
      setUpClinic(tx, {
        clinicName: 'Sunrise Clinic',
        branch: { code: opts.branchCode ?? 'BLR1', name: 'Indiranagar', timezone: 'Asia/Kolkata' },
        owner: { username: OWNER.username, name: 'Olivia Owner', passwordHash },
      }),
    );
    branchId = ids.branchId;
    ownerId = ids.ownerId;
  }
  const config = { ...loadConfig({ dataDir: dir, mode: opts.mode }, {}), host: '127.0.0.1', port: 0 };
  const svc: Services = {
    kernel,
    config,
    secret: 'test-secret-' + dir,
    metrics: new Metrics(),
    logger: silentLogger,
    throttle: opts.throttle ?? new LoginThrottle(),
    setup: { token: opts.setupToken ?? null },
    startedAt: new Date(),
    version: 'test',
  };
  const app = createApp(svc).listen({ hostname: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${app.server!.port}`;
  const tokens = new Map<string, string>();
  const server: TestServer = {
    url,
    svc,
    dir,
    branchId,
    ownerId,
    async stop() {
      await app.stop(true);
      kernel.close();
      rmSync(dir, { recursive: true, force: true });
    },
    async token(username = OWNER.username, password = OWNER.password) {
      const key = `${username}:${password}`;
      if (tokens.has(key)) return tokens.get(key)!;
      const r = await fetch(`${url}/api/v1/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
      if (r.status !== 200) throw new Error(`login ${username} failed: ${r.status} ${await r.text()}`);
      const t = ((await r.json()) as { token: string }).token;
      tokens.set(key, t);
      return t;
    },
    async addUser(username, role, branchIds = [branchId], password = 'staff-pass-1') {
      const passwordHash = await hashPassword(password);
      return kernel.runner.run({ actor: systemActor('cli') }, (tx) => createUser(tx, { username, name: username, role, branchIds, passwordHash }));
    },
    addBranch(code, name = code) {
      return kernel.runner.run({ actor: systemActor('cli') }, (tx) => openBranch(tx, { code, name }));
    },
    async api(path, init = {}) {
      const headers = new Headers(init.headers);
      const token = init.token ?? (await server.token());
      if (token) headers.set('authorization', `Bearer ${token}`);
      let body = init.body;
      if (init.json !== undefined) {
        headers.set('content-type', 'application/json');
        body = JSON.stringify(init.json);
      }
      return fetch(url + path, { ...init, headers, body });
    },
    eventCount() {
      return (kernel.db.query('SELECT count(*) AS n FROM events').get() as { n: number }).n;
    },
  };
  return server;
}
