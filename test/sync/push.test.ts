// Branch → hub over real HTTP: join binds the token, pushes append exactly once whatever the
// order and repetition of batches, and anything altered, foreign or out of turn is refused
// with nothing applied.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { gzipSync } from 'node:zlib';
import { systemActor } from '../../src/core/runner';
import { silentLogger } from '../../src/http/log';
import { SyncAgent, readPushBatch } from '../../src/sync/agent';
import { revokeBranchToken } from '../../src/sync/registry';
import { hubBranches } from '../../src/sync/status';
import type { TestServer } from '../helpers/server';
import { type BranchSide, eventsOf, FAST, pushRaw, registerPatients, startBranch, startHub, verified } from './fixture';

let hub: TestServer;
let a: BranchSide;
let b: BranchSide;

beforeAll(async () => {
  hub = await startHub();
  a = await startBranch(hub, 'BLR1');
  b = await startBranch(hub, 'MYS1');
});
afterAll(async () => {
  await Promise.all([a.s.stop(), b.s.stop()]);
  await hub.stop();
});

const hubCount = () => hub.eventCount();
const batchesOf = (side: BranchSide, size: number) => {
  const k = side.s.svc.kernel;
  const select = k.db.prepare('SELECT * FROM events WHERE origin = ? AND origin_seq > ? ORDER BY origin_seq LIMIT ?');
  const head = k.store.head(k.origin).origin_seq;
  const out: string[] = [];
  for (let after = 0; after < head; after += size) out.push(readPushBatch(select, () => ({ origin_seq: head, at: null }), k.origin, after, size, 1e9).json);
  return out;
};

describe('join', () => {
  test('hello binds the token to this installation and its branch; the hub learns the branch', async () => {
    await a.agent.hello();
    const row = hubBranches(hub.svc.kernel.db, new Date()).find((r) => r.code === 'BLR1')!;
    expect(row.branch_id).toBe(a.s.branchId);
    expect(row.health).toBe('offline'); // joined, but nothing pushed yet
    expect(row.high_water).toBe(0);
  });

  test('the same token from another installation is refused (409), the binding stays', async () => {
    const other = new SyncAgent(b.s.svc.kernel, { url: hub.url, token: a.token }, silentLogger, FAST);
    // b's branch is MYS1: the BLR1 token names a branch it does not have
    await expect(other.hello()).rejects.toMatchObject({ status: 422, code: 'branch_code_mismatch' });
    const res = await fetch(`${hub.url}/api/v1/sync/hello`, {
      method: 'POST',
      headers: { authorization: `Bearer ${a.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ origin: b.s.svc.kernel.origin, branches: [{ id: a.s.branchId, code: 'BLR1' }] }),
    });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('token_bound_elsewhere');
  });

  test('a token nobody issued gets 401 on every sync route', async () => {
    for (const [method, path] of [['POST', '/api/v1/sync/hello'], ['POST', '/api/v1/sync/push'], ['GET', '/api/v1/sync/pull']]) {
      const res = await fetch(hub.url + path, { method, headers: { authorization: 'Bearer mmb_not-a-real-token', 'content-type': 'application/json' }, body: method === 'GET' ? undefined : '{}' });
      expect(res.status).toBe(401);
    }
  });
});

describe('push', () => {
  test('real commands at the branch reach the hub in order; the hub verifies and its read tables have them', async () => {
    await registerPatients(a.s, 30, 'Asha');
    const before = hubCount();
    const r = await a.agent.round();
    const mine = eventsOf(a.s, a.s.svc.kernel.origin);
    expect(r.pushed).toBe(mine.length);
    expect(eventsOf(hub, a.s.svc.kernel.origin)).toEqual(mine);
    expect(hubCount()).toBe(before + mine.length);
    const patients = hub.svc.kernel.db.query('SELECT count(*) AS n FROM patients WHERE branch_id = ?').get(a.s.branchId) as { n: number };
    expect(patients.n).toBe(30);
    expect(verified(hub)).toMatchObject({ ok: true });
    // the branch's staff accounts do not open the hub
    expect(hub.svc.kernel.db.query("SELECT count(*) AS n FROM users WHERE username = 'owner'").get()).toEqual({ n: 1 });
    const again = await a.agent.round();
    expect(again.pushed).toBe(0);
  });

  test('every batch replayed twice and out of order: the hub ends with exactly the union, refusals change nothing', async () => {
    await b.agent.hello();
    await registerPatients(b.s, 25, 'Bina');
    const batches = batchesOf(b, 7);
    expect(batches.length).toBeGreaterThan(3);
    const order = [...batches, ...batches].map((x, i) => ({ x, k: (i * 7919) % 13 })).sort((p, q) => p.k - q.k).map((p) => p.x);
    const statuses: number[] = [];
    for (let pass = 0; pass < 3; pass++) {
      for (const body of order) {
        const before = hubCount();
        const res = await pushRaw(hub, b.token, body);
        statuses.push(res.status);
        const answer = (await res.json()) as { high_water?: number; error?: { code: string; details: { high_water: number } } };
        if (res.status === 409) {
          expect(answer.error!.code).toBe('sync_gap');
          expect(hubCount()).toBe(before);
          expect(typeof answer.error!.details.high_water).toBe('number');
        } else {
          expect(res.status).toBe(200);
        }
      }
    }
    expect(statuses).toContain(409);
    const mine = eventsOf(b.s, b.s.svc.kernel.origin);
    expect(eventsOf(hub, b.s.svc.kernel.origin)).toEqual(mine);
    const ids = hub.svc.kernel.db.query('SELECT count(*) AS n, count(DISTINCT id) AS d FROM events').get() as { n: number; d: number };
    expect(ids.n).toBe(ids.d);
    expect(verified(hub)).toMatchObject({ ok: true });
    // gaps are out of turn, not tampering: no flag
    expect(hubBranches(hub.svc.kernel.db, new Date()).find((r) => r.code === 'MYS1')!.flagged_reason).toBeNull();
  });

  test('gzip bodies are taken; a gzip bomb is refused with 413; junk gets 400; nothing is appended', async () => {
    await registerPatients(b.s, 2, 'Zip');
    const [body] = batchesOf(b, 1000);
    const before = hubCount();
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20));
    const junk: [string | Uint8Array, Record<string, string>, number][] = [
      ['not json', {}, 400],
      ['{"events":"x"}', {}, 400],
      [JSON.stringify({ events: [{ id: 'x' }] }), {}, 400],
      [new Uint8Array([1, 2, 3, 4]), { 'content-encoding': 'gzip' }, 400],
      [bomb, { 'content-encoding': 'gzip' }, 413],
      ['{}', { 'content-encoding': 'br' }, 400],
    ];
    for (const [payload, headers, status] of junk) {
      const res = await fetch(`${hub.url}/api/v1/sync/push`, { method: 'POST', headers: { authorization: `Bearer ${b.token}`, 'content-type': 'application/json', ...headers }, body: payload as BodyInit });
      expect(res.status).toBe(status);
      expect(hubCount()).toBe(before);
    }
    const res = await pushRaw(hub, b.token, gzipSync(body) as unknown as string, { 'content-encoding': 'gzip' });
    expect(res.status).toBe(200);
    expect(eventsOf(hub, b.s.svc.kernel.origin)).toEqual(eventsOf(b.s, b.s.svc.kernel.origin));
  });
});

describe('tampering', () => {
  test('an event altered in transit: 422, nothing of the batch applied, the branch flagged', async () => {
    await registerPatients(a.s, 3, 'Tamper');
    const [body] = batchesOf(a, 1000).slice(-1);
    const altered = body.replace('Tamper 1 Kumar', 'Tamper 1 Kumar X');
    expect(altered).not.toBe(body);
    const before = hubCount();
    const res = await pushRaw(hub, a.token, altered);
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('hash_mismatch');
    expect(hubCount()).toBe(before);
    const row = hubBranches(hub.svc.kernel.db, new Date()).find((r) => r.code === 'BLR1')!;
    expect(row.health).toBe('flagged');
    expect(row.flagged_reason).toContain('hash_mismatch');
  });

  test('a broken chain (prev_hash) and another origin’s events are refused too', async () => {
    const [body] = batchesOf(a, 1000).slice(-1);
    const parsed = JSON.parse(body) as { events: { prev_hash: string; origin: string }[] };
    const hw = (await (await pushRaw(hub, a.token, '{"events":[]}')).json()) as { high_water: number };
    const fresh = parsed.events.filter((e) => (e as unknown as { origin_seq: number }).origin_seq > hw.high_water);
    expect(fresh.length).toBeGreaterThanOrEqual(3);
    const before = hubCount();
    const broken = structuredClone(fresh);
    broken[0].prev_hash = 'f'.repeat(64);
    let res = await pushRaw(hub, a.token, JSON.stringify({ events: broken }));
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('broken_chain');
    const foreign = eventsOf(b.s, b.s.svc.kernel.origin).length ? (JSON.parse(batchesOf(b, 1000)[0]) as { events: unknown[] }).events : [];
    res = await pushRaw(hub, a.token, JSON.stringify({ events: foreign.slice(0, 2) }));
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('foreign_origin');
    // An event taken out of the middle: the batch is refused whole, as tampering.
    res = await pushRaw(hub, a.token, JSON.stringify({ events: [fresh[0], ...fresh.slice(2)] }));
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('batch_gap');
    expect(hubCount()).toBe(before);
    // the untouched batch still goes through afterwards
    const r = await a.agent.round();
    expect(r.pushed).toBe(fresh.length);
    expect(eventsOf(hub, a.s.svc.kernel.origin)).toEqual(eventsOf(a.s, a.s.svc.kernel.origin));
  });

  test('a revoked token gets 401 at once; the branch keeps working and records the error', async () => {
    hub.svc.kernel.runner.run({ actor: systemActor('cli') }, (tx) => revokeBranchToken(tx, 'MYS1', 'laptop stolen'));
    const res = await pushRaw(hub, b.token, '{"events":[]}');
    expect(res.status).toBe(401);
    await registerPatients(b.s, 1, 'Offline');
    await expect(b.agent.round()).rejects.toMatchObject({ status: 401 });
  });
});

describe('the hub only reads its branches', () => {
  test('a write in a synced branch’s scope at the hub is refused (403 branch_read_only), nothing appended', async () => {
    const before = hubCount();
    const res = await hub.api('/api/v1/patients', {
      method: 'POST',
      headers: { 'x-branch-id': a.s.branchId },
      json: { name: 'Wrong Place', phone: '9845000000', sex: 'female', age_years: 30 },
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('branch_read_only');
    expect(hubCount()).toBe(before);
  });
});
