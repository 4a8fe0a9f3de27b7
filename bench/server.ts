// Starting real servers for the HTTP and binary benchmarks: `mymedic init` + `mymedic serve
// --port 0` as child processes (from source with bun, or the compiled dist/mymedic), the bare
// Elysia echo for comparison, logging in, and driving wrk. Everything talks to 127.0.0.1 only.
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Subprocess } from 'bun';
import { chunksOf, now, sleep } from './lib';

export const ROOT = resolve(import.meta.dir, '..');
export const BUN = process.execPath;
export const ADMIN = 'owner';
export const PASSWORD = 'bench-password-1234';

/** The command that runs mymedic: from source (`bun src/main.ts`) or a compiled executable. */
export function mymedicCommand(binary?: string): string[] {
  return binary ? [binary] : [BUN, join(ROOT, 'src/main.ts')];
}

/** `mymedic init` in dataDir: clinic, branch BEN1 and the owner account. */
export async function initClinic(dataDir: string, binary?: string): Promise<void> {
  const pwFile = join(dataDir, '..', `pw-${process.pid}-${Math.random().toString(36).slice(2)}`);
  writeFileSync(pwFile, PASSWORD + '\n', { mode: 0o600 });
  const p = Bun.spawn(
    [...mymedicCommand(binary), 'init', '--data', dataDir, '--clinic', 'Bench Clinic', '--branch-code', 'BEN1', '--admin', ADMIN, '--admin-name', 'Bench Owner', '--password-file', pwFile],
    { cwd: ROOT, stdout: 'pipe', stderr: 'pipe', stdin: 'ignore' },
  );
  const code = await p.exited;
  if (code !== 0) {
    throw new Error(`mymedic init failed (${code}): ${await new Response(p.stderr).text()} ${await new Response(p.stdout).text()}`);
  }
}

export interface RunningServer {
  proc: Subprocess<'ignore', 'pipe', 'pipe'>;
  pid: number;
  port: number;
  url: string;
  /** ms from spawn to the "listening" log line. */
  listeningMs: number;
  stop(): Promise<void>;
}

/**
 * Spawns a server and waits for the line that tells its port: mymedic logs
 * {"msg":"listening","port":N}; the bare echo prints {"port":N}. stdout is drained for the
 * server's whole life (a full pipe would block its request logging).
 */
export async function spawnServer(cmd: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<RunningServer> {
  const t0 = now();
  const proc = Bun.spawn(cmd, {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, ...opts.env },
    stdout: 'pipe',
    stderr: 'pipe',
    stdin: 'ignore',
  });
  let stderr = '';
  void (async () => {
    for await (const chunk of chunksOf(proc.stderr)) stderr += new TextDecoder().decode(chunk);
  })();
  const port = await new Promise<number>((res, rej) => {
    let buf = '';
    let found = false;
    const timer = setTimeout(() => rej(new Error(`server did not start in 30 s: ${cmd.join(' ')}\n${stderr}`)), 30_000);
    void (async () => {
      const dec = new TextDecoder();
      for await (const chunk of chunksOf(proc.stdout)) {
        if (found) continue; // keep draining
        buf += dec.decode(chunk, { stream: true });
        let nl: number;
        while (!found && (nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          try {
            const j = JSON.parse(line) as { msg?: string; port?: number };
            if (typeof j.port === 'number' && (j.msg === 'listening' || j.msg === undefined)) {
              found = true;
              clearTimeout(timer);
              res(j.port);
            }
          } catch {
            /* not JSON: ignore */
          }
        }
      }
      if (!found) {
        clearTimeout(timer);
        rej(new Error(`server exited before listening (${await proc.exited}): ${cmd.join(' ')}\n${stderr}`));
      }
    })();
  });
  const listeningMs = now() - t0;
  return {
    proc,
    pid: proc.pid,
    port,
    url: `http://127.0.0.1:${port}`,
    listeningMs,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const done = await Promise.race([proc.exited.then(() => true), sleep(8000).then(() => false)]);
      if (!done) {
        proc.kill('SIGKILL');
        await proc.exited;
      }
    },
  };
}

export function serveCommand(dataDir: string, binary?: string, port = 0): string[] {
  return [...mymedicCommand(binary), 'serve', '--data', dataDir, '--host', '127.0.0.1', '--port', String(port)];
}

export function startMymedic(dataDir: string, binary?: string): Promise<RunningServer> {
  return spawnServer(serveCommand(dataDir, binary));
}

export function startBareElysia(): Promise<RunningServer> {
  return spawnServer([BUN, join(ROOT, 'bench/bare-elysia.ts')]);
}

/** POST /api/v1/auth/token → a bearer token. */
export async function login(baseUrl: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/v1/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: ADMIN, password: PASSWORD }),
  });
  if (!res.ok) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  const j = (await res.json()) as { token?: string };
  if (!j.token) throw new Error('login answered no token');
  return j.token;
}

/** Polls url until it answers 200; returns ms since `since` (a now() value). */
export async function waitFor200(url: string, since: number, timeoutMs = 30_000): Promise<number> {
  for (;;) {
    try {
      const r = await fetch(url);
      await r.arrayBuffer();
      if (r.status === 200) return now() - since;
    } catch {
      /* not up yet */
    }
    if (now() - since > timeoutMs) throw new Error(`${url} not ready after ${timeoutMs} ms`);
    await sleep(2);
  }
}

export function haveWrk(): boolean {
  return Bun.which('wrk') !== null;
}

export interface WrkResult {
  requests: number;
  durationS: number;
  rps: number;
  p50ms: number;
  p90ms: number;
  p99ms: number;
  maxMs: number;
  /** non-2xx/3xx answers */
  badStatus: number;
  /** connect/read/write/timeout errors */
  socketErrors: number;
}

/**
 * Runs wrk with bench/wrk-post.lua (JSON POST bodies with a different name and phone each
 * request) and reads the JSON line the script's done() prints.
 */
export async function runWrk(o: {
  url: string;
  seconds: number;
  connections: number;
  threads?: number;
  token?: string;
  /** 0–9: first digit after 98 in phone numbers, so runs against one database never repeat a phone. */
  run: number;
}): Promise<WrkResult> {
  const p = Bun.spawn(
    ['wrk', '-t', String(o.threads ?? 2), '-c', String(o.connections), '-d', `${o.seconds}s`, '--timeout', '5s', '-s', join(ROOT, 'bench/wrk-post.lua'), o.url],
    {
      env: { ...process.env, BENCH_TOKEN: o.token ?? '', BENCH_RUN: String(o.run % 10) },
      stdout: 'pipe',
      stderr: 'pipe',
    },
  );
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  const line = out.split('\n').find((l) => l.startsWith('WRK_JSON '));
  if (code !== 0 || !line) throw new Error(`wrk failed (${code}):\n${out}\n${err}`);
  const j = JSON.parse(line.slice('WRK_JSON '.length)) as {
    requests: number; duration_us: number; p50: number; p90: number; p99: number; max: number;
    status: number; connect: number; read: number; write: number; timeout: number;
  };
  const durationS = j.duration_us / 1e6;
  return {
    requests: j.requests,
    durationS,
    rps: j.requests / durationS,
    p50ms: j.p50 / 1000,
    p90ms: j.p90 / 1000,
    p99ms: j.p99 / 1000,
    maxMs: j.max / 1000,
    badStatus: j.status,
    socketErrors: j.connect + j.read + j.write + j.timeout,
  };
}

/** Samples a process's RSS every `everyMs` until stopped; returns the samples in MB. */
export function sampleRss(pid: number, everyMs = 250): { stop(): number[] } {
  const samples: number[] = [];
  const timer = setInterval(async () => {
    try {
      const text = await Bun.file(`/proc/${pid}/status`).text();
      const m = /VmRSS:\s+(\d+)\s+kB/.exec(text);
      if (m) samples.push(Number(m[1]) / 1024);
    } catch {
      /* process gone */
    }
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return samples;
    },
  };
}

/** CPU time (user + system, all threads) a process has used so far, in ms. */
export async function cpuMs(pid: number): Promise<number> {
  const stat = await Bun.file(`/proc/${pid}/stat`).text();
  // Fields after the command name (which may hold spaces) start after the last ')'.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(f[11]) + Number(f[12]); // utime, stime (fields 14, 15)
  return (ticks * 1000) / CLOCK_TICKS;
}
const CLOCK_TICKS = 100; // sysconf(_SC_CLK_TCK) on Linux
