// Receipt PDFs: time to build one (read the payment, its bill and patient from the read
// tables, lay out, shape, subset the fonts, write the PDF) and its size.
//   bun bench/receipt.ts [--quick] [--n=250]
// Targets: p99 < 20 ms per receipt and < 60 KB. Every receipt is the heavy case: a 12-line
// bill with taxed and exempt lines, a deposit and a payment listed, and a balance due (so a
// UPI QR code is drawn). Four kinds, interleaved: 80 mm thermal and A5, a Latin patient
// name and a Devanagari one (names differ on every receipt, so shaping caches do not hide
// the cost of a new name). Also: the first receipt of a process (fonts read and parsed), the
// print event (`receipt.printed`, one command), and an A4 invoice.
import { actorOf, type Scope } from '../src/core/scope';
import type { Tx } from '../src/core/runner';
import { changeBranch } from '../src/org/commands';
import { registerPatient } from '../src/patients/commands';
import * as S from '../src/scheduling/commands';
import * as B from '../src/billing/commands';
import { invoiceDocument, paymentReceipt } from '../src/billing/pdf/documents';
import { recordPrint } from '../src/billing/pdf/print';
import { type PaperFormat, renderDocument } from '../src/billing/pdf/render';
import { seedKernel, benchName } from './append';
import { header, median, now, numberFlag, percentile, QUICK, report, table, target, tempDir } from './lib';

const N = numberFlag('n', 250, 60);
const UPI = { vpa: 'sunrise.clinic@okicici', payeeName: 'Bench Clinic' };

const FIRST = ['राम', 'सीता', 'किशोर', 'प्रिया', 'अर्जुन', 'कृष्ण', 'लक्ष्मी', 'विजय', 'सुनीता', 'रोहित', 'अंजलि', 'मोहन', 'गीता', 'श्याम', 'पूजा', 'दिनेश', 'कविता', 'अमित', 'नेहा', 'सुरेश'];
const LAST = ['कुमार', 'शर्मा', 'वर्मा', 'गुप्ता', 'सिंह', 'त्रिपाठी', 'मिश्रा', 'चौधरी', 'पाण्डेय', 'श्रीवास्तव', 'द्विवेदी', 'जोशी', 'क्षत्रिय', 'अग्रवाल', 'ठाकुर'];
const devanagariName = (i: number) => `${FIRST[i % FIRST.length]} ${LAST[Math.floor(i / FIRST.length) % LAST.length]}${i >= FIRST.length * LAST.length ? ` ${FIRST[(i * 7) % FIRST.length]}` : ''}`;

const ITEMS = [
  ['CONS', 'Consultation — general physician', 'consultation', '999312', 50000, 0],
  ['FOLLOW', 'Follow-up consultation', 'consultation', '999312', 30000, 0],
  ['DRESS', 'Wound dressing (small)', 'procedure', '999319', 20000, 18],
  ['NEB', 'Nebulisation', 'procedure', '999319', 15000, 18],
  ['INJ', 'Injection administration (IM/IV)', 'procedure', '999319', 10000, 18],
  ['ECG', 'ECG, 12-lead with report', 'procedure', '999316', 35000, 0],
  ['CBC', 'Complete blood count (CBC) with ESR', 'lab', '999316', 45000, 0],
  ['LFT', 'Liver function test', 'lab', '999316', 90000, 0],
  ['TSH', 'Thyroid stimulating hormone (TSH)', 'lab', '999316', 40000, 0],
  ['HBA1C', 'HbA1c (glycated haemoglobin)', 'lab', '999316', 55000, 0],
  ['SUTURE', 'Suturing, minor laceration', 'procedure', '999319', 120000, 18],
  ['CERT', 'Medical fitness certificate', 'other', '998599', 25000, 18],
] as const;

interface Case {
  key: string;
  format: PaperFormat;
  script: 'latin' | 'devanagari';
  paymentIds: string[];
  ms: number[];
  cpu: number[];
  bytes: number[];
}

async function main() {
  header('receipt: PDF receipts (pdf-lib, embedded Noto fonts, UPI QR)');
  const tmp = tempDir('receipt');
  try {
    const { kernel, scope } = seedKernel(tmp.dir);
    const run = <R>(fn: (tx: Tx) => R, s: Scope = scope) => kernel.runner.run({ actor: actorOf(s) }, fn);
    run((tx) => changeBranch(tx, scope.branchId, { address: '12, 100 Feet Road, HAL 2nd Stage, Indiranagar, Bengaluru 560038', phone: '080 4123 4567', gstin: '29ABCDE1234F1Z5' }));
    const doctorId = run((tx) => S.registerDoctor(tx, scope, { name: 'Dr Kavitha Rao', specialty: 'General medicine', registration_number: 'KMC 12345', slot_minutes: 5, fee: { amount: 50000, currency: 'INR' } }));
    run((tx) => S.setAvailability(tx, scope, doctorId, [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '00:00', end: '23:55' })), []));
    for (const [code, name, kind, sac, price, rate] of ITEMS) run((tx) => B.setPrice(tx, scope, { item_code: code, name, kind, sac_hsn: sac, unit_price: price, tax_rate: rate }));

    // One patient, visit, bill (12 lines), deposit and part payment per receipt.
    const t0 = now();
    const seedOne = (name: string, i: number): string => {
      const patientId = run((tx) => registerPatient(tx, scope, { name, phone: `98${String(10_000_000 + i).slice(-8)}`, sex: 'female', age_years: 30 + (i % 50) })).patient.id;
      const day = new Date(Date.UTC(2027, 0, 1) + Math.floor(i / 280) * 86_400_000).toISOString().slice(0, 10);
      const minutes = (i % 280) * 5;
      const start = `${day}T${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}:00+05:30`;
      const appointment = run((tx) => S.bookAppointment(tx, scope, { patient_id: patientId, doctor_id: doctorId, start, mode: 'in_person' }));
      run((tx) => B.recordPayment(tx, scope, { appointment_id: appointment, amount: 10000, method: 'cash' }));
      const invoiceId = run((tx) =>
        B.issueInvoice(tx, scope, {
          patient_id: patientId,
          appointment_id: appointment,
          lines: ITEMS.map(([code], j) => ({ item_code: code, qty: 1 + ((i + j) % 3), ...(j === 2 ? { discount: 2500, discount_reason: 'senior citizen' } : {}) })),
        }),
      );
      return run((tx) => B.recordPayment(tx, scope, { invoice_id: invoiceId, amount: 150000 + (i % 100) * 100, method: 'upi', reference: `4123${String(45678901 + i)}`, upi_vpa: 'patient@okaxis' }));
    };
    const latinPayments = Array.from({ length: N }, (_, i) => seedOne(benchName(i), i));
    const devPayments = Array.from({ length: N }, (_, i) => seedOne(devanagariName(i), N + i));
    const seedMs = now() - t0;

    const cases: Case[] = [
      { key: 'thermal_latin', format: 'thermal80', script: 'latin', paymentIds: latinPayments, ms: [], cpu: [], bytes: [] },
      { key: 'thermal_devanagari', format: 'thermal80', script: 'devanagari', paymentIds: devPayments, ms: [], cpu: [], bytes: [] },
      { key: 'a5_latin', format: 'a5', script: 'latin', paymentIds: latinPayments, ms: [], cpu: [], bytes: [] },
      { key: 'a5_devanagari', format: 'a5', script: 'devanagari', paymentIds: devPayments, ms: [], cpu: [], bytes: [] },
    ];
    const printedAt = new Date();
    // Wall time, and the process's CPU time (all threads, GC included): on a shared machine
    // the wall time's tail is mostly waiting for a core.
    const one = async (c: Case, id: string) => {
      const c0 = process.cpuUsage();
      const t = now();
      const doc = paymentReceipt(kernel.db, scope.branchId, id)!;
      const pdf = await renderDocument(doc, { format: c.format, copy: 1, printedAt, upi: UPI });
      const ms = now() - t;
      const cpu = process.cpuUsage(c0);
      return { ms, cpu: (cpu.user + cpu.system) / 1000, bytes: pdf.length };
    };

    // The first receipt of the process: fonts read from the embedded files and parsed.
    const cold = await one(cases[1], devPayments[0]);
    // Warm-up on other documents than the measured ones (a few names, all labels).
    for (const c of cases) for (let i = 0; i < 5; i++) await one(c, c.paymentIds[(i * 13) % N]);

    for (let i = 0; i < N; i++) {
      for (const c of cases) {
        const r = await one(c, c.paymentIds[i]);
        c.ms.push(r.ms);
        c.cpu.push(r.cpu);
        c.bytes.push(r.bytes);
      }
    }

    // The print event alone (one command per print) and an A4 invoice.
    const printMs: number[] = [];
    for (let i = 0; i < Math.min(N, 200); i++) {
      const t = now();
      run((tx) => recordPrint(tx, scope, { document: 'payment', document_id: latinPayments[i], number: 'x', format: 'a5' }));
      printMs.push(now() - t);
    }
    const invoiceIds = (kernel.db.query('SELECT id FROM invoices ORDER BY issued_at LIMIT ?').all(Math.min(N, 100)) as { id: string }[]).map((r) => r.id);
    const a4: { ms: number[]; bytes: number[] } = { ms: [], bytes: [] };
    for (const id of invoiceIds) {
      const t = now();
      const pdf = await renderDocument(invoiceDocument(kernel.db, scope.branchId, id)!, { format: 'a4', copy: 1, printedAt, upi: UPI });
      a4.ms.push(now() - t);
      a4.bytes.push(pdf.length);
    }

    const kb = (b: number) => b / 1024;
    const rows = cases.map((c) => [
      `${c.format}, ${c.script} name`,
      median(c.ms).toFixed(2),
      percentile(c.ms, 99).toFixed(2),
      Math.max(...c.ms).toFixed(2),
      median(c.cpu).toFixed(2),
      percentile(c.cpu, 99).toFixed(2),
      kb(median(c.bytes)).toFixed(1),
      kb(Math.max(...c.bytes)).toFixed(1),
    ]);
    rows.push(['a4 invoice (12 lines)', median(a4.ms).toFixed(2), percentile(a4.ms, 99).toFixed(2), Math.max(...a4.ms).toFixed(2), '', '', kb(median(a4.bytes)).toFixed(1), kb(Math.max(...a4.bytes)).toFixed(1)]);
    for (const c of cases) {
      report(`receipt.${c.key}_p50_ms`, median(c.ms));
      report(`receipt.${c.key}_p99_ms`, percentile(c.ms, 99));
      report(`receipt.${c.key}_kb`, kb(Math.max(...c.bytes)));
    }
    const p99 = Math.max(...cases.map((c) => percentile(c.ms, 99)));
    const maxKb = Math.max(...cases.map((c) => kb(Math.max(...c.bytes))));
    report('receipt.p50_ms', median(cases.flatMap((c) => c.ms)));
    report('receipt.cpu_p50_ms', median(cases.flatMap((c) => c.cpu)));
    report('receipt.p99_ms', p99);
    target('receipt.p99_ms', '<=', 20);
    report('receipt.max_kb', maxKb);
    target('receipt.max_kb', '<=', 60);
    report('receipt.cold_first_ms', cold.ms);
    report('receipt.print_event_p50_ms', median(printMs));
    report('receipt.a4_invoice_p50_ms', median(a4.ms));

    console.log(`\n${N} receipts per kind (interleaved), after a warm-up; seeded ${4 * N} bills in ${(seedMs / 1000).toFixed(1)} s`);
    console.log(table(['kind', 'p50 ms', 'p99 ms', 'max ms', 'CPU p50', 'CPU p99', 'median KB', 'max KB'], rows));
    console.log(`first receipt of the process (fonts read and parsed): ${cold.ms.toFixed(1)} ms, ${kb(cold.bytes).toFixed(1)} KB`);
    console.log(`receipt.printed event (runner.run, one command): p50 ${median(printMs).toFixed(2)} ms, p99 ${percentile(printMs, 99).toFixed(2)} ms`);
    if (QUICK) console.log('(quick: fewer receipts; p99 is close to the max)');
    kernel.close();
  } finally {
    tmp.dispose();
  }
}

if (import.meta.main) await main();
