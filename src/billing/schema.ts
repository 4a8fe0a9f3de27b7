// Read tables of billing.
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const priceItems = sqliteTable(
  'price_items',
  {
    branchId: text('branch_id').notNull(),
    itemCode: text('item_code').notNull(),
    effectiveFrom: text('effective_from').notNull(),
    name: text('name').notNull(),
    kind: text('kind', { enum: ['consultation', 'procedure', 'lab', 'other'] }).notNull(),
    sacHsn: text('sac_hsn'),
    unitPrice: integer('unit_price').notNull(),
    taxRateBp: integer('tax_rate_bp').notNull(),
    exempt: integer('exempt', { mode: 'boolean' }).notNull(),
    doctorId: text('doctor_id'),
    retired: integer('retired', { mode: 'boolean' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.branchId, t.itemCode, t.effectiveFrom] })],
);

export const depositRules = sqliteTable(
  'deposit_rules',
  {
    branchId: text('branch_id').notNull(),
    doctorKey: text('doctor_key').notNull(), // doctor id, or '*' for the branch default
    mode: text('mode', { enum: ['in_person', 'tele'] }).notNull(),
    kind: text('kind', { enum: ['amount', 'percent'] }).notNull(),
    value: integer('value').notNull(),
  },
  (t) => [primaryKey({ columns: [t.branchId, t.doctorKey, t.mode] })],
);

export const billingPolicies = sqliteTable('billing_policies', {
  branchId: text('branch_id').primaryKey(),
  refundableUntilHours: integer('refundable_until_hours').notNull(),
});

export const invoices = sqliteTable(
  'invoices',
  {
    id: text('id').primaryKey(),
    branchId: text('branch_id').notNull(),
    number: text('number').notNull(),
    patientId: text('patient_id').notNull(),
    appointmentId: text('appointment_id'),
    doctorId: text('doctor_id'),
    documentType: text('document_type').notNull(),
    lines: text('lines').notNull(), // JSON Line[]
    totals: text('totals').notNull(), // JSON Totals
    total: integer('total').notNull(),
    credited: integer('credited').notNull(),
    paid: integer('paid').notNull(),
    refunded: integer('refunded').notNull(),
    businessDate: text('business_date').notNull(),
    issuedAt: text('issued_at').notNull(),
    issuedBy: text('issued_by'),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [uniqueIndex('invoices_number').on(t.branchId, t.number), index('invoices_patient').on(t.patientId), index('invoices_appointment').on(t.appointmentId)],
);

export const creditNotes = sqliteTable('credit_notes', {
  id: text('id').primaryKey(),
  branchId: text('branch_id').notNull(),
  invoiceId: text('invoice_id').notNull(),
  number: text('number').notNull(),
  lines: text('lines').notNull(),
  total: integer('total').notNull(),
  reason: text('reason').notNull(),
  businessDate: text('business_date').notNull(),
  issuedAt: text('issued_at').notNull(),
  issuedBy: text('issued_by'),
});

export const payments = sqliteTable(
  'payments',
  {
    id: text('id').primaryKey(),
    branchId: text('branch_id').notNull(),
    receiptNumber: text('receipt_number').notNull(),
    kind: text('kind', { enum: ['deposit', 'balance'] }).notNull(),
    patientId: text('patient_id').notNull(),
    invoiceId: text('invoice_id'),
    appointmentId: text('appointment_id'),
    amount: integer('amount').notNull(),
    refunded: integer('refunded').notNull(),
    method: text('method', { enum: ['cash', 'upi', 'card', 'online'] }).notNull(),
    reference: text('reference'),
    upiVpa: text('upi_vpa'),
    cardLast4: text('card_last4'),
    cardAuthCode: text('card_auth_code'),
    gatewayName: text('gateway_name'),
    gatewayPaymentId: text('gateway_payment_id'),
    businessDate: text('business_date').notNull(),
    collectedBy: text('collected_by'),
    createdAt: text('created_at').notNull(),
    printCount: integer('print_count').notNull(),
  },
  (t) => [
    uniqueIndex('payments_receipt').on(t.branchId, t.receiptNumber),
    index('payments_branch_date').on(t.branchId, t.businessDate),
    index('payments_invoice').on(t.invoiceId),
    index('payments_appointment').on(t.appointmentId),
    uniqueIndex('payments_gateway').on(t.gatewayName, t.gatewayPaymentId),
  ],
);

export const refunds = sqliteTable(
  'refunds',
  {
    id: text('id').primaryKey(),
    branchId: text('branch_id').notNull(),
    paymentId: text('payment_id').notNull(),
    receiptNumber: text('receipt_number').notNull(),
    amount: integer('amount').notNull(),
    method: text('method').notNull(),
    reason: text('reason').notNull(),
    policy: text('policy').notNull(),
    approvedBy: text('approved_by'),
    businessDate: text('business_date').notNull(),
    createdAt: text('created_at').notNull(),
    createdBy: text('created_by'),
  },
  (t) => [uniqueIndex('refunds_receipt').on(t.branchId, t.receiptNumber), index('refunds_branch_date').on(t.branchId, t.businessDate)],
);

export const dayCloses = sqliteTable(
  'day_closes',
  {
    branchId: text('branch_id').notNull(),
    userId: text('user_id').notNull(),
    businessDate: text('business_date').notNull(),
    expected: text('expected').notNull(), // JSON {cash, upi, card, online}
    countedCash: integer('counted_cash').notNull(),
    denominations: text('denominations').notNull(), // JSON {"500": 3, ...}
    variance: integer('variance').notNull(),
    reason: text('reason'),
    closedAt: text('closed_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.branchId, t.userId, t.businessDate] })],
);
