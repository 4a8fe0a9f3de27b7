// Pieces shared by the billing pages: amounts, receipt links, the split payment fields.
import { formatInr } from '../../src/billing/money';
import { METHOD_LABELS } from '../../src/billing/reports';
import { Field } from '../components';

export interface FormError {
  message: string;
  /** The field the message belongs to; null for the whole form. */
  field: string | null;
}

export const errorOf = (error: FormError | null | undefined) => (f: string) => (error && error.field === f ? error.message : null);

/** A right-aligned amount cell. */
export function Amount({ paise, strong }: { paise: number; strong?: boolean }) {
  return <td class="num">{strong ? <strong safe>{formatInr(paise)}</strong> : <span safe>{formatInr(paise)}</span>}</td>;
}

export const methodLabel = (m: string) => METHOD_LABELS[m as keyof typeof METHOD_LABELS] ?? m;

export const receiptPdf = (paymentId: string, format: 'a5' | 'thermal80') => `/api/v1/payments/${paymentId}/receipt.pdf?format=${format}`;
export const refundPdf = (refundId: string) => `/api/v1/refunds/${refundId}/receipt.pdf`;
export const invoicePdf = (invoiceId: string) => `/api/v1/invoices/${invoiceId}/invoice.pdf`;

/** One click from the desk to a printable receipt: the 80 mm thermal slip and the A5 page. */
export function ReceiptLinks({ paymentId, receiptNumber }: { paymentId: string; receiptNumber: string }) {
  return (
    <span class="print-links">
      <a class="button primary" href={receiptPdf(paymentId, 'thermal80')} target="_blank" rel="noopener">
        Print receipt <span safe>{receiptNumber}</span>
        <span class="sr-only"> (80 mm, opens the PDF)</span>
      </a>{' '}
      <a class="button" href={receiptPdf(paymentId, 'a5')} target="_blank" rel="noopener">
        A5<span class="sr-only" safe>{` receipt ${receiptNumber} (opens the PDF)`}</span>
      </a>
    </span>
  );
}

export interface SplitValues {
  cash?: string;
  upi?: string;
  upi_reference?: string;
  upi_vpa?: string;
  card?: string;
  card_last4?: string;
  card_auth_code?: string;
}

export const SPLIT_FIELDS = ['cash', 'upi', 'upi_reference', 'upi_vpa', 'card', 'card_last4', 'card_auth_code'] as const;

const rupeeInput = { inputmode: 'decimal', autocomplete: 'off', maxlength: 16, pattern: '[0-9,]*(\\.[0-9]{0,2})?', placeholder: '0.00' };

/**
 * Amounts for cash, UPI and card, in rupees: one submit records one payment per method
 * with an amount. Each method's details sit next to its amount.
 */
export function SplitPaymentFields({ values: v, err, autofocus }: { values: SplitValues; err: (f: string) => string | null; autofocus?: boolean }) {
  return (
    <div class="split">
      <fieldset class="split-method">
        <legend>Cash</legend>
        <Field label="Cash amount (₹)" name="cash" value={v.cash} error={err('cash')} autofocus={autofocus} {...rupeeInput} />
      </fieldset>
      <fieldset class="split-method">
        <legend>UPI</legend>
        <Field label="UPI amount (₹)" name="upi" value={v.upi} error={err('upi')} {...rupeeInput} />
        <Field label="UTR / reference" name="upi_reference" value={v.upi_reference} error={err('upi_reference')} autocomplete="off" maxlength={64} hint="Required with a UPI amount" />
        <Field label="Patient's UPI ID (optional)" name="upi_vpa" value={v.upi_vpa} error={err('upi_vpa')} autocomplete="off" maxlength={100} placeholder="name@bank" />
      </fieldset>
      <fieldset class="split-method">
        <legend>Card</legend>
        <Field label="Card amount (₹)" name="card" value={v.card} error={err('card')} {...rupeeInput} />
        <Field label="Card last 4 digits" name="card_last4" value={v.card_last4} error={err('card_last4')} inputmode="numeric" pattern="[0-9]{4}" maxlength={4} autocomplete="off" />
        <Field label="Auth code (optional)" name="card_auth_code" value={v.card_auth_code} error={err('card_auth_code')} autocomplete="off" maxlength={12} />
      </fieldset>
    </div>
  );
}

/** Business date "2026-12-01" as "1 Dec 2026". */
export function formatBusinessDate(ymd: string): string {
  return new Intl.DateTimeFormat('en-IN', { timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric', weekday: 'short' }).format(new Date(`${ymd}T00:00:00Z`));
}

/** "2026-12-01T05:00:00Z" as the branch's time: "10:30". */
export function formatTime(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hour12: false }).format(new Date(iso));
}

export const inr = formatInr;
