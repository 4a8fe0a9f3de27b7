// Printed receipts, refund vouchers and invoices through a real server, read back with tools
// somebody else wrote: pdftotext and pdfinfo (poppler), qpdf, and zbarimg for the UPI QR.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as B from '../../src/billing/commands';
import { verify } from '../../src/core/verify';
import { allProjections } from '../../src/kernel';
import { changeBranch } from '../../src/org/commands';
import { registerPatient } from '../../src/patients/commands';
import { billingFixture, type BillingFixture } from './billing-fixture';

const VPA = 'sunrise.clinic@okicici';
let f: BillingFixture;
let dir: string;
let savedVpa: string | undefined;
const ids = { deposit: '', invoice: '', upiPayment: '', cardDeposit: '', refund: '', otherBranchPayment: '', parallel: '' };

beforeAll(async () => {
  savedVpa = process.env.MYMEDIC_UPI_VPA;
  process.env.MYMEDIC_UPI_VPA = VPA;
  dir = mkdtempSync(join(tmpdir(), 'mymedic-receipts-'));
  f = await billingFixture('2026-12-01T03:00:00Z'); // 08:30 IST
  const { run, ownerScope: scope } = f;
  run((tx) => changeBranch(tx, f.s.branchId, { address: '12, 100 Feet Road, Indiranagar, Bengaluru 560038', phone: '080 4123 4567', gstin: '29ABCDE1234F1Z5' }));
  run((tx) => B.setPrice(tx, scope, { item_code: 'CONS', name: 'Consultation', kind: 'consultation', sac_hsn: '999312', unit_price: 50000, tax_rate: 0 }));
  run((tx) => B.setPrice(tx, scope, { item_code: 'DRESS', name: 'Wound dressing', kind: 'procedure', sac_hsn: '999319', unit_price: 20000, tax_rate: 18 }));

  // राम कुमार: ₹100 deposit at booking, a bill of ₹736 (₹500 exempt + ₹200 at 18%), ₹336 by UPI: ₹300 due.
  const ram = f.addPatient('राम कुमार');
  const visit = f.book('2026-12-01T10:30:00+05:30', 'in_person', ram);
  ids.deposit = run((tx) => B.recordPayment(tx, scope, { appointment_id: visit, amount: 10000, method: 'cash' }));
  ids.invoice = run((tx) => B.issueInvoice(tx, scope, { patient_id: ram, appointment_id: visit, lines: [{ item_code: 'CONS', qty: 1 }, { item_code: 'DRESS', qty: 1 }] }));
  ids.upiPayment = run((tx) => B.recordPayment(tx, scope, { invoice_id: ids.invoice, amount: 33600, method: 'upi', reference: '412345678901', upi_vpa: 'ram@okaxis' }));

  // किशोर (a vowel sign drawn before its consonant): a card deposit, refunded.
  const kishor = f.addPatient('किशोर');
  const kVisit = f.book('2026-12-02T11:00:00+05:30', 'in_person', kishor);
  ids.cardDeposit = run((tx) => B.recordPayment(tx, scope, { appointment_id: kVisit, amount: 10000, method: 'card', card_last4: '4242', card_auth_code: 'A1B2C3' }));
  ids.refund = run((tx) => B.refundPayment(tx, scope, { payment_id: ids.cardDeposit, amount: 10000, reason: 'Doctor on leave; visit cancelled' }));

  // Another branch's payment.
  const other = f.s.addBranch('MYS1', 'Mysuru');
  const otherScope = { ...scope, branchId: other, branchIds: [other] };
  const otherPatient = run((tx) => registerPatient(tx, otherScope, { name: 'Other Branch Patient', phone: '9845099999', sex: 'male', age_years: 50 }), otherScope).patient.id;
  const otherInvoice = run((tx) => B.issueInvoice(tx, otherScope, { patient_id: otherPatient, lines: [{ item_code: 'X', description: 'Consultation', qty: 1, unit_price: 40000, tax_rate: 0 }] }), otherScope);
  ids.otherBranchPayment = run((tx) => B.recordPayment(tx, otherScope, { invoice_id: otherInvoice, amount: 10000, method: 'cash' }), otherScope);

  const asha = f.addPatient('Asha Rao');
  const ashaInvoice = run((tx) => B.issueInvoice(tx, scope, { patient_id: asha, lines: [{ item_code: 'CONS', qty: 1 }] }));
  ids.parallel = run((tx) => B.recordPayment(tx, scope, { invoice_id: ashaInvoice, amount: 50000, method: 'cash' }));
});

afterAll(async () => {
  if (savedVpa === undefined) delete process.env.MYMEDIC_UPI_VPA;
  else process.env.MYMEDIC_UPI_VPA = savedVpa;
  await f?.s.stop();
  rmSync(dir, { recursive: true, force: true });
});

function tool(cmd: string[]): { code: number; out: string } {
  const p = Bun.spawnSync(cmd, { stdout: 'pipe', stderr: 'pipe' });
  return { code: p.exitCode, out: p.stdout.toString() };
}

interface Printed {
  res: Response;
  file: string;
  text: string;
}
let n = 0;
async function print(path: string, key = f.keys.owner): Promise<Printed> {
  const res = await f.s.api(path, { token: key });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/pdf');
  const file = join(dir, `print-${++n}.pdf`);
  writeFileSync(file, new Uint8Array(await res.arrayBuffer()));
  expect(tool(['qpdf', '--check', file]).code).toBe(0);
  return { res, file, text: tool(['pdftotext', '-layout', file, '-']).out };
}
/** The QR code's payload, or null when the page has none. */
function qrOf(file: string): string | null {
  const png = join(dir, `qr-${++n}`);
  expect(tool(['pdftoppm', '-r', '150', '-png', '-f', '1', '-l', '1', file, png]).code).toBe(0);
  const r = tool(['zbarimg', '--quiet', '--raw', `${png}-1.png`]);
  if (r.code === 4) return null; // zbar: no symbol found
  expect(r.code).toBe(0);
  return r.out.trim();
}
const pageSize = (file: string) => {
  const m = /Page size:\s+([\d.]+) x ([\d.]+) pts/.exec(tool(['pdfinfo', file]).out)!;
  return [Number(m[1]), Number(m[2])];
};
const printEvents = () => f.s.svc.kernel.db.query(`SELECT count(*) AS n FROM events WHERE type = 'receipt.printed'`).get() as { n: number };
const printCount = (paymentId: string) => (f.s.svc.kernel.db.query('SELECT print_count AS n FROM payments WHERE id = ?').get(paymentId) as { n: number }).n;
const BALANCE_LINK = `upi://pay?pa=${VPA}&pn=Sunrise%20Clinic&am=300.00&cu=INR&tn=Bill%20BLR1%2FI2627%2F00001&tr=BLR1%2FI2627%2F00001`;

describe('a payment receipt', () => {
  test('A5 by default: patient (Devanagari), amounts in ₹, receipt number, GSTIN read back; ORIGINAL; the QR pays exactly the balance', async () => {
    const before = printEvents().n;
    const p = await print(`/api/v1/payments/${ids.upiPayment}/receipt.pdf`);
    expect(p.res.headers.get('content-disposition')).toBe('inline; filename="receipt-BLR1-26-27-00002.pdf"');
    expect(p.res.headers.get('cache-control')).toBe('no-store');
    expect(pageSize(p.file)).toEqual([419.53, 595.28]);
    for (const s of ['Sunrise Clinic', 'Receipt', 'राम कुमार', 'BLR1/26-27/00002', 'GSTIN 29ABCDE1234F1Z5', 'Phone 080 4123 4567', '₹336.00', '₹736.00', '₹300.00', 'Rupees Three Hundred Thirty-Six Only', 'UPI · Ref 412345678901', 'BLR1/I2627/00001', 'Dr Rao', 'BLR1-000002', '999312', '999319', '1 Dec 2026, 8:30 am IST', 'ORIGINAL']) {
      expect(p.text).toContain(s);
    }
    expect(p.text).toMatch(/Balance due\s+₹300\.00/);
    expect(p.text).not.toContain('DUPLICATE');
    expect(qrOf(p.file)).toBe(BALANCE_LINK);
    expect(printEvents().n).toBe(before + 1);
    expect(printCount(ids.upiPayment)).toBe(1);
  });

  test('every later print says DUPLICATE', async () => {
    const p = await print(`/api/v1/payments/${ids.upiPayment}/receipt.pdf`);
    expect(p.res.headers.get('x-print-copy')).toBe('2');
    expect(p.text).toContain('DUPLICATE');
    expect(p.text).not.toContain('ORIGINAL');
    expect(p.text).toContain('reprint, copy 2');
    expect(printCount(ids.upiPayment)).toBe(2);
  });

  test('80 mm thermal: the page is 80 mm wide and as tall as the receipt; same text and QR', async () => {
    const p = await print(`/api/v1/payments/${ids.upiPayment}/receipt.pdf?format=thermal80`);
    const [w, h] = pageSize(p.file);
    expect(w).toBeCloseTo((80 / 25.4) * 72, 1); // 226.77 pt
    expect(h).toBeGreaterThan(300);
    expect(h).toBeLessThan(1500);
    for (const s of ['राम कुमार', 'BLR1/26-27/00002', '₹336.00', '₹300.00', 'GSTIN 29ABCDE1234F1Z5', 'DUPLICATE']) expect(p.text).toContain(s);
    expect(qrOf(p.file)).toBe(BALANCE_LINK);
  });

  test('a deposit receipt: what it was for, no bill and so no QR', async () => {
    const p = await print(`/api/v1/payments/${ids.deposit}/receipt.pdf?format=thermal80`);
    const flat = p.text.replace(/\s+/g, ' ');
    for (const s of ['BLR1/26-27/00001', '₹100.00', 'राम कुमार', 'as a deposit for the consultation on 1 Dec 2026, 10:30 am IST with Dr Rao', 'Paid by Cash', 'ORIGINAL']) expect(flat).toContain(s);
    expect(qrOf(p.file)).toBeNull();
  });

  test('parallel prints of one receipt get copies 1, 2, 3…: one ORIGINAL only', async () => {
    const prints = await Promise.all(Array.from({ length: 6 }, () => print(`/api/v1/payments/${ids.parallel}/receipt.pdf`)));
    expect(prints.map((p) => Number(p.res.headers.get('x-print-copy'))).sort()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(prints.filter((p) => p.text.includes('ORIGINAL')).length).toBe(1);
    expect(prints.filter((p) => p.text.includes('DUPLICATE')).length).toBe(5);
    expect(printCount(ids.parallel)).toBe(6);
  });

  test('without a configured UPI ID the bill prints without a QR code', async () => {
    delete process.env.MYMEDIC_UPI_VPA;
    try {
      const p = await print(`/api/v1/payments/${ids.upiPayment}/receipt.pdf`);
      expect(p.text).not.toContain('Scan to pay');
      expect(qrOf(p.file)).toBeNull();
    } finally {
      process.env.MYMEDIC_UPI_VPA = VPA;
    }
  });
});

describe('a refund voucher', () => {
  test('किशोर (vowel sign before its consonant) extracts in logical order; refund number, amount, method, reason', async () => {
    const p = await print(`/api/v1/refunds/${ids.refund}/receipt.pdf`);
    expect(p.res.headers.get('content-disposition')).toBe('inline; filename="refund-BLR1-R2627-00001.pdf"');
    for (const s of ['Refund voucher', 'BLR1/R2627/00001', 'किशोर', '₹100.00', 'Card ending 4242 · Auth A1B2C3', 'Doctor on leave; visit cancelled', 'Against receipt', 'BLR1/26-27/00003', 'ORIGINAL']) {
      expect(p.text).toContain(s);
    }
    expect(p.text).not.toContain('िक'); // the visual order, which ActualText replaces
    expect(qrOf(p.file)).toBeNull();
  });
});

describe('an invoice', () => {
  test('A4 by default: the document title by type, lines with SAC and GST split, amount in words, the QR for the balance', async () => {
    const p = await print(`/api/v1/invoices/${ids.invoice}/invoice.pdf`);
    expect(p.res.headers.get('content-disposition')).toBe('inline; filename="invoice-BLR1-I2627-00001.pdf"');
    expect(pageSize(p.file)).toEqual([595.28, 841.89]);
    for (const s of ['Invoice-cum-Bill of Supply', 'ORIGINAL FOR RECIPIENT', 'BLR1/I2627/00001', 'Place of supply', 'Karnataka (29)', 'राम कुमार', '999312', '999319', 'Exempt', '18%', '18.00', '₹736.00', '₹436.00', 'Rupees Seven Hundred Thirty-Six Only', 'Authorised signatory']) {
      expect(p.text).toContain(s);
    }
    expect(p.text).toMatch(/Consultation\s+999312\s+1\s+500\.00/);
    expect(p.text).toMatch(/Wound dressing\s+999319\s+1\s+200\.00\s+–\s+200\.00\s+18%\s+18\.00\s+18\.00\s+236\.00/);
    expect(qrOf(p.file)).toBe(BALANCE_LINK);
  });

  test('A5 and thermal too; an unknown format is a 400 and no print is recorded', async () => {
    expect(pageSize((await print(`/api/v1/invoices/${ids.invoice}/invoice.pdf?format=a5`)).file)).toEqual([419.53, 595.28]);
    expect(pageSize((await print(`/api/v1/invoices/${ids.invoice}/invoice.pdf?format=thermal80`)).file)[0]).toBeCloseTo(226.77, 1);
    const before = f.s.eventCount();
    const r = await f.call<{ error: { code: string } }>('GET', `/api/v1/invoices/${ids.invoice}/invoice.pdf?format=letter`);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('invalid_format');
    expect(f.s.eventCount()).toBe(before);
  });
});

describe('who may print what', () => {
  test("another branch's payment, refund or invoice is not found (404) and nothing is recorded", async () => {
    const before = f.s.eventCount();
    for (const key of [f.keys.owner, f.keys.front_desk]) {
      const r = await f.call<{ error: { code: string } }>('GET', `/api/v1/payments/${ids.otherBranchPayment}/receipt.pdf`, { key });
      expect(r.status).toBe(404);
    }
    expect((await f.call('GET', `/api/v1/payments/not-an-id/receipt.pdf`)).status).toBe(404);
    expect((await f.call('GET', `/api/v1/refunds/${ids.upiPayment}/receipt.pdf`)).status).toBe(404); // a payment id is no refund
    expect((await f.call('GET', `/api/v1/invoices/${ids.upiPayment}/invoice.pdf`)).status).toBe(404);
    expect(f.s.eventCount()).toBe(before);
  });

  test('billing.read roles print; others are refused (403); no token is 401', async () => {
    for (const key of [f.keys.front_desk, f.keys.billing, f.keys.doctor, f.keys.admin]) {
      expect((await f.s.api(`/api/v1/payments/${ids.deposit}/receipt.pdf?format=thermal80`, { token: key })).status).toBe(200);
    }
    const lab = await f.addStaff('lata', 'lab');
    expect((await f.call('GET', `/api/v1/payments/${ids.deposit}/receipt.pdf`, { key: lab.key })).status).toBe(403);
    expect((await fetch(`${f.s.url}/api/v1/payments/${ids.deposit}/receipt.pdf`)).status).toBe(401);
  });
});

test('prints are events: a rebuild from the log gives the same read tables', () => {
  const k = f.s.svc.kernel;
  expect(verify(k.db, k.file, allProjections).ok).toBe(true);
});
