import { afterEach, expect, test } from 'bun:test';
import { testKernel, type TestKernel } from '../../test/helpers/kernel';
import { allProjections } from '../kernel';
import { verify } from '../core/verify';
import { DEMO_ACCOUNTS, seedDemoClinic } from './demo';

let k: TestKernel;
afterEach(() => k?.dispose());

test('the demo clinic has its three accounts and patients, verifies, and is created only once', async () => {
  k = testKernel();
  expect(await seedDemoClinic(k)).toBe(true);
  const users = k.db.query('SELECT username, role FROM users ORDER BY username').all();
  expect(users).toEqual(DEMO_ACCOUNTS.map((a) => ({ username: a.username, role: a.role })).sort((a, b) => a.username.localeCompare(b.username)));
  const hash = (k.db.query(`SELECT password_hash FROM users WHERE username = 'desk'`).get() as { password_hash: string }).password_hash;
  expect(await Bun.password.verify('demo-desk-1', hash)).toBe(true);
  expect((k.db.query('SELECT count(*) AS n FROM patients').get() as { n: number }).n).toBe(5);
  expect(k.db.query(`SELECT mrn FROM patients WHERE name = 'राम कुमार'`).get()).toEqual({ mrn: 'DEMO-000003' });
  expect(verify(k.db, k.file, allProjections).ok).toBe(true);
  const events = (k.db.query('SELECT count(*) AS n FROM events').get() as { n: number }).n;
  expect(await seedDemoClinic(k)).toBe(false);
  expect((k.db.query('SELECT count(*) AS n FROM events').get() as { n: number }).n).toBe(events);
});
