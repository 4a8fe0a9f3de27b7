// The branch's HTTP client for its hub: hello, push (gzip), pull. Every call is bounded in
// time; errors come back as SyncCallError with the hub's code and details when it sent some.
import { readFileSync } from 'node:fs';
import type { HubLink } from './link';
import { gzip } from './wire';

export class SyncCallError extends Error {
  constructor(
    message: string,
    /** HTTP status, or 0 when the hub was not reached (refused, reset, timed out). */
    readonly status: number,
    readonly code: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'SyncCallError';
  }
}

export interface HelloAnswer {
  hub_origin: string;
  chain_origin: string;
  branch_code: string;
  branch_id: string;
  high_water: number;
}

export interface PushAnswer {
  high_water: number;
  appended: number;
  skipped: number;
}

export class HubClient {
  private readonly tls: { ca: string } | undefined;
  constructor(
    readonly link: HubLink,
    readonly timeoutMs = 30_000,
  ) {
    this.tls = link.ca ? { ca: readFileSync(link.ca, 'utf8') } : undefined;
  }

  private async call(path: string, init: RequestInit): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${this.link.token}`);
    headers.set('accept', 'application/json');
    let res: Response;
    try {
      res = await fetch(this.link.url + path, { ...init, headers, signal: AbortSignal.timeout(this.timeoutMs), ...(this.tls ? { tls: this.tls } : {}) } as RequestInit);
    } catch (e) {
      const err = e as Error;
      const why = err.name === 'TimeoutError' ? `no answer within ${this.timeoutMs / 1000} s` : err.message;
      throw new SyncCallError(`hub not reachable: ${why}`, 0, 'unreachable');
    }
    if (res.ok) return res;
    let body: { error?: { code?: string; message?: string; details?: Record<string, unknown> } } = {};
    try {
      body = (await res.json()) as typeof body;
    } catch {
      /* not our JSON: a proxy's page */
    }
    throw new SyncCallError(body.error?.message ?? `hub answered ${res.status}`, res.status, body.error?.code ?? `http_${res.status}`, body.error?.details ?? {});
  }

  async hello(body: { origin: string; branches: { id: string; code: string }[]; version: string }): Promise<HelloAnswer> {
    const res = await this.call('/api/v1/sync/hello', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return (await res.json()) as HelloAnswer;
  }

  /** `json` is the push body, already serialized; it travels gzipped (`gzipped`, when the caller has done it already). */
  async push(json: string, gzipped?: Uint8Array): Promise<PushAnswer> {
    const res = await this.call('/api/v1/sync/push', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: (gzipped ?? gzip(json)) as Uint8Array<ArrayBuffer>,
    });
    return (await res.json()) as PushAnswer;
  }

  /** NDJSON lines of this branch's own events the hub holds after an origin_seq. */
  async own(after: number, limit: number): Promise<string[]> {
    const res = await this.call(`/api/v1/sync/own?after=${after}&limit=${limit}`, { method: 'GET' });
    const text = await res.text();
    return text.split('\n').filter((l) => l.length > 0);
  }

  /** NDJSON lines of chain events after a hub seq. */
  async pull(after: number, limit: number): Promise<string[]> {
    const res = await this.call(`/api/v1/sync/pull?after=${after}&limit=${limit}`, { method: 'GET' });
    const text = await res.text();
    return text.split('\n').filter((l) => l.length > 0);
  }
}
