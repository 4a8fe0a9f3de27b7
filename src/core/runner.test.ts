import { afterEach, describe, expect, test } from 'bun:test';
import { seedClinic, testKernel, type TestKernel } from '../../test/helpers/kernel';
import { correctPatient, registerPatient } from '../patients/commands';
import { DomainError } from './errors';
import type { StoredEvent } from './events';
import type { Idempotency } from './runner';
import { actorOf, type Scope } from './scope';

let k: TestKernel;
afterEach(() => k?.dispose());

const count = (sql: string) => (k.db.query(sql).get() as { n: number }).n;
const events = () => count('SELECT count(*) AS n FROM events');
const patients = () => count('SELECT count(*) AS n FROM patients');

function setup(): Scope {
  k = testKernel();
  return seedClinic(k).scope;
}

const asha = { name: 'Asha Rao', phone: '9845012345', sex: 'female' as const, age_years: 34 };

function register(scope: Scope, idem: Idempotency | null, body: typeof asha) {
  return k.runner.runIdempotent({ actor: actorOf(scope) }, idem, (tx) => ({ status: 201, body: registerPatient(tx, scope, body).patient }));
}

function refusal(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('idempotency', () => {
  const key = (body: unknown, k = 'key-1', scope = 'user:u1'): Idempotency => ({ scope, key: k, request: { method: 'POST', path: '/api/v1/patients', body } });

  test('the same key and body gets the first answer back and records nothing more', () => {
    const scope = setup();
    const before = events();
    const first = register(scope, key(asha), asha);
    expect(first).toMatchObject({ status: 201, replayed: false });
    expect(events()).toBe(before + 1);
    const again = register(scope, key({ ...asha }), { ...asha });
    expect(again).toEqual({ ...first, replayed: true });
    expect(events()).toBe(before + 1);
    expect(patients()).toBe(1);
  });

  test('key order in the body does not matter: it is the same request', () => {
    const scope = setup();
    register(scope, key(asha), asha);
    const reordered = { age_years: 34, sex: 'female' as const, phone: '9845012345', name: 'Asha Rao' };
    expect(register(scope, key(reordered), reordered).replayed).toBe(true);
    expect(patients()).toBe(1);
  });

  test('the same key with another body is refused with 422 idempotency_key_reused, recording nothing', () => {
    const scope = setup();
    register(scope, key(asha), asha);
    const before = events();
    const other = { ...asha, name: 'Ravi Rao' };
    const e = refusal(() => register(scope, key(other), other));
    expect([e.status, e.code]).toEqual([422, 'idempotency_key_reused']);
    expect(events()).toBe(before);
    expect(patients()).toBe(1);
  });

  test('keys of different callers do not collide', () => {
    const scope = setup();
    register(scope, key(asha, 'k', 'user:a'), asha);
    const other = { ...asha, name: 'Ravi Rao' };
    expect(register(scope, key(other, 'k', 'user:b'), other).replayed).toBe(false);
    expect(patients()).toBe(2);
  });

  test('a refused command does not use up its key: the corrected request may be sent with it', () => {
    const scope = setup();
    const bad = { ...asha, phone: '123' };
    expect(refusal(() => register(scope, key(bad), bad)).code).toBe('invalid_phone');
    // Nothing was stored for the key, so the client may retry the same request after fixing the data.
    expect(register(scope, key(asha), asha).replayed).toBe(false);
    expect(patients()).toBe(1);
  });

  test('the idempotency key is recorded in the event’s meta', () => {
    const scope = setup();
    register(scope, key(asha, 'key-xyz'), asha);
    const meta = JSON.parse((k.db.query('SELECT meta FROM events ORDER BY seq DESC LIMIT 1').get() as { meta: string }).meta);
    expect(meta).toMatchObject({ idempotency_key: 'key-xyz', actor: scope.userId, role: 'owner', via: 'http', v: 1 });
  });
});

describe('atomicity', () => {
  test('a command that throws after appending leaves no event and no projection row', () => {
    const scope = setup();
    const before = events();
    const mrnBefore = count(`SELECT coalesce(max(value), 0) AS n FROM counters WHERE name = 'mrn'`);
    expect(() =>
      k.runner.run({ actor: actorOf(scope) }, (tx) => {
        registerPatient(tx, scope, asha);
        expect(tx.events).toHaveLength(1); // it was appended and projected inside the transaction
        expect(count('SELECT count(*) AS n FROM patients')).toBe(1);
        throw new Error('printer on fire');
      }),
    ).toThrow('printer on fire');
    expect(events()).toBe(before);
    expect(patients()).toBe(0);
    expect(count(`SELECT coalesce(max(value), 0) AS n FROM counters WHERE name = 'mrn'`)).toBe(mrnBefore);
    // The MRN series has no gap: the next patient takes number 1.
    const r = k.runner.run({ actor: actorOf(scope) }, (tx) => registerPatient(tx, scope, asha));
    expect(r.patient.mrn).toBe('BLR1-000001');
  });

  test('commit listeners hear only about committed events', () => {
    const scope = setup();
    const heard: StoredEvent[][] = [];
    k.runner.onCommit((evs) => heard.push(evs));
    expect(() =>
      k.runner.run({ actor: actorOf(scope) }, (tx) => {
        registerPatient(tx, scope, asha);
        throw new Error('abort');
      }),
    ).toThrow();
    expect(heard).toHaveLength(0);
    k.runner.run({ actor: actorOf(scope) }, (tx) => registerPatient(tx, scope, asha));
    expect(heard.map((evs) => evs.map((e) => e.type))).toEqual([['patient.registered']]);
  });
});

describe('concurrency', () => {
  test('appending at a version someone else already took is a 409 concurrent_change, and nothing of the command stays', () => {
    const scope = setup();
    const id = k.runner.run({ actor: actorOf(scope) }, (tx) => registerPatient(tx, scope, asha)).patient.id;
    const stream = `patient-${id}`;
    const before = events();
    const e = refusal(() =>
      k.runner.run({ actor: actorOf(scope) }, (tx) => {
        registerPatient(tx, scope, { ...asha, name: 'Ravi Rao' }); // a first write in the same command
        // Read at version 1, someone else corrects (version 2), then we append expecting 1.
        correctPatient(tx, scope, id, { phone: '9845099999' }, null);
        tx.append(stream, 1, scope.branchId, [{ type: 'patient.demographics_corrected', data: { changes: { name: { from: 'Asha Rao', to: 'Asha K' } }, reason: null } }]);
      }),
    );
    expect([e.status, e.code]).toEqual([409, 'concurrent_change']);
    expect(e.details).toMatchObject({ stream, expected_version: 1, actual_version: 2 });
    expect(events()).toBe(before);
    expect(patients()).toBe(1);
    expect((k.db.query('SELECT phone FROM patients WHERE id = ?').get(id) as { phone: string }).phone).toBe('+919845012345');
  });

  test('a correction based on a stale version of the record is refused with 409 stale_version', () => {
    const scope = setup();
    const p = k.runner.run({ actor: actorOf(scope) }, (tx) => registerPatient(tx, scope, asha)).patient;
    k.runner.run({ actor: actorOf(scope) }, (tx) => correctPatient(tx, scope, p.id, { name: 'Asha K Rao' }, null, p.version));
    const before = events();
    const e = refusal(() => k.runner.run({ actor: actorOf(scope) }, (tx) => correctPatient(tx, scope, p.id, { phone: '9845099999' }, null, p.version)));
    expect([e.status, e.code]).toEqual([409, 'stale_version']);
    expect(events()).toBe(before);
  });

  test('two connections to the same file never hand out the same MRN', async () => {
    const scope = setup();
    const { openKernelAt } = await import('../kernel');
    const other = openKernelAt(k.file);
    try {
      const mrns: string[] = [];
      for (let i = 0; i < 10; i++) {
        const runner = i % 2 ? other.runner : k.runner;
        mrns.push(runner.run({ actor: actorOf(scope) }, (tx) => registerPatient(tx, scope, { ...asha, name: `Patient ${String.fromCharCode(65 + i)}` })).patient.mrn);
      }
      expect(new Set(mrns).size).toBe(10);
      expect(mrns.at(-1)).toBe('BLR1-000010');
    } finally {
      other.close();
    }
  });
});
