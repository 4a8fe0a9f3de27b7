// Shared pieces of the command line: flag parsing with --help, exit codes, opening the
// data folder, reading passwords. Exit codes: 0 done, 1 failed, 2 wrong usage,
// 3 this build cannot open the database (schema newer than it knows, SQLite too old).
import { Database } from 'bun:sqlite';
import { existsSync, readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs, type ParseArgsOptionDescriptor } from 'node:util';
import { databaseFile } from '../core/config';
import { assertSqliteVersion, sqliteVersion } from '../core/db';
import { SchemaTooNewError } from '../core/migrate';
import { openKernel, type Kernel, type KernelOptions } from '../kernel';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
export const EXIT_INCOMPATIBLE = 3;

/** Ends the command with a message on stderr (if any) and an exit code. */
export class CliExit extends Error {
  constructor(
    message: string,
    readonly code: number = EXIT_FAILED,
  ) {
    super(message);
    this.name = 'CliExit';
  }
}

export const usageError = (message: string, command: string) =>
  new CliExit(`${message}\nRun \`mymedic ${command} --help\` for usage.`, EXIT_USAGE);

export function out(line = ''): void {
  process.stdout.write(line + '\n');
}

export function err(line: string): void {
  process.stderr.write(line + '\n');
}

type Options = Record<string, ParseArgsOptionDescriptor>;

/**
 * Parses a command's flags strictly. `--help`/`-h` anywhere (before `--`) prints the usage
 * text and ends with 0; an unknown flag, a flag without its value or a stray argument ends
 * with 2 and a pointer to --help.
 */
export function parseFlags<const O extends Options>(argv: string[], options: O, usage: string, command: string, positionals = 0) {
  const end = argv.indexOf('--');
  const head = end < 0 ? argv : argv.slice(0, end);
  if (head.includes('--help') || head.includes('-h')) {
    out(usage.trim());
    throw new CliExit('', EXIT_OK);
  }
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: true });
  } catch (e) {
    const code = (e as { code?: string }).code ?? '';
    // Node's message goes on about '--' for positionals; the first sentence is what matters.
    if (code.startsWith('ERR_PARSE_ARGS')) throw usageError((e as Error).message.replace(/\. To specify .*$/s, ''), command);
    throw e;
  }
  if (parsed.positionals.length > positionals) {
    throw usageError(`unexpected argument '${parsed.positionals[positionals]}'`, command);
  }
  return parsed;
}

export function dataDirOf(flag: string | undefined): string {
  return resolve(flag || process.env.MYMEDIC_DATA || './data');
}

/** The SQLite this build carries, checked before any database is touched. */
export function bundledSqliteVersion(): string {
  const db = new Database(':memory:');
  try {
    return sqliteVersion(db);
  } finally {
    db.close();
  }
}

export function assertUsableSqlite(): void {
  try {
    assertSqliteVersion(bundledSqliteVersion());
  } catch (e) {
    throw new CliExit(`error: ${(e as Error).message}`, EXIT_INCOMPATIBLE);
  }
}

export function assertDatabaseExists(dataDir: string): string {
  const file = databaseFile(dataDir);
  if (!existsSync(file)) throw new CliExit(`error: no database at ${file}; run mymedic init first`, EXIT_FAILED);
  return file;
}

/** Opens an existing data folder's database; refuses a missing one instead of creating it. */
export function openExisting(dataDir: string, opts: KernelOptions = {}): Kernel {
  assertUsableSqlite();
  assertDatabaseExists(dataDir);
  return openKernelChecked(dataDir, opts);
}

export function openKernelChecked(dataDir: string, opts: KernelOptions = {}): Kernel {
  try {
    return openKernel(dataDir, opts);
  } catch (e) {
    throw incompatible(e) ?? e;
  }
}

/** Maps "this build cannot use that database" errors to exit code 3. */
export function incompatible(e: unknown): CliExit | null {
  if (e instanceof SchemaTooNewError) return new CliExit(`error: ${e.message}`, EXIT_INCOMPATIBLE);
  if (e instanceof Error && /SQLite .* is too old/.test(e.message)) return new CliExit(`error: ${e.message}`, EXIT_INCOMPATIBLE);
  return null;
}

/** Runs fn with an open kernel and closes it whatever happens. */
export async function withKernel<R>(kernel: Kernel, fn: (k: Kernel) => R | Promise<R>): Promise<R> {
  try {
    return await fn(kernel);
  } finally {
    kernel.close();
  }
}

/** A password from a file (`-` = stdin). One trailing newline is dropped, nothing else. */
export async function readPasswordFile(file: string): Promise<string> {
  let text: string;
  try {
    text = file === '-' ? await Bun.stdin.text() : readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliExit(`error: cannot read password file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const pw = text.replace(/\r?\n$/, '');
  if (!pw) throw new CliExit(`error: password file ${file} is empty`);
  if (pw.includes('\n')) throw new CliExit(`error: password file ${file} has more than one line; put only the password in it`);
  return pw;
}

export const stdinIsTty = (): boolean => Boolean(process.stdin.isTTY);

/** Asks a question on the terminal; empty answer gives the default. */
export function ask(question: string, fallback?: string): string {
  const answer = prompt(fallback ? `${question} [${fallback}]:` : `${question}:`);
  if (answer === null) throw new CliExit('\nerror: input ended; nothing changed', EXIT_USAGE);
  return answer.trim() || fallback || '';
}

/** Reads a password from the terminal without echo (via stty), asking twice when confirming. */
export function askPassword(question: string, confirm = true): string {
  const silent = setEcho(false);
  if (!silent) err('warning: cannot turn off echo; the password will be visible as you type');
  try {
    const first = prompt(`${question}:`);
    if (first === null) throw new CliExit('\nerror: input ended; nothing changed', EXIT_USAGE);
    if (silent) process.stdout.write('\n');
    if (!confirm) return first;
    const second = prompt('Repeat the password:') ?? '';
    if (silent) process.stdout.write('\n');
    if (first !== second) throw new CliExit('error: the two passwords differ; nothing changed');
    return first;
  } finally {
    if (silent) setEcho(true);
  }
}

function setEcho(on: boolean): boolean {
  try {
    const r = Bun.spawnSync(['stty', on ? 'echo' : '-echo'], { stdin: 'inherit', stdout: 'ignore', stderr: 'ignore' });
    return r.exitCode === 0;
  } catch {
    return false;
  }
}

/** The address other machines on the LAN reach this one at (first non-internal IPv4). */
export function lanAddress(): string | null {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return null;
}

/** URLs to reach a server bound to `host`: the LAN one first (when there is one), then local. */
export function reachableBaseUrls(host: string, port: number): string[] {
  const local = `http://127.0.0.1:${port}`;
  if (host === '0.0.0.0' || host === '::' || host === '') {
    const lan = lanAddress();
    return lan ? [`http://${lan}:${port}`, local] : [local];
  }
  if (host === '127.0.0.1' || host === 'localhost' || host === '::1') return [local];
  const h = host.includes(':') ? `[${host}]` : host;
  return [`http://${h}:${port}`];
}

/** Fixed-width columns for listings. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}
