// Per-request facts the hooks share: id, start time, client address, who it was.
export interface RequestInfo {
  id: string;
  start: number;
  ip: string;
  userId?: string;
  /** The status answered, when the handler returned a Response or an error was mapped. */
  status?: number;
}

const infos = new WeakMap<Request, RequestInfo>();

export function setInfo(req: Request, info: RequestInfo): void {
  infos.set(req, info);
}

export function infoOf(req: Request): RequestInfo {
  let i = infos.get(req);
  if (!i) {
    i = { id: Bun.randomUUIDv7(), start: performance.now(), ip: 'unknown' };
    infos.set(req, i);
  }
  return i;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;
export function requestIdFrom(header: string | null): string {
  return header && REQUEST_ID.test(header) ? header : Bun.randomUUIDv7();
}

export function wantsHtml(req: Request): boolean {
  const path = new URL(req.url).pathname;
  if (path.startsWith('/api/') || path === '/healthz' || path === '/readyz' || path === '/metrics' || path.startsWith('/openapi')) return false;
  return req.headers.get('hx-request') === 'true' || (req.headers.get('accept') ?? '').includes('text/html') || req.method !== 'GET';
}
