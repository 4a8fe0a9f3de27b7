// Billing: the price list and deposit rules of a branch, invoices (issued once, corrected
// only by credit notes), payments (deposits at booking, balances at the visit) with their
// gapless receipt numbers, refunds back to the original method, and the day close.
import type { Line, Totals, DocumentType } from './money';

export type PaymentMethod = 'cash' | 'upi' | 'card' | 'online';
export type ItemKind = 'consultation' | 'procedure' | 'lab' | 'other';

export interface NumberedData {
  counter: { name: string; value: number };
}

export interface PriceItem {
  item_code: string;
  name: string;
  kind: ItemKind;
  sac_hsn: string | null;
  unit_price: number;
  tax_rate_bp: number;
  exempt: boolean;
  doctor_id: string | null;
  effective_from: string; // YYYY-MM-DD
}

export interface DepositRule {
  doctor_id: string | null; // null: the branch default
  mode: 'in_person' | 'tele';
  kind: 'amount' | 'percent';
  value: number; // paise, or percent 0–100
}

export interface PaymentData extends NumberedData {
  payment_id: string;
  receipt_number: string;
  patient_id: string;
  invoice_id: string | null;
  appointment_id: string | null;
  amount: number;
  method: PaymentMethod;
  reference: string | null;
  upi_vpa: string | null;
  card_last4: string | null;
  card_auth_code: string | null;
  gateway: { name: string; payment_id: string } | null;
  business_date: string;
  collected_by: string | null;
}

export type BillingEvent =
  | { type: 'price.item_set'; data: PriceItem }
  | { type: 'price.item_retired'; data: { item_code: string; effective_from: string } }
  | { type: 'deposit.rule_set'; data: DepositRule }
  | { type: 'policy.cancellation_set'; data: { refundable_until_hours: number } }
  | {
      type: 'invoice.issued';
      data: NumberedData & {
        invoice_id: string;
        number: string;
        patient_id: string;
        appointment_id: string | null;
        doctor_id: string | null;
        document_type: DocumentType;
        lines: Line[];
        totals: Totals;
        applied_deposits: string[]; // payment ids of deposits taken at booking
        business_date: string;
      };
    }
  | {
      type: 'invoice.credit_noted';
      data: NumberedData & { credit_note_id: string; number: string; lines: Line[]; totals: Totals; reason: string; business_date: string };
    }
  | { type: 'payment.deposit_paid'; data: PaymentData }
  | { type: 'payment.balance_paid'; data: PaymentData }
  | {
      type: 'refund.issued';
      data: NumberedData & {
        refund_id: string;
        receipt_number: string;
        amount: number;
        method: PaymentMethod;
        reason: string;
        approved_by: string | null;
        policy: 'within_policy' | 'override' | 'manual';
        business_date: string;
      };
    }
  | {
      /** A receipt, refund voucher or invoice was printed (downloaded as PDF): copy 1 is the original, later copies are duplicates. */
      type: 'receipt.printed';
      data: { document: 'payment' | 'refund' | 'invoice'; document_id: string; number: string; format: string; copy: number };
    }
  | {
      type: 'day.closed';
      data: {
        business_date: string;
        user_id: string;
        expected: { cash: number; upi: number; card: number; online: number };
        counted_cash: number;
        denominations: Record<string, number>;
        variance: number;
        reason: string | null;
      };
    };

export type EventOf<T extends BillingEvent['type']> = Extract<BillingEvent, { type: T }>;

export const BILLING_EVENT_TYPES = new Set<BillingEvent['type']>([
  'price.item_set', 'price.item_retired', 'deposit.rule_set', 'policy.cancellation_set', 'invoice.issued',
  'invoice.credit_noted', 'payment.deposit_paid', 'payment.balance_paid', 'refund.issued', 'day.closed', 'receipt.printed',
]);

/** Events whose data carries a `counter` of a gapless number series. */
export const NUMBERED_BILLING_EVENTS = ['invoice.issued', 'invoice.credit_noted', 'payment.deposit_paid', 'payment.balance_paid', 'refund.issued'] as const;

export const billingSettingsStream = (branchId: string) => `billing-${branchId}`;
export const invoiceStream = (id: string) => `invoice-${id}`;
export const paymentStream = (id: string) => `payment-${id}`;
/** One stream per printed document, counting its prints. */
export const printStream = (documentId: string) => `print-${documentId}`;
export const dayCloseStream = (branchId: string, userId: string, date: string) => `dayclose-${branchId}-${userId}-${date}`;
