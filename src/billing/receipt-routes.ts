// Printable receipts, refund vouchers and invoices as PDF, ready for the desk's printer
// (A4, A5 or an 80 mm thermal roll). Every download is a print: it is recorded as a
// `receipt.printed` event, and every print after the first says DUPLICATE.
import { Elysia, t } from 'elysia';
import { badRequest, notFound } from '../core/errors';
import { isUuid } from '../core/ids';
import { actorOf, type Scope } from '../core/scope';
import type { authGuard } from '../http/guard';
import type { Services } from '../http/services';
import { invoiceDocument, paymentReceipt, type PrintedDocument, refundVoucher } from './pdf/documents';
import { recordPrint, type PrintedData } from './pdf/print';
import { FORMATS_OF, type PaperFormat } from './pdf/formats';
import { configuredUpiVpa } from './pdf/upi';

type Printable = PrintedData['document'];

const LOADERS: Record<Printable, { load: typeof paymentReceipt; what: string; file: string }> = {
  payment: { load: paymentReceipt, what: 'Payment', file: 'receipt' },
  refund: { load: refundVoucher, what: 'Refund', file: 'refund' },
  invoice: { load: invoiceDocument, what: 'Invoice', file: 'invoice' },
};

/** A file name from the document number: BLR1/26-27/00123 → receipt-BLR1-26-27-00123.pdf. */
export const pdfFileName = (prefix: string, number: string) => `${prefix}-${number.replace(/[^A-Za-z0-9-]+/g, '-')}.pdf`;

function formatOf(doc: PrintedDocument, raw: string | undefined): PaperFormat {
  const allowed = FORMATS_OF[doc.kind];
  if (raw === undefined || raw === '') return allowed[0];
  if (!(allowed as readonly string[]).includes(raw)) throw badRequest('invalid_format', `format must be one of ${allowed.join(', ')}`, { field: 'format' });
  return raw as PaperFormat;
}

export function receiptRoutes(svc: Services, guard: ReturnType<typeof authGuard>) {
  const { runner, db, clock } = svc.kernel;

  async function print(scope: Scope, document: Printable, id: string, rawFormat: string | undefined): Promise<Response> {
    const l = LOADERS[document];
    // Another branch's document, or a malformed id, is simply not found: existence must not leak.
    const doc = isUuid(id) ? l.load(db, scope.branchId, id) : null;
    if (!doc) throw notFound(l.what);
    const format = formatOf(doc, rawFormat);
    const copy = await runner.submit({ actor: actorOf(scope) }, (tx) => recordPrint(tx, scope, { document, document_id: id, number: doc.number, format }));
    const vpa = configuredUpiVpa(svc.config, process.env, (msg) => svc.logger.log('warn', msg));
    // pdf-lib, fontkit and the fonts load on the first print, not at server start.
    const { renderDocument } = await import('./pdf/render');
    const pdf = await renderDocument(doc, { format, copy, printedAt: clock.now(), upi: vpa ? { vpa, payeeName: doc.letterhead.clinicName } : null });
    return new Response(pdf as Uint8Array<ArrayBuffer>, {
      headers: {
        'content-type': 'application/pdf',
        'content-disposition': `inline; filename="${pdfFileName(l.file, doc.number)}"`,
        'cache-control': 'no-store',
        'x-print-copy': String(copy),
      },
    });
  }

  const query = t.Object({ format: t.Optional(t.String({ maxLength: 20 })) });
  const described = (summary: string, formats: readonly PaperFormat[]) => ({
    tags: ['billing'],
    summary,
    description:
      `PDF (application/pdf), shown inline. \`format\`: ${formats.map((f) => `\`${f}\``).join(', ')} (default \`${formats[0]}\`; thermal80 is an 80 mm roll, height fitted to the content). ` +
      'Each request is a print, recorded as a `receipt.printed` event: the first says ORIGINAL, every later one DUPLICATE. ' +
      'When the bill has a balance due and the clinic has a UPI ID configured (MYMEDIC_UPI_VPA, or `upiVpa` in the config file), it carries a UPI QR code for that balance. 404 for another branch’s document.',
  });

  return new Elysia({ name: 'receiptRoutes', seed: svc.kernel.origin })
    .use(guard)
    .get('/api/v1/payments/:id/receipt.pdf', ({ scope, params, query }) => print(scope, 'payment', params.id, query.format), {
      auth: 'billing.read',
      query,
      detail: described('Receipt of a payment (PDF)', FORMATS_OF.receipt),
    })
    .get('/api/v1/refunds/:id/receipt.pdf', ({ scope, params, query }) => print(scope, 'refund', params.id, query.format), {
      auth: 'billing.read',
      query,
      detail: described('Refund voucher (PDF)', FORMATS_OF.refund),
    })
    .get('/api/v1/invoices/:id/invoice.pdf', ({ scope, params, query }) => print(scope, 'invoice', params.id, query.format), {
      auth: 'billing.read',
      query,
      detail: described('Invoice: Bill of Supply, Invoice-cum-Bill of Supply or Tax Invoice (PDF)', FORMATS_OF.invoice),
    });
}
