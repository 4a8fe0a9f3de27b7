// A fault-injecting HTTP proxy on 127.0.0.1 between branches and the hub, as a flaky network
// or reverse proxy would behave: it can be down (503 for everything), drop a request before
// the hub sees it, drop the hub's answer after the hub acted (the branch never learns),
// send a request to the hub twice, and delay. Faults are drawn from a seeded generator.

export interface FaultRates {
  /** 502 without forwarding: the hub never sees the request. */
  dropBefore: number;
  /** Forwarded, the hub's answer thrown away, 502 instead: the hub acted, the branch does not know. */
  dropAfter: number;
  /** Forwarded twice; the second answer is returned. */
  duplicate: number;
  /** Held back 20–300 ms before forwarding. */
  delay: number;
}

export const NO_FAULTS: FaultRates = { dropBefore: 0, dropAfter: 0, duplicate: 0, delay: 0 };

export interface FaultProxy {
  url: string;
  down: boolean;
  rates: FaultRates;
  counts: Record<keyof FaultRates | 'forwarded' | 'refusedDown' | 'upstreamFailed', number>;
  /** Headers of the requests it saw (to check what branches send). */
  seen: { path: string; authorization: string | null }[];
  stop(): void;
}

/** mulberry32: small, fast and reproducible. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function startFaultProxy(upstream: string, rates: FaultRates = NO_FAULTS, seed = 6): FaultProxy {
  const rand = rng(seed);
  const counts = { dropBefore: 0, dropAfter: 0, duplicate: 0, delay: 0, forwarded: 0, refusedDown: 0, upstreamFailed: 0 };
  const seen: FaultProxy['seen'] = [];
  const target = upstream.replace(/\/$/, '');
  const proxy: FaultProxy = {
    url: '',
    down: false,
    rates,
    counts,
    seen,
    stop: () => server.stop(true),
  };
  const forward = async (req: Request, body: ArrayBuffer | null): Promise<Response> => {
    const u = new URL(req.url);
    const headers = new Headers(req.headers);
    headers.delete('host');
    headers.delete('content-length');
    counts.forwarded++;
    const res = await fetch(target + u.pathname + u.search, { method: req.method, headers, body, signal: AbortSignal.timeout(10_000), decompress: false } as RequestInit);
    const bytes = await res.arrayBuffer();
    const out = new Headers(res.headers);
    out.delete('content-length');
    out.delete('transfer-encoding');
    return new Response(bytes, { status: res.status, headers: out });
  };
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    idleTimeout: 30,
    async fetch(req) {
      const u = new URL(req.url);
      seen.push({ path: u.pathname, authorization: req.headers.get('authorization') });
      if (seen.length > 20_000) seen.splice(0, 10_000);
      if (proxy.down) {
        counts.refusedDown++;
        return new Response('hub unreachable (test proxy)', { status: 503 });
      }
      const body = req.method === 'GET' || req.method === 'HEAD' ? null : await req.arrayBuffer();
      const r = proxy.rates;
      if (rand() < r.delay) {
        counts.delay++;
        await Bun.sleep(20 + Math.floor(rand() * 280));
      }
      if (rand() < r.dropBefore) {
        counts.dropBefore++;
        return new Response('dropped (test proxy)', { status: 502 });
      }
      try {
        if (rand() < r.duplicate) {
          counts.duplicate++;
          await forward(req, body);
          return await forward(req, body);
        }
        const res = await forward(req, body);
        if (rand() < r.dropAfter) {
          counts.dropAfter++;
          return new Response('answer lost (test proxy)', { status: 502 });
        }
        return res;
      } catch {
        counts.upstreamFailed++;
        return new Response('hub unreachable (test proxy)', { status: 502 });
      }
    },
  });
  proxy.url = `http://127.0.0.1:${server.port}`;
  return proxy;
}
