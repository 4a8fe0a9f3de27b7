import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configuredUpiVpa, encodeUpiValue, isValidVpa, upiAmount, upiPayLink } from './upi';

describe('upiPayLink', () => {
  test('the NPCI parameters in order, amount in rupees with two decimals, values percent-encoded', () => {
    expect(upiPayLink({ vpa: 'sunrise.clinic@okicici', payeeName: 'Sunrise Clinic', amountPaise: 123450, note: 'Bill BLR1/I2627/00001', reference: 'BLR1/I2627/00001' })).toBe(
      'upi://pay?pa=sunrise.clinic@okicici&pn=Sunrise%20Clinic&am=1234.50&cu=INR&tn=Bill%20BLR1%2FI2627%2F00001&tr=BLR1%2FI2627%2F00001',
    );
  });

  test.each([
    ['Dr. Rao’s Clinic & Lab', 'Dr.%20Rao%E2%80%99s%20Clinic%20%26%20Lab'],
    ["Rao's (Eye) Care!", 'Rao%27s%20%28Eye%29%20Care%21'],
    ['A+B=C #1 50%', 'A%2BB%3DC%20%231%2050%25'],
    ['श्री क्लिनिक', '%E0%A4%B6%E0%A5%8D%E0%A4%B0%E0%A5%80%20%E0%A4%95%E0%A5%8D%E0%A4%B2%E0%A4%BF%E0%A4%A8%E0%A4%BF%E0%A4%95'],
  ])('payee name %p is encoded as %p (spaces %20, never +) and reads back', (name, encoded) => {
    const link = upiPayLink({ vpa: 'clinic@upi', payeeName: name, amountPaise: 50000, note: 'Bill X/1', reference: 'X/1' });
    expect(link).toContain(`&pn=${encoded}&`);
    expect(encodeUpiValue(name)).toBe(encoded);
    const url = new URL(link);
    expect(url.protocol).toBe('upi:');
    expect(url.searchParams.get('pn')).toBe(name);
    expect(url.searchParams.get('pa')).toBe('clinic@upi');
    expect(url.searchParams.get('am')).toBe('500.00');
    expect(url.searchParams.get('cu')).toBe('INR');
    expect(url.searchParams.get('tr')).toBe('X/1');
    expect(url.searchParams.get('tn')).toBe('Bill X/1');
  });

  test('long names and notes are cut; whitespace is collapsed', () => {
    const link = upiPayLink({ vpa: 'clinic@upi', payeeName: `  Sunrise   Multispeciality ${'Clinic '.repeat(10)}`, amountPaise: 1, note: 'Bill\n  1', reference: 'R1' });
    const pn = new URL(link).searchParams.get('pn')!;
    expect(pn.length).toBeLessThanOrEqual(50);
    expect(pn.startsWith('Sunrise Multispeciality Clinic')).toBe(true);
    expect(new URL(link).searchParams.get('tn')).toBe('Bill 1');
    expect(new URL(link).searchParams.get('am')).toBe('0.01');
  });

  test('refuses what no UPI app would accept', () => {
    expect(() => upiPayLink({ vpa: 'not a vpa', payeeName: 'X', amountPaise: 100, note: '', reference: 'R' })).toThrow(/not a UPI ID/);
    expect(() => upiPayLink({ vpa: 'xy@upi', payeeName: '  ', amountPaise: 100, note: '', reference: 'R' })).toThrow(/payee name/);
    expect(() => upiPayLink({ vpa: 'xy@upi', payeeName: 'X', amountPaise: 0, note: '', reference: 'R' })).toThrow(/positive/);
  });
});

describe('upiAmount', () => {
  test.each([
    [1, '0.01'],
    [5, '0.05'],
    [50, '0.50'],
    [100, '1.00'],
    [123450, '1234.50'],
    [123456789, '1234567.89'],
    [100_000_000_00, '100000000.00'],
  ])('%p paise → %p', (paise, s) => expect(upiAmount(paise)).toBe(s));

  test.each([0, -100, 12.5, NaN])('%p is refused', (paise) => expect(() => upiAmount(paise)).toThrow());
});

test.each([
  ['sunrise.clinic@okicici', true],
  ['9845012345@ybl', true],
  ['a_b-c@paytm', true],
  ['clinic@upi', true],
  ['clinic', false],
  ['@upi', false],
  ['clinic@', false],
  ['cli nic@upi', false],
  ['clinic@upi&am=1', false],
  ['clinic@1bank', false],
])('isValidVpa(%p) = %p', (vpa, ok) => expect(isValidVpa(vpa)).toBe(ok));

describe('configuredUpiVpa', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'mymedic-upi-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('none configured: null', () => expect(configuredUpiVpa({ dataDir: dir }, {})).toBeNull());

  test('the environment wins over the config file', () => {
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ upiVpa: 'file@okaxis' }));
    expect(configuredUpiVpa({ dataDir: dir }, { MYMEDIC_UPI_VPA: ' env@okicici ' })).toBe('env@okicici');
    expect(configuredUpiVpa({ dataDir: dir }, {})).toBe('file@okaxis');
    expect(configuredUpiVpa({ dataDir: dir }, { MYMEDIC_UPI_VPA: '' })).toBe('file@okaxis');
  });

  test('a config loaded from another file carries the key itself', () => {
    expect(configuredUpiVpa({ dataDir: dir, upiVpa: 'cfg@okhdfcbank' } as { dataDir: string }, {})).toBe('cfg@okhdfcbank');
  });

  test('the config file is reread when it changes', async () => {
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ upiVpa: 'one@upi' }));
    expect(configuredUpiVpa({ dataDir: dir }, {})).toBe('one@upi');
    await Bun.sleep(20);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ port: 8080 }));
    expect(configuredUpiVpa({ dataDir: dir }, {})).toBeNull();
  });

  test('a malformed one is ignored, with one warning', () => {
    const warnings: string[] = [];
    expect(configuredUpiVpa({ dataDir: dir }, { MYMEDIC_UPI_VPA: 'pay me' }, (m) => warnings.push(m))).toBeNull();
    expect(configuredUpiVpa({ dataDir: dir }, { MYMEDIC_UPI_VPA: 'pay me' }, (m) => warnings.push(m))).toBeNull();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('not a UPI ID');
  });
});
