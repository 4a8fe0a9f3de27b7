import { expect, test } from 'bun:test';
import { formatInr } from '../money';
import { numberInWords, rupeesInWords } from './words';

test.each([
  [0, 'Zero'],
  [7, 'Seven'],
  [15, 'Fifteen'],
  [40, 'Forty'],
  [99, 'Ninety-Nine'],
  [100, 'One Hundred'],
  [736, 'Seven Hundred Thirty-Six'],
  [1000, 'One Thousand'],
  [1363, 'One Thousand Three Hundred Sixty-Three'],
  [20_005, 'Twenty Thousand Five'],
  [99_999, 'Ninety-Nine Thousand Nine Hundred Ninety-Nine'],
  [1_00_000, 'One Lakh'],
  [1_23_456, 'One Lakh Twenty-Three Thousand Four Hundred Fifty-Six'],
  [10_00_000, 'Ten Lakh'],
  [1_00_00_000, 'One Crore'],
  [12_34_56_789, 'Twelve Crore Thirty-Four Lakh Fifty-Six Thousand Seven Hundred Eighty-Nine'],
  [1_00_00_00_000, 'One Hundred Crore'],
])('%p in words (Indian system) is %p', (n, words) => expect(numberInWords(n)).toBe(words));

test.each([
  [73600, 'Rupees Seven Hundred Thirty-Six Only'],
  [12345678, 'Rupees One Lakh Twenty-Three Thousand Four Hundred Fifty-Six and Seventy-Eight Paise Only'],
  [5, 'Rupees Zero and Five Paise Only'],
  [-5000, 'Minus Rupees Fifty Only'],
])('%p paise: %p', (paise, words) => expect(rupeesInWords(paise)).toBe(words));

test('whole numbers only', () => {
  expect(() => numberInWords(1.5)).toThrow();
  expect(() => numberInWords(-1)).toThrow();
});

// The amounts printed on receipts come from formatInr: Indian grouping, two decimals, the ₹ sign.
test.each([
  [0, '₹0.00'],
  [5, '₹0.05'],
  [73600, '₹736.00'],
  [136300, '₹1,363.00'],
  [12345678, '₹1,23,456.78'],
  [1234567890, '₹1,23,45,678.90'],
  [-5000, '-₹50.00'],
])('formatInr(%p) = %p', (paise, s) => expect(formatInr(paise)).toBe(s));

test('amounts in table cells carry no sign', () => expect(formatInr(12345678, '')).toBe('1,23,456.78'));
