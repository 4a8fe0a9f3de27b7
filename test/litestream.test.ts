// Litestream for real: the v0.3.13 binary from the npm package replicates a clinic's
// database to a folder while `mymedic serve` (its -exec child) takes 5,000+ events over
// HTTP; then both are killed with SIGKILL mid-load, and `mymedic restore` brings the
// replica back into a fresh folder. Every patient acknowledged more than 5 s before the
// kill must be there (Litestream syncs about once a second), and the copy must pass
// integrity_check (ours and the sqlite3 CLI's) and verify.
import { Database } from 'bun:sqlite';
import { afterAll, expect, test } from 'bun:test';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { litestreamBinary } from '../src/ops/litestream';
import { tempDir } from './helpers/kernel';

const ROOT = join(import.meta.dir, '..');
const BUN = process.execPath;
const PASSWORD = 'correct horse battery';
const TARGET_EVENTS = 5000;

const dirs: string[] = [];
const children: { kill(signal?: number | NodeJS.Signals): void }[] = [];
afterAll(() => {
  for (const c of children) {
    try {
      c.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function mymedic(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MYMEDIC_')));
  const p = Bun.spawn([BUN, 'src/main.ts', ...args], { cwd: ROOT, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe', env });
  const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { code, stdout, stderr };
}

/** Reads JSON log lines from a stream until one matches. */
async function waitForLine(stream: ReadableStream<Uint8Array>, lines: string[], match: (obj: Record<string, unknown>) => boolean, timeoutMs: number) {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  const deadline = Date.now() + timeoutMs;
  const found = await (async () => {
    while (Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) return null;
      buf += decoder.decode(value, { stream: true });
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        lines.push(line);
        if (!line.startsWith('{')) continue;
        try {
          const obj = JSON.parse(line) as Record<string, unknown>;
          if (match(obj)) return obj;
        } catch {
          // not one of ours
        }
      }
    }
    return null;
  })();
  // Keep draining in the background so the child never blocks on a full pipe.
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        lines.push(decoder.decode(value));
      }
    } catch {
      // closed
    }
  })();
  return found;
}

test('replicate under load, kill -9 both, restore: every write acknowledged 5 s before the kill is back', async () => {
  const bin = litestreamBinary();
  expect(bin).not.toBeNull();
  const version = Bun.spawnSync([bin!, 'version']).stdout.toString().trim();
  expect(version).toBe('v0.3.13');

  const dir = tempDir('mymedic-litestream-');
  dirs.push(dir);
  const data = join(dir, 'data');
  const replica = join(dir, 'replica');
  const pw = join(dir, 'owner.pw');
  writeFileSync(pw, PASSWORD + '\n');
  const init = await mymedic(['init', '--data', data, '--clinic', 'Sunrise Clinic', '--branch-code', 'BLR1', '--admin', 'asha', '--password-file', pw]);
  expect(init.code).toBe(0);

  // DATA/litestream.yml: where `mymedic backup status` looks first.
  const config = join(data, 'litestream.yml');
  writeFileSync(config, `dbs:\n  - path: ${join(data, 'mymedic.db')}\n    replicas:\n      - type: file\n        path: ${replica}\n        sync-interval: 1s\n`);

  const serve = `${BUN} src/main.ts serve --data ${data} --port 0 --host 127.0.0.1`;
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MYMEDIC_')));
  const ls = Bun.spawn([bin!, 'replicate', '-config', config, '-exec', serve], { cwd: ROOT, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe', env });
  children.push(ls);
  const out: string[] = [];
  const listening = await waitForLine(ls.stdout, out, (o) => o.msg === 'listening', 20_000);
  if (!listening) throw new Error(`the server did not start:\n${out.join('\n')}`);
  const base = String(listening.url);
  const serverPid = Number(listening.pid);
  children.push({ kill: () => process.kill(serverPid, 'SIGKILL') });
  // The server knew it runs under Litestream and left checkpoints to it.
  expect(out.some((l) => l.includes('"leaving WAL checkpoints to Litestream"') && l.includes('litestream replicate -exec'))).toBe(true);

  const tokenRes = await fetch(`${base}/api/v1/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'asha', password: PASSWORD }) });
  expect(tokenRes.status).toBe(200);
  const { token } = (await tokenRes.json()) as { token: string };

  const acked: { id: string; at: number }[] = [];
  let failures = 0;
  let stop = false;
  let n = 0;
  async function writer() {
    while (!stop) {
      const i = n++;
      try {
        const res = await fetch(`${base}/api/v1/patients`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ name: `Load Patient ${i}`, phone: `9${String(100000000 + i)}`, sex: i % 2 ? 'male' : 'female', age_years: 20 + (i % 60) }),
        });
        if (res.status === 201) acked.push({ id: ((await res.json()) as { id: string }).id, at: Date.now() });
        else {
          failures++;
          await res.text();
        }
      } catch {
        if (!stop) failures++;
      }
    }
  }
  const started = Date.now();
  const writers = Array.from({ length: 24 }, () => writer());
  // init wrote a few events; each registration writes one.
  while (acked.length < TARGET_EVENTS && Date.now() - started < 30_000) await Bun.sleep(50);
  expect(acked.length).toBeGreaterThanOrEqual(TARGET_EVENTS);
  const loadSeconds = (Date.now() - started) / 1000;
  // Keep writing for another 6 s, so the load is on when the kill comes and the writes of
  // the first 5,000 are all older than 5 s.
  // Meanwhile a snapshot file is taken from the live database under that load.
  const snapshot = join(dir, 'under-load.db');
  const tail = Bun.sleep(6_000);
  const now = await mymedic(['backup', 'now', '--data', data, '--out', snapshot, '--json']);
  expect(now.stderr).toBe('');
  expect(now.code).toBe(0);
  const snapEvents = (JSON.parse(now.stdout) as { events: number }).events;
  expect(snapEvents).toBeGreaterThanOrEqual(TARGET_EVENTS);
  await tail;
  // /metrics carries the replica's lag, read as Prometheus text by an outside parser.
  const metrics = parsePrometheusTextFormat(await (await fetch(`${base}/metrics`)).text());
  const lag = metrics.find((f) => f.name === 'mymedic_backup_lag_seconds');
  expect(lag?.type).toBe('GAUGE');
  const lagValue = Number(lag!.metrics[0].value);
  expect(lagValue).toBeGreaterThanOrEqual(0);
  expect(lagValue).toBeLessThan(30);
  const killedAt = Date.now();
  process.kill(serverPid, 'SIGKILL');
  ls.kill('SIGKILL');
  stop = true;
  await Promise.allSettled(writers);
  await ls.exited;
  expect(failures).toBe(0);
  const mustHave = acked.filter((a) => a.at < killedAt - 5_000);
  expect(mustHave.length).toBeGreaterThanOrEqual(TARGET_EVENTS);

  // The replica as Litestream left it: generations/<id>/{snapshots,wal}.
  expect(readdirSync(join(replica, 'generations')).length).toBeGreaterThanOrEqual(1);
  const status = await mymedic(['backup', 'status', '--data', data, '--json']);
  const s = JSON.parse(status.stdout);
  expect(s).toMatchObject({ replica: { kind: 'file', url: replica }, configFile: config, replicaError: null });
  expect(s.position).toMatch(/^[0-9a-f]{16}\/[0-9a-f]{8}:[0-9a-f]{8}$/);
  expect(s.lagSeconds).toBeLessThan(60);

  const fresh = join(dir, 'restored');
  const restore = await mymedic(['restore', '--from', replica, '--data', fresh]);
  expect(restore.stderr).toBe('');
  expect(restore.code).toBe(0);
  expect(restore.stdout).toContain('integrity ok, verify ok');
  expect(readdirSync(fresh)).toEqual(['mymedic.db']);

  const file = join(fresh, 'mymedic.db');
  const sqlite3 = Bun.which('sqlite3');
  if (sqlite3) expect(Bun.spawnSync([sqlite3, file, 'PRAGMA integrity_check;']).stdout.toString().trim()).toBe('ok');
  const verify = await mymedic(['verify', '--data', fresh]);
  expect(verify.code).toBe(0);

  const db = new Database(file, { readonly: true });
  const present = new Set((db.query('SELECT id FROM patients').all() as { id: string }[]).map((r) => r.id));
  const events = (db.query('SELECT count(*) AS n FROM events').get() as { n: number }).n;
  db.close();
  const lost = mustHave.filter((a) => !present.has(a.id));
  expect(lost).toEqual([]);
  expect(events).toBeGreaterThanOrEqual(TARGET_EVENTS);

  // The snapshot taken under load restores and verifies too.
  const fromSnapshot = await mymedic(['restore', '--from', snapshot, '--data', join(dir, 'from-snapshot')]);
  expect(fromSnapshot.code).toBe(0);
  expect(fromSnapshot.stdout).toContain(`${snapEvents} events`);

  // The drill does the same from the config and compares with what the live folder holds.
  const drill = await mymedic(['backup', 'drill', '--data', data, '--json']);
  expect(drill.code).toBe(0);
  expect(JSON.parse(drill.stdout)).toMatchObject({ ok: true, source: expect.stringContaining(`replica file://${replica}`) });
  expect(existsSync(join(data, 'backups.json'))).toBe(true);

  // A replica whose snapshot was damaged on the NAS: Litestream's lz4 checksum refuses it,
  // and nothing is left under the target.
  const damaged = join(dir, 'damaged-replica');
  cpSync(replica, damaged, { recursive: true });
  const gen = readdirSync(join(damaged, 'generations'))[0];
  const snapDir = join(damaged, 'generations', gen, 'snapshots');
  const snap = join(snapDir, readdirSync(snapDir).sort()[0]);
  const bytes = readFileSync(snap);
  for (let i = 1000; i < 1010; i++) bytes[i] ^= 0xff;
  writeFileSync(snap, bytes);
  const bad = await mymedic(['restore', '--from', damaged, '--data', join(dir, 'from-damaged')]);
  expect(bad.code).toBe(1);
  expect(bad.stderr).toMatch(/^error: litestream restore from replica folder .* failed: cannot restore snapshot: lz4: /);
  expect(existsSync(join(dir, 'from-damaged'))).toBe(false);

  console.log(
    `litestream: ${acked.length} patients acknowledged (${TARGET_EVENTS} in ${loadSeconds.toFixed(1)} s), ${mustHave.length} older than 5 s at the kill, ` +
      `${present.size} restored (${events} events), none lost`,
  );
}, 60_000);
