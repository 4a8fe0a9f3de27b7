// Helpers for routes that answer HTML: the page user for the layout, HTML responses,
// redirects with a flash message, and full page vs htmx fragment.
import type { Scope } from '../core/scope';
import { getClinic, listBranches } from '../org/queries';
import type { Flash, PageUser } from '../../views/layout';
import { csrfTokenFor } from './csrf';
import type { Services } from './services';

export const FLASH_COOKIE = 'mm_flash';

export function pageUser(svc: Services, scope: Scope): PageUser {
  return {
    name: scope.name,
    role: scope.role,
    branchId: scope.branchId,
    branches: listBranches(svc.kernel.db, scope.branchIds).map((b) => ({ id: b.id, code: b.code, name: b.name })),
    csrf: csrfTokenFor(svc.secret, scope.sessionId),
    hub: svc.config.mode === 'hub',
  };
}

export function clinicName(svc: Services): string | null {
  return getClinic(svc.kernel.db)?.name ?? null;
}

export function html(body: string | Promise<string>, status = 200, headers: Record<string, string> = {}): Response | Promise<Response> {
  const make = (b: string) => new Response(b, { status, headers: { 'content-type': 'text/html; charset=utf-8', ...headers } });
  return typeof body === 'string' ? make(body) : body.then(make);
}

export function isHtmx(request: Request): boolean {
  return request.headers.get('hx-request') === 'true';
}

/** Redirect after a successful form post, carrying a one-shot flash message in a cookie. */
export function redirectWithFlash(location: string, flash?: Flash): Response {
  const headers = new Headers({ location });
  if (flash) headers.append('set-cookie', `${FLASH_COOKIE}=${encodeURIComponent(JSON.stringify(flash))}; Path=/; HttpOnly; SameSite=Lax; Max-Age=60`);
  return new Response(null, { status: 303, headers });
}

/** Reads (and clears) the flash message left by the previous redirect. */
export function takeFlash(request: Request, headers: Record<string, string>): Flash | null {
  const raw = request.headers.get('cookie')?.split(';').map((s) => s.trim()).find((s) => s.startsWith(`${FLASH_COOKIE}=`));
  if (!raw) return null;
  headers['set-cookie'] = `${FLASH_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`;
  try {
    const f = JSON.parse(decodeURIComponent(raw.slice(FLASH_COOKIE.length + 1))) as Flash;
    return typeof f.text === 'string' && ['ok', 'error', 'warn'].includes(f.kind) ? { kind: f.kind, text: f.text.slice(0, 300) } : null;
  } catch {
    return null;
  }
}

/** The request's form fields as strings (Elysia parses urlencoded and multipart bodies). */
export function formFields(body: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (body && typeof body === 'object') {
    for (const [k, v] of Object.entries(body as Record<string, unknown>)) if (typeof v === 'string') out[k] = v;
  }
  return out;
}
