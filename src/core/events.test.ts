import { afterEach, describe, expect, test } from 'bun:test';
import { testKernel, seedClinic, type TestKernel } from '../../test/helpers/kernel';
import { actorOf } from './scope';
import { registerPatient } from '../patients/commands';
import { verify } from './verify';
import { allProjections } from '../kernel';
import { ConcurrencyError } from './errors';

let k: TestKernel;
afterEach(() => k?.dispose());

describe('event store', () => {
  test('a command appends hash-chained events and its projections, and verify passes', () => {
    k = testKernel();
    const { scope } = seedClinic(k);
    const r = k.runner.run({ actor: actorOf(scope) }, (tx) =>
      registerPatient(tx, scope, { name: 'Asha Rao', phone: '98450 12345', sex: 'female', age_years: 34 }),
    );
    expect(r.patient.mrn).toBe('BLR1-000001');
    expect(r.patient.phone).toBe('+919845012345');
    const rows = k.db.query('SELECT origin_seq, prev_hash, hash FROM events ORDER BY seq').all() as { origin_seq: number; prev_hash: string; hash: string }[];
    expect(rows.map((x) => x.origin_seq)).toEqual([1, 2, 3, 4]);
    for (let i = 1; i < rows.length; i++) expect(rows[i].prev_hash).toBe(rows[i - 1].hash);
    expect(verify(k.db, k.file, allProjections).ok).toBe(true);
  });

  test('UPDATE and DELETE on events are refused by triggers', () => {
    k = testKernel();
    seedClinic(k);
    expect(() => k.db.run(`UPDATE events SET data = '{}' WHERE seq = 1`)).toThrow(/append-only/);
    expect(() => k.db.run('DELETE FROM events WHERE seq = 1')).toThrow(/append-only/);
  });

  test('appending at a stale version is a ConcurrencyError and leaves nothing behind', () => {
    k = testKernel();
    seedClinic(k);
    const before = (k.db.query('SELECT count(*) n FROM events').get() as { n: number }).n;
    expect(() =>
      k.runner.run({ actor: { userId: null, role: 'system', via: 'cli' } }, (tx) => {
        tx.append('thing-1', 0, 'b', [{ type: 'thing.made', data: {} }]);
        tx.append('thing-1', 0, 'b', [{ type: 'thing.made', data: {} }]);
      }),
    ).toThrow(ConcurrencyError);
    expect((k.db.query('SELECT count(*) n FROM events').get() as { n: number }).n).toBe(before);
  });
});
