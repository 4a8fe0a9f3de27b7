// /metrics of a real `mymedic serve` (a subprocess over a real data folder), read back with a
// real Prometheus text-format parser after some requests: every family has HELP and TYPE and
// the mymedic_ prefix; the system gauges hold sane values, checked against what `df`,
// `stat` and the sqlite3 CLI say; `mymedic rebuild` shows up as the last rebuild's duration.
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import parsePrometheusTextFormat, { type PromFamily } from 'parse-prometheus-text-format';
import { latestSchemaVersion } from '../../src/core/migrate';
import { tempDir } from '../helpers/kernel';

const ROOT = join(import.meta.dir, '../..');
const BUN = process.execPath;
const dir = tempDir('mymedic-metrics-');
const data = join(dir, 'data');
let server: ReturnType<typeof Bun.spawn> | null = null;
let url = '';

function cleanEnv(): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MYMEDIC_') && !k.startsWith('LITESTREAM')));
}

beforeAll(async () => {
  const p = Bun.spawn([BUN, 'src/main.ts', 'serve', '--demo', '--data', data, '--host', '127.0.0.1', '--port', '0'], {
    cwd: ROOT,
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'inherit',
    env: cleanEnv(),
  });
  server = p;
  const reader = p.stdout.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const deadline = Date.now() + 15_000;
  while (!url) {
    const m = /"msg":"listening","url":"([^"]+)"/.exec(text);
    if (m) url = m[1];
    else {
      if (Date.now() > deadline) throw new Error(`serve did not start: ${text}`);
      const { value, done } = await reader.read();
      if (done) throw new Error(`serve exited: ${text}`);
      text += decoder.decode(value, { stream: true });
    }
  }
  void (async () => {
    for (;;) if ((await reader.read()).done) break; // keep draining the request log
  })();
});

afterAll(async () => {
  if (server) {
    server.kill('SIGTERM');
    await server.exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

async function scrape(): Promise<{ text: string; families: PromFamily[] }> {
  const res = await fetch(`${url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toStartWith('text/plain; version=0.0.4');
  const text = await res.text();
  return { text, families: parsePrometheusTextFormat(text) };
}

const value = (families: PromFamily[], name: string): number => {
  const f = families.find((x) => x.name === name);
  if (!f) throw new Error(`no metric ${name}`);
  expect(f.type).toBe('GAUGE');
  expect(f.metrics).toHaveLength(1);
  return Number(f.metrics[0].value);
};

async function bearer(): Promise<string> {
  const r = await fetch(`${url}/api/v1/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'owner', password: 'demo-owner-1' }) });
  expect(r.status).toBe(200);
  return ((await r.json()) as { token: string }).token;
}

/** `du`-free independent readings: df for the file system, stat for the WAL. */
function dfAvailableBytes(path: string): number {
  const r = Bun.spawnSync(['df', '-B1', '--output=avail', path], { stdout: 'pipe' });
  return Number(r.stdout.toString().trim().split('\n').pop());
}

test('after some requests, every family parses with HELP, TYPE and the mymedic_ prefix', async () => {
  const token = await bearer();
  const auth = { authorization: `Bearer ${token}` };
  expect((await fetch(`${url}/api/v1/patients`, { headers: auth })).status).toBe(200);
  const reg = await fetch(`${url}/api/v1/patients`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Asha Rao', phone: '9845012345', sex: 'female', age_years: 34 }),
  });
  expect(reg.status).toBe(201);
  expect((await fetch(`${url}/api/v1/patients?limit=0`, { headers: auth })).status).toBe(400);
  expect((await fetch(`${url}/admin/system`, { headers: { ...auth, accept: 'text/html' } })).status).toBe(200);

  let scraped = await scrape();
  for (let i = 0; i < 20 && !scraped.text.includes('status="201"'); i++) {
    await Bun.sleep(10); // a request is counted once its answer has gone out
    scraped = await scrape();
  }
  const { text, families } = scraped;
  expect(families.length).toBeGreaterThanOrEqual(15);
  for (const f of families) {
    expect({ name: f.name, prefixed: f.name.startsWith('mymedic_') }).toEqual({ name: f.name, prefixed: true });
    expect({ name: f.name, help: f.help.length > 10 }).toEqual({ name: f.name, help: true });
    expect(['COUNTER', 'GAUGE', 'HISTOGRAM']).toContain(f.type);
  }
  // And in the raw text: every sample's family is announced by its own # HELP and # TYPE.
  const announced = (kind: string) => new Set([...text.matchAll(new RegExp(`^# ${kind} (\\S+) `, 'gm'))].map((m) => m[1]));
  const help = announced('HELP');
  const type = announced('TYPE');
  const samples = text.split('\n').filter((l) => l && !l.startsWith('#'));
  expect(samples.length).toBeGreaterThan(families.length);
  for (const line of samples) {
    const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)![0];
    const family = [name, name.replace(/_(bucket|sum|count)$/, '')].find((n) => type.has(n));
    expect({ line, family: family ?? null, help: family ? help.has(family) : false }).toEqual({ line, family: expect.any(String), help: true });
  }

  const requests = families.find((f) => f.name === 'mymedic_http_requests_total')!;
  expect(requests.metrics).toContainEqual({ labels: { method: 'POST', route: '/api/v1/patients', status: '201' }, value: '1' });
  expect(requests.metrics).toContainEqual({ labels: { method: 'GET', route: '/admin/system', status: '200' }, value: '1' });
  const failures = families.find((f) => f.name === 'mymedic_command_failures_total')!;
  expect(failures.metrics).toContainEqual({ labels: { code: 'invalid_limit' }, value: '1' });
});

test('system gauges: WAL size, disk free and size, schema, backup lag, events, the last rebuild', async () => {
  const { families } = await scrape();
  const db = join(data, 'mymedic.db');

  const wal = value(families, 'mymedic_db_wal_size_bytes');
  expect(wal).toBeGreaterThanOrEqual(0);
  expect(wal).toBe(statSync(`${db}-wal`).size); // nothing written since the scrape

  const free = value(families, 'mymedic_data_disk_free_bytes');
  const size = value(families, 'mymedic_data_disk_size_bytes');
  expect(free).toBeGreaterThan(0);
  expect(size).toBeGreaterThanOrEqual(free);
  // df (coreutils) agrees to within what other processes write meanwhile.
  expect(Math.abs(free - dfAvailableBytes(data))).toBeLessThan(Math.max(64 * 1024 * 1024, free * 0.01));

  expect(value(families, 'mymedic_schema_version')).toBe(latestSchemaVersion());
  expect(value(families, 'mymedic_backup_lag_seconds')).toBe(-1); // no replica configured
  expect(value(families, 'mymedic_db_size_bytes')).toBeGreaterThan(0);
  expect(value(families, 'mymedic_events_stored')).toBeGreaterThan(5);
  expect(value(families, 'mymedic_uptime_seconds')).toBeGreaterThanOrEqual(0);
  expect(value(families, 'mymedic_last_rebuild_seconds')).toBe(-1); // never rebuilt

  // `mymedic rebuild` beside the running server: its time shows on the next scrape.
  const rebuild = Bun.spawnSync([BUN, 'src/main.ts', 'rebuild', '--data', data], { cwd: ROOT, stdout: 'pipe', stderr: 'pipe', env: cleanEnv() });
  expect(rebuild.stderr.toString()).toBe('');
  expect(rebuild.exitCode).toBe(0);
  const printed = Number(/replayed in (\d+\.\d+) s/.exec(rebuild.stdout.toString())![1]);
  const seconds = value((await scrape()).families, 'mymedic_last_rebuild_seconds');
  expect(seconds).toBeGreaterThanOrEqual(0);
  expect(seconds).toBeLessThan(60);
  expect(Math.abs(seconds - printed)).toBeLessThanOrEqual(0.006); // the same run, rounded for printing
});
