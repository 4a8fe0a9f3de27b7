// Pure deciders for billing streams: branch settings (prices, deposit rules, cancellation
// policy), invoices, payments with their refunds, and a counter's day close.
import type { Decider } from '../core/decider';
import { conflict, unprocessable } from '../core/errors';
import type { DepositRule, EventOf, PaymentData, PaymentMethod, PriceItem } from './events';
import { formatInr, type Line, type Totals } from './money';

// ---- settings
type SettingsEvent = EventOf<'price.item_set'> | EventOf<'price.item_retired'> | EventOf<'deposit.rule_set'> | EventOf<'policy.cancellation_set'>;
export type SettingsState = { items: Record<string, PriceItem[]> };
export type SettingsCommand =
  | { kind: 'set_item'; item: PriceItem }
  | { kind: 'retire_item'; itemCode: string; effectiveFrom: string }
  | { kind: 'set_deposit_rule'; rule: DepositRule }
  | { kind: 'set_cancellation_policy'; hours: number };

export const settingsDecider: Decider<SettingsState, SettingsEvent, SettingsCommand> = {
  initialState: { items: {} },
  evolve(s, e) {
    if (e.type === 'price.item_set') return { items: { ...s.items, [e.data.item_code]: [...(s.items[e.data.item_code] ?? []), e.data] } };
    return s;
  },
  decide(c) {
    switch (c.kind) {
      case 'set_item':
        return [{ type: 'price.item_set', data: c.item }];
      case 'retire_item':
        return [{ type: 'price.item_retired', data: { item_code: c.itemCode, effective_from: c.effectiveFrom } }];
      case 'set_deposit_rule':
        return [{ type: 'deposit.rule_set', data: c.rule }];
      case 'set_cancellation_policy':
        return [{ type: 'policy.cancellation_set', data: { refundable_until_hours: c.hours } }];
    }
  },
};

// ---- invoice
type InvoiceEvent = EventOf<'invoice.issued'> | EventOf<'invoice.credit_noted'>;
export type InvoiceState = { status: 'none' } | { status: 'issued'; total: number; credited: number };
export type InvoiceCommand =
  | { kind: 'issue'; data: EventOf<'invoice.issued'>['data'] }
  | { kind: 'credit'; data: EventOf<'invoice.credit_noted'>['data'] };

export const invoiceDecider: Decider<InvoiceState, InvoiceEvent, InvoiceCommand> = {
  initialState: { status: 'none' },
  evolve(s, e) {
    if (e.type === 'invoice.issued') return { status: 'issued', total: e.data.totals.total, credited: 0 };
    return s.status === 'issued' ? { ...s, credited: s.credited + e.data.totals.total } : s;
  },
  decide(c, s) {
    if (c.kind === 'issue') {
      if (s.status !== 'none') throw conflict('invoice_exists', 'This invoice is already issued; correct it with a credit note');
      if (!c.data.lines.length) throw unprocessable('no_lines', 'An invoice needs at least one line', { field: 'lines' });
      return [{ type: 'invoice.issued', data: c.data }];
    }
    if (s.status === 'none') throw conflict('no_invoice', 'No such invoice');
    const left = s.total - s.credited;
    if (c.data.totals.total > left) {
      throw unprocessable('credit_exceeds_invoice', `A credit note can take at most ${formatInr(left)} off this invoice`, { creditable: left });
    }
    return [{ type: 'invoice.credit_noted', data: c.data }];
  },
};

// ---- payment and its refunds
type PaymentEvent = EventOf<'payment.deposit_paid'> | EventOf<'payment.balance_paid'> | EventOf<'refund.issued'>;
export type PaymentState = { status: 'none' } | { status: 'paid'; amount: number; refunded: number; method: PaymentMethod };
export type PaymentCommand =
  | { kind: 'pay'; deposit: boolean; data: PaymentData }
  | { kind: 'refund'; data: EventOf<'refund.issued'>['data'] };

export const paymentDecider: Decider<PaymentState, PaymentEvent, PaymentCommand> = {
  initialState: { status: 'none' },
  evolve(s, e) {
    if (e.type === 'refund.issued') return s.status === 'paid' ? { ...s, refunded: s.refunded + e.data.amount } : s;
    return { status: 'paid', amount: e.data.amount, refunded: 0, method: e.data.method };
  },
  decide(c, s) {
    if (c.kind === 'pay') {
      if (s.status !== 'none') throw conflict('payment_exists', 'This payment is already recorded');
      if (!Number.isInteger(c.data.amount) || c.data.amount <= 0) throw unprocessable('invalid_amount', 'The amount must be a positive whole number of paise', { field: 'amount' });
      return [{ type: c.deposit ? 'payment.deposit_paid' : 'payment.balance_paid', data: c.data }];
    }
    if (s.status === 'none') throw conflict('no_payment', 'No such payment');
    const left = s.amount - s.refunded;
    if (!Number.isInteger(c.data.amount) || c.data.amount <= 0) throw unprocessable('invalid_amount', 'The refund must be a positive whole number of paise', { field: 'amount' });
    if (c.data.amount > left) {
      throw unprocessable('refund_exceeds_paid', `At most ${formatInr(left)} of this payment can still be refunded`, { refundable: left });
    }
    if (c.data.method !== s.method) throw unprocessable('refund_method', `Refunds go back to the original method (${s.method})`, { field: 'method' });
    return [{ type: 'refund.issued', data: c.data }];
  },
};

// ---- day close
type DayEvent = EventOf<'day.closed'>;
export type DayState = { closed: boolean };
export type DayCommand = { kind: 'close'; data: EventOf<'day.closed'>['data'] };

export const dayCloseDecider: Decider<DayState, DayEvent, DayCommand> = {
  initialState: { closed: false },
  evolve: () => ({ closed: true }),
  decide(c, s) {
    if (s.closed) throw conflict('day_closed', `${c.data.business_date} is already closed for this counter`);
    return [{ type: 'day.closed', data: c.data }];
  },
};

export type { Line, Totals };
