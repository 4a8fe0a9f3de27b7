// mymedic as separate processes for the chain tests: `bun src/main.ts ...` run as a
// sysadmin would, servers that can be killed (SIGKILL, no goodbye) and started again on the
// same port, and every line they print kept to check what the logs hold.
import { Database } from 'bun:sqlite';
import { join } from 'node:path';
import type { Subprocess } from 'bun';

export const ROOT = join(import.meta.dir, '..', '..');
const BUN = process.execPath;

/** The environment without MYMEDIC_* settings of whoever runs the tests. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k, v]) => !k.startsWith('MYMEDIC_') && v !== undefined)) as Record<string, string>;
  return { ...env, ...extra };
}

/** Everything any process of a test printed, to search for secrets afterwards. */
export const printed: string[] = [];

/** Runs the CLI; `printsSecret` keeps its output out of `printed` (hub add-branch shows a token, on purpose, once). */
export async function mymedic(args: string[], env: Record<string, string> = {}, printsSecret = false): Promise<{ code: number; stdout: string; stderr: string }> {
  const p = Bun.spawn([BUN, 'src/main.ts', ...args], { cwd: ROOT, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe', env: cleanEnv(env) });
  const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  if (!printsSecret) printed.push(stdout, stderr);
  return { code, stdout, stderr };
}

/** A port free right now on 127.0.0.1 (a server restarted on it keeps its URL). */
export function freePort(): number {
  const s = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => new Response() });
  const port = s.port!;
  s.stop(true);
  return port;
}

async function collect(stream: ReadableStream<Uint8Array>, into: string[], also?: string[]) {
  const dec = new TextDecoder();
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    const text = dec.decode(value);
    into.push(text);
    also?.push(text);
  }
}

export class Server {
  proc: Subprocess<'ignore', 'pipe', 'pipe'> | null = null;
  readonly url: string;
  starts = 0;

  constructor(
    readonly name: string,
    readonly dataDir: string,
    readonly port: number,
    readonly args: string[] = [],
    readonly env: Record<string, string> = {},
    readonly scheme: 'http' | 'https' = 'http',
  ) {
    this.url = `${scheme}://127.0.0.1:${port}`;
  }

  async start(fetchOpts: RequestInit = {}): Promise<void> {
    this.proc = Bun.spawn([BUN, 'src/main.ts', 'serve', '--data', this.dataDir, '--host', '127.0.0.1', '--port', String(this.port), ...this.args], {
      cwd: ROOT,
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
      env: cleanEnv(this.env),
    });
    this.starts++;
    const mine: string[] = [];
    void collect(this.proc.stdout, printed, mine);
    void collect(this.proc.stderr, printed, mine);
    const end = Date.now() + 20_000;
    for (;;) {
      if (this.proc.exitCode !== null) {
        await Bun.sleep(100); // the last lines it wrote
        throw new Error(`${this.name} exited with ${this.proc.exitCode} at start: ${mine.join('').slice(-2000)}`);
      }
      try {
        if ((await fetch(`${this.url}/readyz`, { ...fetchOpts, signal: AbortSignal.timeout(1000) })).status === 200) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > end) throw new Error(`${this.name} did not become ready`);
      await Bun.sleep(50);
    }
  }

  /** SIGKILL: no shutdown, no flush; whatever was in flight is cut. */
  async kill(): Promise<void> {
    if (!this.proc) return;
    this.proc.kill('SIGKILL');
    await this.proc.exited;
    this.proc = null;
  }

  async stop(): Promise<number> {
    if (!this.proc) return 0;
    this.proc.kill('SIGTERM');
    const code = await this.proc.exited;
    this.proc = null;
    return code;
  }
}

/** Reads a live server's database from the side (WAL: readers never block the writer). */
export function peek<T>(dataDir: string, fn: (db: Database) => T): T {
  const db = new Database(join(dataDir, 'mymedic.db'), { readonly: true });
  try {
    db.run('PRAGMA busy_timeout = 5000');
    return fn(db);
  } finally {
    db.close();
  }
}

export const originOf = (db: Database) => (db.query(`SELECT value FROM instance_meta WHERE key = 'origin'`).get() as { value: string }).value;
export const headOf = (db: Database, origin: string) => (db.query('SELECT coalesce(max(origin_seq), 0) AS n FROM events WHERE origin = ?').get(origin) as { n: number }).n;
export const eventKeys = (db: Database, origin: string) =>
  db.query('SELECT id, origin_seq, hash, prev_hash FROM events WHERE origin = ? ORDER BY origin_seq').all(origin) as { id: string; origin_seq: number; hash: string; prev_hash: string }[];
