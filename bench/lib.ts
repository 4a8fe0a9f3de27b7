// Shared helpers for the benchmarks: quick mode, temp folders, timing, and the two kinds of
// output every benchmark prints — machine lines `name value` (bench/run.ts collects them) and
// a human table. Benchmarks print figures; they never assert timings.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

/** `--quick` or BENCH_QUICK=1: smaller sizes, for a smoke run. */
export const QUICK = process.argv.includes('--quick') || ['1', 'true', 'yes'].includes(process.env.BENCH_QUICK ?? '');

/** A value from `--name=value` on the command line, else the fallback. */
export function flag(name: string, fallback: string): string;
export function flag(name: string, fallback?: string): string | undefined;
export function flag(name: string, fallback?: string): string | undefined {
  const prefix = `--${name}=`;
  const a = process.argv.find((x) => x.startsWith(prefix));
  return a ? a.slice(prefix.length) : fallback;
}

export function numberFlag(name: string, full: number, quick: number): number {
  const v = flag(name);
  if (v !== undefined) return Number(v);
  return QUICK ? quick : full;
}

export function tempDir(prefix: string): { dir: string; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), `mymedic-bench-${prefix}-`));
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

export const now = (): number => Bun.nanoseconds() / 1e6; // ms

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Nearest-rank percentile of already collected samples. */
export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

export type Op = '>=' | '<=';

/** Prints one figure as `name value` (rounded sensibly) for bench/run.ts. */
export function report(name: string, value: number): void {
  console.log(`${name} ${fmtNumber(value)}`);
}

/** Declares the target of a figure: `target name >= 0.5`. */
export function target(name: string, op: Op, value: number): void {
  console.log(`target ${name} ${op} ${value}`);
}

export function fmtNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (Number.isInteger(v) || a >= 1000) return String(Math.round(v));
  if (a >= 100) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return v.toFixed(3);
}

export function withThousands(v: number): string {
  return fmtNumber(v).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A plain aligned text table. */
export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = rows.map((r) => r.map((c) => (typeof c === 'number' ? withThousands(c) : c)));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

export function header(title: string): void {
  const load = loadavg()[0];
  console.log(`\n== ${title}${QUICK ? ' (quick)' : ''} — bun ${Bun.version}, ${cpus().length} cpu(s), load ${load.toFixed(1)} ==`);
  if (load > cpus().length) console.log(`(load average ${load.toFixed(1)} is above the ${cpus().length} cpus: other work is running, figures will be low and noisy)`);
}

/** Milliseconds → a short human string. */
export function ms(v: number): string {
  return v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(v >= 10 ? 0 : 2)} ms`;
}

export const sleep = (msec: number) => new Promise((r) => setTimeout(r, msec));

/** Resident set size of a process in MB, from /proc/<pid>/status (Linux). */
export async function rssMb(pid: number): Promise<number> {
  const text = await Bun.file(`/proc/${pid}/status`).text();
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(text);
  return m ? Number(m[1]) / 1024 : NaN;
}

/** The chunks of a byte stream (ReadableStream's async iterator is not in the DOM typings). */
export async function* chunksOf(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}
