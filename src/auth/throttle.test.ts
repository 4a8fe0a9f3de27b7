import { describe, expect, test } from 'bun:test';
import { LoginThrottle } from './throttle';

const MIN = 60_000;

function throttle() {
  let t = Date.parse('2026-03-15T10:00:00Z');
  const th = new LoginThrottle({ max: 5, windowMs: 15 * MIN }, { max: 30, windowMs: 15 * MIN }, () => t);
  return { th, advance: (ms: number) => void (t += ms) };
}

describe('login throttle', () => {
  test('five failures are allowed; after them the account waits until the first one leaves the window', () => {
    const { th, advance } = throttle();
    for (let i = 0; i < 5; i++) {
      expect(th.retryAfter('asha', '10.0.0.1')).toBe(0);
      th.fail('asha', '10.0.0.1');
      advance(MIN);
    }
    // First failure at 0, now it is 5 minutes later: 10 minutes to wait.
    expect(th.retryAfter('asha', '10.0.0.1')).toBe(10 * 60);
    // The wait is per account: from another address too.
    expect(th.retryAfter('asha', '10.0.0.2')).toBe(10 * 60);
    expect(th.retryAfter('ravi', '10.0.0.2')).toBe(0);
    advance(10 * MIN - 1000);
    expect(th.retryAfter('asha', '10.0.0.1')).toBe(1);
    advance(1000);
    expect(th.retryAfter('asha', '10.0.0.1')).toBe(0);
  });

  test('account names are compared without case or surrounding spaces', () => {
    const { th } = throttle();
    for (let i = 0; i < 5; i++) th.fail(i % 2 ? ' ASHA ' : 'asha', `10.0.0.${i}`);
    expect(th.retryAfter('Asha', '10.0.0.9')).toBeGreaterThan(0);
  });

  test('a successful sign-in clears the account’s failures', () => {
    const { th } = throttle();
    for (let i = 0; i < 4; i++) th.fail('asha', '10.0.0.1');
    th.succeed('ASHA');
    for (let i = 0; i < 4; i++) th.fail('asha', '10.0.0.1');
    expect(th.retryAfter('asha', '10.0.0.1')).toBe(0);
  });

  test('unknown account names are throttled exactly like real ones', () => {
    const { th } = throttle();
    for (let i = 0; i < 5; i++) th.fail('no-such-user', '10.0.0.1');
    expect(th.retryAfter('no-such-user', '10.0.0.1')).toBe(15 * 60);
  });

  test('one address trying many accounts is stopped after 30 failures', () => {
    const { th } = throttle();
    for (let i = 0; i < 30; i++) th.fail(`user${i}`, '10.0.0.66');
    expect(th.retryAfter('someone-new', '10.0.0.66')).toBe(15 * 60);
    expect(th.retryAfter('someone-new', '10.0.0.67')).toBe(0);
  });

  test('old failures expire: a slow trickle is never blocked', () => {
    const { th, advance } = throttle();
    for (let i = 0; i < 20; i++) {
      expect(th.retryAfter('asha', '10.0.0.1')).toBe(0);
      th.fail('asha', '10.0.0.1');
      advance(4 * MIN);
    }
  });
});
