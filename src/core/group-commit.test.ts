// Group commit: commands submitted together share one transaction, yet each succeeds or
// fails alone, and an answer comes only once the shared COMMIT is done.
import { afterEach, expect, test } from 'bun:test';
import { testKernel, type TestKernel } from '../../test/helpers/kernel';
import { conflict } from './errors';
import { systemActor } from './runner';

let k: TestKernel;
afterEach(() => k?.dispose());

const count = () => (k.db.query('SELECT count(*) AS n FROM events').get() as { n: number }).n;

test('a failing command in a batch rolls back alone; the others commit', async () => {
  k = testKernel();
  const ctx = { actor: systemActor() };
  const results = await Promise.allSettled([
    k.runner.submit(ctx, (tx) => tx.append('thing-a', 0, 'b1', [{ type: 'thing.made', data: { n: 1 } }])),
    k.runner.submit(ctx, (tx) => {
      tx.append('thing-b', 0, 'b1', [{ type: 'thing.made', data: { n: 2 } }]);
      throw conflict('nope', 'refused after appending');
    }),
    k.runner.submit(ctx, (tx) => tx.append('thing-c', 0, 'b1', [{ type: 'thing.made', data: { n: 3 } }])),
  ]);
  expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  expect((results[1] as PromiseRejectedResult).reason.code).toBe('nope');
  const streams = (k.db.query('SELECT stream, origin_seq FROM events ORDER BY seq').all() as { stream: string; origin_seq: number }[]);
  expect(streams).toEqual([
    { stream: 'thing-a', origin_seq: 1 },
    { stream: 'thing-c', origin_seq: 2 },
  ]);
});

test('commands in one batch see each other: the second append to a stream sees the first', async () => {
  k = testKernel();
  const ctx = { actor: systemActor() };
  const a = k.runner.submit(ctx, (tx) => tx.append('thing-x', 0, 'b1', [{ type: 'thing.made', data: {} }]));
  const b = k.runner.submit(ctx, (tx) => tx.append('thing-x', 0, 'b1', [{ type: 'thing.made', data: {} }]));
  const [ra, rb] = await Promise.allSettled([a, b]);
  expect(ra.status === 'fulfilled' && ra.value).toHaveLength(1);
  expect(rb.status === 'rejected' && rb.reason).toMatchObject({ code: 'concurrent_change' });
  expect(count()).toBe(1);
});

test('nothing is answered before the commit: the promise settles after the rows are durable', async () => {
  k = testKernel();
  let seenInsideTx = -1;
  const p = k.runner.submit({ actor: systemActor() }, (tx) => {
    tx.append('thing-y', 0, 'b1', [{ type: 'thing.made', data: {} }]);
    seenInsideTx = count();
    return 'done';
  });
  expect(seenInsideTx).toBe(-1); // queued, not run yet
  expect(await p).toBe('done');
  expect(k.db.inTransaction).toBe(false);
  expect(count()).toBe(1);
});

test('idempotent submits with one key in one batch act once', async () => {
  k = testKernel();
  const ctx = { actor: systemActor() };
  const idem = { scope: 'user:1', key: 'k-1', request: { x: 1 } };
  let ran = 0;
  const fn = (tx: Parameters<Parameters<typeof k.runner.submit>[1]>[0]) => {
    ran++;
    tx.append(`thing-${ran}`, 0, 'b1', [{ type: 'thing.made', data: {} }]);
    return { status: 201, body: { n: ran } };
  };
  const [r1, r2] = await Promise.all([k.runner.submitIdempotent(ctx, idem, fn), k.runner.submitIdempotent(ctx, idem, fn)]);
  expect(r1).toEqual({ status: 201, body: { n: 1 }, replayed: false });
  expect(r2).toEqual({ status: 201, body: { n: 1 }, replayed: true });
  expect(count()).toBe(1);
});
