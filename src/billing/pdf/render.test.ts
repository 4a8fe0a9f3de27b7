// Printed documents read back with tools somebody else wrote: poppler (pdftotext, pdfinfo,
// pdftoppm), qpdf and zbar. The documents here are plain data; test/http/receipts.test.ts
// prints them from a real server.
import { afterAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fontkit from '@pdf-lib/fontkit';
import { publicFiles } from '../../generated/embedded';
import { computeLine, documentType, type LineInput, totalsOf } from '../money';
import { pdfFileName } from '../receipt-routes';
import type { InvoiceSummary, PaidBy, PrintedDocument } from './documents';
import { documentFonts, splitRuns } from './fonts';
import { localDateTime, methodText, placeOfSupply, renderDocument, upiLinkFor } from './render';
import { closeOverComponents, readFontFile, subsetRetainingIds } from './truetype';

const dir = mkdtempSync(join(tmpdir(), 'mymedic-pdf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function tool(cmd: string[]): { code: number; out: string } {
  const p = Bun.spawnSync(cmd, { stdout: 'pipe', stderr: 'pipe' });
  return { code: p.exitCode, out: p.stdout.toString() };
}
let n = 0;
function save(pdf: Uint8Array): string {
  const f = join(dir, `doc-${++n}.pdf`);
  writeFileSync(f, pdf);
  return f;
}
const text = (f: string) => tool(['pdftotext', '-layout', f, '-']).out;
const pageSizes = (f: string) => [...tool(['pdfinfo', '-f', '1', '-l', '99', f]).out.matchAll(/Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts/g)].map((m) => [Number(m[1]), Number(m[2])]);

const letterhead = { clinicName: 'Sunrise Clinic', branchName: 'Indiranagar', address: '12, 100 Feet Road, Bengaluru 560038', phone: '080 4123 4567', gstin: '29ABCDE1234F1Z5', timezone: 'Asia/Kolkata' };
const lines = (inputs: LineInput[]) => inputs.map(computeLine);
const billLines = lines([
  { item_code: 'CONS', description: 'Consultation', qty: 1, unit_price: 50000, tax_rate: 0, sac_hsn: '999312' },
  { item_code: 'DRESS', description: 'Wound dressing', qty: 2, unit_price: 20000, tax_rate: 18, sac_hsn: '999319', discount: 5000, discount_reason: 'senior citizen' },
]);
const paid = (over: Partial<PaidBy>): PaidBy => ({
  receiptNumber: 'BLR1/26-27/00001', kind: 'balance', method: 'cash', reference: null, upiVpa: null, cardLast4: null, cardAuthCode: null, gateway: null,
  amount: 10000, refunded: 0, at: '2026-12-01T05:00:00.000Z', ...over,
});
function invoice(payments: PaidBy[]): InvoiceSummary {
  const totals = totalsOf(billLines);
  const p = payments.reduce((s, x) => s + x.amount - x.refunded, 0);
  return { number: 'BLR1/I2627/00001', documentType: documentType(billLines), title: 'Invoice-cum-Bill of Supply', issuedAt: '2026-12-01T05:00:00.000Z', lines: billLines, totals, total: totals.total, credited: 0, payments, paid: p, balance: totals.total - p };
}
function receipt(patientName: string): PrintedDocument {
  const deposit = paid({ kind: 'deposit', amount: 10000 });
  const upi = paid({ receiptNumber: 'BLR1/26-27/00002', method: 'upi', reference: '412345678901', upiVpa: 'ram@okaxis', amount: 30000 });
  const inv = invoice([deposit, upi]);
  return {
    kind: 'receipt', number: upi.receiptNumber, at: upi.at, letterhead, party: { patientName, mrn: 'BLR1-000042', doctor: 'Dr Kavitha Rao' },
    payment: upi, appointment: null, invoice: inv, balanceNow: inv.balance,
  };
}
const UPI = { vpa: 'sunrise.clinic@okicici', payeeName: 'Sunrise Clinic' };
const printedAt = new Date('2026-12-01T05:30:00Z');

describe('fonts', () => {
  test('text is split into runs per font; marks, joiners and spaces stay in their run', async () => {
    const fonts = await documentFonts();
    const runs = (s: string) => splitRuns(s, fonts.regular).map((r) => [r.face.name, r.text]);
    expect(runs('राम कुमार')).toEqual([['NotoSansDevanagari-Regular', 'राम कुमार']]);
    expect(runs('₹1,234.50')).toEqual([['NotoSansDevanagari-Regular', '₹'], ['NotoSans-Regular', '1,234.50']]);
    expect(runs('Dr. किशोर (MRN 7)')).toEqual([['NotoSans-Regular', 'Dr. '], ['NotoSansDevanagari-Regular', 'किशोर '], ['NotoSans-Regular', '(MRN 7)']]);
    expect(runs('Łukasz Zoë')).toEqual([['NotoSans-Regular-LatinExt', 'Ł'], ['NotoSans-Regular', 'ukasz Zoë']]);
  });

  test('the embedded fonts are the @fontsource files they say they are', () => {
    const pairs: [string, string][] = [
      ['fonts/noto-sans-latin-400.woff', '@fontsource/noto-sans/files/noto-sans-latin-400-normal.woff'],
      ['fonts/noto-sans-latin-700.woff', '@fontsource/noto-sans/files/noto-sans-latin-700-normal.woff'],
      ['fonts/noto-sans-latin-ext-400.woff', '@fontsource/noto-sans/files/noto-sans-latin-ext-400-normal.woff'],
      ['fonts/noto-sans-latin-ext-700.woff', '@fontsource/noto-sans/files/noto-sans-latin-ext-700-normal.woff'],
      ['fonts/noto-sans-devanagari-400.woff', '@fontsource/noto-sans-devanagari/files/noto-sans-devanagari-devanagari-400-normal.woff'],
      ['fonts/noto-sans-devanagari-700.woff', '@fontsource/noto-sans-devanagari/files/noto-sans-devanagari-devanagari-700-normal.woff'],
    ];
    for (const [embedded, npm] of pairs) {
      expect(Bun.hash(readFileSync(publicFiles[embedded]))).toBe(Bun.hash(readFileSync(Bun.resolveSync(npm, import.meta.dir))));
    }
  });

  test('a subset keeps glyph ids, the outlines used (and their components) and nothing else', async () => {
    const face = (await documentFonts()).regular[1];
    const f = face.sfnt;
    const g = new DataView(f.tables.get('glyf')!.buffer, f.tables.get('glyf')!.byteOffset);
    const composite = Array.from({ length: f.numGlyphs }, (_, i) => i).find((i) => f.loca[i + 1] - f.loca[i] >= 10 && g.getInt16(f.loca[i]) < 0);
    const used = [56, 82, ...(composite === undefined ? [] : [composite])];
    const keep = closeOverComponents(f, used);
    if (composite !== undefined) expect(keep.length).toBeGreaterThan(used.length + 1);
    const ttf = subsetRetainingIds(f, used);
    const sub = readFontFile(ttf);
    expect(sub.numGlyphs).toBe(f.numGlyphs);
    for (let gid = 0; gid < f.numGlyphs; gid++) {
      const size = sub.loca[gid + 1] - sub.loca[gid];
      if (keep.includes(gid)) expect(size).toBe((f.loca[gid + 1] - f.loca[gid] + 3) & ~3);
      else expect(size).toBe(0);
    }
    // An independent parser reads the same outline for a kept glyph.
    const a = fontkit.create(ttf).getGlyph(56).path.toSVG();
    expect(a).toBe(face.fk.getGlyph(56).path.toSVG());
    expect(a.length).toBeGreaterThan(20);
    expect(ttf.length).toBeLessThan(20_000);
  });
});

describe('receipts read back', () => {
  test('A5: names (Devanagari, with a vowel sign before its consonant), amounts, numbers, GSTIN; qpdf passes; the QR is the UPI link', async () => {
    const doc = receipt('किशोर क्षत्रिय');
    const f = save(await renderDocument(doc, { format: 'a5', copy: 1, printedAt, upi: UPI }));
    expect(tool(['qpdf', '--check', f]).code).toBe(0);
    expect(pageSizes(f)).toEqual([[419.53, 595.28]]);
    const t = text(f);
    for (const s of ['किशोर क्षत्रिय', 'BLR1/26-27/00002', 'BLR1/I2627/00001', 'GSTIN 29ABCDE1234F1Z5', '₹300.00', '₹513.00', '₹913.00', 'Rupees Three Hundred Only', 'ORIGINAL', 'Receipt', 'Dr Kavitha Rao', 'BLR1-000042', 'Ref 412345678901', '999319', '1 Dec 2026, 10:30 am IST']) {
      expect(t).toContain(s);
    }
    expect(t).not.toContain('DUPLICATE');
    const png = join(dir, `qr-${n}`);
    expect(tool(['pdftoppm', '-r', '150', '-png', f, png]).code).toBe(0);
    const qr = tool(['zbarimg', '--quiet', '--raw', `${png}-1.png`]);
    expect(qr.code).toBe(0);
    expect(qr.out.trim()).toBe('upi://pay?pa=sunrise.clinic@okicici&pn=Sunrise%20Clinic&am=513.00&cu=INR&tn=Bill%20BLR1%2FI2627%2F00001&tr=BLR1%2FI2627%2F00001');
    expect(qr.out.trim()).toBe(upiLinkFor(doc, UPI)!);
  });

  test('80 mm thermal: 226.77 pt wide, as tall as its content; a reprint says DUPLICATE', async () => {
    const f = save(await renderDocument(receipt('राम कुमार'), { format: 'thermal80', copy: 2, printedAt, upi: UPI }));
    expect(tool(['qpdf', '--check', f]).code).toBe(0);
    const [[w, h]] = pageSizes(f);
    expect(w).toBeCloseTo(226.77, 1); // 80 mm
    expect(h).toBeGreaterThan(400);
    expect(h).toBeLessThan(1400);
    const t = text(f);
    expect(t).toContain('DUPLICATE');
    expect(t).toContain('राम कुमार');
    expect(t).toContain('Reprint · copy 2');
  });

  test('no UPI ID configured, or nothing due: no QR code', async () => {
    const doc = receipt('Asha Rao');
    expect(upiLinkFor(doc, null)).toBeNull();
    expect(upiLinkFor({ ...doc, balanceNow: 0 } as PrintedDocument, UPI)).toBeNull();
    const f = save(await renderDocument(doc, { format: 'a5', copy: 1, printedAt, upi: null }));
    const png = join(dir, `noqr-${n}`);
    tool(['pdftoppm', '-r', '150', '-png', f, png]);
    expect(tool(['zbarimg', '--quiet', '--raw', `${png}-1.png`]).code).toBe(4); // zbar: no symbol found
    expect(text(f)).not.toContain('Scan to pay');
  });

  test('a long A4 invoice flows onto more pages, each with its page number', async () => {
    const many = lines(Array.from({ length: 90 }, (_, i) => ({ item_code: `L${i}`, description: `Laboratory test number ${i + 1} with a fairly long name`, qty: 1 + (i % 3), unit_price: 12345 + i, tax_rate: i % 2 ? 18 : 0, sac_hsn: '999316' })));
    const totals = totalsOf(many);
    const doc: PrintedDocument = {
      kind: 'invoice', number: 'BLR1/I2627/00099', at: '2026-12-01T05:00:00.000Z', letterhead, party: { patientName: 'सीता शर्मा', mrn: 'BLR1-000007', doctor: null },
      invoice: { number: 'BLR1/I2627/00099', documentType: documentType(many), title: 'Invoice-cum-Bill of Supply', issuedAt: '2026-12-01T05:00:00.000Z', lines: many, totals, total: totals.total, credited: 0, payments: [], paid: 0, balance: totals.total },
      balanceNow: totals.total,
    };
    const f = save(await renderDocument(doc, { format: 'a4', copy: 1, printedAt, upi: UPI }));
    expect(tool(['qpdf', '--check', f]).code).toBe(0);
    const sizes = pageSizes(f);
    expect(sizes.length).toBeGreaterThan(1);
    const t = text(f);
    expect(t).toContain(`Page ${sizes.length} of ${sizes.length}`);
    expect(t).toContain('(continued)');
    expect(t).toContain('Laboratory test number 90');
    expect(t).toContain('Place of supply');
    expect(t.match(/SAC\/HSN/g)!.length).toBe(sizes.length); // the table's header on every page
  });

  test('a script the fonts lack (Tamil) still prints; the rest of the document is intact', async () => {
    const f = save(await renderDocument(receipt('முருகன்'), { format: 'thermal80', copy: 1, printedAt, upi: null }));
    expect(tool(['qpdf', '--check', f]).code).toBe(0);
    expect(text(f)).toContain('BLR1/26-27/00002');
  });
});

test.each([
  [{ method: 'cash' }, 'Cash'],
  [{ method: 'upi', reference: '412345678901', upiVpa: 'asha@okaxis' }, 'UPI · Ref 412345678901 · asha@okaxis'],
  [{ method: 'upi', reference: '412345678901' }, 'UPI · Ref 412345678901'],
  [{ method: 'card', cardLast4: '4242', cardAuthCode: 'A1B2C3' }, 'Card ending 4242 · Auth A1B2C3'],
  [{ method: 'online', gateway: 'razorpay', reference: 'pay_29QQoUBi66xm2f' }, 'Online (Razorpay) · Ref pay_29QQoUBi66xm2f'],
] as const)('paid by %p prints as %p', (p, s) => expect(methodText(paid(p as Partial<PaidBy>))).toBe(s));

test('times print in the branch zone', () => {
  expect(localDateTime('2026-12-01T05:00:00Z', 'Asia/Kolkata')).toBe('1 Dec 2026, 10:30 am IST');
  expect(localDateTime('2026-07-01T12:00:00Z', 'Europe/London')).toBe('1 Jul 2026, 1:00 pm GMT+1');
});

test('place of supply from the GSTIN state code', () => {
  expect(placeOfSupply('29ABCDE1234F1Z5')).toBe('Karnataka (29)');
  expect(placeOfSupply('27ABCDE1234F1Z5')).toBe('Maharashtra (27)');
  expect(placeOfSupply(null)).toBeNull();
  expect(placeOfSupply('99XXXXX')).toBeNull();
});

test('file names from document numbers', () => {
  expect(pdfFileName('receipt', 'BLR1/26-27/00123')).toBe('receipt-BLR1-26-27-00123.pdf');
  expect(pdfFileName('invoice', 'BLR1/I2627/00001')).toBe('invoice-BLR1-I2627-00001.pdf');
});
