// Paper formats each printed document offers. Kept apart from the renderer so the routes can
// check a format without loading pdf-lib, fontkit and the QR encoder at server start.
import type { DocumentKind } from './documents';
import type { PAPER } from './layout';

export type PaperFormat = keyof typeof PAPER;

/** Formats each document offers, the first being its default. */
export const FORMATS_OF: Record<DocumentKind, readonly PaperFormat[]> = {
  receipt: ['a5', 'thermal80', 'a4'],
  refund: ['a5', 'thermal80', 'a4'],
  invoice: ['a4', 'a5', 'thermal80'],
};
