// The daily collection report and its downloads, read back by tools we did not write:
// Python's csv module parses the CSV (RFC 4180: names with commas and quotes, Devanagari,
// the UTF-8 BOM) and openpyxl opens the XLSX; the totals by method, doctor and user agree.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as B from '../../src/billing/commands';
import { collectionReport, csvField, rupeesText, safeText } from '../../src/billing/reports';
import { fixedClock } from '../../src/core/clock';
import { type Tx, systemActor } from '../../src/core/runner';
import { actorOf, type Scope } from '../../src/core/scope';
import { createUser } from '../../src/org/commands';
import { registerPatient } from '../../src/patients/commands';
import * as S from '../../src/scheduling/commands';
import { FAKE_HASH } from '../helpers/kernel';
import { startServer, type TestServer } from '../helpers/server';

const PYTHON = '/usr/bin/python3';

/** 10:00 IST on the day that keeps the pinned clock within 11 hours of the real one (tokens stay valid). */
function clinicMorning(): string {
  const real = Date.now();
  const at = new Date(real);
  at.setUTCHours(4, 30, 0, 0);
  while (at.getTime() < real - 11 * 3600_000) at.setUTCDate(at.getUTCDate() + 1);
  while (at.getTime() > real + 13 * 3600_000) at.setUTCDate(at.getUTCDate() - 1);
  return at.toISOString();
}

const DOCTOR_A = 'Rao, Kavya "KR"';
const DOCTOR_B = 'डॉ. राम कुमार';
const DESK = 'Shetty, Priya';
const PATIENT_C = '=HYPERLINK("http://x")';

let server: TestServer;
let dir: string;
const clock = fixedClock(clinicMorning());
const today = new Date(clock.now().getTime() + 5.5 * 3600_000).toISOString().slice(0, 10);

function python(script: string, ...args: string[]): unknown {
  const p = Bun.spawnSync([PYTHON, '-c', script, ...args], { stdout: 'pipe', stderr: 'pipe' });
  if (p.exitCode !== 0) throw new Error(`python failed: ${p.stderr.toString()}`);
  return JSON.parse(p.stdout.toString());
}

beforeAll(async () => {
  server = await startServer({ clock });
  dir = mkdtempSync(join(tmpdir(), 'mymedic-reports-'));
  const owner: Scope = { userId: server.ownerId, username: 'owner', name: 'Olivia Owner', role: 'owner', branchId: server.branchId, branchIds: [server.branchId], sessionId: 's', via: 'bearer' };
  const k = server.svc.kernel;
  const deskId = k.runner.run({ actor: systemActor('cli') }, (tx) => createUser(tx, { username: 'priya', name: DESK, role: 'front_desk', branchIds: [server.branchId], passwordHash: FAKE_HASH }));
  const desk: Scope = { ...owner, userId: deskId, username: 'priya', name: DESK, role: 'front_desk' };
  const as = <R>(s: Scope, fn: (tx: Tx) => R): R => k.runner.run({ actor: actorOf(s) }, fn);

  const p1 = as(owner, (tx) => registerPatient(tx, owner, { name: 'Kumar, Ravi', phone: '9845012345', sex: 'male', age_years: 40 })).patient.id;
  const p2 = as(owner, (tx) => registerPatient(tx, owner, { name: 'सीता "Sita" देवी', phone: '9845012346', sex: 'female', age_years: 35 })).patient.id;
  const p3 = as(owner, (tx) => registerPatient(tx, owner, { name: PATIENT_C, phone: '9845012347', sex: 'other', age_years: 20 })).patient.id;
  const doctor = (name: string, fee: number) => {
    const id = as(owner, (tx) => S.registerDoctor(tx, owner, { name, specialty: 'General medicine', registration_number: `KMC ${fee}`, slot_minutes: 15, fee: { amount: fee, currency: 'INR' } }));
    as(owner, (tx) => S.setAvailability(tx, owner, id, [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '09:00', end: '18:00' })), []));
    return id;
  };
  const a = doctor(DOCTOR_A, 50000);
  const b = doctor(DOCTOR_B, 80000);
  as(owner, (tx) => B.setPrice(tx, owner, { item_code: 'CONS-A', name: 'Consultation A', kind: 'consultation', unit_price: 50000, tax_rate: 0, doctor_id: a }));
  as(owner, (tx) => B.setPrice(tx, owner, { item_code: 'CONS-B', name: 'Consultation B', kind: 'consultation', unit_price: 80000, tax_rate: 0, doctor_id: b }));
  as(owner, (tx) => B.setPrice(tx, owner, { item_code: 'DRESS', name: 'Dressing', kind: 'procedure', unit_price: 20000, tax_rate: 18 }));
  as(owner, (tx) => B.setPrice(tx, owner, { item_code: 'LAB', name: 'Blood test', kind: 'lab', unit_price: 35000, tax_rate: 5 }));
  const start = (hhmm: string) => new Date(`${today}T${hhmm}:00+05:30`).toISOString();

  // Doctor A: ₹100 cash deposit (owner); invoice ₹736; the desk takes ₹300 cash + ₹336 UPI; the owner refunds ₹50 of the UPI.
  const a1 = as(owner, (tx) => S.bookAppointment(tx, owner, { patient_id: p1, doctor_id: a, start: start('11:00'), mode: 'in_person' }));
  as(owner, (tx) => B.recordPayment(tx, owner, { appointment_id: a1, amount: 10000, method: 'cash' }));
  const i1 = as(desk, (tx) => B.issueInvoice(tx, desk, { patient_id: p1, appointment_id: a1, lines: [{ item_code: 'CONS-A', qty: 1 }, { item_code: 'DRESS', qty: 1 }] }));
  as(desk, (tx) => B.recordPayment(tx, desk, { invoice_id: i1, amount: 30000, method: 'cash' }));
  const upi = as(desk, (tx) => B.recordPayment(tx, desk, { invoice_id: i1, amount: 33600, method: 'upi', reference: '412345678901' }));
  as(owner, (tx) => B.refundPayment(tx, owner, { payment_id: upi, amount: 5000, reason: 'dressing, partly' }));
  // Doctor B (tele): the full ₹800 by UPI at booking (owner); the invoice applies it.
  const a2 = as(owner, (tx) => S.bookAppointment(tx, owner, { patient_id: p2, doctor_id: b, start: start('12:00'), mode: 'tele' }));
  as(owner, (tx) => B.recordPayment(tx, owner, { appointment_id: a2, amount: 80000, method: 'upi', reference: '412345678902' }));
  as(owner, (tx) => B.issueInvoice(tx, owner, { patient_id: p2, appointment_id: a2, lines: [{ item_code: 'CONS-B', qty: 1 }] }));
  // No doctor: a lab test, ₹350 + 5% GST = ₹367.50 by card at the desk.
  const i3 = as(desk, (tx) => B.issueInvoice(tx, desk, { patient_id: p3, lines: [{ item_code: 'LAB', qty: 1 }] }));
  as(desk, (tx) => B.recordPayment(tx, desk, { invoice_id: i3, amount: 36750, method: 'card', card_last4: '4242' }));
});
afterAll(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the collection report', () => {
  test('totals by method, doctor and user agree, net of refunds', () => {
    const r = collectionReport(server.svc.kernel.db, server.branchId, today);
    expect(r.byMethod.map((m) => [m.method, m.receipts, m.collected, m.refunded, m.net])).toEqual([
      ['cash', 2, 40000, 0, 40000],
      ['upi', 2, 113600, 5000, 108600],
      ['card', 1, 36750, 0, 36750],
      ['online', 0, 0, 0, 0],
    ]);
    expect(r.byDoctor.map((d) => [d.name, d.cash, d.upi, d.card, d.total])).toEqual([
      [DOCTOR_A, 40000, 28600, 0, 68600],
      [DOCTOR_B, 0, 80000, 0, 80000],
      ['No doctor', 0, 0, 36750, 36750],
    ]);
    expect(r.byUser.map((u) => [u.name, u.cash, u.upi, u.card, u.total, u.receipts, u.refunds])).toEqual([
      ['Olivia Owner', 10000, 75000, 0, 85000, 2, 1],
      [DESK, 30000, 33600, 36750, 100350, 3, 0],
    ]);
    expect(r.total.total).toBe(185350);
    expect(r.payments).toHaveLength(5);
  });

  test('the pieces: exact rupees, RFC 4180 fields, no formulas from names', () => {
    expect([rupeesText(185350), rupeesText(-5000), rupeesText(7), rupeesText(0)]).toEqual(['1853.50', '-50.00', '0.07', '0.00']);
    expect([csvField('plain'), csvField('a,b'), csvField('say "hi"'), csvField('two\r\nlines')]).toEqual(['plain', '"a,b"', '"say ""hi"""', '"two\r\nlines"']);
    expect([safeText('=1+1'), safeText('+91'), safeText('-x'), safeText('@a'), safeText('Asha')]).toEqual(["'=1+1", "'+91", "'-x", "'@a", 'Asha']);
  });

  test('the page shows the three tables and the download links', async () => {
    const res = await server.api(`/billing/reports?date=${today}`);
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).toContain(`href="/billing/reports/collections.csv?date=${today}"`);
    expect(body).toContain(`href="/billing/reports/collections.xlsx?date=${today}"`);
    expect(body).toContain('Rao, Kavya &quot;KR&quot;');
    expect(body).toContain('₹1,853.50');
    expect(body).not.toContain('<script>');
  });
});

describe('CSV, read back by Python’s csv module', () => {
  test('UTF-8 with a BOM, CRLF rows, quoted names, totals that add up', async () => {
    const res = await server.api(`/billing/reports/collections.csv?date=${today}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="collections-BLR1-${today}.csv"`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(bytes);
    expect(text).toContain('\r\n');
    const file = join(dir, 'collections.csv');
    writeFileSync(file, bytes);
    const rows = python(
      `import csv, json, sys\nwith open(sys.argv[1], newline='', encoding='utf-8-sig') as f:\n    print(json.dumps(list(csv.reader(f)), ensure_ascii=False))`,
      file,
    ) as string[][];
    expect(rows[0]).toEqual(['Section', 'Name', 'Cash (₹)', 'UPI (₹)', 'Card (₹)', 'Online (₹)', 'Total (₹)', 'Receipts', 'Refunds']);
    const body = rows.slice(1);
    expect(body).toEqual([
      ['Doctor', DOCTOR_A, '400.00', '286.00', '0.00', '0.00', '686.00', '3', '1'],
      ['Doctor', DOCTOR_B, '0.00', '800.00', '0.00', '0.00', '800.00', '1', '0'],
      ['Doctor', 'No doctor', '0.00', '0.00', '367.50', '0.00', '367.50', '1', '0'],
      ['User', 'Olivia Owner', '100.00', '750.00', '0.00', '0.00', '850.00', '2', '1'],
      ['User', DESK, '300.00', '336.00', '367.50', '0.00', '1003.50', '3', '0'],
      ['Branch total', 'All counters', '400.00', '1086.00', '367.50', '0.00', '1853.50', '5', '1'],
    ]);
    // Sum in paise from the digits: doctors and users each add up to the branch total.
    const paise = (s: string) => Number(s.replace('.', ''));
    for (const section of ['Doctor', 'User']) {
      for (let col = 2; col <= 6; col++) {
        const sum = body.filter((r) => r[0] === section).reduce((n, r) => n + paise(r[col]), 0);
        expect(sum).toBe(paise(body.at(-1)![col]));
      }
    }
  });

  test('the payments CSV carries Indian names intact and defuses formula-like ones', async () => {
    const res = await server.api(`/billing/reports/payments.csv?date=${today}`);
    expect(res.status).toBe(200);
    const file = join(dir, 'payments.csv');
    writeFileSync(file, new Uint8Array(await res.arrayBuffer()));
    const rows = python(
      `import csv, json, sys\nwith open(sys.argv[1], newline='', encoding='utf-8-sig') as f:\n    print(json.dumps(list(csv.DictReader(f)), ensure_ascii=False))`,
      file,
    ) as Record<string, string>[];
    expect(rows).toHaveLength(5);
    expect(rows.map((r) => r.Patient).sort()).toEqual([`'${PATIENT_C}`, 'Kumar, Ravi', 'Kumar, Ravi', 'Kumar, Ravi', 'सीता "Sita" देवी'].sort());
    expect(rows.find((r) => r.Method === 'Card')).toMatchObject({ 'Amount (₹)': '367.50', Doctor: '', 'Collected by': DESK });
    expect(rows.find((r) => r.Doctor === DOCTOR_B)).toMatchObject({ Kind: 'Deposit', 'Amount (₹)': '800.00', Method: 'UPI', Reference: '412345678902' });
    expect(rows.reduce((n, r) => n + Number(r['Amount (₹)'].replace('.', '')), 0)).toBe(190350); // collected, before the ₹50 refund
  });
});

describe('XLSX, read back by openpyxl', () => {
  test('a real workbook: numbers in rupees, the same totals', async () => {
    const res = await server.api(`/billing/reports/collections.xlsx?date=${today}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 2)]).toEqual([0x50, 0x4b]); // a zip
    const file = join(dir, 'collections.xlsx');
    writeFileSync(file, bytes);
    const book = python(
      [
        'import json, sys, openpyxl',
        'wb = openpyxl.load_workbook(sys.argv[1])',
        'out = {}',
        'for ws in wb.worksheets:',
        '    out[ws.title] = {"rows": [list(r) for r in ws.iter_rows(values_only=True)], "types": [[type(c.value).__name__ for c in r] for r in ws.iter_rows()], "data_types": [[c.data_type for c in r] for r in ws.iter_rows()], "formats": [[c.number_format for c in r] for r in ws.iter_rows(min_row=2)]}',
        'print(json.dumps(out, ensure_ascii=False))',
      ].join('\n'),
      file,
    ) as Record<string, { rows: (string | number | null)[][]; types: string[][]; data_types: string[][]; formats: string[][] }>;
    expect(Object.keys(book)).toEqual(['Summary', 'By method', 'Payments']);
    const summary = book.Summary;
    expect(summary.rows[0]).toEqual(['Section', 'Name', 'Cash (₹)', 'UPI (₹)', 'Card (₹)', 'Online (₹)', 'Total (₹)', 'Receipts', 'Refunds']);
    expect(summary.rows.slice(1)).toEqual([
      ['Doctor', DOCTOR_A, 400, 286, 0, 0, 686, 3, 1],
      ['Doctor', DOCTOR_B, 0, 800, 0, 0, 800, 1, 0],
      ['Doctor', 'No doctor', 0, 0, 367.5, 0, 367.5, 1, 0],
      ['User', 'Olivia Owner', 100, 750, 0, 0, 850, 2, 1],
      ['User', DESK, 300, 336, 367.5, 0, 1003.5, 3, 0],
      ['Branch total', 'All counters', 400, 1086, 367.5, 0, 1853.5, 5, 1],
    ]);
    // Amounts are numbers (not text) shown with two decimals.
    for (const t of summary.types.slice(1)) for (const x of t.slice(2)) expect(['int', 'float']).toContain(x);
    for (const f of summary.formats) expect(f.slice(2, 7)).toEqual(Array(5).fill('#,##0.00'));
    const total = summary.rows.at(-1)!;
    for (const section of ['Doctor', 'User']) {
      for (let col = 2; col <= 6; col++) {
        const sumPaise = summary.rows.filter((r) => r[0] === section).reduce((n, r) => n + Math.round((r[col] as number) * 100), 0);
        expect(sumPaise).toBe(Math.round((total[col] as number) * 100));
      }
    }
    expect(book['By method'].rows).toEqual([
      ['Method', 'Receipts', 'Collected (₹)', 'Refunds', 'Refunded (₹)', 'Net (₹)'],
      ['Cash', 2, 400, 0, 0, 400],
      ['UPI', 2, 1136, 1, 50, 1086],
      ['Card', 1, 367.5, 0, 0, 367.5],
      ['Online', 0, 0, 0, 0, 0],
    ]);
    const payments = book.Payments.rows;
    expect(payments).toHaveLength(6);
    // In a workbook a text cell is never a formula: the name is kept exactly as typed, as a string.
    const row = payments.findIndex((r) => r[3] === PATIENT_C);
    expect(row).toBeGreaterThan(0);
    expect(book.Payments.data_types[row][3]).toBe('s');
    expect(payments.some((r) => r[3] === 'सीता "Sita" देवी')).toBe(true);
  });
});

describe('who may read the report', () => {
  test('the front desk may not; a bad date is a 400', async () => {
    await server.addUser('desk2', 'front_desk');
    const desk = await server.token('desk2', 'staff-pass-1');
    for (const path of ['/billing/reports', '/billing/reports/collections.csv', '/billing/reports/collections.xlsx']) {
      expect((await server.api(path, { token: desk })).status).toBe(403);
    }
    expect((await server.api('/billing/reports/collections.csv?date=2026-13-45x')).status).toBe(400);
  });
});
