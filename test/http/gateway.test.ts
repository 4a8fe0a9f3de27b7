// Razorpay through the door: a real server on a real SQLite file receives signed webhooks
// (signed here with node:crypto, as Razorpay signs: hex HMAC-SHA256 of the raw body), records
// each captured payment once however often it arrives, refuses bad signatures, and reconciles
// a settlement report CSV against what it recorded.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createHmac } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as B from '../../src/billing/commands';
import { GATEWAY_COLLECTOR, isDuplicateGatewayPayment, SECRET_ENV } from '../../src/billing/gateway';
import { getInvoice, balanceOf } from '../../src/billing/queries';
import { fixedClock } from '../../src/core/clock';
import { createApp } from '../../src/http/app';
import type { Tx } from '../../src/core/runner';
import { actorOf, type Scope } from '../../src/core/scope';
import { verify } from '../../src/core/verify';
import { allProjections } from '../../src/kernel';
import { registerPatient } from '../../src/patients/commands';
import * as S from '../../src/scheduling/commands';
import { startServer, type TestServer } from '../helpers/server';

const SECRET = 'whsec_test_Kx9-2f7Q';
const WEBHOOK = '/api/v1/payments/gateway/razorpay/webhook';
const SETTLEMENTS = '/api/v1/payments/gateway/razorpay/settlements';
const clock = fixedClock('2026-12-01T03:00:00Z'); // 08:30 IST, Tuesday

let s: TestServer;
let scope: Scope;
let run: <R>(fn: (tx: Tx) => R) => R;
let patientId: string;
let previousSecret: string | undefined;

beforeAll(async () => {
  previousSecret = process.env[SECRET_ENV];
  process.env[SECRET_ENV] = SECRET;
  s = await startServer({ clock });
  scope = { userId: s.ownerId, username: 'owner', name: 'Olivia Owner', role: 'owner', branchId: s.branchId, branchIds: [s.branchId], sessionId: 'test', via: 'bearer' };
  run = (fn) => s.svc.kernel.runner.run({ actor: actorOf(scope) }, fn);
  patientId = run((tx) => registerPatient(tx, scope, { name: 'राम कुमार', phone: '9845012345', sex: 'male', age_years: 41 })).patient.id;
});
afterAll(async () => {
  if (previousSecret === undefined) delete process.env[SECRET_ENV];
  else process.env[SECRET_ENV] = previousSecret;
  await s.stop();
});

const newInvoice = (rupees: number) =>
  run((tx) => B.issueInvoice(tx, scope, { patient_id: patientId, lines: [{ item_code: 'CONS', description: 'Consultation', qty: 1, unit_price: rupees * 100, tax_rate: 0 }] }));

let paySeq = 0;
const payId = () => `pay_Test${String(++paySeq).padStart(10, '0')}`;

/** The payment.captured body of Razorpay's docs, for our notes. */
function captured(id: string, amount: number, notes: Record<string, string> | [], over: Record<string, unknown> = {}) {
  return JSON.stringify({
    entity: 'event',
    account_id: 'acc_BFQ7uQEaa7j2z7',
    event: 'payment.captured',
    contains: ['payment'],
    payload: {
      payment: {
        entity: { id, entity: 'payment', amount, currency: 'INR', status: 'captured', order_id: 'order_DESlfW9H8K9uqM', invoice_id: null, method: 'upi', captured: true, vpa: 'ram@okaxis', notes, fee: 1180, tax: 180, created_at: 1796090400, ...over },
      },
    },
    created_at: 1796090401,
  });
}

const sign = (body: string | Uint8Array, secret = SECRET) => createHmac('sha256', secret).update(body).digest('hex');

function deliver(body: string | Uint8Array<ArrayBuffer>, signature: string | null = sign(body), eventId = 'evt_' + Math.random().toString(36).slice(2)) {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-razorpay-event-id': eventId, 'user-agent': 'Razorpay-Webhook/v1' };
  if (signature !== null) headers['x-razorpay-signature'] = signature;
  return fetch(s.url + WEBHOOK, { method: 'POST', headers, body });
}

type Answer = { status: string; payment_id?: string; receipt_number?: string; reason?: string; error?: { code: string } };
const answer = async (r: Response) => ({ http: r.status, body: (await r.json()) as Answer });

const paymentsWithGatewayId = (id: string) =>
  s.svc.kernel.db.query('SELECT id, method, reference, gateway_name, gateway_payment_id, collected_by, amount, kind, receipt_number FROM payments WHERE gateway_payment_id = ?').all(id) as Record<string, unknown>[];
const paymentEvents = () => (s.svc.kernel.db.query(`SELECT count(*) AS n FROM events WHERE type IN ('payment.balance_paid', 'payment.deposit_paid')`).get() as { n: number }).n;

describe('webhook', () => {
  test('a signed payment.captured delivered three times is recorded once; the redeliveries say duplicate', async () => {
    const invoiceId = newInvoice(500);
    const id = payId();
    const body = captured(id, 20000, { invoice_id: invoiceId, branch_id: s.branchId });
    const before = s.eventCount();
    const first = await answer(await deliver(body, sign(body), 'evt_1'));
    expect(first.http).toBe(200);
    expect(first.body).toEqual({ status: 'recorded', payment_id: expect.any(String), receipt_number: 'BLR1/26-27/00001' });
    expect(s.eventCount()).toBe(before + 1);
    for (let i = 0; i < 2; i++) {
      const again = await answer(await deliver(body, sign(body), 'evt_1'));
      expect(again).toEqual({ http: 200, body: { status: 'duplicate', payment_id: first.body.payment_id, receipt_number: 'BLR1/26-27/00001' } });
    }
    expect(s.eventCount()).toBe(before + 1);
    expect(paymentsWithGatewayId(id)).toEqual([
      { id: first.body.payment_id, method: 'online', reference: id, gateway_name: 'razorpay', gateway_payment_id: id, collected_by: GATEWAY_COLLECTOR, amount: 20000, kind: 'balance', receipt_number: 'BLR1/26-27/00001' },
    ]);
    expect(balanceOf(getInvoice(s.svc.kernel.db, s.branchId, invoiceId)!)).toBe(30000);
    // The event says a system actor did it, for this branch.
    const ev = s.svc.kernel.db.query(`SELECT branch_id, meta FROM events WHERE type = 'payment.balance_paid' ORDER BY seq DESC LIMIT 1`).get() as { branch_id: string; meta: string };
    expect(ev.branch_id).toBe(s.branchId);
    expect(JSON.parse(ev.meta)).toMatchObject({ actor: null, role: 'system', via: 'system' });
  });

  test('the same payment delivered concurrently (2 and 5 at once) is recorded once', async () => {
    for (const n of [2, 5]) {
      const invoiceId = newInvoice(300);
      const id = payId();
      const body = captured(id, 10000, { invoice_id: invoiceId, branch_id: s.branchId });
      const beforeEvents = paymentEvents();
      const answers = await Promise.all(Array.from({ length: n }, () => deliver(body).then(answer)));
      expect(answers.map((a) => a.http)).toEqual(Array(n).fill(200));
      expect(answers.filter((a) => a.body.status === 'recorded').length).toBe(1);
      expect(answers.filter((a) => a.body.status === 'duplicate').length).toBe(n - 1);
      expect(paymentsWithGatewayId(id).length).toBe(1);
      expect(paymentEvents()).toBe(beforeEvents + 1);
    }
  });

  test('bad, missing or other-secret signatures, and a body changed after signing: 400 invalid_signature, nothing recorded', async () => {
    const invoiceId = newInvoice(200);
    const id = payId();
    const body = captured(id, 5000, { invoice_id: invoiceId, branch_id: s.branchId });
    const before = s.eventCount();
    const cases: [string, Response][] = [
      ['wrong signature', await deliver(body, 'f'.repeat(64))],
      ['other secret', await deliver(body, sign(body, 'someone-else'))],
      ['unsigned', await deliver(body, null)],
      ['empty signature', await deliver(body, '')],
      ['body altered after signing', await deliver(body.replace('"amount":5000', '"amount":50'), sign(body))],
      ['re-serialised body', await deliver(JSON.stringify(JSON.parse(body), null, 2), sign(body))],
      ['trailing newline added', await deliver(body + '\n', sign(body))],
    ];
    for (const [name, r] of cases) {
      const b = (await r.json()) as Answer;
      expect({ name, status: r.status, code: b.error?.code }).toEqual({ name, status: 400, code: 'invalid_signature' });
    }
    expect(s.eventCount()).toBe(before);
    expect(paymentsWithGatewayId(id)).toEqual([]);
    // The real thing still goes through afterwards.
    expect((await answer(await deliver(body))).body.status).toBe('recorded');
  });

  test('the HMAC is over the exact bytes: a body with multi-byte UTF-8 and odd spacing verifies', async () => {
    const invoiceId = newInvoice(100);
    const id = payId();
    const body = new TextEncoder().encode(`{ "entity":"event","event":"payment.captured" ,"contains":["payment"],\n "payload":{"payment":{"entity":{"id":"${id}","amount":1000,"currency":"INR","status":"captured","notes":{"invoice_id":"${invoiceId}","branch_id":"${s.branchId}","patient":"राम कुमार ₹"}}}},"created_at":1796090401}  `);
    expect((await answer(await deliver(body, sign(body)))).body.status).toBe('recorded');
  });

  test('more than the balance, an unknown invoice or branch, not INR: 200 rejected, nothing recorded', async () => {
    const invoiceId = newInvoice(100);
    const before = s.eventCount();
    const cases: [string, string, string][] = [
      ['overpayment', captured(payId(), 10001, { invoice_id: invoiceId, branch_id: s.branchId }), 'overpayment'],
      ['unknown invoice', captured(payId(), 100, { invoice_id: '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b', branch_id: s.branchId }), 'unknown_invoice'],
      ['malformed invoice id', captured(payId(), 100, { invoice_id: 'INV-42', branch_id: s.branchId }), 'unknown_invoice'],
      ['no branch', captured(payId(), 100, { invoice_id: invoiceId }), 'unknown_branch'],
      ['unknown branch', captured(payId(), 100, { invoice_id: invoiceId, branch_id: '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b' }), 'unknown_branch'],
      ['dollars', captured(payId(), 100, { invoice_id: invoiceId, branch_id: s.branchId }, { currency: 'USD' }), 'currency_not_inr'],
    ];
    const logged: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
    const logger = s.svc.logger;
    s.svc.logger = { log: (level, msg, fields) => void logged.push({ level, msg, fields }) };
    try {
      for (const [name, body, reason] of cases) {
        const a = await answer(await deliver(body));
        expect({ name, http: a.http, status: a.body.status, reason: a.body.reason }).toEqual({ name, http: 200, status: 'rejected', reason });
      }
    } finally {
      s.svc.logger = logger;
    }
    expect(s.eventCount()).toBe(before);
    // Money arrived that was not booked: each one is logged as a warning for a person to act on.
    const warnings = logged.filter((l) => l.level === 'warn' && l.msg === 'razorpay payment not recorded');
    expect(warnings.map((w) => w.fields?.reason)).toEqual(cases.map((c) => c[2]));
    expect(warnings[0].fields).toMatchObject({ amount: 10001, invoice_id: invoiceId, gateway_payment_id: expect.stringMatching(/^pay_/) });
    expect(balanceOf(getInvoice(s.svc.kernel.db, s.branchId, invoiceId)!)).toBe(10000);
  });

  test('other events, and payments without our notes, are ignored', async () => {
    const before = s.eventCount();
    const invoiceId = newInvoice(100);
    const failed = captured(payId(), 100, { invoice_id: invoiceId, branch_id: s.branchId }, { status: 'failed' }).replace('"payment.captured"', '"payment.failed"');
    const orderPaid = JSON.stringify({ entity: 'event', account_id: 'acc_X', event: 'order.paid', contains: ['payment', 'order'], payload: {}, created_at: 1 });
    for (const body of [failed, orderPaid, captured(payId(), 100, []), captured(payId(), 100, { address: 'Razorpay Corporate Office' })]) {
      const a = await answer(await deliver(body));
      expect({ http: a.http, status: a.body.status }).toEqual({ http: 200, status: 'ignored' });
    }
    expect(s.eventCount()).toBe(before + 1); // the invoice only
  });

  test('a signed body that is not a Razorpay event: 400 invalid_payload', async () => {
    for (const body of ['not json', '{"entity":"event"}', JSON.stringify({ entity: 'event', event: 'payment.captured', payload: {} })]) {
      const a = await answer(await deliver(body));
      expect({ http: a.http, code: a.body.error?.code }).toEqual({ http: 400, code: 'invalid_payload' });
    }
  });

  test('a deposit for an appointment (notes.appointment_id) is recorded as a deposit', async () => {
    const doctorId = run((tx) => S.registerDoctor(tx, scope, { name: 'Dr Rao', specialty: 'GP', registration_number: 'KMC 1', slot_minutes: 15, fee: { amount: 50000, currency: 'INR' } }));
    run((tx) => S.setAvailability(tx, scope, doctorId, [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '10:00', end: '13:00' })), []));
    const appointmentId = run((tx) => S.bookAppointment(tx, scope, { patient_id: patientId, doctor_id: doctorId, start: '2026-12-02T10:30:00+05:30', mode: 'tele' }));
    const id = payId();
    const a = await answer(await deliver(captured(id, 50000, { appointment_id: appointmentId, branch_id: s.branchId })));
    expect(a.body.status).toBe('recorded');
    expect(paymentsWithGatewayId(id)[0]).toMatchObject({ kind: 'deposit', amount: 50000, method: 'online' });
    // The fee is paid in full: one more rupee is refused, and recorded nowhere.
    const more = await answer(await deliver(captured(payId(), 100, { appointment_id: appointmentId, branch_id: s.branchId })));
    expect(more.body).toMatchObject({ status: 'rejected', reason: 'overpayment' });
  });

  test('the unique index is the last line of defence: a second row for a gateway payment id fails and leaves nothing', () => {
    const invoiceId = newInvoice(100);
    const gateway = { name: 'razorpay', payment_id: payId() };
    run((tx) => B.recordPayment(tx, scope, { invoice_id: invoiceId, amount: 100, method: 'online', reference: gateway.payment_id, gateway }));
    const before = s.eventCount();
    let error: unknown;
    try {
      run((tx) => B.recordPayment(tx, scope, { invoice_id: invoiceId, amount: 100, method: 'online', reference: gateway.payment_id, gateway }));
    } catch (e) {
      error = e;
    }
    expect(isDuplicateGatewayPayment(error)).toBe(true);
    expect(isDuplicateGatewayPayment(new Error('UNIQUE constraint failed: payments.branch_id, payments.receipt_number'))).toBe(false);
    expect(s.eventCount()).toBe(before);
    expect(paymentsWithGatewayId(gateway.payment_id).length).toBe(1);
  });

  test('receipt numbers stay gapless and the log verifies after all of the above', () => {
    const numbers = (s.svc.kernel.db.query(`SELECT receipt_number AS n FROM payments WHERE branch_id = ? ORDER BY receipt_number`).all(s.branchId) as { n: string }[]).map((r) => r.n);
    expect(numbers).toEqual(numbers.map((_, i) => `BLR1/26-27/${String(i + 1).padStart(5, '0')}`));
    expect(verify(s.svc.kernel.db, s.svc.kernel.file, allProjections).ok).toBe(true);
  });

  test('the secret can come from the data folder\'s config.json (razorpayWebhookSecret); the environment wins', async () => {
    const fileSecret = 'whsec_from_config_file';
    writeFileSync(join(s.dir, 'config.json'), JSON.stringify({ razorpayWebhookSecret: fileSecret }));
    const app = createApp(s.svc); // reads the data folder's config.json as the server does at start
    const invoiceId = newInvoice(100);
    const body = captured(payId(), 100, { invoice_id: invoiceId, branch_id: s.branchId });
    const post = (signature: string) =>
      app.handle(new Request('http://localhost' + WEBHOOK, { method: 'POST', headers: { 'content-type': 'application/json', 'x-razorpay-signature': signature }, body }));
    expect((await post(sign(body, fileSecret))).status).toBe(400); // the environment's secret is set: it wins
    delete process.env[SECRET_ENV];
    try {
      expect((await post(sign(body, SECRET))).status).toBe(400);
      const r = await post(sign(body, fileSecret));
      expect(r.status).toBe(200);
      expect(((await r.json()) as Answer).status).toBe('recorded');
    } finally {
      process.env[SECRET_ENV] = SECRET;
      rmSync(join(s.dir, 'config.json'));
    }
  });

  test('without a configured secret the webhook answers 404 not_configured', async () => {
    delete process.env[SECRET_ENV];
    try {
      const body = captured(payId(), 100, []);
      const r = await deliver(body);
      expect(r.status).toBe(404);
      expect(((await r.json()) as Answer).error?.code).toBe('not_configured');
    } finally {
      process.env[SECRET_ENV] = SECRET;
    }
  });
});

const HEADER =
  'entity_id,type,debit,credit,amount,currency,fee,tax,on_hold,settled,created_at,settled_at,settlement_id,posted_at,credit_type,description,notes,payment_id,settlement_utr,order_id,order_receipt,method,card_network,card_issuer,card_type,dispute_id';

describe('settlement report import', () => {
  let matchedId: string;
  let mismatchedId: string;
  let ourMatched: string;
  let ourMismatched: string;

  beforeAll(async () => {
    for (const which of ['matched', 'mismatched'] as const) {
      const invoiceId = newInvoice(1000);
      const id = payId();
      const a = await answer(await deliver(captured(id, 60000, { invoice_id: invoiceId, branch_id: s.branchId })));
      expect(a.body.status).toBe('recorded');
      if (which === 'matched') [matchedId, ourMatched] = [id, a.body.payment_id!];
      else [mismatchedId, ourMismatched] = [id, a.body.payment_id!];
    }
  });

  const csv = () =>
    '\uFEFF' +
    [
      HEADER,
      `${matchedId},payment,0,58584,60000,INR,1200,216,false,true,1796090400,1796263200,setl_TestSettle0001,,default,"Consultation, Dr Rao","invoice ""paid""",,UTR20261203001,order_A,,upi,,,,`,
      `${mismatchedId},payment,0,48820,50000,INR,1000,180,false,true,1796090460,1796263200,setl_TestSettle0001,,default,,,,UTR20261203001,order_B,,upi,,,,`,
      `pay_NotOursAtAll01,payment,0,9764,10000,INR,200,36,false,true,1796090520,1796263200,setl_TestSettle0001,,default,,,,UTR20261203001,order_C,,card,Visa,HDFC,debit,`,
      `rfnd_TestRefund0001,refund,5000,0,5000,INR,0,0,false,true,1796090580,1796263200,setl_TestSettle0001,,default,,,${matchedId},UTR20261203001,order_A,,upi,,,,`,
    ].join('\r\n') +
    '\r\n';

  const post = (body: string, token?: string, query = '') =>
    s.api(SETTLEMENTS + query, { method: 'POST', body, headers: { 'content-type': 'text/csv; charset=utf-8' }, ...(token ? { token } : {}) });

  test('one match, one amount mismatch, one unknown payment; fees, taxes, settlement ids; nothing stored', async () => {
    const before = s.eventCount();
    const r = await post(csv());
    expect(r.status).toBe(200);
    const rep = (await r.json()) as any;
    expect(s.eventCount()).toBe(before);
    expect(rep.rows).toBe(4);
    expect(rep.amounts_read_as).toBe('paise');
    expect(rep.period).toEqual({ from: '2026-12-01', to: '2026-12-01' });
    expect(rep.matched.count).toBe(1);
    expect(rep.matched.amount).toEqual({ amount: 60000, currency: 'INR' });
    expect(rep.matched.items).toEqual([expect.objectContaining({ entity_id: matchedId, payment_id: ourMatched, amount: { amount: 60000, currency: 'INR' } })]);
    expect(rep.mismatches.amount_differs).toEqual([
      expect.objectContaining({ entity_id: mismatchedId, payment_id: ourMismatched, ours: { amount: 60000, currency: 'INR' }, theirs: { amount: 50000, currency: 'INR' }, difference: { amount: -10000, currency: 'INR' } }),
    ]);
    expect(rep.mismatches.not_in_our_books).toEqual([expect.objectContaining({ entity_id: 'pay_NotOursAtAll01', amount: { amount: 10000, currency: 'INR' } })]);
    // Our other Razorpay payments of 1 December are not in this file.
    const missing = (rep.mismatches.not_in_settlement as { gateway_payment_id: string }[]).map((m) => m.gateway_payment_id);
    expect(missing.length).toBeGreaterThan(0);
    expect(missing).not.toContain(matchedId);
    expect(missing).not.toContain(mismatchedId);
    expect(rep.fees).toEqual({ amount: 2400, currency: 'INR' });
    expect(rep.taxes).toEqual({ amount: 432, currency: 'INR' });
    expect(rep.settlements).toEqual([
      { settlement_id: 'setl_TestSettle0001', settlement_utr: 'UTR20261203001', rows: 4, credit: { amount: 117168, currency: 'INR' }, debit: { amount: 5000, currency: 'INR' }, fee: { amount: 2400, currency: 'INR' }, tax: { amount: 432, currency: 'INR' }, net: { amount: 112168, currency: 'INR' } },
    ]);
    expect(rep.other_rows).toEqual([{ type: 'refund', count: 1, credit: { amount: 0, currency: 'INR' }, debit: { amount: 5000, currency: 'INR' }, fee: { amount: 0, currency: 'INR' }, tax: { amount: 0, currency: 'INR' } }]);
  });

  test('an explicit period with none of our payments: nothing missing', async () => {
    const rep = (await (await post(csv(), undefined, '?from=2026-11-01&to=2026-11-30')).json()) as any;
    expect(rep.period).toEqual({ from: '2026-11-01', to: '2026-11-30' });
    expect(rep.mismatches.not_in_settlement).toEqual([]);
    expect(rep.matched.count).toBe(1);
  });

  test('roles: billing may import, front desk may not; no credentials: 401', async () => {
    await s.addUser('biller', 'billing');
    await s.addUser('desk', 'front_desk');
    expect((await post(csv(), await s.token('biller', 'staff-pass-1'))).status).toBe(200);
    expect((await post(csv(), await s.token('desk', 'staff-pass-1'))).status).toBe(403);
    expect((await fetch(s.url + SETTLEMENTS, { method: 'POST', body: csv(), headers: { 'content-type': 'text/csv' } })).status).toBe(401);
  });

  test('bad files: 400 with a reason, never a 5xx', async () => {
    const cases: [string, string, string][] = [
      ['not a settlement report', 'id,amount\n1,2\n', 'invalid_csv'],
      ['unterminated quote', `${HEADER}\npay_X,payment,0,1,"1\n`, 'invalid_csv'],
      ['bad amount', `entity_id,type,amount\npay_X,payment,ten\n`, 'invalid_csv'],
      ['empty', '', 'invalid_csv'],
    ];
    for (const [name, body, code] of cases) {
      const r = await post(body);
      const b = (await r.json()) as Answer;
      expect({ name, status: r.status, code: b.error?.code }).toEqual({ name, status: 400, code });
    }
    const json = await s.api(SETTLEMENTS, { method: 'POST', json: { rows: [] } });
    expect(json.status).toBe(400);
    expect((await post(csv(), undefined, '?amounts=dollars')).status).toBe(400);
    expect((await post(csv(), undefined, '?from=yesterday')).status).toBe(400);
  });
});
