// The compiled executable, alone in an empty folder: init, serve, sign in, static assets
// from inside the binary, then a crash (kill -9 during writes) that loses no acknowledged
// write and leaves a database that verifies.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dir, '..');
const OWNER = { username: 'asha', password: 'correct horse battery' };
// A build of our own, so a concurrent `bun run build` cannot swap the file under us.
const OUTFILE = `dist/mymedic-test-${process.pid}`;

let dir = '';

function cleanEnv(): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MYMEDIC_')));
}

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const p = Bun.spawn(['./mymedic', ...args], { cwd: dir, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe', env: cleanEnv() });
  const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { code, stdout, stderr };
}

interface Server {
  proc: Bun.Subprocess<'ignore', 'pipe', 'pipe'>;
  url: string;
}

async function serve(): Promise<Server> {
  const proc = Bun.spawn(['./mymedic', 'serve', '--data', './data', '--host', '127.0.0.1', '--port', '0'], {
    cwd: dir,
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
    env: cleanEnv(),
  });
  const reader = proc.stdout.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    const line = buffer.split('\n').find((l) => l.includes('"msg":"listening"'));
    if (line) {
      // Keep draining stdout (request logs) so the server never blocks on a full pipe.
      void (async () => {
        try {
          while (!(await reader.read()).done);
        } catch {}
      })();
      return { proc, url: (JSON.parse(line) as { url: string }).url };
    }
  }
  proc.kill('SIGKILL');
  throw new Error(`server did not log "listening"; stdout:\n${buffer}\nstderr:\n${await new Response(proc.stderr).text()}`);
}

async function signIn(url: string): Promise<string> {
  const res = await fetch(`${url}/api/v1/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(OWNER),
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { token: string };
  expect(body.token).toBeString();
  return body.token;
}

beforeAll(async () => {
  const build = Bun.spawn([process.execPath, 'build.ts', '--outfile', OUTFILE], { cwd: ROOT, stdout: 'pipe', stderr: 'pipe' });
  const [stdout, stderr, code] = await Promise.all([new Response(build.stdout).text(), new Response(build.stderr).text(), build.exited]);
  if (code !== 0) throw new Error(`bun build.ts failed (${code}):\n${stdout}\n${stderr}`);
  dir = mkdtempSync(join(tmpdir(), 'mymedic-binary-'));
  copyFileSync(join(ROOT, OUTFILE), join(dir, 'mymedic'));
  rmSync(join(ROOT, OUTFILE), { force: true });
  rmSync(join(ROOT, `${OUTFILE}.map`), { force: true });
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the compiled binary', () => {
  test('runs alone from an empty folder: init, serve, sign in, assets, crash without losing acknowledged writes, verify', async () => {
    expect(readdirSync(dir)).toEqual(['mymedic']);
    const version = await run(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout).toMatch(/^mymedic \d+\.\d+\.\d+ \(schema \d+, sqlite 3\.\d+\.\d+\)\n$/);

    writeFileSync(join(dir, 'owner.pw'), OWNER.password + '\n', { mode: 0o600 });
    const init = await run(['init', '--data', './data', '--clinic', 'Sunrise Clinic', '--branch-code', 'BLR1', '--admin', OWNER.username, '--password-file', 'owner.pw']);
    expect(init.stderr).toBe('');
    expect(init.code).toBe(0);

    let server = await serve();
    try {
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
      const htmx = await fetch(`${server.url}/public/vendor/htmx.min.js`);
      expect(htmx.status).toBe(200);
      expect(htmx.headers.get('content-type')).toContain('javascript');
      expect((await htmx.text()).length).toBeGreaterThan(10_000);

      const token = await signIn(server.url);

      // Writers in parallel until the server dies under them; remember what was acknowledged.
      const acked: string[] = [];
      let n = 0;
      let crashed = false;
      const writer = async () => {
        while (!crashed) {
          const i = n++;
          try {
            const res = await fetch(`${server.url}/api/v1/patients`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
              body: JSON.stringify({ name: `Crash Test ${i}`, phone: `98450 0${String(i % 10000).padStart(4, '0')}`, sex: 'female', age_years: 30 }),
            });
            if (res.status === 201) acked.push(((await res.json()) as { id: string }).id);
            else if (!crashed) throw new Error(`POST /api/v1/patients answered ${res.status}: ${await res.text()}`);
          } catch (e) {
            if (!crashed) throw e;
          }
        }
      };
      const writers = Array.from({ length: 4 }, writer);
      await Bun.sleep(1000);
      crashed = true;
      server.proc.kill('SIGKILL');
      expect(await server.proc.exited).not.toBe(0);
      await Promise.all(writers);
      expect(acked.length).toBeGreaterThan(10);

      server = await serve();
      const token2 = await signIn(server.url);
      const missing: string[] = [];
      for (let i = 0; i < acked.length; i += 50) {
        const statuses = await Promise.all(
          acked.slice(i, i + 50).map(async (id) => {
            const res = await fetch(`${server.url}/api/v1/patients/${id}`, { headers: { authorization: `Bearer ${token2}` } });
            await res.arrayBuffer();
            return [id, res.status] as const;
          }),
        );
        for (const [id, status] of statuses) if (status !== 200) missing.push(`${id} (${status})`);
      }
      expect(missing).toEqual([]);

      server.proc.kill('SIGTERM');
      expect(await server.proc.exited).toBe(0);
    } finally {
      server.proc.kill('SIGKILL');
    }

    const verify = await run(['verify', '--data', './data']);
    expect(verify.stderr).toBe('');
    expect(verify.stdout).toMatch(/^ok: \d+ events, 1 origins, projections match\n$/);
    expect(verify.code).toBe(0);
  }, 60_000);
});
