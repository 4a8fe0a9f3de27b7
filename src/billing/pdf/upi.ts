// UPI "pay" links for the QR code printed on a bill with a balance due, per NPCI's UPI
// linking specification: upi://pay?pa=<payee VPA>&pn=<payee name>&am=<amount>&cu=INR&tn=<note>&tr=<reference>.
// pa and pn are mandatory; am is rupees with two decimals ("1234.50"); values are
// percent-encoded (spaces as %20, never "+", which some UPI apps show literally).
//
// The clinic's VPA is configuration, not data: MYMEDIC_UPI_VPA in the environment, else the
// key "upiVpa" of the config file (--config, $MYMEDIC_CONFIG or DATA/config.json). Without
// one, bills print without a QR code.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A VPA: handle@psp, letters, digits, dot, hyphen, underscore (no character needs encoding). */
const VPA = /^[A-Za-z0-9][A-Za-z0-9._-]{1,255}@[A-Za-z][A-Za-z0-9.-]{1,63}$/;

export const isValidVpa = (vpa: string): boolean => VPA.test(vpa);

/** Percent-encoding for a query value: encodeURIComponent plus the characters it leaves alone. */
export function encodeUpiValue(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

/** Paise as UPI wants the amount: rupees with exactly two decimals, no grouping ("1234.50"). */
export function upiAmount(paise: number): string {
  if (!Number.isInteger(paise) || paise <= 0) throw new Error(`a UPI amount must be a positive whole number of paise, not ${paise}`);
  return `${Math.floor(paise / 100)}.${String(paise % 100).padStart(2, '0')}`;
}

export interface UpiPayment {
  vpa: string;
  payeeName: string;
  amountPaise: number;
  note: string;
  reference: string;
}

/** Payee names and notes are kept short: apps cut long ones, and the QR code grows with them. */
const clip = (s: string, max: number) => {
  const t = s.replace(/\s+/g, ' ').trim();
  return [...t].length > max ? [...t].slice(0, max).join('').trimEnd() : t;
};

export function upiPayLink(p: UpiPayment): string {
  if (!isValidVpa(p.vpa)) throw new Error(`not a UPI ID: ${JSON.stringify(p.vpa)}`);
  const pn = clip(p.payeeName, 50);
  if (!pn) throw new Error('a UPI link needs the payee name');
  return (
    `upi://pay?pa=${p.vpa}&pn=${encodeUpiValue(pn)}&am=${upiAmount(p.amountPaise)}&cu=INR` +
    `&tn=${encodeUpiValue(clip(p.note, 50))}&tr=${encodeUpiValue(clip(p.reference, 35))}`
  );
}

/**
 * The clinic's UPI ID from the environment or the config file, or null when none is set.
 * A malformed one is reported through `warn` (once per value) and treated as unset.
 */
export function configuredUpiVpa(
  config: { dataDir: string },
  env: Record<string, string | undefined> = process.env,
  warn: (message: string) => void = () => {},
): string | null {
  let vpa = env.MYMEDIC_UPI_VPA?.trim() || null;
  const fromConfig = (config as { upiVpa?: unknown }).upiVpa; // loadConfig spreads the config file's keys into the config
  if (!vpa && typeof fromConfig === 'string') vpa = fromConfig.trim() || null;
  if (!vpa) vpa = fromDataConfig(config.dataDir);
  if (vpa && !isValidVpa(vpa)) {
    if (!warned.has(vpa)) {
      warned.add(vpa);
      warn(`upiVpa ${JSON.stringify(vpa)} is not a UPI ID (name@bank): bills print without a UPI QR code`);
    }
    return null;
  }
  return vpa;
}

const warned = new Set<string>();
const fileCache = new Map<string, { mtimeMs: number; vpa: string | null }>();

function fromDataConfig(dataDir: string): string | null {
  const file = join(dataDir, 'config.json');
  if (!existsSync(file)) return null;
  try {
    const mtimeMs = Bun.file(file).lastModified;
    const hit = fileCache.get(file);
    if (hit && hit.mtimeMs === mtimeMs) return hit.vpa;
    const raw = (JSON.parse(readFileSync(file, 'utf8')) as { upiVpa?: unknown }).upiVpa;
    const vpa = typeof raw === 'string' && raw.trim() ? raw.trim() : null;
    fileCache.set(file, { mtimeMs, vpa });
    return vpa;
  } catch {
    return null; // loadConfig already refused an unreadable config file at start
  }
}
