// Razorpay's formats without a database: the webhook signature checked against vectors made
// by other code (node:crypto, RFC 4231), the event payload as the docs show it, RFC 4180 CSV,
// and the settlement matching.
import { describe, expect, test } from 'bun:test';
import { createHmac } from 'node:crypto';
import {
  CsvError,
  type OurGatewayPayment,
  parseCsv,
  parseSettlementCsv,
  parseWebhookEvent,
  reconcileSettlement,
  targetOf,
  timeCell,
  verifyWebhookSignature,
  WebhookPayloadError,
  webhookSignature,
} from './razorpay';

// The sample payment.captured payload of razorpay.com/docs/webhooks/payloads/payments (trimmed),
// with our notes.
const body = JSON.stringify({
  entity: 'event',
  account_id: 'acc_BFQ7uQEaa7j2z7',
  event: 'payment.captured',
  contains: ['payment'],
  payload: {
    payment: {
      entity: {
        id: 'pay_DESp9bgForNoUd',
        entity: 'payment',
        amount: 50000,
        currency: 'INR',
        status: 'captured',
        order_id: 'order_DESlfW9H8K9uqM',
        invoice_id: null,
        international: false,
        method: 'upi',
        amount_refunded: 0,
        captured: true,
        vpa: 'gaurav.kumar@exampleupi',
        notes: { invoice_id: '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b', branch_id: '0190a1b2-c3d4-7e5f-8a9b-000000000001', patient: 'राम कुमार' },
        fee: 1180,
        tax: 180,
        created_at: 1567674797,
      },
    },
  },
  created_at: 1567674799,
});
const secret = 'whsec-test-12345';

describe('webhook signature', () => {
  test('RFC 4231 test case 2 (HMAC-SHA256, key "Jefe")', () => {
    const expected = '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843';
    expect(webhookSignature('what do ya want for nothing?', 'Jefe')).toBe(expected);
    expect(verifyWebhookSignature(new TextEncoder().encode('what do ya want for nothing?'), expected, 'Jefe')).toBe(true);
  });

  test('a signature made by node:crypto over the raw bytes verifies; upper-case hex too', () => {
    const sig = createHmac('sha256', secret).update(body).digest('hex');
    expect(webhookSignature(body, secret)).toBe(sig);
    expect(verifyWebhookSignature(new TextEncoder().encode(body), sig, secret)).toBe(true);
    expect(verifyWebhookSignature(body, sig.toUpperCase(), secret)).toBe(true);
  });

  test('tampered body, other secret, truncated, empty, missing, non-hex: all refused', () => {
    const sig = createHmac('sha256', secret).update(body).digest('hex');
    expect(verifyWebhookSignature(body.replace('50000', '50001'), sig, secret)).toBe(false);
    // Re-serialised JSON (different whitespace) is not the body that was signed.
    expect(verifyWebhookSignature(JSON.stringify(JSON.parse(body), null, 1), sig, secret)).toBe(false);
    expect(verifyWebhookSignature(body, sig, secret + 'x')).toBe(false);
    expect(verifyWebhookSignature(body, sig.slice(0, 63), secret)).toBe(false);
    expect(verifyWebhookSignature(body, sig + '00', secret)).toBe(false);
    expect(verifyWebhookSignature(body, '', secret)).toBe(false);
    expect(verifyWebhookSignature(body, null, secret)).toBe(false);
    expect(verifyWebhookSignature(body, 'z'.repeat(64), secret)).toBe(false);
    expect(verifyWebhookSignature(body, sig, '')).toBe(false);
    // A base64 signature of the right HMAC is still the wrong format.
    expect(verifyWebhookSignature(body, createHmac('sha256', secret).update(body).digest('base64'), secret)).toBe(false);
  });

  test('multi-byte UTF-8 in the body: the HMAC is over the bytes', () => {
    const bytes = new TextEncoder().encode(body);
    expect(bytes.length).toBeGreaterThan(body.length);
    const sig = createHmac('sha256', secret).update(Buffer.from(bytes)).digest('hex');
    expect(verifyWebhookSignature(bytes, sig, secret)).toBe(true);
  });
});

describe('webhook payload', () => {
  test('payment.captured: the payment entity and our notes', () => {
    const e = parseWebhookEvent(JSON.parse(body));
    expect(e.kind).toBe('payment_captured');
    if (e.kind !== 'payment_captured') return;
    expect(e.payment).toMatchObject({ id: 'pay_DESp9bgForNoUd', amount: 50000, currency: 'INR', status: 'captured', method: 'upi', order_id: 'order_DESlfW9H8K9uqM', created_at: 1567674797 });
    expect(targetOf(e.payment.notes)).toEqual({ invoice_id: '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b', branch_id: '0190a1b2-c3d4-7e5f-8a9b-000000000001', appointment_id: null });
  });

  test('notes sent as [] (no notes) read as none; other events are just named', () => {
    const b = JSON.parse(body);
    b.payload.payment.entity.notes = [];
    const e = parseWebhookEvent(b);
    expect(e.kind === 'payment_captured' && e.payment.notes).toEqual({});
    expect(parseWebhookEvent({ ...b, event: 'payment.failed' })).toEqual({ kind: 'other', event: 'payment.failed', account_id: 'acc_BFQ7uQEaa7j2z7' });
    expect(parseWebhookEvent({ entity: 'event', event: 'order.paid', payload: {} }).kind).toBe('other');
  });

  test('malformed events are refused with a reason', () => {
    const bad = (mutate: (b: Record<string, any>) => void) => {
      const b = JSON.parse(body);
      mutate(b);
      return () => parseWebhookEvent(b);
    };
    expect(() => parseWebhookEvent(null)).toThrow(WebhookPayloadError);
    expect(() => parseWebhookEvent([])).toThrow(WebhookPayloadError);
    expect(bad((b) => (b.entity = 'payment'))).toThrow(WebhookPayloadError);
    expect(bad((b) => delete b.payload.payment)).toThrow(/payload.payment.entity/);
    expect(bad((b) => (b.payload.payment.entity.id = 'order_X'))).toThrow(/pay_/);
    expect(bad((b) => (b.payload.payment.entity.amount = 500.5))).toThrow(/amount/);
    expect(bad((b) => (b.payload.payment.entity.amount = '50000'))).toThrow(/amount/);
    expect(bad((b) => (b.payload.payment.entity.amount = 0))).toThrow(/amount/);
    expect(bad((b) => delete b.payload.payment.entity.currency)).toThrow(/currency/);
    expect(bad((b) => (b.payload.payment.entity.notes = 'x'))).toThrow(/notes/);
  });
});

describe('CSV (RFC 4180)', () => {
  test('quoted fields: commas, doubled quotes, line breaks; CRLF; BOM; no phantom last record', () => {
    const text = '\uFEFFa,b,c\r\n1,"x, y","say ""hi"""\r\n2,"two\r\nlines",\r\n';
    expect(parseCsv(text)).toEqual([
      ['a', 'b', 'c'],
      ['1', 'x, y', 'say "hi"'],
      ['2', 'two\r\nlines', ''],
    ]);
  });

  test('LF, a last line without a newline, blank lines, empty quoted fields, unicode', () => {
    expect(parseCsv('a,b\n\n"",₹ 500\n3,')).toEqual([
      ['a', 'b'],
      ['', '₹ 500'],
      ['3', ''],
    ]);
    expect(parseCsv('')).toEqual([]);
    expect(parseCsv('\uFEFF')).toEqual([]);
  });

  test('broken quoting is an error naming the line, not a guess', () => {
    expect(() => parseCsv('a,b\n1,"open\n2,3')).toThrow(CsvError);
    expect(() => parseCsv('a,b\n1,"open\n2,3')).toThrow(/line 2: a quoted field is never closed/);
    expect(() => parseCsv('a,b\n1,ab"c"')).toThrow(/line 2: a quote inside an unquoted field/);
    expect(() => parseCsv('a,b\n1,"ab"c')).toThrow(/line 2: text after a closing quote/);
  });
});

// The header of razorpay.com/docs/api/settlements/fetch-recon's items, in its order.
const HEADER =
  'entity_id,type,debit,credit,amount,currency,fee,tax,on_hold,settled,created_at,settled_at,settlement_id,posted_at,credit_type,description,notes,payment_id,settlement_utr,order_id,order_receipt,method,card_network,card_issuer,card_type,dispute_id';

describe('settlement report', () => {
  const csv = [
    HEADER,
    'pay_DEXrnipqTmWVGE,payment,0,97100,100000,INR,2900,0,false,true,1567692556,1568176960,setl_DGlQ1Rj8os78Ec,,default,"Recurring Payment via Subscription","Beam me up, Scotty.",,1568176960vxp0rj,order_DEXrnRiR3SNDHA,,card,MasterCard,KARB,credit,',
    'rfnd_DGRcGzZSLyEdg1,refund,242500,0,242500,INR,0,0,false,true,1568107224,1568176960,setl_DGlQ1Rj8os78Ec,,default,,,pay_DEXq1pACSqFxtS,1568176960vxp0rj,order_DEXpmZgffXNvuI,,card,,,,',
    'pay_AAAAAAAAAAAAAA,payment,0,49000,50000,INR,850,150,false,true,1567692600,1568176960,setl_DGlQ1Rj8os78Ec,,default,,,,1568176960vxp0rj,,,upi,,,,',
    'pay_BBBBBBBBBBBBBB,payment,0,29400,30000,INR,510,90,true,false,1567692700,,,,default,,,,,,,upi,,,,',
  ].join('\r\n');

  test('reads the documented columns; amounts in paise; times as ISO', () => {
    const r = parseSettlementCsv('\uFEFF' + csv);
    expect(r.units).toBe('paise');
    expect(r.rows.length).toBe(4);
    expect(r.rows[0]).toMatchObject({ line: 2, entity_id: 'pay_DEXrnipqTmWVGE', type: 'payment', debit: 0, credit: 97100, amount: 100000, fee: 2900, tax: 0, on_hold: false, settled: true, settlement_id: 'setl_DGlQ1Rj8os78Ec', settlement_utr: '1568176960vxp0rj', created_at: '2019-09-05T14:09:16.000Z' });
    expect(r.rows[1]).toMatchObject({ type: 'refund', debit: 242500, payment_id: 'pay_DEXq1pACSqFxtS' });
    expect(r.rows[3]).toMatchObject({ on_hold: true, settled: false, settlement_id: null, settled_at: null });
  });

  test('a Dashboard export in rupees with other header spelling', () => {
    const r = parseSettlementCsv('Entity ID,Type,Amount,Credit,Fee,Tax,Settlement ID\npay_X1,payment,"1,000.50",975.00,21.61,3.89,setl_1\n');
    expect(r.units).toBe('rupees');
    expect(r.rows[0]).toMatchObject({ entity_id: 'pay_X1', amount: 100050, credit: 97500, fee: 2161, tax: 389, settlement_id: 'setl_1', settled: true });
    expect(parseSettlementCsv('entity_id,type,amount\npay_X1,payment,500\n', 'rupees').rows[0].amount).toBe(50000);
  });

  test('not a settlement report, or a bad amount: an error naming the line', () => {
    expect(() => parseSettlementCsv('id,amount\n1,2')).toThrow(/no entity_id, type column/);
    expect(() => parseSettlementCsv('entity_id,type,amount\npay_X,payment,12a')).toThrow(/line 2: amount "12a" is not an amount/);
    expect(() => parseSettlementCsv('entity_id,type,amount\npay_X,payment,1.5', 'paise')).toThrow(/line 2/);
    expect(() => parseSettlementCsv('')).toThrow(/empty/);
  });

  test('times: unix seconds, ISO, dd/mm/yyyy in IST', () => {
    expect(timeCell('1567692556')).toBe('2019-09-05T14:09:16.000Z');
    expect(timeCell('05/09/2019 19:39:16')).toBe('2019-09-05T14:09:16.000Z');
    expect(timeCell('2019-09-05T14:09:16Z')).toBe('2019-09-05T14:09:16.000Z');
    expect(timeCell('')).toBeNull();
    expect(timeCell('soon')).toBeNull();
  });

  test('matching: matched, amount differs, not in our books, ours missing from the file, totals', () => {
    const ours: Record<string, OurGatewayPayment> = {
      pay_DEXrnipqTmWVGE: { id: 'p1', receipt_number: 'BLR1/26-27/00001', gateway_payment_id: 'pay_DEXrnipqTmWVGE', amount: 100000, refunded: 0, business_date: '2019-09-05' },
      pay_AAAAAAAAAAAAAA: { id: 'p2', receipt_number: 'BLR1/26-27/00002', gateway_payment_id: 'pay_AAAAAAAAAAAAAA', amount: 40000, refunded: 0, business_date: '2019-09-05' },
    };
    const missing: OurGatewayPayment = { id: 'p3', receipt_number: 'BLR1/26-27/00003', gateway_payment_id: 'pay_CCCCCCCCCCCCCC', amount: 20000, refunded: 0, business_date: '2019-09-05' };
    const r = reconcileSettlement(parseSettlementCsv(csv), (id) => ours[id] ?? null, [...Object.values(ours), missing]);
    expect(r.matched).toMatchObject({ count: 1, amount: 100000, fee: 2900, tax: 0, credit: 97100 });
    expect(r.amount_differs).toEqual([{ entity_id: 'pay_AAAAAAAAAAAAAA', payment_id: 'p2', receipt_number: 'BLR1/26-27/00002', ours: 40000, theirs: 50000, difference: 10000, settlement_id: 'setl_DGlQ1Rj8os78Ec' }]);
    expect(r.not_in_our_books.map((x) => x.entity_id)).toEqual(['pay_BBBBBBBBBBBBBB']);
    expect(r.not_in_settlement.map((x) => x.gateway_payment_id)).toEqual(['pay_CCCCCCCCCCCCCC']);
    expect(r.unsettled).toEqual([{ entity_id: 'pay_BBBBBBBBBBBBBB', amount: 30000, on_hold: true }]);
    expect(r.other_rows).toEqual([{ type: 'refund', count: 1, credit: 0, debit: 242500, fee: 0, tax: 0 }]);
    expect(r.totals).toEqual({ amount: 100000 + 242500 + 50000 + 30000, credit: 97100 + 49000 + 29400, debit: 242500, fee: 2900 + 850 + 510, tax: 150 + 90, net: 97100 + 49000 + 29400 - 242500 });
    expect(r.settlements).toEqual([{ settlement_id: 'setl_DGlQ1Rj8os78Ec', settlement_utr: '1568176960vxp0rj', rows: 3, credit: 146100, debit: 242500, fee: 3750, tax: 150, net: 146100 - 242500 }]);
  });
});
