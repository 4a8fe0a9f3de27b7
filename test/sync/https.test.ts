// The hub speaking HTTPS itself (tlsCert/tlsKey), as a hub reachable over the internet
// should: a branch that does not trust its certificate cannot join; given the CA (--ca) it
// joins and syncs over TLS. The certificate is made here with openssl, for 127.0.0.1.
import { afterAll, describe, expect, test } from 'bun:test';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, headOf, mymedic, originOf, peek, Server } from './procs';

const root = mkdtempSync(join(tmpdir(), 'mymedic-tls-'));
const cert = join(root, 'hub.crt');
const key = join(root, 'hub.key');
const pw = join(root, 'pw');
const servers: Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.kill()));
  rmSync(root, { recursive: true, force: true });
});

describe('HTTPS at the hub', () => {
  const hubDir = join(root, 'hub');
  const branchDir = join(root, 'blr1');
  const hub = new Server('hub', hubDir, freePort(), ['--mode', 'hub'], { MYMEDIC_TLS_CERT: cert, MYMEDIC_TLS_KEY: key }, 'https');
  const branch = new Server('BLR1', branchDir, freePort(), [], { MYMEDIC_SYNC_INTERVAL_MS: '100' });
  servers.push(hub, branch);
  let token = '';

  test('a self-signed hub: plain HTTP gets nothing, HTTPS answers to whoever trusts the certificate', async () => {
    const ossl = Bun.spawnSync(['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stderr: 'pipe' });
    expect(ossl.exitCode).toBe(0);
    writeFileSync(pw, 'owner-pass-tls-1\n', { mode: 0o600 });
    for (const [d, code] of [[hubDir, 'HQ'], [branchDir, 'BLR1']]) {
      expect((await mymedic(['init', '--data', d, '--clinic', 'Sunrise', '--branch-code', code, '--admin', 'owner', '--password-file', pw])).code).toBe(0);
    }
    const added = await mymedic(['hub', 'add-branch', 'BLR1', '--data', hubDir], {}, true);
    token = added.stdout.trim().split('\n').at(-1)!;
    await hub.start({ tls: { ca: readFileSync(cert, 'utf8') } } as RequestInit);
    await expect(fetch(`http://127.0.0.1:${hub.port}/readyz`, { signal: AbortSignal.timeout(2000) }).then((r) => r.status)).rejects.toThrow();
    await expect(fetch(`${hub.url}/readyz`)).rejects.toThrow(); // not trusted by default
    expect((await fetch(`${hub.url}/readyz`, { tls: { ca: readFileSync(cert, 'utf8') } } as RequestInit)).status).toBe(200);
  }, 60_000);

  test('join without the CA is refused with the reason and changes nothing; with --ca it joins', async () => {
    const bad = await mymedic(['join', '--data', branchDir, '--hub', hub.url, '--token', token]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/certificate|self.signed|unable to verify/i);
    expect(bad.stderr).toContain('Nothing changed');
    expect(existsSync(join(branchDir, 'hub.json'))).toBe(false);

    const ok = await mymedic(['join', '--data', branchDir, '--hub', hub.url, '--token', token, '--ca', cert]);
    expect(ok.code).toBe(0);
    expect(statSync(join(branchDir, 'hub.json')).mode & 0o777).toBe(0o600);
    expect(ok.stdout + ok.stderr).not.toContain(token);
  }, 30_000);

  test('the branch syncs over TLS: what it records reaches the hub', async () => {
    await branch.start();
    const t = (await (await fetch(`${branch.url}/api/v1/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'owner', password: 'owner-pass-tls-1' }) })).json()) as { token: string };
    for (let i = 0; i < 5; i++) {
      const r = await fetch(`${branch.url}/api/v1/patients`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: `Tls Patient ${i}`, phone: '9845012345', sex: 'female', age_years: 30 }),
      });
      expect(r.status).toBe(201);
    }
    const origin = peek(branchDir, originOf);
    const end = Date.now() + 15_000;
    while (peek(hubDir, (db) => headOf(db, origin)) < peek(branchDir, (db) => headOf(db, origin))) {
      if (Date.now() > end) throw new Error('the branch did not sync over TLS');
      await Bun.sleep(100);
    }
    const st = JSON.parse((await mymedic(['sync', 'status', '--json', '--data', branchDir])).stdout) as { lag_events: number; hub_url: string };
    expect(st.lag_events).toBe(0);
    expect(st.hub_url).toBe(hub.url);
    expect(readFileSync(join(branchDir, 'hub.json'), 'utf8')).toContain(cert);
  }, 30_000);

  test('a rotated token: the old one gets 401 at once (the branch says so), join with the new one and restart, it syncs again; revoke shows at the hub', async () => {
    const rotated = await mymedic(['hub', 'rotate-token', 'BLR1', '--data', hubDir], {}, true);
    expect(rotated.code).toBe(0);
    const fresh = rotated.stdout.trim().split('\n').at(-1)!;
    expect(fresh).toMatch(/^mmb_/);
    expect(fresh).not.toBe(token);
    const ca = { tls: { ca: readFileSync(cert, 'utf8') } } as RequestInit;
    const old = await fetch(`${hub.url}/api/v1/sync/pull?after=0`, { ...ca, headers: { authorization: `Bearer ${token}` } });
    expect(old.status).toBe(401);
    const end = Date.now() + 10_000;
    let st: { last_error: string | null } = { last_error: null };
    while (!st.last_error) {
      if (Date.now() > end) throw new Error('the branch did not notice the rotated token');
      await Bun.sleep(100);
      st = JSON.parse((await mymedic(['sync', 'status', '--json', '--data', branchDir])).stdout);
    }
    expect(st.last_error).toMatch(/401|token/i);

    expect((await mymedic(['join', '--data', branchDir, '--hub', hub.url, '--token', fresh, '--ca', cert])).code).toBe(0);
    await branch.stop();
    await branch.start();
    const okEnd = Date.now() + 10_000;
    while (JSON.parse((await mymedic(['sync', 'status', '--json', '--data', branchDir])).stdout).last_error) {
      if (Date.now() > okEnd) throw new Error('the branch did not sync with its new token');
      await Bun.sleep(100);
    }

    expect((await mymedic(['hub', 'revoke', 'BLR1', '--data', hubDir, '--reason', 'laptop stolen'])).code).toBe(0);
    expect((await fetch(`${hub.url}/api/v1/sync/pull?after=0`, { ...ca, headers: { authorization: `Bearer ${fresh}` } })).status).toBe(401);
    const list = JSON.parse((await mymedic(['hub', 'list', '--json', '--data', hubDir])).stdout) as { code: string; health: string }[];
    expect(list.find((r) => r.code === 'BLR1')!.health).toBe('revoked');
  }, 60_000);
});
