// Counting prints: every PDF of a receipt, refund voucher or invoice handed out is a
// `receipt.printed` event in the document's own print stream, so the first print is the
// ORIGINAL and every later one a DUPLICATE, decided inside the transaction (two desks
// printing at once get copies 1 and 2, never two originals).
import type { Decider } from '../../core/decider';
import type { Tx } from '../../core/runner';
import type { Scope } from '../../core/scope';
import { type EventOf, printStream } from '../events';

type PrintedEvent = EventOf<'receipt.printed'>;
export type PrintedData = PrintedEvent['data'];

export const printDecider: Decider<{ copies: number }, PrintedEvent, Omit<PrintedData, 'copy'>> = {
  initialState: { copies: 0 },
  evolve: (s) => ({ copies: s.copies + 1 }),
  decide: (c, s) => [{ type: 'receipt.printed', data: { ...c, copy: s.copies + 1 } }],
};

/** Records one print of a document; returns its copy number (1 = the original). */
export function recordPrint(tx: Tx, scope: Scope, doc: Omit<PrintedData, 'copy'>): number {
  const [e] = tx.execute(printStream(doc.document_id), scope.branchId, printDecider, doc);
  return (e.data as PrintedData).copy;
}
