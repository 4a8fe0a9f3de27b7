// Turns anything thrown into the answer API.md promises: {"error":{code,message,details}}
// with a 4xx for what the client caused; a 5xx only for our own bugs (logged with a stack).
import { DomainError } from '../core/errors';
import type { Services } from './services';
import { infoOf, wantsHtml } from './request-info';
import { renderErrorPage } from '../../views/error';

export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown>; request_id: string };
}

interface ElysiaValidationLike {
  all?: { path?: string; message?: string; summary?: string }[];
  message: string;
}

function validationDetails(err: ElysiaValidationLike): { fields: { field: string; message: string }[] } {
  const fields = (err.all ?? []).slice(0, 20).map((e) => ({
    field: (e.path ?? '').replace(/^\//, '').replace(/\//g, '.') || '(body)',
    message: e.summary ?? e.message ?? 'invalid',
  }));
  return { fields };
}

export function classify(code: string | number, error: unknown): { status: number; code: string; message: string; details?: Record<string, unknown> } {
  if (error instanceof DomainError) return { status: error.status, code: error.code, message: error.message, details: error.details };
  switch (code) {
    case 'VALIDATION': {
      const details = validationDetails(error as ElysiaValidationLike);
      const first = details.fields[0];
      return {
        status: 400,
        code: 'invalid_request',
        message: first ? `Invalid ${first.field}: ${first.message}` : 'The request is not valid',
        details,
      };
    }
    case 'PARSE':
      return { status: 400, code: 'malformed_body', message: 'The request body could not be parsed (send valid JSON with Content-Type: application/json)' };
    case 'NOT_FOUND':
      return { status: 404, code: 'not_found', message: 'No such page or resource' };
    case 'INVALID_COOKIE_SIGNATURE':
      return { status: 401, code: 'invalid_token', message: 'Your session is not valid; sign in again' };
  }
  const status = (error as { status?: number })?.status;
  if (typeof status === 'number' && status === 413) return { status: 413, code: 'payload_too_large', message: 'The request is too large' };
  return { status: 500, code: 'internal_error', message: 'Something went wrong on our side; it has been logged' };
}

export function errorResponse(svc: Services, request: Request, code: string | number, error: unknown): Response {
  const info = infoOf(request);
  const c = classify(code, error);
  const path = new URL(request.url).pathname;
  if (c.status >= 500) {
    svc.logger.log('error', 'unhandled error', {
      request_id: info.id,
      method: request.method,
      path,
      error: error instanceof Error ? error.message : String(error),
      stack: error instanceof Error ? error.stack : undefined,
    });
  } else {
    svc.metrics.commandFailures.inc({ code: c.code });
  }
  const headers: Record<string, string> = { 'x-request-id': info.id };
  if (c.status === 429 && c.details?.retry_after_seconds) headers['retry-after'] = String(c.details.retry_after_seconds);
  if (c.status === 401 && wantsHtml(request) && request.method === 'GET' && request.headers.get('hx-request') !== 'true') {
    return new Response(null, { status: 303, headers: { ...headers, location: `/login?next=${encodeURIComponent(path)}` } });
  }
  if (wantsHtml(request)) {
    if (c.status === 401 && request.headers.get('hx-request') === 'true') headers['hx-redirect'] = '/login';
    return new Response(renderErrorPage(c.status, c.message, info.id), {
      status: c.status,
      headers: { ...headers, 'content-type': 'text/html; charset=utf-8' },
    });
  }
  const body: ErrorBody = { error: { code: c.code, message: c.message, ...(c.details ? { details: c.details } : {}), request_id: info.id } };
  return Response.json(body, { status: c.status, headers });
}
