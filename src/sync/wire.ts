// Events on the wire between branch and hub: exactly the lines of /api/v1/events (data and
// meta as JSON objects), checked field by field before anything is stored. data and meta
// were canonical JSON when hashed, so canonicalJson(parsed) gives back the hashed text.
import { gunzipSync, gzipSync } from 'node:zlib';
import { canonicalJson } from '../core/canonical';
import { badRequest, DomainError } from '../core/errors';
import type { EventRow } from '../core/events';
import { isUuid } from '../core/ids';

export type WireEvent = Omit<EventRow, 'seq'> & {
  /** data as parsed off the wire (the same value as JSON.parse(data)): projections use it as is. */
  dataObject?: Record<string, unknown>;
};

/** Largest batch the hub takes in one push, and its largest size once gunzipped. */
export const MAX_PUSH_EVENTS = 10_000;
export const MAX_PUSH_INFLATED_BYTES = 32 * 1_048_576;

const HEX64 = /^[0-9a-f]{64}$/;
const TYPE = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const posInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 1;

/**
 * canonicalJson of a value fresh from JSON.parse. What a branch sends is its stored canonical
 * text, so every object's keys already come in sorted order: then JSON.stringify gives the same
 * text (JSON values only: no undefined, no toJSON) at a third of canonicalJson's cost.
 */
function canonicalOfParsed(v: unknown): string {
  return keysSorted(v) ? JSON.stringify(v) : canonicalJson(v);
}

function keysSorted(v: unknown): boolean {
  if (v === null || typeof v !== 'object') return true;
  if (Array.isArray(v)) return v.every(keysSorted);
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  for (let i = 0; i < keys.length; i++) {
    if (i > 0 && !(keys[i - 1] < keys[i])) return false;
    if (!keysSorted(o[keys[i]])) return false;
  }
  return true;
}

/** One event as received; throws 400 naming the event and the field at fault. */
export function parseWireEvent(v: unknown, i: number): WireEvent {
  const bad = (field: string, why: string) => badRequest('invalid_event', `events[${i}].${field} ${why}`, { index: i, field });
  if (!isObject(v)) throw badRequest('invalid_event', `events[${i}] must be an object`, { index: i });
  if (!isUuid(v.id)) throw bad('id', 'must be a UUID');
  if (!isUuid(v.origin)) throw bad('origin', 'must be a UUID');
  if (!posInt(v.origin_seq)) throw bad('origin_seq', 'must be a positive integer');
  if (typeof v.branch_id !== 'string' || !(v.branch_id === '*' || isUuid(v.branch_id))) throw bad('branch_id', "must be a UUID or '*'");
  if (typeof v.stream !== 'string' || !v.stream || v.stream.length > 200) throw bad('stream', 'must be a string of 1 to 200 characters');
  if (!posInt(v.version)) throw bad('version', 'must be a positive integer');
  if (typeof v.type !== 'string' || v.type.length > 80 || !TYPE.test(v.type)) throw bad('type', 'must be a dotted event type');
  if (!isObject(v.data)) throw bad('data', 'must be an object');
  if (!isObject(v.meta)) throw bad('meta', 'must be an object');
  if (typeof v.at !== 'string' || !ISO.test(v.at)) throw bad('at', 'must be an ISO-8601 UTC time');
  if (typeof v.prev_hash !== 'string' || !HEX64.test(v.prev_hash)) throw bad('prev_hash', 'must be 64 hex digits');
  if (typeof v.hash !== 'string' || !HEX64.test(v.hash)) throw bad('hash', 'must be 64 hex digits');
  return {
    id: v.id,
    origin: v.origin,
    origin_seq: v.origin_seq,
    branch_id: v.branch_id,
    stream: v.stream,
    version: v.version,
    type: v.type,
    data: canonicalOfParsed(v.data),
    meta: canonicalOfParsed(v.meta),
    at: v.at,
    prev_hash: v.prev_hash,
    hash: v.hash,
    dataObject: v.data,
  };
}

/** The request body as text: gunzipped when Content-Encoding says gzip, never past the limit. */
export function inflateBody(raw: Uint8Array, encoding: string | null): string {
  let bytes = raw;
  const enc = (encoding ?? 'identity').trim().toLowerCase();
  if (enc === 'gzip') {
    try {
      bytes = gunzipSync(raw, { maxOutputLength: MAX_PUSH_INFLATED_BYTES });
    } catch (e) {
      const tooBig = /maxOutputLength|buffer|too large|size/i.test((e as Error).message);
      throw tooBig
        ? new DomainError(413, 'payload_too_large', `The batch is larger than ${MAX_PUSH_INFLATED_BYTES} bytes once unzipped; send fewer events at a time`)
        : badRequest('invalid_gzip', 'The body is not valid gzip');
    }
  } else if (enc !== 'identity') {
    throw new DomainError(400, 'unsupported_encoding', `Content-Encoding ${enc} is not supported (gzip or none)`);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw badRequest('invalid_utf8', 'The body is not UTF-8');
  }
}

export function gzip(text: string): Uint8Array {
  return gzipSync(text, { level: 1 });
}

/** A push body as the branch sends it. */
export interface PushBody {
  events: WireEvent[];
  /** What the branch holds of its own log: lets the hub show how far behind it is. */
  head: { origin_seq: number; at: string | null } | null;
}

export function parsePushBody(text: string): PushBody {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw badRequest('invalid_json', 'The body is not valid JSON');
  }
  if (!isObject(v) || !Array.isArray(v.events)) throw badRequest('invalid_body', 'The body must be {"events":[…]}');
  if (v.events.length > MAX_PUSH_EVENTS) throw new DomainError(413, 'batch_too_large', `At most ${MAX_PUSH_EVENTS} events per push`);
  const events = v.events.map((e, i) => parseWireEvent(e, i));
  let head: PushBody['head'] = null;
  if (v.head !== undefined && v.head !== null) {
    const h = v.head;
    if (!isObject(h) || !(h.origin_seq === 0 || posInt(h.origin_seq)) || !(h.at === null || h.at === undefined || (typeof h.at === 'string' && ISO.test(h.at)))) {
      throw badRequest('invalid_head', 'head must be {"origin_seq": <integer>, "at": <ISO time or null>}');
    }
    head = { origin_seq: h.origin_seq as number, at: (h.at as string | undefined) ?? null };
  }
  return { events, head };
}
