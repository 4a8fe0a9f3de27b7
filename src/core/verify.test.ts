import { afterEach, describe, expect, test } from 'bun:test';
import { seedClinic, testKernel, type TestKernel } from '../../test/helpers/kernel';
import { allProjections } from '../kernel';
import { registerPatient } from '../patients/commands';
import { computeHash, type EventRow } from './events';
import { actorOf } from './scope';
import { verify } from './verify';

let k: TestKernel;
afterEach(() => k?.dispose());

/** A clinic (3 events) and three patients (seq 4, 5, 6): one origin's chain. */
function clinicWithPatients() {
  k = testKernel();
  const { scope } = seedClinic(k);
  for (const [name, phone] of [['Asha Rao', '9845012345'], ['राम कुमार', '9845012346'], ['Ravi Iyer', '9845012347']]) {
    k.runner.run({ actor: actorOf(scope) }, (tx) => registerPatient(tx, scope, { name, phone, sex: 'male', age_years: 40 }));
  }
  return scope;
}

/** What an attacker with the file would do first: remove the append-only triggers. */
function dropTriggers() {
  k.db.run('DROP TRIGGER events_no_update');
  k.db.run('DROP TRIGGER events_no_delete');
}

const row = (seq: number) => k.db.query('SELECT * FROM events WHERE seq = ?').get(seq) as EventRow;
const run = () => verify(k.db, k.file, allProjections);

describe('verify', () => {
  test('a clean log verifies', () => {
    clinicWithPatients();
    const r = run();
    expect(r).toMatchObject({ ok: true, events: 6, origins: 1, chainProblem: null, projectionProblem: null });
  });

  test('a byte flipped in an event’s data is found, naming that event', () => {
    clinicWithPatients();
    dropTriggers();
    const target = row(5);
    const flipped = target.data.replace('9845012346', '9845012366');
    expect(flipped).not.toBe(target.data);
    k.db.run('UPDATE events SET data = ? WHERE seq = 5', [flipped]);
    const r = run();
    expect(r.ok).toBe(false);
    expect(r.chainProblem).toMatchObject({ seq: 5, id: target.id, origin_seq: 5 });
    expect(r.chainProblem!.problem).toMatch(/altered/);
  });

  test('an event altered and re-hashed breaks the link to the next one, which is named', () => {
    clinicWithPatients();
    dropTriggers();
    const target = row(4);
    const data = target.data.replace('Asha Rao', 'Asha Roy');
    expect(data).not.toBe(target.data);
    k.db.run('UPDATE events SET data = ?, hash = ? WHERE seq = 4', [data, computeHash({ ...target, data })]);
    const r = run();
    expect(r.ok).toBe(false);
    expect(r.chainProblem).toMatchObject({ seq: 5 });
    expect(r.chainProblem!.problem).toMatch(/prev_hash/);
  });

  test('a middle event deleted is found: the event after the gap is named, with "missing"', () => {
    clinicWithPatients();
    dropTriggers();
    k.db.run('DELETE FROM events WHERE seq = 4');
    const r = run();
    expect(r.ok).toBe(false);
    expect(r.chainProblem).toMatchObject({ seq: 5, origin_seq: 5 });
    expect(r.chainProblem!.problem).toContain('4');
    expect(r.chainProblem!.problem).toMatch(/missing/);
  });

  test('two events swapped in the log are found and reported as out of order', () => {
    clinicWithPatients();
    dropTriggers();
    k.db.run('UPDATE events SET seq = -1 WHERE seq = 4');
    k.db.run('UPDATE events SET seq = 4 WHERE seq = 5');
    k.db.run('UPDATE events SET seq = 5 WHERE seq = -1');
    const r = run();
    expect(r.ok).toBe(false);
    expect(r.chainProblem).toMatchObject({ seq: 4, origin_seq: 5 });
    expect(r.chainProblem!.problem).toMatch(/out of order/);
    expect(r.chainProblem!.problem).not.toMatch(/missing/);
  });

  test('a read table edited behind the app’s back is reported by table; a rebuild repairs it', () => {
    clinicWithPatients();
    k.db.run(`UPDATE patients SET phone = '+919999999999' WHERE name = 'Asha Rao'`);
    const r = run();
    expect(r.ok).toBe(false);
    expect(r.chainProblem).toBeNull();
    expect(r.projectionProblem).toMatchObject({ table: 'patients' });

    expect(k.projections.rebuild()).toBe(6);
    expect((k.db.query(`SELECT phone FROM patients WHERE name = 'Asha Rao'`).get() as { phone: string }).phone).toBe('+919845012345');
    expect(run().ok).toBe(true);
  });

  test('a row added to, or removed from, a read table is reported', () => {
    clinicWithPatients();
    k.db.run(`DELETE FROM user_branches`);
    expect(run().projectionProblem).toMatchObject({ table: 'user_branches', problem: expect.stringMatching(/lacks/) });
    k.projections.rebuild();
    k.db.run(`INSERT INTO counters (branch_id, name, value) VALUES ('x', 'mrn', 5)`);
    expect(run().projectionProblem).toMatchObject({ table: 'counters', problem: expect.stringMatching(/live table has a row/) });
  });
});
