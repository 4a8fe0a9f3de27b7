// Applies billing events to prices, deposit rules, policies, invoices, credit notes,
// payments, refunds and day closes. Looks rows up by primary key only.
import type { Database } from 'bun:sqlite';
import type { StoredEvent } from '../core/events';
import type { Projection } from '../core/projections';
import { BILLING_EVENT_TYPES, type BillingEvent } from './events';

const idAfter = (prefix: string, stream: string) => stream.slice(prefix.length);

export const billingProjection: Projection = {
  name: 'billing',
  tables: ['price_items', 'deposit_rules', 'billing_policies', 'invoices', 'credit_notes', 'payments', 'refunds', 'day_closes'],
  handles: BILLING_EVENT_TYPES,
  primaryKeyLookupsOnly: true,
  bind(db: Database) {
    const setItem = db.prepare(
      `INSERT OR REPLACE INTO price_items (branch_id, item_code, effective_from, name, kind, sac_hsn, unit_price, tax_rate_bp, exempt, doctor_id, retired)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)`,
    );
    // A branch retiring a chain item for itself gets its own retired row (an override).
    const retireItem = db.prepare(
      `INSERT OR REPLACE INTO price_items (branch_id, item_code, effective_from, name, kind, sac_hsn, unit_price, tax_rate_bp, exempt, doctor_id, retired)
       SELECT ?1, item_code, ?3, name, kind, sac_hsn, unit_price, tax_rate_bp, exempt, doctor_id, 1 FROM price_items
       WHERE branch_id IN (?1, '*') AND item_code = ?2 AND effective_from <= ?3 ORDER BY branch_id = ?1 DESC, effective_from DESC LIMIT 1`,
    );
    const setRule = db.prepare('INSERT OR REPLACE INTO deposit_rules (branch_id, doctor_key, mode, kind, value) VALUES (?, ?, ?, ?, ?)');
    const setPolicy = db.prepare('INSERT OR REPLACE INTO billing_policies (branch_id, refundable_until_hours) VALUES (?, ?)');
    const insertInvoice = db.prepare(
      `INSERT INTO invoices (id, branch_id, number, patient_id, appointment_id, doctor_id, document_type, lines, totals, total, credited, paid, refunded, business_date, issued_at, issued_by, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0, ?, ?, ?, ?)`,
    );
    const applyDeposit = db.prepare('UPDATE payments SET invoice_id = ? WHERE id = ?');
    const depositAmounts = db.prepare('SELECT amount, refunded FROM payments WHERE id = ?');
    const addPaid = db.prepare('UPDATE invoices SET paid = paid + ?, refunded = refunded + ?, updated_at = ? WHERE id = ?');
    const insertCredit = db.prepare(
      'INSERT INTO credit_notes (id, branch_id, invoice_id, number, lines, total, reason, business_date, issued_at, issued_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const addCredited = db.prepare('UPDATE invoices SET credited = credited + ?, updated_at = ? WHERE id = ?');
    const insertPayment = db.prepare(
      `INSERT INTO payments (id, branch_id, receipt_number, kind, patient_id, invoice_id, appointment_id, amount, refunded, method, reference, upi_vpa, card_last4, card_auth_code,
         gateway_name, gateway_payment_id, business_date, collected_by, created_at, print_count)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)`,
    );
    const insertRefund = db.prepare(
      'INSERT INTO refunds (id, branch_id, payment_id, receipt_number, amount, method, reason, policy, approved_by, business_date, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const addRefunded = db.prepare('UPDATE payments SET refunded = refunded + ? WHERE id = ?');
    const invoiceOfPayment = db.prepare('SELECT invoice_id FROM payments WHERE id = ?');
    const setPrintCount = db.prepare('UPDATE payments SET print_count = ? WHERE id = ?');
    const insertDayClose = db.prepare(
      'INSERT INTO day_closes (branch_id, user_id, business_date, expected, counted_cash, denominations, variance, reason, closed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );

    return (ev: StoredEvent) => {
      const e = ev as unknown as BillingEvent & StoredEvent;
      const at = ev.at;
      switch (e.type) {
        case 'price.item_set': {
          const d = e.data;
          setItem.run(ev.branch_id, d.item_code, d.effective_from, d.name, d.kind, d.sac_hsn, d.unit_price, d.tax_rate_bp, d.exempt ? 1 : 0, d.doctor_id);
          break;
        }
        case 'price.item_retired':
          retireItem.run(ev.branch_id, e.data.item_code, e.data.effective_from);
          break;
        case 'deposit.rule_set':
          setRule.run(ev.branch_id, e.data.doctor_id ?? '*', e.data.mode, e.data.kind, e.data.value);
          break;
        case 'policy.cancellation_set':
          setPolicy.run(ev.branch_id, e.data.refundable_until_hours);
          break;
        case 'invoice.issued': {
          const d = e.data;
          insertInvoice.run(d.invoice_id, ev.branch_id, d.number, d.patient_id, d.appointment_id, d.doctor_id, d.document_type, JSON.stringify(d.lines), JSON.stringify(d.totals), d.totals.total, d.business_date, at, ev.meta.actor, at);
          for (const p of d.applied_deposits) {
            applyDeposit.run(d.invoice_id, p);
            const row = depositAmounts.get(p) as { amount: number; refunded: number } | null;
            if (row) addPaid.run(row.amount, row.refunded, at, d.invoice_id);
          }
          break;
        }
        case 'invoice.credit_noted': {
          const d = e.data;
          const invoiceId = idAfter('invoice-', ev.stream);
          insertCredit.run(d.credit_note_id, ev.branch_id, invoiceId, d.number, JSON.stringify(d.lines), d.totals.total, d.reason, d.business_date, at, ev.meta.actor);
          addCredited.run(d.totals.total, at, invoiceId);
          break;
        }
        case 'payment.deposit_paid':
        case 'payment.balance_paid': {
          const d = e.data;
          insertPayment.run(
            d.payment_id, ev.branch_id, d.receipt_number, e.type === 'payment.deposit_paid' ? 'deposit' : 'balance', d.patient_id, d.invoice_id, d.appointment_id, d.amount,
            d.method, d.reference, d.upi_vpa, d.card_last4, d.card_auth_code, d.gateway?.name ?? null, d.gateway?.payment_id ?? null, d.business_date, d.collected_by, at,
          );
          if (d.invoice_id) addPaid.run(d.amount, 0, at, d.invoice_id);
          break;
        }
        case 'refund.issued': {
          const d = e.data;
          const paymentId = idAfter('payment-', ev.stream);
          insertRefund.run(d.refund_id, ev.branch_id, paymentId, d.receipt_number, d.amount, d.method, d.reason, d.policy, d.approved_by, d.business_date, at, ev.meta.actor);
          addRefunded.run(d.amount, paymentId);
          const inv = (invoiceOfPayment.get(paymentId) as { invoice_id: string | null } | null)?.invoice_id;
          if (inv) addPaid.run(0, d.amount, at, inv);
          break;
        }
        case 'receipt.printed':
          // Refunds and invoices keep their count in their print stream only (no read table needs it yet).
          if (e.data.document === 'payment') setPrintCount.run(e.data.copy, e.data.document_id);
          break;
        case 'day.closed': {
          const d = e.data;
          insertDayClose.run(ev.branch_id, d.user_id, d.business_date, JSON.stringify(d.expected), d.counted_cash, JSON.stringify(d.denominations), d.variance, d.reason, at);
          break;
        }
      }
    };
  },
};

// Invoice, credit note, payment and refund numbers are gapless series: the counters
// projection advances them from these events' `counter`.
import { registerNumberedEvent } from '../core/counters';
import { NUMBERED_BILLING_EVENTS } from './events';
for (const t of NUMBERED_BILLING_EVENTS) registerNumberedEvent(t);
